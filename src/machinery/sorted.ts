// Binary search over sorted string arrays (keys in byte order as latin1 strings, or any
// strings compared with <).

/** The index of the first element not less than `k` (where `k` would be inserted). */
export function lowerBound(sorted: readonly string[], k: string): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid] < k) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
