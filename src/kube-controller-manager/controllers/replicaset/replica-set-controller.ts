// The ReplicaSet controller (upstream pkg/controller/replicaset): keeps spec.replicas active
// pods matching each ReplicaSet's selector. Guarantees, per ReplicaSet key:
// - it claims pods first (adopts matching orphans, releases owned pods that stopped matching);
// - it creates missing pods from the template (generateName "<rs>-", a controller reference
//   with blockOwnerDeletion) in slow-start batches, and deletes surplus pods in upstream's
//   ranking order, at most `burstReplicas` either way per reconcile;
// - it does not create or delete again until its informer has observed the previous round
//   (expectations), and never manages pods of a ReplicaSet being deleted;
// - it writes status (replicas, fullyLabeledReplicas, readyReplicas, availableReplicas with
//   minReadySeconds, observedGeneration, a ReplicaFailure condition while creates or deletes
//   fail) through /status, and requeues itself when pods will become available by time alone;
// - it records SuccessfulCreate/SuccessfulDelete (and FailedCreate/FailedDelete) events.

import { isNotFound } from '../../../client/api-errors.ts';
import { splitMetaNamespaceKey, metaNamespaceKey } from '../../../client/indexer.ts';
import { DeletedFinalStateUnknown, type SharedIndexInformer } from '../../../client/informer.ts';
import { WorkQueue } from '../../../client/workqueue.ts';
import type { Logger } from '../../../component-base/logging.ts';
import type { Clock } from '../../../machinery/clock.ts';
import { fromLabelSelector } from '../../../machinery/labels.ts';
import type { StatusError } from '../../../machinery/status.ts';
import type { ApiClient, Controller } from '../../context.ts';
import { claimObjects, controllerUidIndex, controllerUidIndexFunc, ownerReferenceFor } from '../../controller-ref-manager.ts';
import type { EventRecorder } from '../../../client/event-recorder.ts';
import { Expectations } from '../../expectations.ts';
import type { ControllerMetrics } from '../../../component-base/controller-metrics.ts';
import { controllerRef, isPodActive, isPodAvailable, isPodReady } from '../../pod-conditions.ts';
import { rfc3339, type Pod, type ReplicaSet } from '../../types.ts';
import { runWorkers, type ReconcileResult } from '../../../component-base/controller-worker.ts';
import { podsToDelete } from './pod-ranking.ts';
import { slowStartBatch } from './slow-start.ts';
import { writeStatus } from '../../status-writer.ts';

export const controllerName = 'replicaset-controller';
const pods = { group: '', version: 'v1', resource: 'pods' };
const replicaSets = { group: 'apps', version: 'v1', resource: 'replicasets' };

export interface ReplicaSetControllerOptions {
  client: ApiClient;
  replicaSets: SharedIndexInformer<ReplicaSet>;
  pods: SharedIndexInformer<Pod>;
  recorder: EventRecorder;
  clock: Clock;
  log: Logger;
  workers?: number;
  metrics?: ControllerMetrics;
  /** Most pods created or deleted in one reconcile (upstream BurstReplicas: 500). */
  burstReplicas?: number;
}

export type ReplicaSetStatus = NonNullable<ReplicaSet['status']>;

/** The status a ReplicaSet should report for the pods it owns (upstream calculateStatus). */
export function calculateStatus(rs: ReplicaSet, owned: readonly Pod[], manageError: { message: string; creating: boolean } | undefined, now: number): ReplicaSetStatus {
  const templateLabels = rs.spec.template?.metadata?.labels ?? {};
  const minReadySeconds = rs.spec.minReadySeconds ?? 0;
  let fullyLabeled = 0;
  let ready = 0;
  let available = 0;
  for (const pod of owned) {
    const labels = pod.metadata.labels ?? {};
    if (Object.entries(templateLabels).every(([k, v]) => labels[k] === v)) fullyLabeled++;
    if (isPodReady(pod)) {
      ready++;
      if (isPodAvailable(pod, minReadySeconds, now)) available++;
    }
  }
  const conditions = (rs.status?.conditions ?? []).filter((c) => c.type !== 'ReplicaFailure' || manageError);
  const failure = conditions.find((c) => c.type === 'ReplicaFailure');
  if (manageError && !failure) {
    conditions.push({
      type: 'ReplicaFailure',
      status: 'True',
      reason: manageError.creating ? 'FailedCreate' : 'FailedDelete',
      message: manageError.message,
      lastTransitionTime: rfc3339(now),
    });
  }
  const status: ReplicaSetStatus = {
    replicas: owned.length,
    fullyLabeledReplicas: fullyLabeled,
    readyReplicas: ready,
    availableReplicas: available,
    observedGeneration: rs.metadata.generation ?? rs.status?.observedGeneration,
  };
  if (conditions.length > 0) status.conditions = conditions;
  // Only replicas is always written upstream; the other counts are omitempty.
  for (const k of ['fullyLabeledReplicas', 'readyReplicas', 'availableReplicas', 'observedGeneration'] as const) if (!status[k]) delete status[k];
  return status;
}

