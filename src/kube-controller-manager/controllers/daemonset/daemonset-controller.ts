// The DaemonSet controller (upstream pkg/controller/daemon). Guarantees, per DaemonSet key:
// - it claims pods (adopts matching orphans, releases owned pods that stopped matching);
// - it keeps a ControllerRevision "<ds>-<hash>" of the template (a newer revision number when
//   an old template comes back) and prunes unused revisions beyond revisionHistoryLimit;
// - on every node that should run the daemon pod (node-eligibility.ts) it creates exactly one
//   pod from the current template, bound to the node by required node affinity on
//   metadata.name (the scheduler places it) with the controller-revision-hash label and the
//   daemon tolerations; it deletes failed pods, duplicates (keeping the oldest) and pods on
//   nodes that may no longer run them; with maxSurge a node may hold one old and one new pod
//   until the new one is available;
// - with RollingUpdate it replaces old pods within maxUnavailable, or with maxSurge starts new
//   pods beside old ones within maxSurge (rolling-update.ts); with OnDelete it replaces only
//   pods the user deleted;
// - it does not act again until its informer observed the previous creates and deletes;
// - it writes status (desired/current/ready/available/updated/misscheduled/unavailable,
//   observedGeneration) through /status and records SuccessfulCreate/SuccessfulDelete events.

import { isAlreadyExists, isNotFound } from '../../../client/api-errors.ts';
import { metaNamespaceKey, splitMetaNamespaceKey } from '../../../client/indexer.ts';
import { DeletedFinalStateUnknown, type SharedIndexInformer } from '../../../client/informer.ts';
import { WorkQueue } from '../../../client/workqueue.ts';
import type { Logger } from '../../../component-base/logging.ts';
import type { Clock } from '../../../machinery/clock.ts';
import { fromLabelSelector, type LabelSelectorSpec } from '../../../machinery/labels.ts';
import type { ApiClient, Controller } from '../../context.ts';
import { claimObjects, ownerReferenceFor } from '../../controller-ref-manager.ts';
import type { EventRecorder } from '../../../client/event-recorder.ts';
import { Expectations } from '../../expectations.ts';
import type { ControllerMetrics } from '../../../component-base/controller-metrics.ts';
import { controllerRef, isPodAvailable, isPodReady } from '../../pod-conditions.ts';
import type { IntOrString, KubeObject, ObjectMeta, Pod, PodTemplateSpec } from '../../types.ts';
import { runWorkers, type ReconcileResult } from '../../../component-base/controller-worker.ts';
import { computeHash } from '../deployment/deployment-util.ts';
import type { Node } from '../nodelifecycle/node-lifecycle-controller.ts';
import { nodeShouldRunDaemonPod, targetNodeName, withNodeAffinity, type DaemonPodSpec } from './node-eligibility.ts';
import { allowsSurge, nodesToUpdate, oldPodsToDelete, revisionHashLabel, surgeStep, updateCounts } from './rolling-update.ts';
import { writeStatus } from '../../status-writer.ts';

export const controllerName = 'daemonset-controller';
const podsResource = { group: '', version: 'v1', resource: 'pods' };
const daemonSetsResource = { group: 'apps', version: 'v1', resource: 'daemonsets' };
const revisionsResource = { group: 'apps', version: 'v1', resource: 'controllerrevisions' };

export interface DaemonSet extends KubeObject {
  metadata: ObjectMeta;
  spec: {
    selector?: LabelSelectorSpec;
    template?: PodTemplateSpec;
    updateStrategy?: { type?: 'RollingUpdate' | 'OnDelete' | string; rollingUpdate?: { maxUnavailable?: IntOrString; maxSurge?: IntOrString } };
    minReadySeconds?: number;
    revisionHistoryLimit?: number;
  };
  status?: DaemonSetStatus;
}

export interface DaemonSetStatus {
  currentNumberScheduled: number;
  numberMisscheduled: number;
  desiredNumberScheduled: number;
  numberReady: number;
  observedGeneration?: number;
  updatedNumberScheduled?: number;
  numberAvailable?: number;
  numberUnavailable?: number;
  collisionCount?: number;
}

export interface ControllerRevision extends KubeObject {
  metadata: ObjectMeta;
  data?: unknown;
  revision: number;
}

export interface DaemonSetControllerOptions {
  client: ApiClient;
  daemonSets: SharedIndexInformer<DaemonSet>;
  pods: SharedIndexInformer<Pod>;
  nodes: SharedIndexInformer<Node>;
  revisions: SharedIndexInformer<ControllerRevision>;
  recorder: EventRecorder;
  clock: Clock;
  log: Logger;
  workers?: number;
  metrics?: ControllerMetrics;
}

