// The status a PodDisruptionBudget reports, as upstream's disruption controller computes it:
// how many of its pods must stay healthy (desiredHealthy, from minAvailable or maxUnavailable
// over expectedPods), how many are healthy (Ready, not being deleted, not just evicted),
// how many more may be disrupted (never below 0, and 0 while no pods are expected), which
// evictions are still awaited (disruptedPods, dropped once the pod is deleted or after
// DeletionTimeout), and the DisruptionAllowed condition. Pure functions of the budget, its
// pods and the time.

import type { LabelSelectorSpec } from '../../../machinery/labels.ts';
import { isPodReady } from '../../pod-conditions.ts';
import { rfc3339, type IntOrString, type KubeObject, type ObjectMeta, type Pod } from '../../types.ts';
import { scaledValue } from '../deployment/deployment-util.ts';

/** How long an eviction may take to show as a deletion before the entry is dropped (upstream DeletionTimeout). */
export const deletionTimeoutMs = 2 * 60 * 1000;

export const disruptionAllowedCondition = 'DisruptionAllowed';
export const reasons = { sufficientPods: 'SufficientPods', insufficientPods: 'InsufficientPods', syncFailed: 'SyncFailed' } as const;

/** metav1.Condition. */
export interface StatusCondition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  observedGeneration?: number;
  lastTransitionTime: string;
  reason: string;
  message: string;
}

export interface PodDisruptionBudgetStatus {
  observedGeneration?: number;
  disruptedPods?: Record<string, string>;
  disruptionsAllowed: number;
  currentHealthy: number;
  desiredHealthy: number;
  expectedPods: number;
  conditions?: StatusCondition[];
}

export interface PodDisruptionBudget extends KubeObject {
  metadata: ObjectMeta;
  spec?: {
    minAvailable?: IntOrString | null;
    maxUnavailable?: IntOrString | null;
    selector?: LabelSelectorSpec | null;
    unhealthyPodEvictionPolicy?: string;
  };
  status?: PodDisruptionBudgetStatus;
}

/** Whether expectedPods comes from the scale of the pods' controllers rather than the pod count. */
export function needsControllerScale(pdb: PodDisruptionBudget): boolean {
  const spec = pdb.spec ?? {};
  return spec.maxUnavailable != null || typeof spec.minAvailable === 'string';
}

/** expectedPods and desiredHealthy; `scale` is the controllers' replicas, asked for only when needed. */
export function expectedAndDesired(pdb: PodDisruptionBudget, podCount: number, scale: number): { expectedPods: number; desiredHealthy: number } {
  const { minAvailable, maxUnavailable } = pdb.spec ?? {};
  if (maxUnavailable != null) {
    return { expectedPods: scale, desiredHealthy: Math.max(0, scale - scaledValue(maxUnavailable, scale, true)) };
  }
  if (typeof minAvailable === 'number') return { expectedPods: podCount, desiredHealthy: minAvailable };
  if (typeof minAvailable === 'string') return { expectedPods: scale, desiredHealthy: scaledValue(minAvailable, scale, true) };
  return { expectedPods: 0, desiredHealthy: 0 };
}

export interface DisruptedPods {
  /** The entries still awaited. */
  disruptedPods: Record<string, string>;
  /** Pods whose eviction never turned into a deletion within DeletionTimeout. */
  expired: Pod[];
  /** When the earliest awaited entry expires (ms since the epoch), if any. */
  recheckAt?: number;
}

/**
 * The budget's disruptedPods without the entries that are done: pods gone or being deleted,
 * and pods still running DeletionTimeout after their eviction.
 */
export function pruneDisruptedPods(pdb: PodDisruptionBudget, pods: readonly Pod[], now: number): DisruptedPods {
  const previous = pdb.status?.disruptedPods ?? {};
  const result: DisruptedPods = { disruptedPods: {}, expired: [] };
  for (const pod of pods) {
    const name = pod.metadata.name ?? '';
    if (pod.metadata.deletionTimestamp || !Object.hasOwn(previous, name)) continue;
    const expectedDeletion = Date.parse(previous[name]) + deletionTimeoutMs;
    if (Number.isNaN(expectedDeletion) || expectedDeletion < now) {
      result.expired.push(pod);
      continue;
    }
    result.disruptedPods[name] = previous[name];
    if (result.recheckAt === undefined || expectedDeletion < result.recheckAt) result.recheckAt = expectedDeletion;
  }
  return result;
}

/** Ready pods that are neither being deleted nor awaiting an eviction's deletion. */
export function countHealthyPods(pods: readonly Pod[], disruptedPods: Record<string, string>, now: number): number {
  let healthy = 0;
  for (const pod of pods) {
    if (pod.metadata.deletionTimestamp) continue;
    const evictedAt = disruptedPods[pod.metadata.name ?? ''];
    if (evictedAt !== undefined && Date.parse(evictedAt) + deletionTimeoutMs > now) continue;
    if (isPodReady(pod)) healthy++;
  }
  return healthy;
}

