// NodeUnschedulable: a cordoned node (spec.unschedulable) takes only pods that tolerate the
// node.kubernetes.io/unschedulable:NoSchedule taint.

import type { Plugin } from '../../framework/interfaces.ts';
import { unresolvable } from '../../framework/status.ts';
import { tolerated } from '../taint-toleration/tolerations.ts';

export const name = 'NodeUnschedulable';
export const errReasonUnschedulable = 'node(s) were unschedulable';
const unschedulableTaint = { key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' };

export function newNodeUnschedulable(): Plugin {
  return {
    name,
    events: ['NodeAdd', 'NodeTaintChange'],
    filter(_state, pod, node) {
      if (!node.unschedulable) return undefined;
      return tolerated(pod.spec?.tolerations, unschedulableTaint) ? undefined : unresolvable(errReasonUnschedulable);
    },
  };
}
