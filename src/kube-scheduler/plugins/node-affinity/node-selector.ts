// Matching nodes against core/v1 NodeSelectorTerms, as upstream's nodeaffinity helpers: terms
// are ORed, the requirements of a term ANDed; a term with no requirements matches nothing;
// matchExpressions see node labels (In, NotIn, Exists, DoesNotExist, Gt, Lt on integers),
// matchFields see metadata.name (In, NotIn). Malformed requirements match nothing.

import type { Node, NodeSelectorRequirement, NodeSelectorTerm } from '../../types.ts';

function requirementMatches(r: NodeSelectorRequirement, value: string | undefined): boolean {
  const values = r.values ?? [];
  switch (r.operator) {
    case 'In':
      return value !== undefined && values.includes(value);
    case 'NotIn':
      return value === undefined || !values.includes(value);
    case 'Exists':
      return value !== undefined;
    case 'DoesNotExist':
      return value === undefined;
    case 'Gt':
    case 'Lt': {
      if (value === undefined || values.length !== 1 || !/^-?\d+$/.test(values[0]) || !/^-?\d+$/.test(value)) return false;
      const have = BigInt(value);
      const want = BigInt(values[0]);
      return r.operator === 'Gt' ? have > want : have < want;
    }
    default:
      return false;
  }
}

export function termMatches(term: NodeSelectorTerm, node: Node): boolean {
  const expressions = term.matchExpressions ?? [];
  const fields = term.matchFields ?? [];
  if (expressions.length === 0 && fields.length === 0) return false;
  const labels = node.metadata?.labels ?? {};
  for (const r of expressions) if (!requirementMatches(r, Object.hasOwn(labels, r.key) ? labels[r.key] : undefined)) return false;
  for (const r of fields) {
    if (r.key !== 'metadata.name' || (r.operator !== 'In' && r.operator !== 'NotIn')) return false;
    if (!requirementMatches(r, node.metadata?.name)) return false;
  }
  return true;
}

export function anyTermMatches(terms: readonly NodeSelectorTerm[], node: Node): boolean {
  return terms.some((t) => termMatches(t, node));
}
