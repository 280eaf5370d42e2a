// Which names a CRD may serve, as upstream's NamingConditionController decides: each
// requested name (plural, singular, short names, kind, list kind) is accepted when it is
// already this CRD's accepted name or nobody else in the group uses it; a conflicting name
// keeps the previously accepted one and makes NamesAccepted False with the reason of the
// last conflict found (PluralConflict, SingularConflict, ShortNamesConflict, KindConflict,
// ListKindConflict). Conditions keep their lastTransitionTime while their status holds.

import type { KubeObject } from '../../api/kind.ts';
import { arr, isObject, obj as asObject, str as asString, strings } from '../../api/meta/v1/unstructured.ts';
import { goQuote } from '../../machinery/validation.ts';
import type { AcceptedNames } from './custom-resource.ts';

export interface CrdCondition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  lastTransitionTime?: string;
  reason?: string;
  message?: string;
}

/** Names taken in one API group: resource names (plural, singular, short) and kinds. */
export interface UsedNames {
  resources: Set<string>;
  kinds: Set<string>;
}

export function acceptedNamesOf(crd: KubeObject): AcceptedNames {
  const names = asObject(asObject(crd.status).acceptedNames);
  const out: AcceptedNames = { plural: asString(names.plural), kind: asString(names.kind) };
  if (asString(names.singular)) out.singular = asString(names.singular);
  if (asString(names.listKind)) out.listKind = asString(names.listKind);
  if (strings(names.shortNames).length > 0) out.shortNames = strings(names.shortNames);
  if (strings(names.categories).length > 0) out.categories = strings(names.categories);
  return out;
}

/** Adds the names a CRD has been accepted under to `used`. */
export function addUsedNames(used: UsedNames, names: AcceptedNames): void {
  for (const n of [names.plural, names.singular ?? '', ...(names.shortNames ?? [])]) if (n) used.resources.add(n);
  for (const n of [names.kind, names.listKind ?? '']) if (n) used.kinds.add(n);
}

function equalToAcceptedOrFresh(requested: string, accepted: string, used: Set<string>): string | undefined {
  if (requested === accepted || !used.has(requested)) return undefined;
  return `${goQuote(requested)} is already in use`;
}

/** The names to accept and the NamesAccepted condition (without lastTransitionTime). */
export function calculateNames(crd: KubeObject, used: UsedNames): { names: AcceptedNames; condition: CrdCondition } {
  const requested = asObject(asObject(crd.spec).names);
  const accepted = acceptedNamesOf(crd);
  const next: AcceptedNames = structuredClone(accepted);
  let condition: CrdCondition = { type: 'NamesAccepted', status: 'Unknown' };
  const conflict = (reason: string, message: string) => (condition = { type: 'NamesAccepted', status: 'False', reason, message });

  const plural = asString(requested.plural);
  const pluralErr = equalToAcceptedOrFresh(plural, accepted.plural, used.resources);
  if (pluralErr) conflict('PluralConflict', pluralErr);
  else next.plural = plural;

  const singular = asString(requested.singular);
  const singularErr = equalToAcceptedOrFresh(singular, accepted.singular ?? '', used.resources);
  if (singularErr) conflict('SingularConflict', singularErr);
  else if (singular) next.singular = singular;
  else delete next.singular;

  const shortNames = strings(requested.shortNames);
  const acceptedShort = accepted.shortNames ?? [];
  if (JSON.stringify(shortNames) !== JSON.stringify(acceptedShort)) {
    const errs = shortNames.filter((s) => !acceptedShort.includes(s)).flatMap((s) => equalToAcceptedOrFresh(s, '', used.resources) ?? []);
    if (errs.length > 0) conflict('ShortNamesConflict', errs.length === 1 ? errs[0] : `[${errs.join(', ')}]`);
    else if (shortNames.length > 0) next.shortNames = shortNames;
    else delete next.shortNames;
  }

  const kind = asString(requested.kind);
  const kindErr = equalToAcceptedOrFresh(kind, accepted.kind, used.kinds);
  if (kindErr) conflict('KindConflict', kindErr);
  else next.kind = kind;

  const listKind = asString(requested.listKind);
  const listKindErr = equalToAcceptedOrFresh(listKind, accepted.listKind ?? '', used.kinds);
  if (listKindErr) conflict('ListKindConflict', listKindErr);
  else if (listKind) next.listKind = listKind;
  else delete next.listKind;

  const categories = strings(requested.categories);
  if (categories.length > 0) next.categories = categories;
  else delete next.categories;

  if (condition.status === 'Unknown') condition = { type: 'NamesAccepted', status: 'True', reason: 'NoConflicts', message: 'no conflicts found' };
  return { names: next, condition };
}

export function findCondition(crd: KubeObject, type: string): CrdCondition | undefined {
  const c = arr(asObject(crd.status).conditions).find((c) => isObject(c) && c.type === type);
  return c as CrdCondition | undefined;
}

export function isConditionTrue(crd: KubeObject, type: string): boolean {
  return findCondition(crd, type)?.status === 'True';
}

/** SetCRDCondition on a status object, in place: a changed status moves lastTransitionTime. */
export function setCondition(status: Record<string, unknown>, condition: CrdCondition, now: string): void {
  const conditions = arr(status.conditions).filter(isObject) as unknown as CrdCondition[];
  const existing = conditions.find((c) => c.type === condition.type);
  if (!existing) {
    status.conditions = [...conditions, { ...condition, lastTransitionTime: now }];
    return;
  }
  if (existing.status !== condition.status || !existing.lastTransitionTime) existing.lastTransitionTime = now;
  existing.status = condition.status;
  if (condition.reason !== undefined) existing.reason = condition.reason;
  else delete existing.reason;
  if (condition.message !== undefined) existing.message = condition.message;
  else delete existing.message;
  status.conditions = conditions;
}
