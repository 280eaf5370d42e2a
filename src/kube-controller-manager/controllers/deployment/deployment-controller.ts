// The Deployment controller (upstream pkg/controller/deployment). Per Deployment key it:
// - claims ReplicaSets (adopt matching orphans, release non-matching ones);
// - finds the new ReplicaSet (template equal ignoring pod-template-hash) or creates
//   "<deployment>-<hash>" with the hash label in its selector and template, and keeps the
//   revision annotations (max old revision + 1; revision-history when an old one comes back,
//   which is what `kubectl rollout undo` relies on) on it and on the Deployment;
// - rolls out with RollingUpdate (maxSurge/maxUnavailable) or Recreate (old pods gone first),
//   scales proportionally on a scaling event, only syncs replicas while paused, and deletes
//   old ReplicaSets beyond revisionHistoryLimit once a rollout is complete;
// - writes status (replica sums, Available/Progressing with upstream reasons,
//   observedGeneration) via /status and requeues before the progress deadline runs out;
// - records ScalingReplicaSet events. It never acts on a Deployment being deleted beyond status.

import { isAlreadyExists, isConflict } from '../../../client/api-errors.ts';
import { metaNamespaceKey, splitMetaNamespaceKey } from '../../../client/indexer.ts';
import { DeletedFinalStateUnknown, type SharedIndexInformer } from '../../../client/informer.ts';
import { WorkQueue } from '../../../client/workqueue.ts';
import type { Logger } from '../../../component-base/logging.ts';
import type { Clock } from '../../../machinery/clock.ts';
import { fromLabelSelector } from '../../../machinery/labels.ts';
import type { ApiClient, Controller } from '../../context.ts';
import { claimObjects, controllerUidIndex, controllerUidIndexFunc, ownerReferenceFor } from '../../controller-ref-manager.ts';
import type { EventRecorder } from '../../../client/event-recorder.ts';
import type { ControllerMetrics } from '../../../component-base/controller-metrics.ts';
import { controllerRef } from '../../pod-conditions.ts';
import { rfc3339, type Deployment, type DeploymentStatus, type Pod, type ReplicaSet } from '../../types.ts';
import { runWorkers, type ReconcileResult } from '../../../component-base/controller-worker.ts';
import {
  computeHash,
  findNewReplicaSet,
  getCondition,
  jsonEqual,
  maxRevision,
  maxSurge,
  newCondition,
  podTemplateHashLabel,
  reasons,
  replicasOf,
  revisionAnnotation,
  revisionOf,
  setCondition,
  setNewReplicaSetAnnotations,
  setReplicasAnnotations,
  equalIgnoreHash,
} from './deployment-util.ts';
import { calculateStatus, deploymentComplete, hasProgressDeadline, pausedCondition, rolloutStatus, stuckRequeueAfter } from './progress.ts';
import { isScalingEvent, newRSNewReplicas, planNewReplicaSet, planOldReplicaSets, planRecreateScaleDown, planScale, type ScaleStep } from './rolling-update.ts';

export const controllerName = 'deployment-controller';
const deployments = { group: 'apps', version: 'v1', resource: 'deployments' };
const replicaSets = { group: 'apps', version: 'v1', resource: 'replicasets' };

export interface DeploymentControllerOptions {
  client: ApiClient;
  deployments: SharedIndexInformer<Deployment>;
  replicaSets: SharedIndexInformer<ReplicaSet>;
  pods: SharedIndexInformer<Pod>;
  recorder: EventRecorder;
  clock: Clock;
  log: Logger;
  workers?: number;
  metrics?: ControllerMetrics;
}

interface Rollout {
  d: Deployment;
  newRS: ReplicaSet | undefined;
  oldRSs: ReplicaSet[];
}

export class DeploymentController implements Controller {
  readonly name = controllerName;
  readonly queue: WorkQueue<string>;
  readonly #o: DeploymentControllerOptions;

