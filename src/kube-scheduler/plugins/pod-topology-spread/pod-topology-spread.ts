// PodTopologySpread, as upstream's plugin of that name.
// Filter (whenUnsatisfiable: DoNotSchedule): PreFilter counts matching pods per domain (value
// of the topologyKey) over the nodes that have every constraint's key and pass the
// constraint's inclusion policies. A node without a key is Unresolvable ("... (missing
// required label)"); otherwise placing the pod must keep, for every constraint,
//   matching pods in the node's domain + 1 (if the pod matches itself) − the global minimum
// within maxSkew, where the minimum is 0 while fewer than minDomains domains exist.
// Score (ScheduleAnyway): per node, Σ over constraints of count·log(domains+2) + maxSkew−1,
// counted over the domains of the filtered nodes; fewer matching pods score higher, nodes
// missing a key score 0. AddPod/RemovePod keep the PreFilter counts right for dry runs.
// A pod without topologySpreadConstraints gets the default constraints of the args (System:
// upstream's hostname and zone ScheduleAnyway pair; List: the configured ones) counting pods
// with the selector of the Services and controller that select it, and none when nothing does.
// With the System defaults, scoring does not need a node to have every key (a node without a
// zone label is still spread by hostname), as upstream.

import type { Handle, Plugin } from '../../framework/interfaces.ts';
import { maxNodeScore } from '../../framework/interfaces.ts';
import type { NodeInfo, PodInfo } from '../../framework/node-info.ts';
import { skip, unresolvable, unschedulable } from '../../framework/status.ts';
import type { Pod } from '../../types.ts';
import { podTopologySpreadArgs, systemDefaultConstraints } from './args.ts';
import { constraintsOf, countMatchingPods, defaultConstraintsOf, hasAllTopologyKeys, matchesInclusionPolicies, podCounts, type Constraint, type WhenUnsatisfiable } from './constraints.ts';
import { defaultSelector } from './default-selector.ts';

export const name = 'PodTopologySpread';
export const errReasonConstraintsNotMatch = "node(s) didn't match pod topology spread constraints";
export const errReasonNodeLabelNotMatch = `${errReasonConstraintsNotMatch} (missing required label)`;
const preFilterKey = `PreFilter${name}`;
const preScoreKey = `PreScore${name}`;
const hostnameLabel = 'kubernetes.io/hostname';

class PreFilterState {
  readonly constraints: readonly Constraint[];
  /** Per constraint: domain value → matching pods. */
  readonly counts: Map<string, number>[];

  constructor(constraints: readonly Constraint[], counts?: Map<string, number>[]) {
    this.constraints = constraints;
    this.counts = counts ?? constraints.map(() => new Map());
  }

  clone(): PreFilterState {
    return new PreFilterState(this.constraints, this.counts.map((m) => new Map(m)));
  }

  minMatch(i: number): number {
    const counts = this.counts[i];
    if (counts.size < this.constraints[i].minDomains) return 0;
    let min = Infinity;
    for (const n of counts.values()) if (n < min) min = n;
    return min;
  }

  update(pod: Pod, changed: Pod, node: NodeInfo, delta: number): void {
    if (!hasAllTopologyKeys(node.node, this.constraints)) return;
    const labels = node.node.metadata?.labels ?? {};
    this.constraints.forEach((c, i) => {
      if (!matchesInclusionPolicies(c, pod, node.node) || !podCounts(c, pod.metadata?.namespace, changed)) return;
      const v = labels[c.topologyKey];
      this.counts[i].set(v, (this.counts[i].get(v) ?? 0) + delta);
    });
  }
}

interface PreScoreState {
  constraints: readonly Constraint[];
  ignoredNodes: Set<string>;
  /** "key\0value" → matching pods in that domain (hostname domains are counted in Score). */
  pairCounts: Map<string, number>;
  weights: number[];
}

const pairKey = (key: string, value: string) => `${key}\0${value}`;

