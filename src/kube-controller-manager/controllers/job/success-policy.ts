// A Job's successPolicy (Indexed jobs only), as upstream's matchSuccessPolicy: the rules are
// tried in order; a rule with succeededIndexes is met when all those indexes succeeded (or, with
// succeededCount, at least that many of them); a rule with only succeededCount is met when that
// many indexes succeeded. The first met rule names itself in the condition message.

import { parseIntervals } from './indexed.ts';

export interface SuccessPolicyRule {
  succeededIndexes?: string;
  succeededCount?: number;
}

export interface SuccessPolicy {
  rules: SuccessPolicyRule[];
}

/** How many of `sorted` (increasing) lie in [first, last]. */
function countWithin(sorted: readonly number[], first: number, last: number): number {
  const lowerBound = (x: number) => {
    let lo = 0;
    let hi = sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (sorted[mid] < x) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  return lowerBound(last + 1) - lowerBound(first);
}

/** The SuccessCriteriaMet message when a rule is met ("Matched rules at index N"), else undefined. */
export function matchSuccessPolicy(policy: SuccessPolicy | undefined, completions: number, succeeded: ReadonlySet<number>): string | undefined {
  if (!policy || succeeded.size === 0) return undefined;
  const sorted = [...succeeded].sort((a, b) => a - b);
  for (const [index, rule] of (policy.rules ?? []).entries()) {
    if (rule.succeededIndexes !== undefined && rule.succeededIndexes !== null) {
      const required = parseIntervals(rule.succeededIndexes, completions);
      if (required.length === 0) continue;
      let contained = 0;
      let total = 0;
      for (const [first, last] of required) {
        contained += countWithin(sorted, first, last);
        total += last - first + 1;
      }
      const met = typeof rule.succeededCount === 'number' ? contained >= rule.succeededCount : contained === total;
      if (met) return `Matched rules at index ${index}`;
    } else if (typeof rule.succeededCount === 'number' && succeeded.size >= rule.succeededCount) {
      return `Matched rules at index ${index}`;
    }
  }
  return undefined;
}
