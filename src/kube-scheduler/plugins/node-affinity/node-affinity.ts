// NodeAffinity: a node must carry every label of spec.nodeSelector and match one term of
// requiredDuringSchedulingIgnoredDuringExecution; among those, the weights of the
// preferredDuringScheduling terms a node matches add up to its score (normalized to 0-100).

import type { Plugin } from '../../framework/interfaces.ts';
import { defaultNormalizeScore } from '../../framework/normalize.ts';
import { skip, unresolvable } from '../../framework/status.ts';
import type { Node, Pod, PreferredSchedulingTerm } from '../../types.ts';
import { anyTermMatches, termMatches } from './node-selector.ts';

export const name = 'NodeAffinity';
export const errReasonPod = "node(s) didn't match Pod's node affinity/selector";
const preScoreKey = `PreScore${name}`;

/** Whether a node satisfies the pod's nodeSelector and required node affinity. */
export function requiredAffinityMatches(pod: Pod, node: Node): boolean {
  const labels = node.metadata?.labels ?? {};
  for (const [k, v] of Object.entries(pod.spec?.nodeSelector ?? {})) if (labels[k] !== v) return false;
  const required = pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
  return !required || anyTermMatches(required.nodeSelectorTerms ?? [], node);
}

export function newNodeAffinity(): Plugin {
  return {
    name,
    events: ['NodeAdd', 'NodeLabelChange'],
    preFilter(_state, pod) {
      const hasSelector = Object.keys(pod.spec?.nodeSelector ?? {}).length > 0;
      return hasSelector || pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution ? undefined : skip;
    },
    filter(_state, pod, node) {
      return requiredAffinityMatches(pod, node.node) ? undefined : unresolvable(errReasonPod);
    },
    preScore(state, pod) {
      const preferred = (pod.spec?.affinity?.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? []).filter((t) => t.weight !== 0);
      if (preferred.length === 0) return skip;
      state.write(preScoreKey, preferred);
      return undefined;
    },
    score(state, _pod, node) {
      let total = 0;
      for (const t of state.read<PreferredSchedulingTerm[]>(preScoreKey)) if (termMatches(t.preference, node.node)) total += t.weight;
      return total;
    },
    normalizeScore(_state, _pod, scores) {
      defaultNormalizeScore(scores, false);
    },
  };
}
