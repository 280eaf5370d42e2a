// The replica arithmetic of a Deployment rollout, as upstream's rolling.go, sync.go and
// deploymentutil compute it, as pure functions that return which ReplicaSet goes to which
// size: the new ReplicaSet grows while the total stays within replicas+maxSurge; old ones
// shrink (unhealthy replicas first) while availability stays at least replicas-maxUnavailable;
// a scaling event outside a rollout is spread proportionally over the active ReplicaSets.

import type { Deployment, ReplicaSet } from '../../types.ts';
import {
  byCreation,
  desiredReplicasAnnotation,
  isRollingUpdate,
  maxReplicasAnnotation,
  maxSurge,
  maxUnavailable,
  replicasOf,
  sumAvailableReplicas,
  sumSpecReplicas,
} from './deployment-util.ts';

export interface ScaleStep {
  rs: ReplicaSet;
  to: number;
}

/** NewRSNewReplicas: the size the new ReplicaSet may have now. */
export function newRSNewReplicas(d: Deployment, allRSs: readonly ReplicaSet[], newRS: ReplicaSet): number {
  if (!isRollingUpdate(d)) return replicasOf(d);
  const current = sumSpecReplicas(allRSs);
  const maxTotal = replicasOf(d) + maxSurge(d);
  if (current >= maxTotal) return replicasOf(newRS);
  const scaleUp = Math.min(maxTotal - current, replicasOf(d) - replicasOf(newRS));
  return replicasOf(newRS) + scaleUp;
}

/** reconcileNewReplicaSet: the new ReplicaSet's next size, or undefined when it stays. */
export function planNewReplicaSet(d: Deployment, allRSs: readonly ReplicaSet[], newRS: ReplicaSet): number | undefined {
  const desired = replicasOf(d);
  const current = replicasOf(newRS);
  if (current === desired) return undefined;
  if (current > desired) return desired;
  const next = newRSNewReplicas(d, allRSs, newRS);
  return next === current ? undefined : next;
}

/** reconcileOldReplicaSets: cleanupUnhealthyReplicas then scaleDownOldReplicaSetsForRollingUpdate. */
export function planOldReplicaSets(d: Deployment, newRS: ReplicaSet, oldRSs: readonly ReplicaSet[]): ScaleStep[] {
  if (sumSpecReplicas(oldRSs) === 0) return [];
  const allRSs = [...oldRSs, newRS];
  const minAvailable = replicasOf(d) - maxUnavailable(d);
  const newRSUnavailable = replicasOf(newRS) - (newRS.status?.availableReplicas ?? 0);
  const maxScaledDown = sumSpecReplicas(allRSs) - minAvailable - newRSUnavailable;
  if (maxScaledDown <= 0) return [];

  const sorted = [...oldRSs].sort(byCreation);
  const sizes = new Map(sorted.map((rs) => [rs, replicasOf(rs)]));
  // 1. Old replicas that are not available go first: removing them costs no availability.
  let cleaned = 0;
  for (const rs of sorted) {
    if (cleaned >= maxScaledDown) break;
    const size = sizes.get(rs)!;
    const available = rs.status?.availableReplicas ?? 0;
    if (size === 0 || size === available) continue;
    const down = Math.min(maxScaledDown - cleaned, size - available);
    sizes.set(rs, size - down);
    cleaned += down;
  }
  // 2. Then available ones, oldest ReplicaSet first, down to minAvailable.
  const availableCount = sumAvailableReplicas(allRSs);
  if (availableCount > minAvailable) {
    const total = availableCount - minAvailable;
    let scaled = 0;
    for (const rs of sorted) {
      if (scaled >= total) break;
      const size = sizes.get(rs)!;
      if (size === 0) continue;
      const down = Math.min(size, total - scaled);
      sizes.set(rs, size - down);
      scaled += down;
    }
  }
  return sorted.filter((rs) => sizes.get(rs) !== replicasOf(rs)).map((rs) => ({ rs, to: sizes.get(rs)! }));
}

/** Recreate: every active old ReplicaSet to zero. */
export function planRecreateScaleDown(oldRSs: readonly ReplicaSet[]): ScaleStep[] {
  return oldRSs.filter((rs) => replicasOf(rs) > 0).map((rs) => ({ rs, to: 0 }));
}

