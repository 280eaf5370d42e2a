// Taints and tolerations: ToleratesTaint (the shared helper of src/api), and the taints the node lifecycle controller owns for a node's Ready
// condition (not-ready for False, unreachable for Unknown, none while a
// node has not reported yet; NoExecute and NoSchedule).

export type { Taint, Toleration } from '../../../api/core/v1/scheduling-helpers.ts';
export { toleratesTaint } from '../../../api/core/v1/scheduling-helpers.ts';
import type { Taint } from '../../../api/core/v1/scheduling-helpers.ts';

export const notReadyTaintKey = 'node.kubernetes.io/not-ready';
export const unreachableTaintKey = 'node.kubernetes.io/unreachable';

/** Whether a taint is one the node lifecycle controller sets and removes. */
export function isLifecycleTaint(taint: Taint): boolean {
  return (taint.key === notReadyTaintKey || taint.key === unreachableTaintKey) && (taint.effect === 'NoExecute' || taint.effect === 'NoSchedule');
}

/** The lifecycle taints a node with this Ready status should carry. */
export function lifecycleTaintsFor(readyStatus: string | undefined): { key: string; effect: string }[] {
  if (readyStatus === 'False') return [{ key: notReadyTaintKey, effect: 'NoExecute' }, { key: notReadyTaintKey, effect: 'NoSchedule' }];
  if (readyStatus === 'Unknown') return [{ key: unreachableTaintKey, effect: 'NoExecute' }, { key: unreachableTaintKey, effect: 'NoSchedule' }];
  return [];
}