function byCreation(a: KubeObject, b: KubeObject): number {
  const ta = a.metadata?.creationTimestamp ?? '';
  const tb = b.metadata?.creationTimestamp ?? '';
  return ta < tb ? -1 : ta > tb ? 1 : (a.metadata?.name ?? '') < (b.metadata?.name ?? '') ? -1 : 1;
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** The patch a ControllerRevision stores: the template, replacing the DaemonSet's (getPatch). */
function revisionData(ds: DaemonSet): unknown {
  return { spec: { template: { ...structuredClone(ds.spec.template ?? {}), $patch: 'replace' } } };
}

/** The pod the DaemonSet runs on one node. */
export function daemonPod(ds: DaemonSet, nodeName: string, hash: string): Pod {
  const t = ds.spec.template ?? {};
  const meta: Pod['metadata'] = {
    generateName: `${ds.metadata.name}-`,
    namespace: ds.metadata.namespace,
    labels: { ...(t.metadata?.labels ?? {}), [revisionHashLabel]: hash },
    ownerReferences: [ownerReferenceFor(ds, 'apps/v1', 'DaemonSet')],
  };
  if (t.metadata?.annotations) meta.annotations = { ...t.metadata.annotations };
  return { apiVersion: 'v1', kind: 'Pod', metadata: meta, spec: withNodeAffinity((t.spec ?? {}) as DaemonPodSpec, nodeName) };
}

interface NodePlan {
  create: string[];
  delete: Pod[];
}

/**
 * What manage() does: one pod per eligible node, none elsewhere, failed pods and duplicates
 * removed. With surge a node may keep one old and one new pod while the old one is ready and
 * the new one not yet available; otherwise the old one goes.
 */
export function planNodes(ds: DaemonSet, nodes: readonly Node[], nodeToPods: ReadonlyMap<string, Pod[]>, hash: string, now: number): NodePlan {
  const plan: NodePlan = { create: [], delete: [] };
  const spec = (ds.spec.template?.spec ?? {}) as DaemonPodSpec;
  const surge = allowsSurge(ds.spec.updateStrategy);
  for (const node of nodes) {
    const name = node.metadata.name ?? '';
    const { shouldRun, shouldContinueRunning } = nodeShouldRunDaemonPod(node, spec);
    const pods = (nodeToPods.get(name) ?? []).filter((p) => !p.metadata.deletionTimestamp);
    if (shouldRun && pods.length === 0) {
      plan.create.push(name);
    } else if (shouldContinueRunning) {
      const failed = pods.filter((p) => p.status?.phase === 'Failed');
      plan.delete.push(...failed);
      const live = pods.filter((p) => p.status?.phase !== 'Failed').sort(byCreation);
      if (!surge) {
        if (shouldRun && failed.length > 0 && live.length === 0) continue; // recreated after the delete is observed
        plan.delete.push(...live.slice(1));
      } else if (live.length === 0) {
        if (shouldRun) plan.create.push(name);
      } else {
        plan.delete.push(...surgeExcess(live, hash, ds.spec.minReadySeconds ?? 0, now));
      }
    } else {
      plan.delete.push(...pods);
    }
  }
  // Pods bound to nodes that do not exist are left to pod GC, as upstream.
  return plan;
}

/** With surge: the oldest new and the oldest old pod may stay side by side until the new one is available (or the old one is not ready). */
function surgeExcess(live: readonly Pod[], hash: string, minReadySeconds: number, now: number): Pod[] {
  const excess: Pod[] = [];
  let oldestNew: Pod | undefined;
  let oldestOld: Pod | undefined;
  for (const pod of live) {
    if (pod.metadata.labels?.[revisionHashLabel] === hash) {
      if (!oldestNew) oldestNew = pod;
      else excess.push(pod);
    } else if (!oldestOld) {
      oldestOld = pod;
    } else {
      excess.push(pod);
    }
  }
  if (oldestNew && oldestOld && (!isPodReady(oldestOld) || isPodAvailable(oldestNew, minReadySeconds, now))) excess.push(oldestOld);
  return excess;
}

/** One RollingUpdate step: old pods to delete and, with surge, nodes to create new pods on. */
export function rollingUpdate(ds: DaemonSet, nodes: readonly Node[], nodeToPods: ReadonlyMap<string, Pod[]>, hash: string, now: number): NodePlan {
  const spec = (ds.spec.template?.spec ?? {}) as DaemonPodSpec;
  const runs = new Map(nodes.map((n) => [n.metadata.name ?? '', nodeShouldRunDaemonPod(n, spec).shouldRun]));
  const all = nodesToUpdate(nodeToPods, nodes, (n) => runs.get(n.metadata.name ?? '') === true);
  const desired = [...runs.values()].filter(Boolean).length;
  const { maxSurge, maxUnavailable } = updateCounts(ds.spec.updateStrategy, desired);
  const minReady = ds.spec.minReadySeconds ?? 0;
  if (maxSurge === 0) return { create: [], delete: oldPodsToDelete(all, hash, maxUnavailable, minReady, now) };
  return surgeStep(all, (name) => runs.get(name) === true, hash, maxSurge, desired, minReady, now);
}

/** The status the DaemonSet should report (updateDaemonSetStatus). */
export function calculateStatus(ds: DaemonSet, nodes: readonly Node[], nodeToPods: ReadonlyMap<string, Pod[]>, hash: string, now: number): DaemonSetStatus {
  const spec = (ds.spec.template?.spec ?? {}) as DaemonPodSpec;
  const minReady = ds.spec.minReadySeconds ?? 0;
  let desired = 0;
  let current = 0;
  let misscheduled = 0;
  let ready = 0;
  let available = 0;
  let updated = 0;
  for (const node of nodes) {
    const { shouldRun } = nodeShouldRunDaemonPod(node, spec);
    const pods = (nodeToPods.get(node.metadata.name ?? '') ?? []).filter((p) => !p.metadata.deletionTimestamp).sort(byCreation);
    if (shouldRun) {
      desired++;
      if (pods.length === 0) continue;
      current++;
      const pod = pods[0];
      if (isPodReady(pod)) {
        ready++;
        if (isPodAvailable(pod, minReady, now)) available++;
      }
      if (pod.metadata.labels?.[revisionHashLabel] === hash) updated++;
    } else if (pods.length > 0) {
      misscheduled++;
    }
  }
  const status: DaemonSetStatus = {
    currentNumberScheduled: current,
    numberMisscheduled: misscheduled,
    desiredNumberScheduled: desired,
    numberReady: ready,
    observedGeneration: ds.metadata.generation,
    updatedNumberScheduled: updated,
    numberAvailable: available,
    numberUnavailable: desired - available,
  };
  if (ds.status?.collisionCount !== undefined) status.collisionCount = ds.status.collisionCount;
  for (const k of ['observedGeneration', 'updatedNumberScheduled', 'numberAvailable', 'numberUnavailable'] as const) if (!status[k]) delete status[k];
  return status;
}

function sameStatus(a: DaemonSetStatus | undefined, b: DaemonSetStatus): boolean {
  const keys = ['currentNumberScheduled', 'numberMisscheduled', 'desiredNumberScheduled', 'numberReady', 'observedGeneration', 'updatedNumberScheduled', 'numberAvailable', 'numberUnavailable'] as const;
  return keys.every((k) => (a?.[k] ?? 0) === (b[k] ?? 0));
}

export class DaemonSetController implements Controller {
  readonly name = controllerName;
  readonly queue: WorkQueue<string>;
  /** Creations and deletions are tracked apart: one round may do both. */
  readonly creations: Expectations;
  readonly deletions: Expectations;
  readonly #o: DaemonSetControllerOptions;

  constructor(options: DaemonSetControllerOptions) {
    this.#o = options;
    this.queue = new WorkQueue<string>({ name: 'daemonset', clock: options.clock });
    this.creations = new Expectations(options.clock);
    this.deletions = new Expectations(options.clock);
    options.daemonSets.addEventHandler({
      onAdd: (ds) => this.queue.add(metaNamespaceKey(ds)),
      onUpdate: (_old, cur) => this.queue.add(metaNamespaceKey(cur)),
      onDelete: (obj) => {
        const key = obj instanceof DeletedFinalStateUnknown ? obj.key : metaNamespaceKey(obj);
        this.creations.delete(key);
        this.deletions.delete(key);
        this.queue.add(key);
      },
    });
    options.pods.addEventHandler({
      onAdd: (pod) => this.#podChanged(pod, 'add'),
      onUpdate: (old, cur) => {
        if (old.metadata.resourceVersion === cur.metadata.resourceVersion) return;
        if (controllerRef(old)?.uid !== controllerRef(cur)?.uid) this.#podChanged(old, 'update');
        this.#podChanged(cur, cur.metadata.deletionTimestamp ? 'delete' : 'update');
      },
      onDelete: (obj) => this.#podChanged(obj instanceof DeletedFinalStateUnknown ? obj.obj : obj, 'delete'),
    });
    const all = () => {
      for (const ds of options.daemonSets.lister.list()) this.queue.add(metaNamespaceKey(ds));
    };
    options.nodes.addEventHandler({ onAdd: all, onUpdate: all, onDelete: all });
  }

  async run(signal: AbortSignal): Promise<void> {
    const o = this.#o;
    const synced = await Promise.all([o.daemonSets, o.pods, o.nodes, o.revisions].map((i) => (i as SharedIndexInformer<KubeObject>).waitForSync(signal)));
    if (!synced.every(Boolean)) {
      this.queue.shutDown();
      return;
    }
    await runWorkers({ name: this.name, queue: this.queue, workers: o.workers ?? 2, reconcile: (k) => this.reconcile(k), log: o.log, metrics: o.metrics }, signal);
  }

  #podChanged(pod: Pod, how: 'add' | 'update' | 'delete'): void {
    const namespace = pod.metadata.namespace ?? '';
    const ref = controllerRef(pod);
    if (ref) {
      if (ref.kind !== 'DaemonSet') return;
      const ds = this.#o.daemonSets.lister.namespace(namespace).get(ref.name);
      if (!ds || ds.metadata.uid !== ref.uid) return;
      const key = metaNamespaceKey(ds);
      if (how === 'add') this.creations.creationObserved(key);
      if (how === 'delete') this.deletions.deletionObserved(key, metaNamespaceKey(pod));
      this.queue.add(key);
      return;
    }
    if (how === 'delete') return;
    for (const ds of this.#o.daemonSets.lister.namespace(namespace).list()) {
      const sel = fromLabelSelector(ds.spec.selector);
      if (!sel.empty && sel.matches(pod.metadata.labels)) this.queue.add(metaNamespaceKey(ds));
    }
  }

  async reconcile(key: string): Promise<ReconcileResult | void> {
    const { namespace, name } = splitMetaNamespaceKey(key);
    const ds = this.#o.daemonSets.lister.namespace(namespace).get(name);
    if (!ds) {
      this.creations.delete(key);
      this.deletions.delete(key);
      return;
    }
    const selector = fromLabelSelector(ds.spec.selector);
    const owned = await claimObjects<Pod>({
      owner: ds,
      ownerApiVersion: 'apps/v1',
      ownerKind: 'DaemonSet',
      selector,
      candidates: this.#o.pods.lister.namespace(namespace).list(),
      recheckOwner: async () => {
        const fresh = await this.#o.client.get<DaemonSet>({ ...daemonSetsResource, namespace, name });
        if (fresh.metadata.uid !== ds.metadata.uid) throw new Error(`original DaemonSet ${key} is gone`);
        if (fresh.metadata.deletionTimestamp) throw new Error(`${key} has just been deleted`);
      },
      patch: async (pod, patch) => {
        await this.#o.client.patch({ ...podsResource, namespace, name: pod.metadata.name }, patch, { type: 'strategic' });
      },
    });
    const nodes = this.#o.nodes.lister.list();
    const nodeToPods = new Map<string, Pod[]>();
    for (const pod of owned) {
      const node = targetNodeName(pod);
      if (node === undefined) continue;
      const list = nodeToPods.get(node) ?? [];
      list.push(pod);
      nodeToPods.set(node, list);
    }
    if (ds.metadata.deletionTimestamp) return;
    const hash = await this.#currentRevision(ds, owned);
    const now = this.#o.clock.now();
    if (this.creations.satisfied(key) && this.deletions.satisfied(key)) {
      const plan = planNodes(ds, nodes, nodeToPods, hash, now);
      if (plan.create.length === 0 && plan.delete.length === 0 && (ds.spec.updateStrategy?.type ?? 'RollingUpdate') === 'RollingUpdate') {
        const step = rollingUpdate(ds, nodes, nodeToPods, hash, now);
        plan.create.push(...step.create);
        plan.delete.push(...step.delete);
      }
      await this.#syncNodes(key, ds, plan, hash);
    }
    const status = calculateStatus(ds, nodes, nodeToPods, hash, now);
    await this.#updateStatus(ds, status);
    // A pod that is ready but not yet available (a surge pod beside its old one included) is
    // looked at again once minReadySeconds may have passed: no event marks that moment.
    const minReady = ds.spec.minReadySeconds ?? 0;
    const waiting = owned.some((p) => !p.metadata.deletionTimestamp && isPodReady(p) && !isPodAvailable(p, minReady, now));
    if (minReady > 0 && waiting) return { requeueAfterMs: minReady * 1000 };
  }

  async #syncNodes(key: string, ds: DaemonSet, plan: NodePlan, hash: string): Promise<void> {
    const namespace = ds.metadata.namespace ?? '';
    this.creations.expectCreations(key, plan.create.length);
    this.deletions.expectDeletions(key, plan.delete.map(metaNamespaceKey));
    const results = await Promise.allSettled([
      ...plan.create.map(async (node) => {
        try {
          const created = await this.#o.client.create<Pod>({ ...podsResource, namespace }, daemonPod(ds, node, hash));
          this.#o.recorder.event(ds, 'Normal', 'SuccessfulCreate', `Created pod: ${created.metadata.name}`);
        } catch (err) {
          this.creations.lowerCreations(key, 1);
          this.#o.recorder.event(ds, 'Warning', 'FailedCreate', `Error creating: ${errorMessage(err)}`);
          throw err;
        }
      }),
      ...plan.delete.map(async (pod) => {
        try {
          await this.#o.client.delete({ ...podsResource, namespace, name: pod.metadata.name }, { preconditions: { uid: pod.metadata.uid } });
          this.#o.recorder.event(ds, 'Normal', 'SuccessfulDelete', `Deleted pod: ${pod.metadata.name}`);
        } catch (err) {
          this.deletions.deletionObserved(key, metaNamespaceKey(pod));
          if (isNotFound(err)) return;
          this.#o.recorder.event(ds, 'Warning', 'FailedDelete', `Error deleting: ${errorMessage(err)}`);
          throw err;
        }
      }),
    ]);
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
  }

  /** Finds or creates the revision of the current template; returns its hash. Prunes old ones. */
  async #currentRevision(ds: DaemonSet, owned: readonly Pod[]): Promise<string> {
    const namespace = ds.metadata.namespace ?? '';
    const hash = computeHash(ds.spec.template, ds.status?.collisionCount);
    const mine = this.#o.revisions.lister
      .namespace(namespace)
      .list()
      .filter((r) => controllerRef(r)?.uid === ds.metadata.uid);
    const maxRevision = mine.reduce((m, r) => Math.max(m, r.revision ?? 0), 0);
    const current = mine.find((r) => r.metadata.labels?.[revisionHashLabel] === hash);
    if (current) {
      if (current.revision < maxRevision) {
        const bumped = structuredClone(current) as ControllerRevision;
        bumped.revision = maxRevision + 1;
        await this.#o.client.update({ ...revisionsResource, namespace, name: current.metadata.name }, bumped);
      }
    } else {
      const revision: ControllerRevision = {
        apiVersion: 'apps/v1',
        kind: 'ControllerRevision',
        metadata: {
          name: `${ds.metadata.name}-${hash}`,
          namespace,
          labels: { ...(ds.spec.template?.metadata?.labels ?? {}), [revisionHashLabel]: hash },
          ownerReferences: [ownerReferenceFor(ds, 'apps/v1', 'DaemonSet')],
        },
        data: revisionData(ds),
        revision: maxRevision + 1,
      };
      try {
        await this.#o.client.create({ ...revisionsResource, namespace }, revision);
      } catch (err) {
        // Created by an earlier round the informer has not delivered yet.
        if (!isAlreadyExists(err)) throw err;
      }
    }
    await this.#cleanupHistory(ds, mine, hash, owned);
    return hash;
  }

  async #cleanupHistory(ds: DaemonSet, revisions: readonly ControllerRevision[], hash: string, owned: readonly Pod[]): Promise<void> {
    const limit = ds.spec.revisionHistoryLimit ?? 10;
    const live = new Set(owned.map((p) => p.metadata.labels?.[revisionHashLabel]));
    const old = revisions.filter((r) => r.metadata.labels?.[revisionHashLabel] !== hash && !live.has(r.metadata.labels?.[revisionHashLabel])).sort((a, b) => a.revision - b.revision);
    for (const r of old.slice(0, Math.max(0, old.length - limit))) {
      try {
        await this.#o.client.delete({ ...revisionsResource, namespace: ds.metadata.namespace, name: r.metadata.name }, { preconditions: { uid: r.metadata.uid } });
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
    }
  }

  async #updateStatus(ds: DaemonSet, status: DaemonSetStatus): Promise<void> {
    if (sameStatus(ds.status, status)) return;
    await writeStatus(this.#o.client, daemonSetsResource, ds, { ...status });
  }
}
