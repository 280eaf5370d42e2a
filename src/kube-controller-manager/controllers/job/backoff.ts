// Pod failure back-off for Jobs, as upstream's backoffRecord: after a run of failed pods (the
// failures since the job's last success), a replacement is created only once
// 10 s × 2^(failures−1) (at most 10 min, upstream's MaxJobPodFailureBackOff) has passed since the
// last failure finished. Finish times come from the pods, so the rule holds across restarts.

import type { Pod } from '../../types.ts';

export const defaultPodFailureBackOffMs = 10_000;
export const maxPodFailureBackOffMs = 10 * 60_000;

/** When a terminated pod finished: its latest container finishedAt, else its latest condition change, else its creation. */
export function finishedAt(pod: Pod): number {
  let latest = NaN;
  for (const cs of pod.status?.containerStatuses ?? []) {
    const t = Date.parse(String((cs.state as { terminated?: { finishedAt?: string } } | undefined)?.terminated?.finishedAt ?? ''));
    if (!Number.isNaN(t) && !(t <= latest)) latest = t;
  }
  if (!Number.isNaN(latest)) return latest;
  for (const c of pod.status?.conditions ?? []) {
    const t = Date.parse(c.lastTransitionTime ?? '');
    if (!Number.isNaN(t) && !(t <= latest)) latest = t;
  }
  if (!Number.isNaN(latest)) return latest;
  return Date.parse(pod.metadata.creationTimestamp ?? '') || 0;
}

export interface BackoffRecord {
  failuresAfterLastSuccess: number;
  lastFailureTime?: number;
}

export function backoffRecord(terminated: readonly Pod[]): BackoffRecord {
  const lastSuccess = Math.max(-Infinity, ...terminated.filter((p) => p.status?.phase === 'Succeeded').map(finishedAt));
  const failures = terminated.filter((p) => p.status?.phase === 'Failed').map(finishedAt).filter((t) => t >= lastSuccess);
  return { failuresAfterLastSuccess: failures.length, lastFailureTime: failures.length ? Math.max(...failures) : undefined };
}

/** Milliseconds until a new pod may be created (0: now). */
export function remainingBackoffMs(record: BackoffRecord, now: number): number {
  if (record.failuresAfterLastSuccess === 0 || record.lastFailureTime === undefined) return 0;
  const delay = Math.min(defaultPodFailureBackOffMs * 2 ** (record.failuresAfterLastSuccess - 1), maxPodFailureBackOffMs);
  return Math.max(0, record.lastFailureTime + delay - now);
}
