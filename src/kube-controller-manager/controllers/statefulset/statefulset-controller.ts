// The StatefulSet controller (upstream pkg/controller/statefulset). Guarantees, per key:
// - it claims pods (adopt/release as every controller) and manages those named "<set>-<n>";
// - it keeps a ControllerRevision "<set>-<hash>" per template: status.updateRevision is the
//   current template's, status.currentRevision the one pods below the partition keep; unused
//   revisions beyond revisionHistoryLimit are pruned;
// - for every ordinal in [start, start+replicas) it creates the pod (stateful-pod.ts) and
//   replaces failed or succeeded ones; ordinals outside the range are deleted highest first;
// - OrderedReady does one thing per reconcile and waits: a pod is created only once every
//   lower ordinal is Running and Ready, and a pod is deleted only when all others are healthy;
//   Parallel creates and deletes without waiting;
// - RollingUpdate deletes, from the highest ordinal down to the partition, one pod whose
//   revision is not the update revision at a time, once the others are Running and Ready (the
//   pod is then recreated at the update revision); OnDelete leaves that to the user;
// - it writes status (replicas, ready, available, current, updated, revisions,
//   observedGeneration) through /status; events SuccessfulCreate/SuccessfulDelete as upstream.
// Claims from volumeClaimTemplates are not created yet (they wait for the storage controllers).
// Fixed pod names make a create seen twice an AlreadyExists, so no expectations are needed.

import { isAlreadyExists, isNotFound } from '../../../client/api-errors.ts';
import { metaNamespaceKey, splitMetaNamespaceKey } from '../../../client/indexer.ts';
import { DeletedFinalStateUnknown, type SharedIndexInformer } from '../../../client/informer.ts';
import { WorkQueue } from '../../../client/workqueue.ts';
import type { Logger } from '../../../component-base/logging.ts';
import type { Clock } from '../../../machinery/clock.ts';
import { fromLabelSelector } from '../../../machinery/labels.ts';
import type { ApiClient, Controller } from '../../context.ts';
import { claimObjects, ownerReferenceFor } from '../../controller-ref-manager.ts';
import type { EventRecorder } from '../../../client/event-recorder.ts';
import type { ControllerMetrics } from '../../../component-base/controller-metrics.ts';
import { controllerRef } from '../../pod-conditions.ts';
import type { KubeObject, Pod, PodTemplateSpec } from '../../types.ts';
import { runWorkers, type ReconcileResult } from '../../../component-base/controller-worker.ts';
import type { ControllerRevision } from '../daemonset/daemonset-controller.ts';
import { computeHash } from '../deployment/deployment-util.ts';
import { writeStatus } from '../../status-writer.ts';
import {
  isFailedOrSucceeded,
  isRunningAndAvailable,
  isRunningAndReady,
  ordinalOf,
  revisionLabel,
  statefulPod,
  type StatefulSet,
  type StatefulSetStatus,
} from './stateful-pod.ts';

export const controllerName = 'statefulset-controller';
const podsResource = { group: '', version: 'v1', resource: 'pods' };
const setsResource = { group: 'apps', version: 'v1', resource: 'statefulsets' };
const revisionsResource = { group: 'apps', version: 'v1', resource: 'controllerrevisions' };

export interface StatefulSetControllerOptions {
  client: ApiClient;
  statefulSets: SharedIndexInformer<StatefulSet>;
  pods: SharedIndexInformer<Pod>;
  revisions: SharedIndexInformer<ControllerRevision>;
  recorder: EventRecorder;
  clock: Clock;
  log: Logger;
  workers?: number;
  metrics?: ControllerMetrics;
}

interface Revisions {
  current: { name: string; template: PodTemplateSpec };
  update: { name: string; template: PodTemplateSpec };
}

function templateOf(rev: ControllerRevision): PodTemplateSpec {
  const t = structuredClone(((rev.data as { spec?: { template?: PodTemplateSpec & { $patch?: string } } } | undefined)?.spec?.template ?? {}) as PodTemplateSpec & { $patch?: string });
  delete t.$patch;
  return t;
}

