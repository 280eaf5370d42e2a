// The DaemonSet RollingUpdate step with maxSurge 0 (upstream rollingUpdate): old pods that are
// not available are replaced at once; available old pods are deleted only while fewer than
// maxUnavailable nodes are unavailable (maxUnavailable scaled against the desired count,
// rounding up). A node is unavailable while its pod is missing, duplicated or not yet available.

import { isPodAvailable } from '../../pod-conditions.ts';
import type { IntOrString, Pod } from '../../types.ts';

export const revisionHashLabel = 'controller-revision-hash';

/** intstr.GetScaledValueFromIntOrPercent(value, total, roundUp=true). */
export function scaledValue(value: IntOrString | undefined, total: number, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value === 'number') return value;
  const m = /^(\d+)%$/.exec(value);
  if (!m) return Number.parseInt(value, 10) || 0;
  return Math.ceil((Number(m[1]) * total) / 100);
}

/** The old pods to delete now, given every node's daemon pods and the current revision hash. */
export function oldPodsToDelete(nodeToPods: ReadonlyMap<string, readonly Pod[]>, hash: string, maxUnavailable: number, minReadySeconds: number, now: number): Pod[] {
  let numUnavailable = 0;
  const replaceNow: Pod[] = [];
  const candidates: Pod[] = [];
  for (const pods of nodeToPods.values()) {
    const active = pods.filter((p) => !p.metadata.deletionTimestamp);
    const fresh = active.filter((p) => p.metadata.labels?.[revisionHashLabel] === hash);
    const old = active.filter((p) => p.metadata.labels?.[revisionHashLabel] !== hash);
    if (fresh.length > 1 || old.length > 1 || fresh.length + old.length !== 1) {
      numUnavailable++;
      continue;
    }
    if (fresh.length === 1) {
      if (!isPodAvailable(fresh[0], minReadySeconds, now)) numUnavailable++;
      continue;
    }
    if (!isPodAvailable(old[0], minReadySeconds, now)) replaceNow.push(old[0]);
    else if (numUnavailable < maxUnavailable) candidates.push(old[0]);
  }
  const remaining = Math.min(Math.max(0, maxUnavailable - numUnavailable), candidates.length);
  return [...replaceNow, ...candidates.slice(0, remaining)];
}
