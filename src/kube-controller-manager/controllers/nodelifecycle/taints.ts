// Taints and tolerations as upstream's v1helper: whether a toleration tolerates a taint
// (ToleratesTaint), and the taints the node lifecycle controller owns for a node's Ready
// condition (not-ready for False, unreachable for Unknown, none while a
// node has not reported yet; NoExecute and NoSchedule).

export interface Taint {
  key: string;
  value?: string;
  effect: 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute' | string;
  timeAdded?: string;
}

export interface Toleration {
  key?: string;
  operator?: 'Exists' | 'Equal' | string;
  value?: string;
  effect?: string;
  tolerationSeconds?: number;
}

export const notReadyTaintKey = 'node.kubernetes.io/not-ready';
export const unreachableTaintKey = 'node.kubernetes.io/unreachable';

export function toleratesTaint(t: Toleration, taint: Taint): boolean {
  if (t.effect && t.effect !== taint.effect) return false;
  if (t.key && t.key !== taint.key) return false;
  if (t.operator === 'Exists') return true;
  if (!t.operator || t.operator === 'Equal') return (t.value ?? '') === (taint.value ?? '');
  return false;
}

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