/** The status for these pods (updateStatefulSet's tally, then completeRollingUpdate). */
export function calculateStatus(set: StatefulSet, pods: readonly Pod[], revs: { current: string; update: string }, now: number): StatefulSetStatus {
  const minReady = set.spec.minReadySeconds ?? 0;
  const status: StatefulSetStatus = { replicas: 0, readyReplicas: 0, currentReplicas: 0, updatedReplicas: 0, availableReplicas: 0 };
  for (const pod of pods) {
    status.replicas++;
    if (isRunningAndReady(pod)) {
      status.readyReplicas!++;
      if (isRunningAndAvailable(pod, minReady, now)) status.availableReplicas!++;
    }
    if (pod.metadata.deletionTimestamp) continue;
    const rev = pod.metadata.labels?.[revisionLabel];
    if (rev === revs.current) status.currentReplicas!++;
    if (rev === revs.update) status.updatedReplicas!++;
  }
  status.currentRevision = revs.current;
  status.updateRevision = revs.update;
  const replicas = set.spec.replicas ?? 1;
  if ((set.spec.updateStrategy?.type ?? 'RollingUpdate') === 'RollingUpdate' && status.updatedReplicas === replicas && status.readyReplicas === replicas && status.replicas === replicas) {
    status.currentReplicas = status.updatedReplicas;
    status.currentRevision = revs.update;
  }
  if (set.metadata.generation !== undefined) status.observedGeneration = set.metadata.generation;
  if (set.status?.collisionCount !== undefined) status.collisionCount = set.status.collisionCount;
  for (const k of ['readyReplicas', 'currentReplicas', 'updatedReplicas', 'availableReplicas'] as const) if (!status[k]) delete status[k];
  return status;
}

export class StatefulSetController implements Controller {
  readonly name = controllerName;
  readonly queue: WorkQueue<string>;
  readonly #o: StatefulSetControllerOptions;

  constructor(options: StatefulSetControllerOptions) {
    this.#o = options;
    this.queue = new WorkQueue<string>({ name: 'statefulset', clock: options.clock });
    options.statefulSets.addEventHandler({
      onAdd: (s) => this.queue.add(metaNamespaceKey(s)),
      onUpdate: (_old, cur) => this.queue.add(metaNamespaceKey(cur)),
      onDelete: (obj) => this.queue.add(obj instanceof DeletedFinalStateUnknown ? obj.key : metaNamespaceKey(obj)),
    });
    options.pods.addEventHandler({
      onAdd: (pod) => this.#podChanged(pod),
      onUpdate: (old, cur) => {
        if (old.metadata.resourceVersion === cur.metadata.resourceVersion) return;
        if (controllerRef(old)?.uid !== controllerRef(cur)?.uid) this.#podChanged(old);
        this.#podChanged(cur);
      },
      onDelete: (obj) => this.#podChanged(obj instanceof DeletedFinalStateUnknown ? obj.obj : obj),
    });
  }

  async run(signal: AbortSignal): Promise<void> {
    const o = this.#o;
    const synced = await Promise.all([o.statefulSets, o.pods, o.revisions].map((i) => (i as SharedIndexInformer<KubeObject>).waitForSync(signal)));
    if (!synced.every(Boolean)) {
      this.queue.shutDown();
      return;
    }
    await runWorkers({ name: this.name, queue: this.queue, workers: o.workers ?? 5, reconcile: (k) => this.reconcile(k), log: o.log, metrics: o.metrics }, signal);
  }

