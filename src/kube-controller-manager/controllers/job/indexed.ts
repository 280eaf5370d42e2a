// Completion indexes of Indexed Jobs, as upstream's indexed_job_utils: a pod's index comes from
// the batch.kubernetes.io/job-completion-index annotation (or label); sets of indexes are
// written as a compressed list of intervals ("0-2,5,7,8": runs of three or more with a hyphen)
// and read back leniently (unparsable intervals skipped, indexes past completions dropped).

import type { Pod } from '../../types.ts';

export const completionIndexKey = 'batch.kubernetes.io/job-completion-index';

/** The pod's completion index, or undefined when it has none or it is out of [0, completions). */
export function podIndex(pod: Pod, completions: number): number | undefined {
  const raw = pod.metadata.annotations?.[completionIndexKey] ?? pod.metadata.labels?.[completionIndexKey];
  if (raw === undefined || !/^\d+$/.test(raw)) return undefined;
  const i = Number(raw);
  return i < completions ? i : undefined;
}

/** Inclusive [first, last] runs of indexes, in increasing order. */
export type Interval = readonly [first: number, last: number];

export function formatIndexes(indexes: Iterable<number>): string {
  const sorted = [...new Set(indexes)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j] + 1) j++;
    if (j === i) parts.push(String(sorted[i]));
    else parts.push(`${sorted[i]}${j === i + 1 ? ',' : '-'}${sorted[j]}`);
    i = j + 1;
  }
  return parts.join(',');
}

/** The intervals of an index list such as status.completedIndexes, tolerating corruption. */
export function parseIntervals(text: string | undefined, completions: number): Interval[] {
  if (!text) return [];
  const out: [number, number][] = [];
  for (const part of text.split(',')) {
    const limits = part.split('-');
    if (!/^\d+$/.test(limits[0])) continue;
    const first = Number(limits[0]);
    if (first >= completions) break;
    let last = first;
    if (limits.length > 1) {
      if (!/^\d+$/.test(limits[1])) continue;
      last = Math.min(Number(limits[1]), completions - 1);
    }
    const prev = out.at(-1);
    if (prev && prev[1] === first - 1) prev[1] = last;
    else out.push([first, last]);
  }
  return out;
}

export function parseIndexes(text: string | undefined, completions: number): Set<number> {
  const out = new Set<number>();
  for (const [first, last] of parseIntervals(text, completions)) for (let i = first; i <= last; i++) out.add(i);
  return out;
}

/** The lowest `count` indexes in [0, completions) that are not taken (completed, running, failed). */
export function pendingIndexes(completions: number, taken: ReadonlySet<number>, count: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < completions && out.length < count; i++) if (!taken.has(i)) out.push(i);
  return out;
}
