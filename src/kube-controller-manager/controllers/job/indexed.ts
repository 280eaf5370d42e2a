// Completion indexes of Indexed Jobs, as upstream's indexed_job_utils: a pod's index comes from
// the batch.kubernetes.io/job-completion-index annotation (or label); completed indexes are
// written as a compressed list of intervals ("0-2,5").

import type { Pod } from '../../types.ts';

export const completionIndexKey = 'batch.kubernetes.io/job-completion-index';

/** The pod's completion index, or undefined when it has none or it is out of [0, completions). */
export function podIndex(pod: Pod, completions: number): number | undefined {
  const raw = pod.metadata.annotations?.[completionIndexKey] ?? pod.metadata.labels?.[completionIndexKey];
  if (raw === undefined || !/^\d+$/.test(raw)) return undefined;
  const i = Number(raw);
  return i < completions ? i : undefined;
}

export function formatIndexes(indexes: Iterable<number>): string {
  const sorted = [...new Set(indexes)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j] + 1) j++;
    parts.push(j === i ? String(sorted[i]) : `${sorted[i]}-${sorted[j]}`);
    i = j + 1;
  }
  return parts.join(',');
}

/** The lowest `count` indexes in [0, completions) that are neither completed nor running. */
export function pendingIndexes(completions: number, taken: ReadonlySet<number>, count: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < completions && out.length < count; i++) if (!taken.has(i)) out.push(i);
  return out;
}