  constructor(options: DeploymentControllerOptions) {
    this.#o = options;
    this.queue = new WorkQueue<string>({ name: 'deployment', clock: options.clock });
    options.pods.addIndexers({ [controllerUidIndex]: controllerUidIndexFunc });
    options.replicaSets.addIndexers({ [controllerUidIndex]: controllerUidIndexFunc });
    options.deployments.addEventHandler({
      onAdd: (d) => this.queue.add(metaNamespaceKey(d)),
      onUpdate: (_old, cur) => this.queue.add(metaNamespaceKey(cur)),
      onDelete: (obj) => this.queue.add(obj instanceof DeletedFinalStateUnknown ? obj.key : metaNamespaceKey(obj)),
    });
    options.replicaSets.addEventHandler({
      onAdd: (rs) => this.#replicaSetChanged(undefined, rs),
      onUpdate: (old, cur) => this.#replicaSetChanged(old, cur),
      onDelete: (obj) => this.#replicaSetChanged(undefined, obj instanceof DeletedFinalStateUnknown ? obj.obj : obj),
    });
    options.pods.addEventHandler({
      onDelete: (obj) => {
        const pod = obj instanceof DeletedFinalStateUnknown ? obj.obj : obj;
        const rs = this.#resolveReplicaSet(pod);
        const d = rs && this.#resolveDeployment(rs);
        if (d && d.spec.strategy?.type === 'Recreate') this.queue.add(metaNamespaceKey(d));
      },
    });
  }

