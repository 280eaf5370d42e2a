// Which pods a ReplicaSet deletes first when it has too many: upstream's ActivePodsWithRanks
// order (with LogarithmicScaleDown and PodDeletionCost, both on by default upstream):
// unassigned before assigned, Pending before Unknown before Running, not ready before ready,
// lower controller.kubernetes.io/pod-deletion-cost first, more ready siblings on the same node
// first, then more recently ready, more container restarts, and newer pods first — times
// compared in log2 buckets of their age, ties broken by uid.

import { isPodActive, isPodReady, podReadyCondition } from '../../pod-conditions.ts';
import type { Pod } from '../../types.ts';

const phaseOrdinal: Record<string, number> = { Pending: 0, Unknown: 1, Running: 2 };
export const podDeletionCostAnnotation = 'controller.kubernetes.io/pod-deletion-cost';

export interface RankedPod {
  pod: Pod;
  /** Active related pods on the same node (upstream's colocation rank). */
  rank: number;
}

function deletionCost(pod: Pod): number {
  const v = Number(pod.metadata.annotations?.[podDeletionCostAnnotation] ?? 0);
  return Number.isFinite(v) ? v : 0;
}

function time(s: string | null | undefined): number | undefined {
  if (!s) return undefined;
  const t = Date.parse(s);
  return Number.isNaN(t) ? undefined : t;
}

/** A zero time sorts first, then the later time. */
function afterOrZero(t1: number | undefined, t2: number | undefined): boolean {
  if (t1 === undefined || t2 === undefined) return t1 === undefined;
  return t1 > t2;
}

function logRank(t: number, now: number): number {
  const d = (now - t) * 1e6; // nanoseconds, as upstream's time.Duration
  return d > 0 ? Math.floor(Math.log2(d)) : -1;
}

function maxRestarts(pod: Pod): number {
  return Math.max(0, ...(pod.status?.containerStatuses ?? []).map((c) => c.restartCount ?? 0));
}

/** Negative when a should be deleted before b. */
export function comparePodsForDeletion(a: RankedPod, b: RankedPod, now: number): number {
  const pa = a.pod;
  const pb = b.pod;
  const na = pa.spec?.nodeName ?? '';
  const nb = pb.spec?.nodeName ?? '';
  if (na !== nb && (na === '' || nb === '')) return na === '' ? -1 : 1;
  const oa = phaseOrdinal[pa.status?.phase ?? ''] ?? 0;
  const ob = phaseOrdinal[pb.status?.phase ?? ''] ?? 0;
  if (oa !== ob) return oa - ob;
  const ra = isPodReady(pa);
  const rb = isPodReady(pb);
  if (ra !== rb) return ra ? 1 : -1;
  const ca = deletionCost(pa);
  const cb = deletionCost(pb);
  if (ca !== cb) return ca - cb;
  if (a.rank !== b.rank) return b.rank - a.rank;
  const byTime = (t1: number | undefined, t2: number | undefined): number => {
    if (t1 === t2) return 0;
    if (t1 === undefined || t2 === undefined) return afterOrZero(t1, t2) ? -1 : 1;
    const diff = logRank(t1, now) - logRank(t2, now);
    if (diff === 0) return (pa.metadata.uid ?? '') < (pb.metadata.uid ?? '') ? -1 : (pa.metadata.uid ?? '') > (pb.metadata.uid ?? '') ? 1 : 0;
    return diff;
  };
  if (ra && rb) {
    const c = byTime(time(podReadyCondition(pa)?.lastTransitionTime), time(podReadyCondition(pb)?.lastTransitionTime));
    if (c !== 0) return c;
  }
  const ma = maxRestarts(pa);
  const mb = maxRestarts(pb);
  if (ma !== mb) return mb - ma;
  return byTime(time(pa.metadata.creationTimestamp), time(pb.metadata.creationTimestamp));
}

/** The `diff` pods to delete out of `pods`, ranked against every active related pod. */
export function podsToDelete(pods: readonly Pod[], related: readonly Pod[], diff: number, now: number): Pod[] {
  if (diff >= pods.length) return [...pods];
  const onNode = new Map<string, number>();
  for (const p of related) if (isPodActive(p)) onNode.set(p.spec?.nodeName ?? '', (onNode.get(p.spec?.nodeName ?? '') ?? 0) + 1);
  const ranked = pods.map((pod) => ({ pod, rank: onNode.get(pod.spec?.nodeName ?? '') ?? 0 }));
  ranked.sort((a, b) => comparePodsForDeletion(a, b, now));
  return ranked.slice(0, diff).map((r) => r.pod);
}
