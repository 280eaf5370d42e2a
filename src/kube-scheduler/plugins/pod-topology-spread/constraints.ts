// A pod's topologySpreadConstraints made ready to evaluate, as upstream's podtopologyspread
// common code: the selector (labelSelector plus one `key in (value)` per matchLabelKeys key
// the pod carries), minDomains (default 1) and the node inclusion policies (nodeAffinityPolicy
// Honor and nodeTaintsPolicy Ignore by default). A node counts for a constraint when it passes
// the policies; pods count when they are in the pod's namespace, match the selector and are
// not terminating. A pod without constraints of its own gets the default ones, with the
// selector deduced from what selects it (see default-selector.ts).

import { fromLabelSelector, LabelSelector, type LabelSelectorSpec } from '../../../machinery/labels.ts';
import type { NodeInfo } from '../../framework/node-info.ts';
import type { Node, Pod, TopologySpreadConstraint } from '../../types.ts';
import { requiredAffinityMatches } from '../node-affinity/node-affinity.ts';
import { findUntoleratedTaint } from '../taint-toleration/tolerations.ts';

export interface Constraint {
  readonly maxSkew: number;
  readonly topologyKey: string;
  readonly selector: LabelSelector;
  readonly minDomains: number;
  readonly honorNodeAffinity: boolean;
  readonly honorNodeTaints: boolean;
}

export type WhenUnsatisfiable = 'DoNotSchedule' | 'ScheduleAnyway';

function constraintOf(c: TopologySpreadConstraint, selector: LabelSelector): Constraint {
  return {
    maxSkew: c.maxSkew,
    topologyKey: c.topologyKey,
    selector,
    minDomains: c.minDomains ?? 1,
    honorNodeAffinity: (c.nodeAffinityPolicy ?? 'Honor') === 'Honor',
    honorNodeTaints: c.nodeTaintsPolicy === 'Honor',
  };
}

/** The pod's own constraints of one kind. */
export function constraintsOf(pod: Pod, whenUnsatisfiable: WhenUnsatisfiable): Constraint[] {
  const out: Constraint[] = [];
  const labels = pod.metadata?.labels ?? {};
  for (const c of pod.spec?.topologySpreadConstraints ?? []) {
    if (c.whenUnsatisfiable !== whenUnsatisfiable) continue;
    let selector = fromLabelSelector(c.labelSelector as LabelSelectorSpec | null | undefined);
    const extra = (c.matchLabelKeys ?? []).filter((k) => Object.hasOwn(labels, k)).map((key) => ({ key, operator: 'In' as const, values: [labels[key]] }));
    if (extra.length > 0 && !selector.nothing) selector = new LabelSelector([...selector.requirements, ...extra]);
    out.push(constraintOf(c, selector));
  }
  return out;
}

/**
 * Default constraints of one kind for a pod without its own, all counting with `selector()`
 * (asked only when some default is of that kind); none when the selector is empty.
 */
export function defaultConstraintsOf(defaults: readonly TopologySpreadConstraint[], whenUnsatisfiable: WhenUnsatisfiable, selector: () => LabelSelector): Constraint[] {
  const wanted = defaults.filter((c) => c.whenUnsatisfiable === whenUnsatisfiable);
  if (wanted.length === 0) return [];
  const s = selector();
  if (s.empty) return [];
  return wanted.map((c) => constraintOf(c, s));
}

/** The node has every topology key of the constraints. */
export function hasAllTopologyKeys(node: Node, constraints: readonly Constraint[]): boolean {
  const labels = node.metadata?.labels ?? {};
  return constraints.every((c) => Object.hasOwn(labels, c.topologyKey));
}

export function matchesInclusionPolicies(c: Constraint, pod: Pod, node: Node): boolean {
  if (c.honorNodeAffinity && !requiredAffinityMatches(pod, node)) return false;
  if (c.honorNodeTaints && findUntoleratedTaint(node.spec?.taints, pod.spec?.tolerations, ['NoSchedule', 'NoExecute'])) return false;
  return true;
}

export function podCounts(c: Constraint, namespace: string | undefined, pod: Pod): boolean {
  return !pod.metadata?.deletionTimestamp && pod.metadata?.namespace === namespace && c.selector.matches(pod.metadata?.labels);
}

export function countMatchingPods(c: Constraint, namespace: string | undefined, node: NodeInfo): number {
  let n = 0;
  for (const info of node.pods.values()) if (podCounts(c, namespace, info.pod)) n++;
  return n;
}