  async run(signal: AbortSignal): Promise<void> {
    const synced = await Promise.all([this.#o.deployments.waitForSync(signal), this.#o.replicaSets.waitForSync(signal), this.#o.pods.waitForSync(signal)]);
    if (!synced.every(Boolean)) {
      this.queue.shutDown();
      return;
    }
    await runWorkers({ name: this.name, queue: this.queue, workers: this.#o.workers ?? 5, reconcile: (k) => this.reconcile(k), log: this.#o.log, metrics: this.#o.metrics }, signal);
  }

  #resolveDeployment(rs: ReplicaSet): Deployment | undefined {
    const ref = controllerRef(rs);
    if (!ref || ref.kind !== 'Deployment') return undefined;
    const d = this.#o.deployments.lister.namespace(rs.metadata.namespace ?? '').get(ref.name);
    return d?.metadata.uid === ref.uid ? d : undefined;
  }

  #resolveReplicaSet(pod: Pod): ReplicaSet | undefined {
    const ref = controllerRef(pod);
    if (!ref || ref.kind !== 'ReplicaSet') return undefined;
    const rs = this.#o.replicaSets.lister.namespace(pod.metadata.namespace ?? '').get(ref.name);
    return rs?.metadata.uid === ref.uid ? rs : undefined;
  }

  #replicaSetChanged(old: ReplicaSet | undefined, cur: ReplicaSet): void {
    const owners = new Set<Deployment>();
    for (const rs of old ? [old, cur] : [cur]) {
      const d = this.#resolveDeployment(rs);
      if (d) owners.add(d);
    }
    if (!controllerRef(cur) && !cur.metadata.deletionTimestamp) {
      for (const d of this.#o.deployments.lister.namespace(cur.metadata.namespace ?? '').list()) {
        const sel = fromLabelSelector(d.spec.selector);
        if (!sel.empty && sel.matches(cur.metadata.labels)) owners.add(d);
      }
    }
    for (const d of owners) this.queue.add(metaNamespaceKey(d));
  }

  async reconcile(key: string): Promise<ReconcileResult | void> {
    const { namespace, name } = splitMetaNamespaceKey(key);
    const cached = this.#o.deployments.lister.namespace(namespace).get(name);
    if (!cached) return;
    let d = structuredClone(cached) as Deployment;
    const selector = fromLabelSelector(d.spec.selector);
    if (selector.empty) {
      this.#o.recorder.event(d, 'Warning', 'SelectingAll', 'This deployment is selecting all pods. A non-empty selector is required.');
      if ((d.status?.observedGeneration ?? 0) < (d.metadata.generation ?? 0)) {
        d.status = { ...d.status, observedGeneration: d.metadata.generation };
        await this.#updateStatus(d);
      }
      return;
    }
    const rsList = await claimObjects<ReplicaSet>({
      owner: d,
      ownerApiVersion: 'apps/v1',
      ownerKind: 'Deployment',
      selector,
      candidates: this.#o.replicaSets.lister.namespace(namespace).list(),
      recheckOwner: async () => {
        const fresh = await this.#o.client.get<Deployment>({ ...deployments, namespace, name });
        if (fresh.metadata.uid !== d.metadata.uid) throw new Error(`original Deployment ${key} is gone: got uid ${fresh.metadata.uid}, wanted ${d.metadata.uid}`);
        if (fresh.metadata.deletionTimestamp) throw new Error(`${key} has just been deleted at ${fresh.metadata.deletionTimestamp}`);
      },
      patch: async (rs, patch) => {
        await this.#o.client.patch({ ...replicaSets, namespace, name: rs.metadata.name }, patch, { type: 'strategic' });
      },
    });

    if (d.metadata.deletionTimestamp) {
      const r = await this.#allReplicaSets(d, rsList, false);
      await this.#syncStatus(r);
      return;
    }
    if (pausedCondition(d, this.#o.clock.now())) d = await this.#updateStatus(d);
    if (d.spec.paused) return this.#sync(d, rsList);
    const peek = await this.#allReplicaSets(d, rsList, false);
    d = peek.d;
    if (isScalingEvent(d, [...peek.oldRSs, peek.newRS])) return this.#sync(d, rsList);
    if (d.spec.strategy?.type === 'Recreate') return this.#rolloutRecreate(d, rsList);
    return this.#rolloutRolling(d, rsList);
  }

  /** sync: scaling (paused deployments and scaling events), cleanup while paused, status. */
  async #sync(d: Deployment, rsList: ReplicaSet[]): Promise<ReconcileResult | void> {
    const r = await this.#allReplicaSets(d, rsList, false);
    await this.#apply(r.d, planScale(r.d, r.newRS, r.oldRSs));
    if (r.d.spec.paused) await this.#cleanup(r.d, r.oldRSs);
    await this.#syncStatus(r);
  }

  async #rolloutRolling(d: Deployment, rsList: ReplicaSet[]): Promise<ReconcileResult | void> {
    const r = await this.#allReplicaSets(d, rsList, true);
    const newRS = r.newRS!;
    const all = [...r.oldRSs, newRS];
    const next = planNewReplicaSet(r.d, all, newRS);
    if (next !== undefined) {
      const updated = await this.#apply(r.d, [{ rs: newRS, to: next }]);
      return this.#syncRolloutStatus({ ...r, newRS: updated[0] ?? newRS });
    }
    const downs = planOldReplicaSets(r.d, newRS, r.oldRSs);
    if (downs.length > 0) {
      const updated = await this.#apply(r.d, downs);
      const byName = new Map(updated.map((rs) => [rs.metadata.name, rs]));
      return this.#syncRolloutStatus({ ...r, oldRSs: r.oldRSs.map((rs) => byName.get(rs.metadata.name) ?? rs) });
    }
    if (deploymentComplete(r.d, r.d.status ?? {})) await this.#cleanup(r.d, r.oldRSs);
    return this.#syncRolloutStatus(r);
  }

  async #rolloutRecreate(d: Deployment, rsList: ReplicaSet[]): Promise<ReconcileResult | void> {
    let r = await this.#allReplicaSets(d, rsList, false);
    const downs = planRecreateScaleDown(r.oldRSs);
    if (downs.length > 0) {
      await this.#apply(r.d, downs);
      return this.#syncRolloutStatus(r);
    }
    if (this.#oldPodsRunning(r)) return this.#syncRolloutStatus(r);
    if (!r.newRS) r = await this.#allReplicaSets(r.d, rsList, true);
    const newRS = r.newRS!;
    if (replicasOf(newRS) !== replicasOf(r.d)) {
      const [updated] = await this.#apply(r.d, [{ rs: newRS, to: replicasOf(r.d) }]);
      r = { ...r, newRS: updated ?? newRS };
    }
    if (deploymentComplete(r.d, r.d.status ?? {})) await this.#cleanup(r.d, r.oldRSs);
    return this.#syncRolloutStatus(r);
  }

  #oldPodsRunning(r: Rollout): boolean {
    if (r.oldRSs.some((rs) => (rs.status?.replicas ?? 0) > 0)) return true;
    for (const rs of r.oldRSs) {
      for (const pod of this.#o.pods.indexer.byIndex(controllerUidIndex, rs.metadata.uid ?? '')) {
        const phase = pod.status?.phase;
        if (phase !== 'Failed' && phase !== 'Succeeded') return true;
      }
    }
    return false;
  }

