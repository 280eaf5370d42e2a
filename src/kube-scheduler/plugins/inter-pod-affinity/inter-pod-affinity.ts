// InterPodAffinity, as upstream's plugin of that name.
// Filter: PreFilter counts, per topology pair (topologyKey, value), the placed pods that match
// the incoming pod's required affinity terms (all of them) and anti-affinity terms (each), and
// the placed pods whose required anti-affinity terms match the incoming pod. A node fails when
//   - it lacks a topologyKey of an affinity term, or its pair has no matching pod — unless no
//     pod matches anywhere and the pod matches its own terms (the first of a group), with
//     "node(s) didn't match pod affinity rules" (Unresolvable: evicting cannot add pods);
//   - its pair for an anti-affinity term has a matching pod: "node(s) didn't match pod
//     anti-affinity rules";
//   - one of its labels is a pair an existing pod's anti-affinity forbids: "node(s) didn't
//     satisfy existing pods anti-affinity rules".
// Score: the incoming pod's preferred terms (weight, negated for anti-affinity) count for every
// node sharing a matching pod's topology pair, and so do the placed pods' preferred terms and
// required affinity terms (hardPodAffinityWeight, default 1) that match the incoming pod;
// sums are scaled to 0-100 between the lowest and the highest.
// AddPod/RemovePod keep the PreFilter counts right for preemption dry runs.

import type { Handle, Plugin } from '../../framework/interfaces.ts';
import { maxNodeScore } from '../../framework/interfaces.ts';
import type { PodInfo } from '../../framework/node-info.ts';
import { skip, unresolvable, unschedulable } from '../../framework/status.ts';
import type { Node, Pod } from '../../types.ts';
import { affinityTermsOf, allTermsMatch, existingAffinityTermsOf, termMatches, type AffinityTerms, type WeightedAffinityTerm } from './terms.ts';

export const name = 'InterPodAffinity';
export const errReasonAffinityRulesNotMatch = "node(s) didn't match pod affinity rules";
export const errReasonAntiAffinityRulesNotMatch = "node(s) didn't match pod anti-affinity rules";
export const errReasonExistingAntiAffinityRulesNotMatch = "node(s) didn't satisfy existing pods anti-affinity rules";
const preFilterKey = `PreFilter${name}`;
const preScoreKey = `PreScore${name}`;

export interface InterPodAffinityArgs {
  hardPodAffinityWeight?: number;
  ignorePreferredTermsOfExistingPods?: boolean;
}

/**
 * Counts per topology pair (topologyKey, value); a pair counted down to 0 is dropped. Filter
 * looks pairs up for every node: by key, then value, no pair strings built for it.
 */
class TopologyCounts {
  readonly #byKey = new Map<string, Map<string, number>>();
  #pairs = 0;

  /** How many pairs have a count. */
  get size(): number {
    return this.#pairs;
  }

  add(key: string, value: string, n: number): void {
    let byValue = this.#byKey.get(key);
    if (!byValue) this.#byKey.set(key, (byValue = new Map()));
    const had = byValue.get(value);
    const v = (had ?? 0) + n;
    if (v !== 0) {
      byValue.set(value, v);
      if (had === undefined) this.#pairs++;
    } else if (had !== undefined) {
      byValue.delete(value);
      this.#pairs--;
    }
    if (byValue.size === 0) this.#byKey.delete(key);
  }

  count(key: string, value: string): number {
    return this.#byKey.get(key)?.get(value) ?? 0;
  }

  /** Whether one of the labels, as a pair, has a count above 0. */
  anyOf(labels: Readonly<Record<string, string>>): boolean {
    for (const [key, byValue] of this.#byKey) {
      if (Object.hasOwn(labels, key) && (byValue.get(labels[key]) ?? 0) > 0) return true;
    }
    return false;
  }

  clone(): TopologyCounts {
    const c = new TopologyCounts();
    for (const [key, byValue] of this.#byKey) c.#byKey.set(key, new Map(byValue));
    c.#pairs = this.#pairs;
    return c;
  }
}

class PreFilterState {
  readonly terms: AffinityTerms;
  readonly namespaceLabels: Readonly<Record<string, string>> | undefined;
  readonly existingAntiAffinityCounts: TopologyCounts;
  readonly affinityCounts: TopologyCounts;
  readonly antiAffinityCounts: TopologyCounts;