  #podChanged(pod: Pod): void {
    const namespace = pod.metadata.namespace ?? '';
    const ref = controllerRef(pod);
    if (ref) {
      if (ref.kind !== 'StatefulSet') return;
      const set = this.#o.statefulSets.lister.namespace(namespace).get(ref.name);
      if (set && set.metadata.uid === ref.uid) this.queue.add(metaNamespaceKey(set));
      return;
    }
    for (const set of this.#o.statefulSets.lister.namespace(namespace).list()) {
      const sel = fromLabelSelector(set.spec.selector);
      if (!sel.empty && sel.matches(pod.metadata.labels)) this.queue.add(metaNamespaceKey(set));
    }
  }

  async reconcile(key: string): Promise<ReconcileResult | void> {
    const { namespace, name } = splitMetaNamespaceKey(key);
    const set = this.#o.statefulSets.lister.namespace(namespace).get(name);
    if (!set) return;
    const owned = await claimObjects<Pod>({
      owner: set,
      ownerApiVersion: 'apps/v1',
      ownerKind: 'StatefulSet',
      selector: fromLabelSelector(set.spec.selector),
      candidates: this.#o.pods.lister.namespace(namespace).list().filter((p) => ordinalOf(set, p) !== undefined),
      recheckOwner: async () => {
        const fresh = await this.#o.client.get<StatefulSet>({ ...setsResource, namespace, name });
        if (fresh.metadata.uid !== set.metadata.uid) throw new Error(`original StatefulSet ${key} is gone`);
        if (fresh.metadata.deletionTimestamp) throw new Error(`${key} has just been deleted`);
      },
      patch: async (pod, patch) => {
        await this.#o.client.patch({ ...podsResource, namespace, name: pod.metadata.name }, patch, { type: 'strategic' });
      },
    });
    if (set.metadata.deletionTimestamp) return;
    const revs = await this.#revisions(set, owned);
    await this.#sync(set, owned, revs);
    const now = this.#o.clock.now();
    const status = calculateStatus(set, owned, { current: revs.current.name, update: revs.update.name }, now);
    await this.#updateStatus(set, status);
    const minReady = set.spec.minReadySeconds ?? 0;
    if (minReady > 0 && (status.readyReplicas ?? 0) !== (status.availableReplicas ?? 0)) return { requeueAfterMs: minReady * 1000 };
  }

  /** One step of upstream's updateStatefulSet (without claims). */
  async #sync(set: StatefulSet, owned: readonly Pod[], revs: Revisions): Promise<void> {
    const monotonic = (set.spec.podManagementPolicy ?? 'OrderedReady') !== 'Parallel';
    const start = set.spec.ordinals?.start ?? 0;
    const replicas = set.spec.replicas ?? 1;
    const rolling = (set.spec.updateStrategy?.type ?? 'RollingUpdate') === 'RollingUpdate';
    const partition = rolling ? (set.spec.updateStrategy?.rollingUpdate?.partition ?? 0) : 0;
    const byOrdinal = new Map<number, Pod>();
    for (const pod of owned) byOrdinal.set(ordinalOf(set, pod)!, pod);
    const inRange = (ord: number) => ord >= start && ord < start + replicas;
    const condemned = [...byOrdinal.keys()].filter((o) => !inRange(o)).sort((a, b) => b - a);
    // The first unhealthy pod in ordinal order stops OrderedReady deletions of any other pod.
    const unhealthy = [...byOrdinal.entries()].sort(([a], [b]) => a - b).find(([, p]) => !isRunningAndReady(p) || p.metadata.deletionTimestamp)?.[1];

    for (let ord = start; ord < start + replicas; ord++) {
      const pod = byOrdinal.get(ord);
      if (pod && isFailedOrSucceeded(pod) && !pod.metadata.deletionTimestamp) {
        await this.#delete(set, pod);
        if (monotonic) return;
        continue;
      }
      if (!pod) {
        const useCurrent = rolling && ord - start < partition;
        const rev = useCurrent ? revs.current : revs.update;
        await this.#create(set, statefulPod(set, rev.template, ord, rev.name));
        if (monotonic) return;
        continue;
      }
      if (monotonic && (pod.metadata.deletionTimestamp || !isRunningAndReady(pod))) return;
    }
    for (const ord of condemned) {
      const pod = byOrdinal.get(ord)!;
      if (pod.metadata.deletionTimestamp) {
        if (monotonic) return;
        continue;
      }
      if (monotonic && unhealthy && unhealthy !== pod) return;
      await this.#delete(set, pod);
      if (monotonic) return;
    }
    if (!rolling) return;
    // RollingUpdate (maxUnavailable 1): highest ordinal first, down to the partition.
    for (let ord = start + replicas - 1; ord >= start + partition; ord--) {
      const pod = byOrdinal.get(ord);
      if (!pod) return;
      if (pod.metadata.labels?.[revisionLabel] !== revs.update.name && !pod.metadata.deletionTimestamp) {
        if (unhealthy && unhealthy !== pod) return;
        await this.#delete(set, pod);
        return;
      }
      if (!isRunningAndReady(pod) || pod.metadata.deletionTimestamp) return;
    }
  }

  async #create(set: StatefulSet, pod: Pod): Promise<void> {
    const namespace = set.metadata.namespace ?? '';
    try {
      await this.#o.client.create({ ...podsResource, namespace }, pod);
    } catch (err) {
      if (isAlreadyExists(err)) return;
      this.#o.recorder.event(set, 'Warning', 'FailedCreate', `create Pod ${pod.metadata.name} in StatefulSet ${set.metadata.name} failed error: ${err instanceof Error ? err.message : String(err)}`);
      throw err;
    }
    this.#o.recorder.event(set, 'Normal', 'SuccessfulCreate', `create Pod ${pod.metadata.name} in StatefulSet ${set.metadata.name} successful`);
  }

  async #delete(set: StatefulSet, pod: Pod): Promise<void> {
    try {
      await this.#o.client.delete({ ...podsResource, namespace: set.metadata.namespace, name: pod.metadata.name }, { preconditions: { uid: pod.metadata.uid } });
    } catch (err) {
      if (isNotFound(err)) return;
      this.#o.recorder.event(set, 'Warning', 'FailedDelete', `delete Pod ${pod.metadata.name} in StatefulSet ${set.metadata.name} failed error: ${err instanceof Error ? err.message : String(err)}`);
      throw err;
    }
    this.#o.recorder.event(set, 'Normal', 'SuccessfulDelete', `delete Pod ${pod.metadata.name} in StatefulSet ${set.metadata.name} successful`);
  }

  /** getStatefulSetRevisions: the current and update revisions, creating the latter as needed. */
  async #revisions(set: StatefulSet, owned: readonly Pod[]): Promise<Revisions> {
    const namespace = set.metadata.namespace ?? '';
    const mine = this.#o.revisions.lister
      .namespace(namespace)
      .list()
      .filter((r) => controllerRef(r)?.uid === set.metadata.uid);
    const hash = computeHash(set.spec.template, set.status?.collisionCount);
    const updateName = `${set.metadata.name}-${hash}`;
    const maxRevision = mine.reduce((m, r) => Math.max(m, r.revision ?? 0), 0);
    const existing = mine.find((r) => r.metadata.name === updateName);
    if (!existing) {
      const rev: ControllerRevision = {
        apiVersion: 'apps/v1',
        kind: 'ControllerRevision',
        metadata: {
          name: updateName,
          namespace,
          labels: { ...(set.spec.template?.metadata?.labels ?? {}), [revisionLabel]: hash },
          ownerReferences: [ownerReferenceFor(set, 'apps/v1', 'StatefulSet')],
        },
        data: { spec: { template: { ...structuredClone(set.spec.template ?? {}), $patch: 'replace' } } },
        revision: maxRevision + 1,
      };
      try {
        await this.#o.client.create({ ...revisionsResource, namespace }, rev);
      } catch (err) {
        if (!isAlreadyExists(err)) throw err;
      }
    } else if (existing.revision < maxRevision) {
      const bumped = structuredClone(existing) as ControllerRevision;
      bumped.revision = maxRevision + 1;
      await this.#o.client.update({ ...revisionsResource, namespace, name: updateName }, bumped);
    }
    const update = { name: updateName, template: structuredClone(set.spec.template ?? {}) };
    const currentRev = mine.find((r) => r.metadata.name === set.status?.currentRevision);
    const current = currentRev ? { name: currentRev.metadata.name!, template: templateOf(currentRev) } : update;
    await this.#cleanupHistory(set, mine, new Set([current.name, update.name, ...owned.map((p) => p.metadata.labels?.[revisionLabel] ?? '')]));
    return { current, update };
  }

  async #cleanupHistory(set: StatefulSet, revisions: readonly ControllerRevision[], live: ReadonlySet<string>): Promise<void> {
    const limit = set.spec.revisionHistoryLimit ?? 10;
    const old = revisions.filter((r) => !live.has(r.metadata.name ?? '')).sort((a, b) => a.revision - b.revision);
    for (const r of old.slice(0, Math.max(0, old.length - limit))) {
      try {
        await this.#o.client.delete({ ...revisionsResource, namespace: set.metadata.namespace, name: r.metadata.name }, { preconditions: { uid: r.metadata.uid } });
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
    }
  }

  async #updateStatus(set: StatefulSet, status: StatefulSetStatus): Promise<void> {
    const keys = ['replicas', 'readyReplicas', 'currentReplicas', 'updatedReplicas', 'availableReplicas', 'currentRevision', 'updateRevision', 'observedGeneration'] as const;
    if (keys.every((k) => (set.status?.[k] ?? 0) === (status[k] ?? 0))) return;
    await writeStatus(this.#o.client, setsResource, set, { ...status });
  }
}
