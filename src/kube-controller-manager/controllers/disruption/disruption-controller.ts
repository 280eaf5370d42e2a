// The disruption controller (upstream pkg/controller/disruption): keeps every
// PodDisruptionBudget's status true to its pods, so that the eviction API (kubectl drain)
// can tell whether one more pod may go. Guarantees, per budget key:
// - its pods are those of its namespace its selector matches ({} selects all, null none);
// - expectedPods is the pod count for an integer minAvailable, else the sum of the pods'
//   controllers' replicas (pod-controllers.ts); desiredHealthy, currentHealthy,
//   disruptionsAllowed, observedGeneration and the DisruptionAllowed condition follow
//   (pdb-status.ts), written through /status only when they change, with the cached
//   resourceVersion (a conflict with the eviction handler's write requeues, never overwrites);
// - disruptedPods entries the eviction handler added are kept, and not counted healthy, until
//   the pod is gone or being deleted or DeletionTimeout (2 min) passed; the budget is synced
//   again when the earliest entry expires (a NotDeleted warning names a pod that outlived it);
// - when the status cannot be computed (a pod's controller cannot be found), it records a
//   warning (CalculateExpectedPodCountFailed, and NoControllers for a missing controller) and
//   writes disruptionsAllowed 0 with DisruptionAllowed=False, reason SyncFailed;
// - a budget is synced when it changes and when a pod it selects is added, changes or goes;
// - a DisruptionTarget=True condition on a pod that is still not being deleted two minutes
//   after it was set (an eviction or preemption that never happened) is reset to False.

import { isConflict, isNotFound } from '../../../client/api-errors.ts';
import type { EventRecorder } from '../../../client/event-recorder.ts';
import { metaNamespaceKey, splitMetaNamespaceKey } from '../../../client/indexer.ts';
import { DeletedFinalStateUnknown, type SharedIndexInformer } from '../../../client/informer.ts';
import { WorkQueue } from '../../../client/workqueue.ts';
import type { ControllerMetrics } from '../../../component-base/controller-metrics.ts';
import { runWorkers, type ReconcileResult } from '../../../component-base/controller-worker.ts';
import type { Logger } from '../../../component-base/logging.ts';
import type { Clock } from '../../../machinery/clock.ts';
import { formatLabelSelector, fromLabelSelector } from '../../../machinery/labels.ts';
import type { ApiClient, Controller } from '../../context.ts';
import { names } from '../../names.ts';
import { rfc3339, type Deployment, type Pod, type ReplicaSet } from '../../types.ts';
import type { ReplicationController } from '../replicationcontroller/conversion.ts';
import type { StatefulSet } from '../statefulset/stateful-pod.ts';
import {
  countHealthyPods,
  expectedAndDesired,
  failedStatus,
  needsControllerScale,
  nextStatus,
  pruneDisruptedPods,
  type PodDisruptionBudget,
  type PodDisruptionBudgetStatus,
} from './pdb-status.ts';
import { NoControllersError, PodControllers } from './pod-controllers.ts';

export type { PodDisruptionBudget } from './pdb-status.ts';

const pdbsRef = { group: 'policy', version: 'v1', resource: 'poddisruptionbudgets' };
const podsRef = { group: '', version: 'v1', resource: 'pods' };

/** How long a DisruptionTarget condition may stand on a pod not being deleted (upstream stalePodDisruptionTimeout). */
export const stalePodDisruptionTimeoutMs = 2 * 60 * 1000;