  /** getAllReplicaSetsAndSyncRevision. */
  async #allReplicaSets(d: Deployment, rsList: ReplicaSet[], create: boolean): Promise<Rollout> {
    const existing = findNewReplicaSet(d, rsList);
    const oldRSs = rsList.filter((rs) => rs !== existing);
    const newRevision = maxRevision(oldRSs) + 1;
    if (existing) {
      let rs = structuredClone(existing) as ReplicaSet;
      const annotationsChanged = setNewReplicaSetAnnotations(d, rs, newRevision, true);
      const minReadyChanged = (rs.spec.minReadySeconds ?? 0) !== (d.spec.minReadySeconds ?? 0);
      if (annotationsChanged || minReadyChanged) {
        rs.spec.minReadySeconds = d.spec.minReadySeconds ?? 0;
        rs = await this.#o.client.update<ReplicaSet>({ ...replicaSets, namespace: rs.metadata.namespace, name: rs.metadata.name }, rs);
      }
      d = await this.#setDeploymentRevision(d, rs.metadata.annotations?.[revisionAnnotation]);
      if (hasProgressDeadline(d) && !getCondition(d.status, 'Progressing')) {
        d.status ??= {};
        setCondition(d.status, newCondition('Progressing', 'True', reasons.foundNewReplicaSet, `Found new replica set "${rs.metadata.name}"`, rfc3339(this.#o.clock.now())));
        d = await this.#updateStatus(d);
      }
      return { d, newRS: rs, oldRSs };
    }
    if (!create) return { d, newRS: undefined, oldRSs };

    const hash = computeHash(d.spec.template, d.status?.collisionCount);
    const template = structuredClone(d.spec.template ?? {});
    template.metadata = { ...(template.metadata ?? {}), labels: { ...(template.metadata?.labels ?? {}), [podTemplateHashLabel]: hash } };
    const selector = structuredClone(d.spec.selector ?? {});
    selector.matchLabels = { ...(selector.matchLabels ?? {}), [podTemplateHashLabel]: hash };
    const rs: ReplicaSet = {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: {
        name: `${d.metadata.name}-${hash}`,
        namespace: d.metadata.namespace,
        ownerReferences: [ownerReferenceFor(d, 'apps/v1', 'Deployment')],
        labels: { ...(template.metadata.labels as Record<string, string>) },
      },
      spec: { replicas: 0, minReadySeconds: d.spec.minReadySeconds ?? 0, selector, template },
    };
    rs.spec.replicas = newRSNewReplicas(d, [...oldRSs, rs], rs);
    setNewReplicaSetAnnotations(d, rs, newRevision, false);
    let created: ReplicaSet;
    try {
      created = await this.#o.client.create<ReplicaSet>({ ...replicaSets, namespace: d.metadata.namespace }, rs);
    } catch (err) {
      if (!isAlreadyExists(err)) throw err;
      const other = await this.#o.client.get<ReplicaSet>({ ...replicaSets, namespace: d.metadata.namespace, name: rs.metadata.name });
      if (controllerRef(other)?.uid === d.metadata.uid && equalIgnoreHash(other.spec.template, d.spec.template)) {
        return { d, newRS: other, oldRSs };
      }
      // A hash collision: a different template already has this name; try the next hash.
      d.status = { ...d.status, collisionCount: (d.status?.collisionCount ?? 0) + 1 };
      await this.#updateStatus(d);
      throw new Error(`hash collision for ReplicaSet ${rs.metadata.name}, collisionCount now ${d.status.collisionCount}`);
    }
    if (replicasOf(created) > 0) this.#o.recorder.event(d, 'Normal', 'ScalingReplicaSet', `Scaled up replica set ${created.metadata.name} from 0 to ${replicasOf(created)}`);
    d = await this.#setDeploymentRevision(d, String(newRevision));
    if (hasProgressDeadline(d)) {
      d.status ??= {};
      setCondition(d.status, newCondition('Progressing', 'True', reasons.newReplicaSet, `Created new replica set "${created.metadata.name}"`, rfc3339(this.#o.clock.now())));
      d = await this.#updateStatus(d);
    }
    return { d, newRS: created, oldRSs };
  }

  async #setDeploymentRevision(d: Deployment, revision: string | undefined): Promise<Deployment> {
    if (revision === undefined || d.metadata.annotations?.[revisionAnnotation] === revision) return d;
    const patched = await this.#o.client.patch<Deployment>(
      { ...deployments, namespace: d.metadata.namespace, name: d.metadata.name },
      { metadata: { annotations: { [revisionAnnotation]: revision }, resourceVersion: d.metadata.resourceVersion } },
      { type: 'merge' },
    );
    return { ...patched, status: d.status };
  }

  /** Scales each ReplicaSet (refreshing its replica annotations) and records ScalingReplicaSet; returns the updated ones. */
  async #apply(d: Deployment, steps: ScaleStep[]): Promise<ReplicaSet[]> {
    const updated: ReplicaSet[] = [];
    for (const { rs, to } of steps) {
      const copy = structuredClone(rs) as ReplicaSet;
      const from = replicasOf(rs);
      const annotationsChanged = setReplicasAnnotations(copy, replicasOf(d), replicasOf(d) + maxSurge(d));
      if (from === to && !annotationsChanged) continue;
      copy.spec.replicas = to;
      const result = await this.#o.client.update<ReplicaSet>({ ...replicaSets, namespace: rs.metadata.namespace, name: rs.metadata.name }, copy);
      updated.push(result);
      if (from !== to) this.#o.recorder.event(d, 'Normal', 'ScalingReplicaSet', `Scaled ${to > from ? 'up' : 'down'} replica set ${rs.metadata.name} from ${from} to ${to}`);
    }
    return updated;
  }

  /** cleanupDeployment: delete the oldest idle old ReplicaSets beyond revisionHistoryLimit. */
  async #cleanup(d: Deployment, oldRSs: ReplicaSet[]): Promise<void> {
    const limit = d.spec.revisionHistoryLimit;
    if (limit === undefined) return;
    const alive = oldRSs.filter((rs) => !rs.metadata.deletionTimestamp);
    const diff = alive.length - limit;
    if (diff <= 0) return;
    const sorted = [...alive].sort((a, b) => revisionOf(a) - revisionOf(b) || (a.metadata.creationTimestamp ?? '').localeCompare(b.metadata.creationTimestamp ?? ''));
    for (const rs of sorted.slice(0, diff)) {
      if ((rs.status?.replicas ?? 0) !== 0 || replicasOf(rs) !== 0 || (rs.metadata.generation ?? 0) > (rs.status?.observedGeneration ?? 0)) continue;
      try {
        await this.#o.client.delete({ ...replicaSets, namespace: rs.metadata.namespace, name: rs.metadata.name }, { preconditions: { uid: rs.metadata.uid } });
      } catch (err) {
        if (!isConflict(err) && (err as { status?: { code?: number } }).status?.code !== 404) throw err;
      }
    }
  }

  async #syncStatus(r: Rollout): Promise<void> {
    const status = calculateStatus(r.d, [...r.oldRSs, r.newRS], r.newRS, this.#o.clock.now());
    if (sameStatus(r.d.status, status)) return;
    await this.#updateStatus({ ...r.d, status });
  }

  async #syncRolloutStatus(r: Rollout): Promise<ReconcileResult | void> {
    const now = this.#o.clock.now();
    const status = rolloutStatus(r.d, [...r.oldRSs, r.newRS], r.newRS, now);
    if (!sameStatus(r.d.status, status)) await this.#updateStatus({ ...r.d, status });
    const after = stuckRequeueAfter(r.d, status, now);
    return after === undefined ? undefined : { requeueAfterMs: after };
  }

  async #updateStatus(d: Deployment): Promise<Deployment> {
    const updated = await this.#o.client.update<Deployment>({ ...deployments, namespace: d.metadata.namespace, name: d.metadata.name, subresource: 'status' }, d);
    return updated;
  }
}

/** Whether a status write would change anything. */
function sameStatus(a: DeploymentStatus | undefined, b: DeploymentStatus): boolean {
  return jsonEqual(a ?? {}, b);
}

