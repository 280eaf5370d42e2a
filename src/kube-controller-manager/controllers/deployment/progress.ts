// A Deployment's status and conditions, as upstream's calculateStatus and syncRolloutStatus:
// replica sums over its ReplicaSets; Available (MinimumReplicasAvailable/Unavailable) from
// replicas-maxUnavailable; Progressing True with NewReplicaSetAvailable once complete, with
// ReplicaSetUpdated whenever the rollout moved, False with ProgressDeadlineExceeded after
// progressDeadlineSeconds without progress; and when to look again so a stuck rollout is
// noticed on time. Pure functions of their arguments and `now`.

import { rfc3339, type Deployment, type DeploymentStatus, type ReplicaSet } from '../../types.ts';
import {
  getCondition,
  maxUnavailable,
  newCondition,
  reasons,
  removeCondition,
  replicasOf,
  setCondition,
  sumAvailableReplicas,
  sumReadyReplicas,
  sumSpecReplicas,
  sumStatusReplicas,
} from './deployment-util.ts';

export function calculateStatus(d: Deployment, allRSs: readonly (ReplicaSet | undefined)[], newRS: ReplicaSet | undefined, now: number): DeploymentStatus {
  const available = sumAvailableReplicas(allRSs);
  const status: DeploymentStatus = {
    observedGeneration: d.metadata.generation,
    replicas: sumStatusReplicas(allRSs),
    updatedReplicas: sumStatusReplicas([newRS]),
    readyReplicas: sumReadyReplicas(allRSs),
    availableReplicas: available,
    unavailableReplicas: Math.max(0, sumSpecReplicas(allRSs) - available),
  };
  // The counts are omitempty upstream: a zero is left out.
  for (const k of ['observedGeneration', 'replicas', 'updatedReplicas', 'readyReplicas', 'availableReplicas', 'unavailableReplicas'] as const) if (!status[k]) delete status[k];
  if (d.status?.collisionCount !== undefined) status.collisionCount = d.status.collisionCount;
  if (d.status?.conditions) status.conditions = structuredClone(d.status.conditions);
  const ts = rfc3339(now);
  if (available >= replicasOf(d) - maxUnavailable(d)) {
    setCondition(status, newCondition('Available', 'True', reasons.minimumReplicasAvailable, 'Deployment has minimum availability.', ts));
  } else {
    setCondition(status, newCondition('Available', 'False', reasons.minimumReplicasUnavailable, 'Deployment does not have minimum availability.', ts));
  }
  return status;
}

export function hasProgressDeadline(d: Deployment): boolean {
  return d.spec.progressDeadlineSeconds !== undefined && d.spec.progressDeadlineSeconds !== 2147483647;
}

export function deploymentComplete(d: Deployment, s: DeploymentStatus): boolean {
  const r = replicasOf(d);
  return s.updatedReplicas === r && s.replicas === r && s.availableReplicas === r && (s.observedGeneration ?? 0) >= (d.metadata.generation ?? 0);
}

/** DeploymentProgressing: more updated, ready or available replicas, or fewer old ones. */
export function deploymentProgressing(d: Deployment, s: DeploymentStatus): boolean {
  const old = d.status ?? {};
  const oldOld = (old.replicas ?? 0) - (old.updatedReplicas ?? 0);
  const newOld = (s.replicas ?? 0) - (s.updatedReplicas ?? 0);
  return (s.updatedReplicas ?? 0) > (old.updatedReplicas ?? 0) || newOld < oldOld || (s.readyReplicas ?? 0) > (old.readyReplicas ?? 0) || (s.availableReplicas ?? 0) > (old.availableReplicas ?? 0);
}

export function deploymentTimedOut(d: Deployment, s: DeploymentStatus, now: number): boolean {
  if (!hasProgressDeadline(d)) return false;
  const c = getCondition(s, 'Progressing');
  if (!c) return false;
  if (c.reason === reasons.newRSAvailable) return false;
  if (c.reason === reasons.timedOut) return true;
  const from = Date.parse(c.lastUpdateTime ?? '');
  return !Number.isNaN(from) && from + d.spec.progressDeadlineSeconds! * 1000 < now;
}

/** syncRolloutStatus's new status. */
export function rolloutStatus(d: Deployment, allRSs: readonly (ReplicaSet | undefined)[], newRS: ReplicaSet | undefined, now: number): DeploymentStatus {
  const s = calculateStatus(d, allRSs, newRS, now);
  if (!hasProgressDeadline(d)) removeCondition(s, 'Progressing');
  const current = getCondition(d.status, 'Progressing');
  const complete = s.replicas === s.updatedReplicas && current?.reason === reasons.newRSAvailable;
  const ts = rfc3339(now);
  if (hasProgressDeadline(d) && !complete) {
    const name = newRS ? `ReplicaSet "${newRS.metadata.name}"` : `Deployment "${d.metadata.name}"`;
    if (deploymentComplete(d, s)) {
      setCondition(s, newCondition('Progressing', 'True', reasons.newRSAvailable, `${name} has successfully progressed.`, ts));
    } else if (deploymentProgressing(d, s)) {
      const c = newCondition('Progressing', 'True', reasons.replicaSetUpdated, `${name} is progressing.`, ts);
      // Progress refreshes lastUpdateTime even with the same reason (setCondition would not).
      if (current) {
        if (current.status === 'True') c.lastTransitionTime = current.lastTransitionTime;
        removeCondition(s, 'Progressing');
      }
      setCondition(s, c);
    } else if (deploymentTimedOut(d, s, now)) {
      setCondition(s, newCondition('Progressing', 'False', reasons.timedOut, `${name} has timed out progressing.`, ts));
    }
  }
  const failure = [newRS, ...allRSs].map((rs) => rs?.status?.conditions?.find((c) => c.type === 'ReplicaFailure' && c.status === 'True')).find(Boolean);
  if (failure) setCondition(s, newCondition('ReplicaFailure', failure.status, failure.reason ?? '', failure.message ?? '', failure.lastTransitionTime ?? ts));
  else removeCondition(s, 'ReplicaFailure');
  return s;
}

/** requeueStuckDeployment: when the progress deadline of an unfinished rollout runs out (ms from now). */
export function stuckRequeueAfter(d: Deployment, s: DeploymentStatus, now: number): number | undefined {
  const c = getCondition(s, 'Progressing');
  if (!hasProgressDeadline(d) || !c || c.reason === reasons.timedOut || deploymentComplete(d, s)) return undefined;
  const from = Date.parse(c.lastUpdateTime ?? '');
  if (Number.isNaN(from)) return undefined;
  const after = from + d.spec.progressDeadlineSeconds! * 1000 - now;
  return after < 1000 ? 0 : after + 1000;
}

/** The paused/resumed Progressing condition (checkPausedConditions); true when it changed. */
export function pausedCondition(d: Deployment, now: number): boolean {
  if (!hasProgressDeadline(d)) return false;
  const status = (d.status ??= {});
  const c = getCondition(status, 'Progressing');
  if (c?.reason === reasons.timedOut) return false;
  const pausedNow = c?.reason === reasons.paused;
  const ts = rfc3339(now);
  if (d.spec.paused && !pausedNow) {
    setCondition(status, newCondition('Progressing', 'Unknown', reasons.paused, 'Deployment is paused', ts));
    return true;
  }
  if (!d.spec.paused && pausedNow) {
    setCondition(status, newCondition('Progressing', 'Unknown', reasons.resumed, 'Deployment is resumed', ts));
    return true;
  }
  return false;
}