export interface DisruptionControllerOptions {
  client: ApiClient;
  podDisruptionBudgets: SharedIndexInformer<PodDisruptionBudget>;
  pods: SharedIndexInformer<Pod>;
  replicationControllers: SharedIndexInformer<ReplicationController>;
  replicaSets: SharedIndexInformer<ReplicaSet>;
  deployments: SharedIndexInformer<Deployment>;
  statefulSets: SharedIndexInformer<StatefulSet>;
  recorder: EventRecorder;
  clock: Clock;
  log: Logger;
  workers?: number;
  metrics?: ControllerMetrics;
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export class DisruptionController implements Controller {
  readonly name = names.disruption;
  /** Budget keys. */
  readonly queue: WorkQueue<string>;
  /** Keys of pods with a DisruptionTarget condition that may go stale. */
  readonly stalePodQueue: WorkQueue<string>;
  readonly #o: DisruptionControllerOptions;
  readonly #podControllers: PodControllers;

  constructor(options: DisruptionControllerOptions) {
    this.#o = options;
    this.queue = new WorkQueue<string>({ name: 'disruption', clock: options.clock });
    this.stalePodQueue = new WorkQueue<string>({ name: 'stale_pod_disruption', clock: options.clock });
    this.#podControllers = new PodControllers(options);
    options.podDisruptionBudgets.addEventHandler({
      onAdd: (pdb) => this.queue.add(metaNamespaceKey(pdb)),
      onUpdate: (_old, cur) => this.queue.add(metaNamespaceKey(cur)),
      onDelete: (obj) => this.queue.add(obj instanceof DeletedFinalStateUnknown ? obj.key : metaNamespaceKey(obj)),
    });
    options.pods.addEventHandler({
      onAdd: (pod) => {
        this.#enqueueBudgetsOf(pod);
        this.#enqueueIfStaleCondition(pod);
      },
      onUpdate: (old, cur) => {
        this.#enqueueBudgetsOf(cur);
        // A budget that selected the pod before a relabeling counts it no more.
        if (JSON.stringify(old.metadata.labels ?? {}) !== JSON.stringify(cur.metadata.labels ?? {})) this.#enqueueBudgetsOf(old, false);
        this.#enqueueIfStaleCondition(cur);
      },
      onDelete: (obj) => this.#enqueueBudgetsOf(obj instanceof DeletedFinalStateUnknown ? obj.obj : obj, false),
    });
  }

  async run(signal: AbortSignal): Promise<void> {
    const informers = [this.#o.pods, this.#o.podDisruptionBudgets, this.#o.replicationControllers, this.#o.replicaSets, this.#o.deployments, this.#o.statefulSets];
    const synced = await Promise.all(informers.map((i) => i.waitForSync(signal)));
    if (!synced.every(Boolean)) {
      this.queue.shutDown();
      this.stalePodQueue.shutDown();
      return;
    }
    const common = { log: this.#o.log, metrics: this.#o.metrics };
    await Promise.all([
      runWorkers({ ...common, name: this.name, queue: this.queue, workers: this.#o.workers ?? 1, reconcile: (k) => this.reconcile(k) }, signal),
      runWorkers({ ...common, name: `${this.name}-stale-pod-disruption`, queue: this.stalePodQueue, workers: 1, reconcile: (k) => this.reconcileStalePodDisruption(k) }, signal),
    ]);
  }

  /** Budgets in the pod's namespace whose selector matches it (upstream GetPodPodDisruptionBudgets). */
  #budgetsFor(pod: Pod): PodDisruptionBudget[] {
    return this.#o.podDisruptionBudgets.lister
      .namespace(pod.metadata.namespace ?? '')
      .list()
      .filter((pdb) => {
        try {
          return fromLabelSelector(pdb.spec?.selector).matches(pod.metadata.labels);
        } catch {
          return false;
        }
      });
  }

  #enqueueBudgetsOf(pod: Pod, warnIfMany = true): void {
    const budgets = this.#budgetsFor(pod);
    if (warnIfMany && budgets.length > 1) {
      const message = `Pod "${pod.metadata.namespace}"/"${pod.metadata.name}" matches multiple PodDisruptionBudgets.  Chose "${budgets[0].metadata.name}" arbitrarily.`;
      this.#o.recorder.event(pod, 'Warning', 'MultiplePodDisruptionBudgets', message);
    }
    for (const pdb of budgets) this.queue.add(metaNamespaceKey(pdb));
  }

  #enqueueIfStaleCondition(pod: Pod): void {
    const wait = this.#staleConditionWait(pod);
    if (wait !== undefined) this.stalePodQueue.addAfter(metaNamespaceKey(pod), wait);
  }

  /** How long until the pod's DisruptionTarget condition is stale (0: it is), or undefined when it cannot be. */
  #staleConditionWait(pod: Pod): number | undefined {
    if (pod.metadata.deletionTimestamp) return undefined;
    const phase = pod.status?.phase;
    if (phase === 'Succeeded' || phase === 'Failed') return undefined;
    const c = pod.status?.conditions?.find((x) => x.type === 'DisruptionTarget');
    // The kubelet's own condition may precede the deletion by any time: never stale.
    if (c?.status !== 'True' || c.reason === 'TerminationByKubelet') return undefined;
    const since = c.lastTransitionTime ? Date.parse(c.lastTransitionTime) : NaN;
    if (Number.isNaN(since)) return 0;
    return Math.max(0, stalePodDisruptionTimeoutMs - (this.#o.clock.now() - since));
  }

  async reconcile(key: string): Promise<ReconcileResult | void> {
    const { namespace, name } = splitMetaNamespaceKey(key);
    const pdb = this.#o.podDisruptionBudgets.lister.namespace(namespace).get(name);
    if (!pdb) return;
    try {
      return await this.#trySync(pdb);
    } catch (err) {
      // A conflict means the budget moved on (an eviction wrote it): sync the newer one.
      if (isConflict(err)) throw err;
      this.#o.log.warn('failed to sync PodDisruptionBudget', { key, err: errorMessage(err) });
      await this.#writeStatus(pdb, failedStatus(pdb, errorMessage(err), this.#o.clock.now()));
    }
  }

  async #trySync(pdb: PodDisruptionBudget): Promise<ReconcileResult | void> {
    const recorder = this.#o.recorder;
    let pods: Pod[];
    try {
      pods = this.#o.pods.lister.namespace(pdb.metadata.namespace ?? '').list(fromLabelSelector(pdb.spec?.selector));
    } catch (err) {
      recorder.event(pdb, 'Warning', 'NoPods', `Failed to get pods: ${errorMessage(err)}`);
      throw err;
    }
    if (pods.length === 0) recorder.event(pdb, 'Normal', 'NoPods', 'No matching pods found');

    let scale = 0;
    if (needsControllerScale(pdb)) {
      try {
        const found = await this.#podControllers.expectedScale(pods);
        scale = found.expected;
        if (found.unmanaged.length > 0) {
          this.#o.log.debug('unmanaged pods selected by PodDisruptionBudget', { pdb: metaNamespaceKey(pdb), pods: found.unmanaged.join(',') });
          recorder.event(
            pdb,
            'Warning',
            'UnmanagedPods',
            `Pods selected by this PodDisruptionBudget (selector: ${formatLabelSelector(pdb.spec?.selector)}) were found to be unmanaged. As a result, the status of the PDB cannot be calculated correctly, which may result in undefined behavior. To account for these pods please set ".spec.minAvailable" field of the PDB to an integer value.`,
          );
        }
      } catch (err) {
        if (err instanceof NoControllersError) recorder.event(pdb, 'Warning', 'NoControllers', err.message);
        recorder.event(pdb, 'Warning', 'CalculateExpectedPodCountFailed', `Failed to calculate the number of expected pods: ${errorMessage(err)}`);
        throw err;
      }
    }
    const { expectedPods, desiredHealthy } = expectedAndDesired(pdb, pods.length, scale);

    const now = this.#o.clock.now();
    const { disruptedPods, expired, recheckAt } = pruneDisruptedPods(pdb, pods, now);
    for (const pod of expired) {
      recorder.event(pod, 'Warning', 'NotDeleted', `Pod was expected by PDB ${pdb.metadata.namespace}/${pdb.metadata.name} to be deleted but it wasn't`);
    }
    const currentHealthy = countHealthyPods(pods, disruptedPods, now);
    const status = nextStatus(pdb, { currentHealthy, desiredHealthy, expectedPods, disruptedPods }, now);
    if (status) await this.#writeStatus(pdb, status);
    if (recheckAt !== undefined) return { requeueAfterMs: Math.max(0, recheckAt - now) };
  }

  /** One write with the cached resourceVersion: a newer budget is synced again rather than overwritten. */
  async #writeStatus(pdb: PodDisruptionBudget, status: PodDisruptionBudgetStatus): Promise<void> {
    const updated = structuredClone(pdb);
    updated.status = status;
    try {
      await this.#o.client.update({ ...pdbsRef, namespace: pdb.metadata.namespace, name: pdb.metadata.name, subresource: 'status' }, updated);
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }

  /** Resets a stale DisruptionTarget condition to False (upstream syncStalePodDisruption). */
  async reconcileStalePodDisruption(key: string): Promise<ReconcileResult | void> {
    const { namespace, name } = splitMetaNamespaceKey(key);
    const pod = this.#o.pods.lister.namespace(namespace).get(name);
    if (!pod) return;
    const wait = this.#staleConditionWait(pod);
    if (wait === undefined) return;
    if (wait > 0) return { requeueAfterMs: wait };
    const updated = structuredClone(pod);
    const conditions = updated.status!.conditions!;
    const i = conditions.findIndex((c) => c.type === 'DisruptionTarget');
    conditions[i] = { type: 'DisruptionTarget', status: 'False', lastProbeTime: null, lastTransitionTime: rfc3339(this.#o.clock.now()) };
    try {
      await this.#o.client.update({ ...podsRef, namespace, name, subresource: 'status' }, updated);
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }
}