/** The pod a ReplicaSet creates from its template. */
export function podFromTemplate(rs: ReplicaSet): Pod {
  const t = rs.spec.template ?? {};
  const meta: Pod['metadata'] = {
    generateName: `${rs.metadata.name}-`,
    namespace: rs.metadata.namespace,
    labels: { ...(t.metadata?.labels ?? {}) },
    ownerReferences: [ownerReferenceFor(rs, 'apps/v1', 'ReplicaSet')],
  };
  if (t.metadata?.annotations) meta.annotations = { ...t.metadata.annotations };
  if (t.metadata?.finalizers) meta.finalizers = [...(t.metadata.finalizers as string[])];
  return { apiVersion: 'v1', kind: 'Pod', metadata: meta, spec: structuredClone(t.spec ?? {}) as Pod['spec'] };
}

function hasNamespaceTerminatingCause(err: unknown): boolean {
  return ((err as StatusError)?.status?.details?.causes ?? []).some((c) => c.reason === 'NamespaceTerminating');
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function sameStatus(a: ReplicaSetStatus | undefined, b: ReplicaSetStatus): boolean {
  const norm = (s: ReplicaSetStatus | undefined) =>
    JSON.stringify([s?.replicas ?? 0, s?.fullyLabeledReplicas ?? 0, s?.readyReplicas ?? 0, s?.availableReplicas ?? 0, s?.observedGeneration ?? 0, s?.conditions ?? []]);
  return norm(a) === norm(b);
}

export class ReplicaSetController implements Controller {
  readonly name = controllerName;
  readonly queue: WorkQueue<string>;
  readonly expectations: Expectations;
  readonly #o: ReplicaSetControllerOptions;

  constructor(options: ReplicaSetControllerOptions) {
    this.#o = options;
    this.queue = new WorkQueue<string>({ name: 'replicaset', clock: options.clock });
    this.expectations = new Expectations(options.clock);
    options.pods.addIndexers({ [controllerUidIndex]: controllerUidIndexFunc });
    options.replicaSets.addEventHandler({
      onAdd: (rs) => this.#enqueue(rs),
      onUpdate: (_old, cur) => this.#enqueue(cur),
      onDelete: (obj) => {
        const key = obj instanceof DeletedFinalStateUnknown ? obj.key : metaNamespaceKey(obj);
        this.expectations.delete(key);
        this.queue.add(key);
      },
    });
    options.pods.addEventHandler({
      onAdd: (pod) => this.#addPod(pod),
      onUpdate: (old, cur) => this.#updatePod(old, cur),
      onDelete: (obj) => this.#deletePod(obj instanceof DeletedFinalStateUnknown ? obj.obj : obj),
    });
  }

  async run(signal: AbortSignal): Promise<void> {
    const synced = await Promise.all([this.#o.replicaSets.waitForSync(signal), this.#o.pods.waitForSync(signal)]);
    if (!synced.every(Boolean)) {
      this.queue.shutDown();
      return;
    }
    await runWorkers({ name: this.name, queue: this.queue, workers: this.#o.workers ?? 5, reconcile: (k) => this.reconcile(k), log: this.#o.log, metrics: this.#o.metrics }, signal);
  }

  #enqueue(rs: ReplicaSet): void {
    this.queue.add(metaNamespaceKey(rs));
  }

  #resolve(namespace: string, ref: { kind: string; name: string; uid: string } | undefined): ReplicaSet | undefined {
    if (!ref || ref.kind !== 'ReplicaSet') return undefined;
    const rs = this.#o.replicaSets.lister.namespace(namespace).get(ref.name);
    return rs && rs.metadata.uid === ref.uid ? rs : undefined;
  }

  /** ReplicaSets in the pod's namespace whose selector matches it. */
  #matching(pod: Pod): ReplicaSet[] {
    const labels = pod.metadata.labels;
    if (!labels) return [];
    return this.#o.replicaSets.lister
      .namespace(pod.metadata.namespace ?? '')
      .list()
      .filter((rs) => {
        const sel = fromLabelSelector(rs.spec.selector);
        return !sel.empty && sel.matches(labels);
      });
  }

  #addPod(pod: Pod): void {
    if (pod.metadata.deletionTimestamp) {
      this.#deletePod(pod);
      return;
    }
    const ref = controllerRef(pod);
    if (ref) {
      const rs = this.#resolve(pod.metadata.namespace ?? '', ref);
      if (!rs) return;
      const key = metaNamespaceKey(rs);
      this.expectations.creationObserved(key);
      this.queue.add(key);
      return;
    }
    for (const rs of this.#matching(pod)) this.#enqueue(rs);
  }

  #updatePod(old: Pod, cur: Pod): void {
    if (old.metadata.resourceVersion === cur.metadata.resourceVersion) return;
    const labelChanged = JSON.stringify(old.metadata.labels ?? {}) !== JSON.stringify(cur.metadata.labels ?? {});
    if (cur.metadata.deletionTimestamp) {
      this.#deletePod(cur);
      if (labelChanged) this.#deletePod(old);
      return;
    }
    const curRef = controllerRef(cur);
    const oldRef = controllerRef(old);
    const refChanged = curRef?.uid !== oldRef?.uid;
    if (refChanged && oldRef) {
      const rs = this.#resolve(old.metadata.namespace ?? '', oldRef);
      if (rs) this.#enqueue(rs);
    }
    if (curRef) {
      const rs = this.#resolve(cur.metadata.namespace ?? '', curRef);
      if (!rs) return;
      this.#enqueue(rs);
      const minReady = rs.spec.minReadySeconds ?? 0;
      if (!isPodReady(old) && isPodReady(cur) && minReady > 0) this.queue.addAfter(metaNamespaceKey(rs), minReady * 1000 + 1000);
      return;
    }
    if (labelChanged || refChanged) for (const rs of this.#matching(cur)) this.#enqueue(rs);
  }

  #deletePod(pod: Pod): void {
    const rs = this.#resolve(pod.metadata.namespace ?? '', controllerRef(pod));
    if (!rs) return;
    const key = metaNamespaceKey(rs);
    this.expectations.deletionObserved(key, metaNamespaceKey(pod));
    this.queue.add(key);
  }

  async reconcile(key: string): Promise<ReconcileResult | void> {
    const { namespace, name } = splitMetaNamespaceKey(key);
    const rs = this.#o.replicaSets.lister.namespace(namespace).get(name);
    if (!rs) {
      this.expectations.delete(key);
      return;
    }
    const needsSync = this.expectations.satisfied(key);
    const selector = fromLabelSelector(rs.spec.selector);
    const active = this.#o.pods.lister.namespace(namespace).list().filter(isPodActive);
    const owned = await claimObjects<Pod>({
      owner: rs,
      ownerApiVersion: 'apps/v1',
      ownerKind: 'ReplicaSet',
      selector,
      candidates: active,
      recheckOwner: async () => {
        const fresh = await this.#o.client.get<ReplicaSet>({ ...replicaSets, namespace, name });
        if (fresh.metadata.uid !== rs.metadata.uid) throw new Error(`original ReplicaSet ${key} is gone: got uid ${fresh.metadata.uid}, wanted ${rs.metadata.uid}`);
        if (fresh.metadata.deletionTimestamp) throw new Error(`${key} has just been deleted at ${fresh.metadata.deletionTimestamp}`);
      },
      patch: async (pod, patch) => {
        await this.#o.client.patch({ ...pods, namespace, name: pod.metadata.name }, patch, { type: 'strategic' });
      },
    });

    let manageError: { message: string; creating: boolean; err: unknown } | undefined;
    if (needsSync && !rs.metadata.deletionTimestamp) manageError = await this.#manageReplicas(key, owned, rs);
    const now = this.#o.clock.now();
    const status = calculateStatus(rs, owned, manageError, now);
    const updated = await this.#updateStatus(rs, status);
    const minReady = rs.spec.minReadySeconds ?? 0;
    if (manageError) throw manageError.err;
    const replicas = rs.spec.replicas ?? 1;
    if (minReady > 0 && (updated.readyReplicas ?? 0) === replicas && (updated.availableReplicas ?? 0) !== replicas) return { requeueAfterMs: minReady * 1000 };
  }

  async #manageReplicas(key: string, owned: readonly Pod[], rs: ReplicaSet): Promise<{ message: string; creating: boolean; err: unknown } | undefined> {
    const burst = this.#o.burstReplicas ?? 500;
    const diff = owned.length - (rs.spec.replicas ?? 1);
    const namespace = rs.metadata.namespace ?? '';
    if (diff < 0) {
      const count = Math.min(-diff, burst);
      this.expectations.expectCreations(key, count);
      const { successes, error } = await slowStartBatch(count, 1, async () => {
        try {
          const created = await this.#o.client.create<Pod>({ ...pods, namespace }, podFromTemplate(rs));
          this.#o.recorder.event(rs, 'Normal', 'SuccessfulCreate', `Created pod: ${created.metadata.name}`);
        } catch (err) {
          if (hasNamespaceTerminatingCause(err)) {
            this.expectations.lowerCreations(key, 1);
            return;
          }
          this.#o.recorder.event(rs, 'Warning', 'FailedCreate', `Error creating: ${errorMessage(err)}`);
          throw err;
        }
      });
      if (error !== undefined) {
        // Creations that failed or were never tried will not be observed.
        this.expectations.lowerCreations(key, count - successes);
        return { message: errorMessage(error), creating: true, err: error };
      }
      return undefined;
    }
    if (diff > 0) {
      const count = Math.min(diff, burst);
      const victims = podsToDelete(owned, this.#relatedPods(rs), count, this.#o.clock.now());
      this.expectations.expectDeletions(key, victims.map(metaNamespaceKey));
      const results = await Promise.allSettled(
        victims.map(async (pod) => {
          try {
            await this.#o.client.delete({ ...pods, namespace, name: pod.metadata.name }, { preconditions: { uid: pod.metadata.uid } });
            this.#o.recorder.event(rs, 'Normal', 'SuccessfulDelete', `Deleted pod: ${pod.metadata.name}`);
          } catch (err) {
            // The deletion will not be observed (or already happened).
            this.expectations.deletionObserved(key, metaNamespaceKey(pod));
            if (isNotFound(err)) return;
            this.#o.recorder.event(rs, 'Warning', 'FailedDelete', `Error deleting: ${errorMessage(err)}`);
            throw err;
          }
        }),
      );
      const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failed) return { message: errorMessage(failed.reason), creating: false, err: failed.reason };
    }
    return undefined;
  }

  /** Active pods of every ReplicaSet with the same controller (a Deployment's siblings). */
  #relatedPods(rs: ReplicaSet): Pod[] {
    const ref = controllerRef(rs);
    const siblings = ref
      ? this.#o.replicaSets.lister.namespace(rs.metadata.namespace ?? '').list().filter((o) => controllerRef(o)?.uid === ref.uid)
      : [rs];
    return siblings.flatMap((s) => this.#o.pods.indexer.byIndex(controllerUidIndex, s.metadata.uid ?? ''));
  }

  async #updateStatus(rs: ReplicaSet, status: ReplicaSetStatus): Promise<ReplicaSetStatus> {
    if (sameStatus(rs.status, status)) return status;
    await writeStatus(this.#o.client, replicaSets, rs, { ...status });
    return status;
  }
}

