// Pod affinity terms parsed once per pod object, as upstream's framework.AffinityTerm: a term
// selects pods whose namespace is listed (none listed and no namespaceSelector: the owner's
// own namespace) or whose namespace's labels match namespaceSelector, and whose labels match
// labelSelector (null matches nothing, {} everything). Parsed terms are kept per pod object
// (cache objects are frozen and replaced on change), so a pod is parsed once, not per cycle.

import { fromLabelSelector, type LabelSelector, type LabelSelectorSpec, type Labels } from '../../../machinery/labels.ts';
import type { Pod, PodAffinity, PodAffinityTerm } from '../../types.ts';

export interface AffinityTerm {
  readonly namespaces: ReadonlySet<string>;
  readonly namespaceSelector: LabelSelector;
  readonly selector: LabelSelector;
  readonly topologyKey: string;
}

export interface WeightedAffinityTerm extends AffinityTerm {
  readonly weight: number;
}

export interface AffinityTerms {
  readonly requiredAffinity: readonly AffinityTerm[];
  readonly requiredAntiAffinity: readonly AffinityTerm[];
  readonly preferredAffinity: readonly WeightedAffinityTerm[];
  readonly preferredAntiAffinity: readonly WeightedAffinityTerm[];
}

const none: AffinityTerms = { requiredAffinity: [], requiredAntiAffinity: [], preferredAffinity: [], preferredAntiAffinity: [] };
const parsed = new WeakMap<Pod, AffinityTerms>();

function parseTerm(pod: Pod, t: PodAffinityTerm): AffinityTerm {
  const namespaces = new Set(t.namespaces ?? []);
  if (namespaces.size === 0 && t.namespaceSelector == null) namespaces.add(pod.metadata?.namespace ?? '');
  return {
    namespaces,
    namespaceSelector: fromLabelSelector(t.namespaceSelector as LabelSelectorSpec | null | undefined),
    selector: fromLabelSelector(t.labelSelector as LabelSelectorSpec | null | undefined),
    topologyKey: t.topologyKey,
  };
}

/** The pod's parsed terms; throws on an invalid selector (the API server validates them). */
export function affinityTermsOf(pod: Pod): AffinityTerms {
  const a = pod.spec?.affinity;
  if (!a?.podAffinity && !a?.podAntiAffinity) return none;
  let terms = parsed.get(pod);
  if (!terms) {
    const weighted = (ts: PodAffinity['preferredDuringSchedulingIgnoredDuringExecution']) =>
      (ts ?? []).map((w) => ({ ...parseTerm(pod, w.podAffinityTerm), weight: w.weight }));
    terms = {
      requiredAffinity: (a.podAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? []).map((t) => parseTerm(pod, t)),
      requiredAntiAffinity: (a.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? []).map((t) => parseTerm(pod, t)),
      preferredAffinity: weighted(a.podAffinity?.preferredDuringSchedulingIgnoredDuringExecution),
      preferredAntiAffinity: weighted(a.podAntiAffinity?.preferredDuringSchedulingIgnoredDuringExecution),
    };
    parsed.set(pod, terms);
  }
  return terms;
}

/** Terms of a pod already placed: an invalid one selects nothing rather than failing every cycle. */
export function existingAffinityTermsOf(pod: Pod): AffinityTerms {
  try {
    return affinityTermsOf(pod);
  } catch {
    parsed.set(pod, none);
    return none;
  }
}

/** AffinityTerm.Matches: the pod's namespace is selected and its labels match. */
export function termMatches(term: AffinityTerm, pod: Pod, namespaceLabels: Labels): boolean {
  const ns = pod.metadata?.namespace ?? '';
  if (!term.namespaces.has(ns) && !term.namespaceSelector.matches(namespaceLabels)) return false;
  return term.selector.matches(pod.metadata?.labels);
}

export function allTermsMatch(terms: readonly AffinityTerm[], pod: Pod, namespaceLabels: Labels): boolean {
  return terms.length > 0 && terms.every((t) => termMatches(t, pod, namespaceLabels));
}