/** meta.SetStatusCondition: the transition time moves only when the status changes. */
export function setStatusCondition(conditions: readonly StatusCondition[] | undefined, next: Omit<StatusCondition, 'lastTransitionTime'>, now: number): StatusCondition[] {
  const out = (conditions ?? []).map((c) => ({ ...c }));
  const existing = out.find((c) => c.type === next.type);
  if (!existing) {
    out.push({ type: next.type, status: next.status, observedGeneration: next.observedGeneration, lastTransitionTime: rfc3339(now), reason: next.reason, message: next.message });
    return out;
  }
  if (existing.status !== next.status) {
    existing.status = next.status;
    existing.lastTransitionTime = rfc3339(now);
  }
  existing.reason = next.reason;
  existing.message = next.message;
  existing.observedGeneration = next.observedGeneration;
  return out;
}

/** pdbhelper.UpdateDisruptionAllowedCondition: True/SufficientPods while disruptions are allowed. */
export function withDisruptionAllowedCondition(status: PodDisruptionBudgetStatus, now: number): PodDisruptionBudgetStatus {
  const allowed = status.disruptionsAllowed > 0;
  const conditions = setStatusCondition(
    status.conditions,
    {
      type: disruptionAllowedCondition,
      status: allowed ? 'True' : 'False',
      reason: allowed ? reasons.sufficientPods : reasons.insufficientPods,
      message: '',
      observedGeneration: status.observedGeneration,
    },
    now,
  );
  return { ...status, conditions };
}

/** pdbhelper.ConditionsAreUpToDate. */
function conditionUpToDate(pdb: PodDisruptionBudget): boolean {
  const status = pdb.status;
  const c = status?.conditions?.find((x) => x.type === disruptionAllowedCondition);
  if (!c || (status?.observedGeneration ?? 0) !== (pdb.metadata.generation ?? 0)) return false;
  return (status?.disruptionsAllowed ?? 0) > 0 ? c.status === 'True' && c.reason === reasons.sufficientPods : c.status === 'False' && c.reason === reasons.insufficientPods;
}

function sameDisruptedPods(a: Record<string, string> | undefined, b: Record<string, string>): boolean {
  const ak = Object.keys(a ?? {});
  return ak.length === Object.keys(b).length && ak.every((k) => b[k] === a![k]);
}

export interface Observed {
  currentHealthy: number;
  desiredHealthy: number;
  expectedPods: number;
  disruptedPods: Record<string, string>;
}

/**
 * The status to write for what was observed, or undefined when the budget already says so.
 * disruptionsAllowed is 0 while no pods are expected, so a budget whose pods appear before
 * the next sync starts out safe.
 */
export function nextStatus(pdb: PodDisruptionBudget, o: Observed, now: number): PodDisruptionBudgetStatus | undefined {
  const disruptionsAllowed = o.expectedPods <= 0 ? 0 : Math.max(0, o.currentHealthy - o.desiredHealthy);
  const s = pdb.status;
  if (
    s?.currentHealthy === o.currentHealthy &&
    s.desiredHealthy === o.desiredHealthy &&
    s.expectedPods === o.expectedPods &&
    s.disruptionsAllowed === disruptionsAllowed &&
    sameDisruptedPods(s.disruptedPods, o.disruptedPods) &&
    conditionUpToDate(pdb)
  ) {
    return undefined;
  }
  const status: PodDisruptionBudgetStatus = {
    disruptionsAllowed,
    currentHealthy: o.currentHealthy,
    desiredHealthy: o.desiredHealthy,
    expectedPods: o.expectedPods,
  };
  if (pdb.metadata.generation) status.observedGeneration = pdb.metadata.generation;
  if (Object.keys(o.disruptedPods).length > 0) status.disruptedPods = o.disruptedPods;
  if (s?.conditions) status.conditions = s.conditions;
  return withDisruptionAllowedCondition(status, now);
}

/** failSafe: no disruptions, and a SyncFailed condition saying why. */
export function failedStatus(pdb: PodDisruptionBudget, message: string, now: number): PodDisruptionBudgetStatus {
  const s = pdb.status;
  return {
    ...s,
    disruptionsAllowed: 0,
    currentHealthy: s?.currentHealthy ?? 0,
    desiredHealthy: s?.desiredHealthy ?? 0,
    expectedPods: s?.expectedPods ?? 0,
    conditions: setStatusCondition(
      s?.conditions,
      { type: disruptionAllowedCondition, status: 'False', reason: reasons.syncFailed, message, observedGeneration: s?.observedGeneration },
      now,
    ),
  };
}
