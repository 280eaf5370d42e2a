// TaintToleration: a node with a NoSchedule or NoExecute taint the pod does not tolerate is
// rejected (Unresolvable: evicting pods cannot remove a taint); among the rest, nodes with fewer
// untolerated PreferNoSchedule taints score higher.

import type { Plugin } from '../../framework/interfaces.ts';
import { defaultNormalizeScore } from '../../framework/normalize.ts';
import { unresolvable } from '../../framework/status.ts';
import type { Toleration } from '../../types.ts';
import { findUntoleratedTaint, tolerated } from './tolerations.ts';

export const name = 'TaintToleration';
const preScoreKey = `PreScore${name}`;

export function newTaintToleration(): Plugin {
  return {
    name,
    events: ['NodeAdd', 'NodeTaintChange'],
    filter(_state, pod, node) {
      const taint = findUntoleratedTaint(node.taints, pod.spec?.tolerations, ['NoSchedule', 'NoExecute']);
      if (!taint) return undefined;
      return unresolvable(`node(s) had untolerated taint {${taint.key}: ${taint.value ?? ''}}`);
    },
    preScore(state, pod) {
      const preferNoSchedule = (pod.spec?.tolerations ?? []).filter((t) => !t.effect || t.effect === 'PreferNoSchedule');
      state.write(preScoreKey, preferNoSchedule);
      return undefined;
    },
    score(state, _pod, node) {
      const tolerations = state.read<Toleration[]>(preScoreKey);
      let n = 0;
      for (const taint of node.taints) if (taint.effect === 'PreferNoSchedule' && !tolerated(tolerations, taint)) n++;
      return n;
    },
    normalizeScore(_state, _pod, scores) {
      defaultNormalizeScore(scores, true);
    },
  };
}