function desiredAnnotation(rs: ReplicaSet): number | undefined {
  const v = rs.metadata.annotations?.[desiredReplicasAnnotation];
  const n = v === undefined ? NaN : Number(v);
  return Number.isInteger(n) ? n : undefined;
}

/** isScalingEvent: some active ReplicaSet was sized for a different replica count. */
export function isScalingEvent(d: Deployment, allRSs: readonly (ReplicaSet | undefined)[]): boolean {
  return allRSs.some((rs) => rs && replicasOf(rs) > 0 && desiredAnnotation(rs) !== undefined && desiredAnnotation(rs) !== replicasOf(d));
}

/** IsSaturated: the new ReplicaSet runs all replicas, all available. */
export function isSaturated(d: Deployment, newRS: ReplicaSet | undefined): boolean {
  if (!newRS) return false;
  return desiredAnnotation(newRS) === replicasOf(d) && replicasOf(newRS) === replicasOf(d) && (newRS.status?.availableReplicas ?? 0) === replicasOf(d);
}

function creation(rs: ReplicaSet): number {
  return rs.metadata.creationTimestamp ? Date.parse(rs.metadata.creationTimestamp) : 0;
}

/** getReplicaSetFraction: how much of the change this ReplicaSet's share is. */
function fraction(rs: ReplicaSet, d: Deployment): number {
  if (replicasOf(d) === 0) return -replicasOf(rs);
  const deploymentMax = replicasOf(d) + maxSurge(d);
  let before = Number(rs.metadata.annotations?.[maxReplicasAnnotation]);
  if (!Number.isInteger(before) || before === 0) {
    before = d.status?.replicas ?? 0;
    if (before === 0) return -replicasOf(rs);
  }
  return Math.round((replicasOf(rs) * deploymentMax) / before) - replicasOf(rs);
}

/**
 * scale(): sizes for a scaling event. With one active (or no active) ReplicaSet it gets all
 * replicas; with a saturated new ReplicaSet old ones go to zero; otherwise (RollingUpdate)
 * the change is split in proportion to each active ReplicaSet's size, leftovers to the first
 * (largest; newest when scaling up, oldest when scaling down). Every ReplicaSet returned gets
 * its replica annotations refreshed even when its size stays.
 */
export function planScale(d: Deployment, newRS: ReplicaSet | undefined, oldRSs: readonly ReplicaSet[]): ScaleStep[] {
  const all = [...oldRSs, ...(newRS ? [newRS] : [])];
  const active = all.filter((rs) => replicasOf(rs) > 0);
  if (all.length > 0 && active.length <= 1) {
    const target = active[0] ?? newRS ?? [...oldRSs].sort((a, b) => creation(b) - creation(a))[0];
    return replicasOf(target) === replicasOf(d) ? [] : [{ rs: target, to: replicasOf(d) }];
  }
  if (all.length === 0) return [];
  if (isSaturated(d, newRS)) return oldRSs.filter((rs) => replicasOf(rs) > 0).map((rs) => ({ rs, to: 0 }));
  if (!isRollingUpdate(d)) return [];
  const allowed = replicasOf(d) > 0 ? replicasOf(d) + maxSurge(d) : 0;
  const toAdd = allowed - sumSpecReplicas(active);
  const sorted = [...active];
  if (toAdd > 0) sorted.sort((a, b) => replicasOf(b) - replicasOf(a) || creation(b) - creation(a));
  else if (toAdd < 0) sorted.sort((a, b) => replicasOf(b) - replicasOf(a) || creation(a) - creation(b));
  let added = 0;
  const sizes = sorted.map((rs) => {
    if (toAdd === 0) return replicasOf(rs);
    let proportion = 0;
    if (replicasOf(rs) !== 0 && toAdd !== added) {
      const f = fraction(rs, d);
      const room = toAdd - added;
      proportion = toAdd > 0 ? Math.min(f, room) : Math.max(f, room);
    }
    added += proportion;
    return replicasOf(rs) + proportion;
  });
  if (toAdd !== 0 && sizes.length > 0) sizes[0] = Math.max(0, sizes[0] + toAdd - added);
  return sorted.map((rs, i) => ({ rs, to: sizes[i] }));
}
