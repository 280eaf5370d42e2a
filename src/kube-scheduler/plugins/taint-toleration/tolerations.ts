// Whether a pod's tolerations tolerate a node's taints, built on the shared ToleratesTaint
// (src/api/core/v1/scheduling-helpers.ts).

import { toleratesTaint } from '../../../api/core/v1/scheduling-helpers.ts';
import type { Taint, Toleration } from '../../types.ts';

export { toleratesTaint };

export function tolerated(tolerations: readonly Toleration[] | undefined, taint: Taint): boolean {
  return (tolerations ?? []).some((t) => toleratesTaint(t, taint));
}

/** The first taint with one of `effects` that no toleration tolerates. */
export function findUntoleratedTaint(taints: readonly Taint[] | undefined, tolerations: readonly Toleration[] | undefined, effects: readonly string[]): Taint | undefined {
  return (taints ?? []).find((taint) => effects.includes(taint.effect) && !tolerated(tolerations, taint));
}