  constructor(terms: AffinityTerms, namespaceLabels: Readonly<Record<string, string>> | undefined, counts?: [TopologyCounts, TopologyCounts, TopologyCounts]) {
    this.terms = terms;
    this.namespaceLabels = namespaceLabels;
    [this.existingAntiAffinityCounts, this.affinityCounts, this.antiAffinityCounts] = counts ?? [new TopologyCounts(), new TopologyCounts(), new TopologyCounts()];
  }

  clone(): PreFilterState {
    return new PreFilterState(this.terms, this.namespaceLabels, [this.existingAntiAffinityCounts.clone(), this.affinityCounts.clone(), this.antiAffinityCounts.clone()]);
  }
}

function labelsOf(node: Node): Readonly<Record<string, string>> {
  return node.metadata?.labels ?? {};
}

export function newInterPodAffinity(rawArgs: InterPodAffinityArgs, handle: Handle): Plugin {
  const hardPodAffinityWeight = rawArgs.hardPodAffinityWeight ?? 1;
  const ignoreExisting = rawArgs.ignorePreferredTermsOfExistingPods ?? false;
  const nsLabels = (ns: string | undefined) => handle.namespaceLabels?.(ns ?? '');

  /** Adds (n = 1) or removes (n = -1) a placed pod's contribution to the PreFilter counts. */
  function update(s: PreFilterState, pod: Pod, existing: PodInfo, node: Node, n: number): void {
    const labels = labelsOf(node);
    if (existing.hasRequiredAntiAffinity) {
      for (const t of existingAffinityTermsOf(existing.pod).requiredAntiAffinity) {
        const v = labels[t.topologyKey];
        if (v !== undefined && termMatches(t, pod, s.namespaceLabels)) s.existingAntiAffinityCounts.add(t.topologyKey, v, n);
      }
    }
    const { requiredAffinity, requiredAntiAffinity } = s.terms;
    if (requiredAffinity.length === 0 && requiredAntiAffinity.length === 0) return;
    const podNsLabels = nsLabels(existing.pod.metadata?.namespace);
    if (allTermsMatch(requiredAffinity, existing.pod, podNsLabels)) {
      for (const t of requiredAffinity) {
        const v = labels[t.topologyKey];
        if (v !== undefined) s.affinityCounts.add(t.topologyKey, v, n);
      }
    }
    for (const t of requiredAntiAffinity) {
      const v = labels[t.topologyKey];
      if (v !== undefined && termMatches(t, existing.pod, podNsLabels)) s.antiAffinityCounts.add(t.topologyKey, v, n);
    }
  }

  function satisfiesAffinity(s: PreFilterState, pod: Pod, labels: Readonly<Record<string, string>>): boolean {
    let podsExist = true;
    for (const t of s.terms.requiredAffinity) {
      const v = labels[t.topologyKey];
      if (v === undefined) return false;
      if (s.affinityCounts.count(t.topologyKey, v) <= 0) podsExist = false;
    }
    if (podsExist) return true;
    // The first pod of a group with affinity to itself must be able to land somewhere.
    return s.affinityCounts.size === 0 && allTermsMatch(s.terms.requiredAffinity, pod, s.namespaceLabels);
  }

  function processTerms(scores: Map<string, Map<string, number>>, terms: readonly WeightedAffinityTerm[], pod: Pod, podNsLabels: Readonly<Record<string, string>> | undefined, labels: Readonly<Record<string, string>>, sign: number): void {
    for (const t of terms) {
      const v = labels[t.topologyKey];
      if (v === undefined || !termMatches(t, pod, podNsLabels)) continue;
      let byValue = scores.get(t.topologyKey);
      if (!byValue) scores.set(t.topologyKey, (byValue = new Map()));
      byValue.set(v, (byValue.get(v) ?? 0) + t.weight * sign);
    }
  }

  return {
    name,
    events: ['AssignedPodAdd', 'AssignedPodUpdate', 'AssignedPodDelete', 'NodeAdd', 'NodeLabelChange'],
    preFilter(state, pod, nodes) {
      const terms = affinityTermsOf(pod);
      const hasOwnTerms = terms.requiredAffinity.length > 0 || terms.requiredAntiAffinity.length > 0;
      const s = new PreFilterState(terms, nsLabels(pod.metadata?.namespace));
      // Without terms of its own, only nodes with pods that have required anti-affinity matter.
      const relevant = hasOwnTerms ? nodes : handle.nodeInfos.havePodsWithRequiredAntiAffinityList();
      if (!hasOwnTerms && relevant.length === 0) return skip;
      for (const node of relevant) {
        for (const info of node.pods.values()) update(s, pod, info, node.node, 1);
      }
      state.write(preFilterKey, s);
      return undefined;
    },
    preFilterAddPod(state, pod, added, node) {
      update(state.read<PreFilterState>(preFilterKey), pod, added, node.node, 1);
    },
    preFilterRemovePod(state, pod, removed, node) {
      update(state.read<PreFilterState>(preFilterKey), pod, removed, node.node, -1);
    },
    filter(state, pod, node) {
      const s = state.read<PreFilterState>(preFilterKey);
      const labels = labelsOf(node.node);
      if (!satisfiesAffinity(s, pod, labels)) return unresolvable(errReasonAffinityRulesNotMatch);
      if (s.antiAffinityCounts.size > 0) {
        for (const t of s.terms.requiredAntiAffinity) {
          const v = labels[t.topologyKey];
          if (v !== undefined && s.antiAffinityCounts.count(t.topologyKey, v) > 0) return unschedulable(errReasonAntiAffinityRulesNotMatch);
        }
      }
      if (s.existingAntiAffinityCounts.size > 0) {
        if (s.existingAntiAffinityCounts.anyOf(labels)) return unschedulable(errReasonExistingAntiAffinityRulesNotMatch);
      }
      return undefined;
    },
    preScore(state, pod) {
      const terms = affinityTermsOf(pod);
      const hasConstraints = terms.preferredAffinity.length > 0 || terms.preferredAntiAffinity.length > 0;
      if (ignoreExisting && !hasConstraints) return skip;
      const podNsLabels = nsLabels(pod.metadata?.namespace);
      const scores = new Map<string, Map<string, number>>();
      for (const node of hasConstraints ? handle.nodeInfos.list() : handle.nodeInfos.havePodsWithAffinityList()) {
        const labels = labelsOf(node.node);
        if (Object.keys(labels).length === 0) continue;
        for (const info of node.pods.values()) {
          if (!hasConstraints && !info.hasAffinity) continue;
          const existing = info.pod;
          // The incoming pod's preferred terms select placed pods...
          const existingNsLabels = hasConstraints ? nsLabels(existing.metadata?.namespace) : undefined;
          processTerms(scores, terms.preferredAffinity, existing, existingNsLabels, labels, 1);
          processTerms(scores, terms.preferredAntiAffinity, existing, existingNsLabels, labels, -1);
          if (!info.hasAffinity) continue;
          // ...and placed pods' terms select the incoming pod.
          const theirs = existingAffinityTermsOf(existing);
          if (hardPodAffinityWeight > 0) processTerms(scores, theirs.requiredAffinity.map((t) => ({ ...t, weight: hardPodAffinityWeight })), pod, podNsLabels, labels, 1);
          processTerms(scores, theirs.preferredAffinity, pod, podNsLabels, labels, 1);
          processTerms(scores, theirs.preferredAntiAffinity, pod, podNsLabels, labels, -1);
        }
      }
      if (scores.size === 0) return skip;
      state.write(preScoreKey, scores);
      return undefined;
    },
    score(state, _pod, node) {
      const scores = state.read<Map<string, Map<string, number>>>(preScoreKey);
      const labels = labelsOf(node.node);
      let total = 0;
      for (const [key, byValue] of scores) {
        const v = labels[key];
        if (v !== undefined) total += byValue.get(v) ?? 0;
      }
      return total;
    },
    normalizeScore(_state, _pod, scores) {
      let min = Infinity;
      let max = -Infinity;
      for (const s of scores) {
        if (s.score > max) max = s.score;
        if (s.score < min) min = s.score;
      }
      const diff = max - min;
      for (const s of scores) s.score = diff > 0 ? Math.trunc((maxNodeScore * (s.score - min)) / diff) : 0;
    },
  };
}