export function newPodTopologySpread(rawArgs: unknown, handle: Handle): Plugin {
  const args = podTopologySpreadArgs(rawArgs);
  const systemDefaulted = args.defaultingType === 'System';
  const defaults = systemDefaulted ? systemDefaultConstraints : args.defaultConstraints;
  const ownConstraints = (pod: Pod) => (pod.spec?.topologySpreadConstraints?.length ?? 0) > 0;
  const constraintsFor = (pod: Pod, whenUnsatisfiable: WhenUnsatisfiable): Constraint[] =>
    ownConstraints(pod) ? constraintsOf(pod, whenUnsatisfiable) : defaultConstraintsOf(defaults, whenUnsatisfiable, () => defaultSelector(pod, handle.listers));

  return {
    name,
    events: ['AssignedPodAdd', 'AssignedPodUpdate', 'AssignedPodDelete', 'NodeAdd', 'NodeDelete', 'NodeLabelChange', 'NodeTaintChange'],
    preFilter(state, pod, nodes) {
      const constraints = constraintsFor(pod, 'DoNotSchedule');
      if (constraints.length === 0) return skip;
      const s = new PreFilterState(constraints);
      const ns = pod.metadata?.namespace;
      for (const node of nodes) {
        if (!hasAllTopologyKeys(node.node, constraints)) continue;
        const labels = node.node.metadata?.labels ?? {};
        constraints.forEach((c, i) => {
          if (!matchesInclusionPolicies(c, pod, node.node)) return;
          const v = labels[c.topologyKey];
          s.counts[i].set(v, (s.counts[i].get(v) ?? 0) + countMatchingPods(c, ns, node));
        });
      }
      state.write(preFilterKey, s);
      return undefined;
    },
    preFilterAddPod(state, pod, added: PodInfo, node) {
      state.read<PreFilterState>(preFilterKey).update(pod, added.pod, node, 1);
    },
    preFilterRemovePod(state, pod, removed: PodInfo, node) {
      state.read<PreFilterState>(preFilterKey).update(pod, removed.pod, node, -1);
    },
    filter(state, pod, node) {
      const s = state.read<PreFilterState>(preFilterKey);
      const labels = node.node.metadata?.labels ?? {};
      for (let i = 0; i < s.constraints.length; i++) {
        const c = s.constraints[i];
        if (!Object.hasOwn(labels, c.topologyKey)) return unresolvable(errReasonNodeLabelNotMatch);
        const self = c.selector.matches(pod.metadata?.labels) ? 1 : 0;
        const skew = (s.counts[i].get(labels[c.topologyKey]) ?? 0) + self - s.minMatch(i);
        if (skew > c.maxSkew) return unschedulable(errReasonConstraintsNotMatch);
      }
      return undefined;
    },
    preScore(state, pod, filtered) {
      if (handle.nodeInfos.list().length === 0) return skip;
      const constraints = constraintsFor(pod, 'ScheduleAnyway');
      if (constraints.length === 0) return skip;
      const requireAllTopologies = ownConstraints(pod) || !systemDefaulted;
      const s: PreScoreState = { constraints, ignoredNodes: new Set(), pairCounts: new Map(), weights: [] };
      const sizes = constraints.map(() => 0);
      for (const node of filtered) {
        if (requireAllTopologies && !hasAllTopologyKeys(node.node, constraints)) {
          s.ignoredNodes.add(node.name);
          continue;
        }
        const labels = node.node.metadata?.labels ?? {};
        constraints.forEach((c, i) => {
          if (c.topologyKey === hostnameLabel) return;
          // Without a key (System defaults only) the node counts as the domain "", as upstream.
          const k = pairKey(c.topologyKey, labels[c.topologyKey] ?? '');
          if (!s.pairCounts.has(k)) {
            s.pairCounts.set(k, 0);
            sizes[i]++;
          }
        });
      }
      s.weights = constraints.map((c, i) => Math.log((c.topologyKey === hostnameLabel ? filtered.length - s.ignoredNodes.size : sizes[i]) + 2));
      if (constraints.some((c) => c.topologyKey !== hostnameLabel)) {
        const ns = pod.metadata?.namespace;
        for (const node of handle.nodeInfos.list()) {
          if (requireAllTopologies && !hasAllTopologyKeys(node.node, constraints)) continue;
          const labels = node.node.metadata?.labels ?? {};
          for (const c of constraints) {
            if (c.topologyKey === hostnameLabel || !matchesInclusionPolicies(c, pod, node.node)) continue;
            const k = pairKey(c.topologyKey, labels[c.topologyKey] ?? '');
            const n = s.pairCounts.get(k);
            if (n !== undefined) s.pairCounts.set(k, n + countMatchingPods(c, ns, node));
          }
        }
      }
      state.write(preScoreKey, s);
      return undefined;
    },
    score(state, pod, node) {
      const s = state.read<PreScoreState>(preScoreKey);
      if (s.ignoredNodes.has(node.name)) return 0;
      const labels = node.node.metadata?.labels ?? {};
      let score = 0;
      s.constraints.forEach((c, i) => {
        const v = labels[c.topologyKey];
        if (v === undefined) return;
        const count = c.topologyKey === hostnameLabel ? countMatchingPods(c, pod.metadata?.namespace, node) : (s.pairCounts.get(pairKey(c.topologyKey, v)) ?? 0);
        score += count * s.weights[i] + (c.maxSkew - 1);
      });
      return Math.round(score);
    },
    normalizeScore(state, _pod, scores) {
      const s = state.read<PreScoreState>(preScoreKey);
      let min = Infinity;
      let max = 0;
      for (const x of scores) {
        if (s.ignoredNodes.has(x.name)) continue;
        if (x.score < min) min = x.score;
        if (x.score > max) max = x.score;
      }
      for (const x of scores) {
        if (s.ignoredNodes.has(x.name)) x.score = 0;
        else if (max === 0) x.score = maxNodeScore;
        else x.score = Math.trunc((maxNodeScore * (max + min - x.score)) / max);
      }
    },
  };
}
