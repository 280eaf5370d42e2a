// backoffLimitPerIndex, as upstream: each pod of an index carries how many failures of that
// index came before it (batch.kubernetes.io/job-index-failure-count, and the failures a
// podFailurePolicy Ignore rule kept out of the count in ...-ignored-failure-count). A failed pod
// fails its index when a FailIndex rule matched, or when its failure counts and the index had
// already used up backoffLimitPerIndex. A failed index is never retried; the others are retried
// after a back-off of their own (10 s × 2^(failures so far), at most 10 min), and the
// replacement's annotations continue the count of the failed pod it replaces.

import type { Pod } from '../../types.ts';
import { finishedAt, remainingBackoffMs } from './backoff.ts';
import { podIndex } from './indexed.ts';
import type { PodFailureOutcome } from './pod-failure-policy.ts';

export const indexFailureCountKey = 'batch.kubernetes.io/job-index-failure-count';
export const indexIgnoredFailureCountKey = 'batch.kubernetes.io/job-index-ignored-failure-count';

/** An annotation's count; 0 when absent or not a valid int32 (e.g. edited by hand). */
function annotationCount(pod: Pod, key: string): number {
  const raw = pod.metadata.annotations?.[key];
  if (raw === undefined || !/^\d+$/.test(raw)) return 0;
  const n = Number(raw);
  return n <= 2147483647 ? n : 0;
}

export function indexFailureCount(pod: Pod): number {
  return annotationCount(pod, indexFailureCountKey);
}

/** Counted and ignored failures of the index before this pod. */
function absoluteFailureCount(pod: Pod): number {
  return annotationCount(pod, indexFailureCountKey) + annotationCount(pod, indexIgnoredFailureCountKey);
}

/** Whether a failed pod fails its index. */
export function failsIndex(pod: Pod, outcome: PodFailureOutcome, backoffLimitPerIndex: number): boolean {
  if (outcome.action === 'FailIndex') return true;
  return outcome.counts && indexFailureCount(pod) >= backoffLimitPerIndex;
}

/**
 * For each index that is neither completed, failed nor running, the failed pod a replacement
 * takes over from: the one with the highest count, the latest finished among equals.
 */
export function podsBeingReplaced(failedPods: readonly Pod[], completions: number, skip: ReadonlySet<number>): Map<number, Pod> {
  const out = new Map<number, Pod>();
  for (const p of failedPods) {
    const i = podIndex(p, completions);
    if (i === undefined || skip.has(i)) continue;
    const last = out.get(i);
    if (!last || (absoluteFailureCount(last) <= absoluteFailureCount(p) && finishedAt(p) >= finishedAt(last))) out.set(i, p);
  }
  return out;
}

/** The failure-count annotations of the pod that replaces `replaced` (none replaced: zero). */
export function replacementAnnotations(replaced: Pod | undefined, outcome: PodFailureOutcome | undefined): Record<string, string> {
  if (!replaced) return { [indexFailureCountKey]: '0' };
  let counted = annotationCount(replaced, indexFailureCountKey);
  let ignored = annotationCount(replaced, indexIgnoredFailureCountKey);
  if (outcome?.counts === false) ignored++;
  else counted++;
  const out: Record<string, string> = { [indexFailureCountKey]: String(counted) };
  if (ignored > 0) out[indexIgnoredFailureCountKey] = String(ignored);
  return out;
}

/** Milliseconds until the index of `replaced` may get a new pod (0: now). */
export function remainingIndexBackoffMs(replaced: Pod | undefined, now: number): number {
  if (!replaced) return 0;
  return remainingBackoffMs({ failuresAfterLastSuccess: absoluteFailureCount(replaced) + 1, lastFailureTime: finishedAt(replaced) }, now);
}
