// structured-merge-diff's operations on typed values (JSON objects with their Schema):
// - toFieldSet: the set a value specifies: every scalar and atomic list or map, every list
//   item, every map key that is not a struct field, every empty or null member;
// - compare: which paths the right value added, modified or removed relative to the left;
//   an object or list that appears or disappears as a whole is itself added or removed;
// - merge: the applied configuration over the live value: the configuration's leaves win,
//   objects merge by member, list maps and sets by key (order as upstream's merge), atomic
//   values are replaced;
// - removeItems: a value without the given paths (a removed struct field takes its subtree);
// - ensureNamedFieldsAreMembers: a set that also owns each struct field leading to a member.
// Inputs are never changed. A list item that cannot be keyed (a map key missing, a null or an
// object in a set) or, where duplicates are not allowed, a repeated key, throws TypedValueError
// with upstream's path and wording.

import { clone, deepEqual, isObject, type JSONObject } from '../patch/json-value.ts';
import { FieldSet, elementString, pathString, type PathElement } from './field-set.ts';
import { fieldType, itemElement, listType, mapIsAtomic, TypedValueError, type ListType, type Type } from './schema-types.ts';

export interface Comparison {
  added: FieldSet;
  modified: FieldSet;
  removed: FieldSet;
}

function element(list: ListType, item: unknown, index: number, path: PathElement[]): PathElement {
  try {
    return itemElement(list, item);
  } catch (err) {
    throw new TypedValueError(pathString(path), `element ${index}: ${(err as Error).message}`);
  }
}

function members(value: unknown): string[] {
  return isObject(value) ? Object.keys(value).filter((k) => value[k] !== undefined) : [];
}

function emptyish(value: unknown): boolean {
  if (value === undefined || value === null) return true;
  if (Array.isArray(value)) return value.length === 0;
  return isObject(value) && members(value).length === 0;
}

// ---- toFieldSet ----

export function toFieldSet(value: unknown, type: Type, options: { allowDuplicates: boolean } = { allowDuplicates: true }): FieldSet {
  const set = new FieldSet();
  walkSet(value, type, [], set, options.allowDuplicates);
  return set;
}

function walkSet(value: unknown, type: Type, path: PathElement[], set: FieldSet, allowDuplicates: boolean): void {
  if (isObject(value)) {
    if (mapIsAtomic(type)) {
      set.insert(path);
      return;
    }
    for (const key of members(value)) {
      const v = value[key];
      const field = fieldType(type, key);
      const child = [...path, { field: key }];
      walkSet(v, field.type, child, set, allowDuplicates);
      if (v === null || (isObject(v) && members(v).length === 0) || !field.declared) set.insert(child);
    }
    return;
  }
  if (Array.isArray(value)) {
    const list = listType(type);
    if (list.atomic) {
      set.insert(path);
      return;
    }
    const elements = value.map((item, i) => element(list, item, i, path));
    const counts = new Map<string, number>();
    for (const pe of elements) counts.set(elementString(pe), (counts.get(elementString(pe)) ?? 0) + 1);
    const reported = new Set<string>();
    elements.forEach((pe, i) => {
      const k = elementString(pe);
      const child = [...path, pe];
      if (counts.get(k)! > 1) {
        if (!allowDuplicates) throw new TypedValueError(pathString(path), `duplicate entries for key ${pathString([pe])}`);
        if (!reported.has(k)) set.insert(child);
        reported.add(k);
        return;
      }
      walkSet(value[i], list.items, child, set, allowDuplicates);
      set.insert(child);
    });
    return;
  }
  set.insert(path);
}

// ---- compare ----

export function compare(lhs: unknown, rhs: unknown, type: Type): Comparison {
  const c: Comparison = { added: new FieldSet(), modified: new FieldSet(), removed: new FieldSet() };
  walkCompare(lhs, rhs, type, [], c);
  return c;
}

function compareLeaf(l: unknown, r: unknown, path: PathElement[], c: Comparison): void {
  if (l === undefined) c.added.insert(path);
  else if (r === undefined) c.removed.insert(path);
  else if (!deepEqual(l, r)) c.modified.insert(path);
}

function shape(v: unknown): 'map' | 'list' | 'other' | 'none' {
  if (v === undefined || v === null) return 'none';
  if (Array.isArray(v)) return 'list';
  return isObject(v) ? 'map' : 'other';
}

function walkCompare(l: unknown, r: unknown, type: Type, path: PathElement[], c: Comparison): void {
  const ls = shape(l);
  const rs = shape(r);
  const kind = ls === 'none' ? rs : rs === 'none' || rs === ls ? ls : 'mixed';
  if (kind === 'map') {
    if (mapIsAtomic(type) || (emptyish(l) && emptyish(r))) return compareLeaf(l, r, path, c);
    const keys = new Set([...members(l), ...members(r)]);
    for (const key of keys) {
      const lv = isObject(l) ? l[key] : undefined;
      const rv = isObject(r) ? r[key] : undefined;
      walkCompare(lv, rv, fieldType(type, key).type, [...path, { field: key }], c);
    }
  } else if (kind === 'list') {
    const list = listType(type);
    if (list.atomic || (emptyish(l) && emptyish(r))) return compareLeaf(l, r, path, c);
    compareItems(Array.isArray(l) ? l : [], Array.isArray(r) ? r : [], list, path, c);
  } else {
    return compareLeaf(l, r, path, c);
  }
  if (l === undefined) c.added.insert(path);
  else if (r === undefined) c.removed.insert(path);
}

function byElement(items: unknown[], list: ListType, path: PathElement[]): Map<string, { pe: PathElement; items: unknown[] }> {
  const out = new Map<string, { pe: PathElement; items: unknown[] }>();
  items.forEach((item, i) => {
    const pe = element(list, item, i, path);
    const k = elementString(pe);
    const entry = out.get(k);
    if (entry) entry.items.push(item);
    else out.set(k, { pe, items: [item] });
  });
  return out;
}

function compareItems(l: unknown[], r: unknown[], list: ListType, path: PathElement[], c: Comparison): void {
  const left = byElement(l, list, path);
  const right = byElement(r, list, path);
  const all = new Map<string, PathElement>();
  for (const [k, e] of left) all.set(k, e.pe);
  for (const [k, e] of right) if (!all.has(k)) all.set(k, e.pe);
  for (const [k, pe] of all) {
    const ll = left.get(k)?.items ?? [];
    const rl = right.get(k)?.items ?? [];
    const child = [...path, pe];
    if (ll.length <= 1 && rl.length <= 1) walkCompare(ll[0], rl[0], list.items, child, c);
    else if (ll.length >= 2 && rl.length >= 2) {
      if (!deepEqual(ll, rl)) c.modified.insert(child);
    } else if (ll.length >= 2) {
      if (rl.length > 0) walkCompare(undefined, rl[0], list.items, child, c);
      c.removed.insert(child);
    } else {
      if (ll.length > 0) walkCompare(ll[0], undefined, list.items, child, c);
      c.added.insert(child);
    }
  }
}

// ---- merge ----

/** The configuration (rhs) merged over the live value (lhs); the configuration must be valid. */
export function merge(lhs: unknown, rhs: unknown, type: Type): unknown {
  return walkMerge(lhs, rhs, type, []);
}

function walkMerge(l: unknown, r: unknown, type: Type, path: PathElement[]): unknown {
  if (r === undefined) return clone(l);
  if (l === undefined) return clone(r);
  if (isObject(l) && (isObject(r) || r === null)) {
    if (mapIsAtomic(type) || (emptyish(l) && emptyish(r))) return clone(r);
    const rm: JSONObject = isObject(r) ? r : {};
    const out: JSONObject = {};
    for (const key of members(l)) {
      const v = Object.hasOwn(rm, key) && rm[key] !== undefined ? walkMerge(l[key], rm[key], fieldType(type, key).type, [...path, { field: key }]) : clone(l[key]);
      if (v !== undefined) out[key] = v;
    }
    for (const key of members(rm)) if (!Object.hasOwn(out, key)) out[key] = clone(rm[key]);
    return out;
  }
  if (Array.isArray(l) && (Array.isArray(r) || r === null)) {
    const list = listType(type);
    if (list.atomic || (emptyish(l) && emptyish(r))) return clone(r);
    const out = mergeItems(l, Array.isArray(r) ? r : [], list, path);
    return out.length > 0 ? out : undefined;
  }
  return clone(r);
}

/** Upstream's list merge: shared items keep the configuration's order, live-only items keep their place. */
function mergeItems(lhs: unknown[], rhs: unknown[], list: ListType, path: PathElement[]): unknown[] {
  const rPEs = rhs.map((item, i) => element(list, item, i, path));
  const observedR = new Map<string, unknown>();
  for (let i = 0; i < rhs.length; i++) observedR.set(elementString(rPEs[i]), rhs[i]);
  const lPEs = lhs.map((item, i) => element(list, item, i, path));
  const observedL = new Map<string, unknown>();
  for (let i = 0; i < lhs.length; i++) {
    const k = elementString(lPEs[i]);
    // A duplicated live item is not merged with the configuration's: it counts as null.
    observedL.set(k, observedL.has(k) ? null : lhs[i]);
  }
  const sharedOrder = rPEs.map(elementString).filter((k) => observedL.has(k));
  let nextShared = sharedOrder.shift();
  const mergedR = new Set<string>();
  const out: unknown[] = [];
  const push = (v: unknown) => {
    if (v !== undefined) out.push(v);
  };
  for (let li = 0, ri = 0; li < lPEs.length || ri < rPEs.length; ) {
    if (li < lPEs.length && ri < rPEs.length) {
      const k = elementString(lPEs[li]);
      if (k === elementString(rPEs[ri])) {
        mergedR.add(k);
        push(walkMerge(observedL.get(k), observedR.get(k), list.items, [...path, lPEs[li]]));
        li++;
        ri++;
        nextShared = sharedOrder.shift();
        continue;
      }
      if (observedR.has(k) && nextShared !== undefined && nextShared !== k) {
        li++;
        continue;
      }
    }
    if (li < lPEs.length) {
      const k = elementString(lPEs[li]);
      if (!observedR.has(k)) {
        push(walkMerge(lhs[li], undefined, list.items, [...path, lPEs[li]]));
        li++;
        continue;
      } else if (mergedR.has(k)) {
        li++;
      }
    }
    if (ri < rPEs.length) {
      const k = elementString(rPEs[ri]);
      mergedR.add(k);
      push(walkMerge(observedL.get(k), observedR.get(k), list.items, [...path, rPEs[ri]]));
      ri++;
      if (nextShared !== undefined && nextShared === k) nextShared = sharedOrder.shift();
    }
  }
  return out;
}

// ---- removeItems / ensureNamedFieldsAreMembers ----

/** The value without the members of toRemove; undefined when nothing is left. */
export function removeItems(value: unknown, toRemove: FieldSet, type: Type): unknown {
  if (isObject(value)) {
    const keys = members(value);
    if (keys.length === 0 || mapIsAtomic(type)) return undefined;
    const out: JSONObject = {};
    for (const key of keys) {
      const pe = { field: key };
      if (toRemove.hasMember(pe)) continue;
      const sub = toRemove.withPrefix(pe);
      const v = sub.empty() ? clone(value[key]) : removeItems(value[key], sub, fieldType(type, key).type);
      if (v !== undefined) out[key] = v;
    }
    return Object.keys(out).length > 0 ? out : undefined;
  }
  if (Array.isArray(value)) {
    const list = listType(type);
    if (value.length === 0 || list.atomic) return undefined;
    const out: unknown[] = [];
    for (const item of value) {
      let pe: PathElement;
      try {
        pe = itemElement(list, item);
      } catch {
        out.push(clone(item));
        continue;
      }
      if (toRemove.hasMember(pe)) continue;
      const sub = toRemove.withPrefix(pe);
      const v = sub.empty() ? clone(item) : removeItems(item, sub, list.items);
      if (v !== undefined) out.push(v);
    }
    return out.length > 0 ? out : undefined;
  }
  return value;
}

export function ensureNamedFieldsAreMembers(set: FieldSet, type: Type): FieldSet {
  const out = new FieldSet();
  for (const [k, pe] of set.members) out.members.set(k, pe);
  for (const [k, { pe, set: sub }] of set.children) {
    let childType: Type;
    if ('field' in pe) {
      const f = fieldType(type, pe.field);
      if (f.declared) out.members.set(k, pe);
      childType = f.type;
    } else if ('key' in pe) {
      childType = listType(type).items;
    }
    out.children.set(k, { pe, set: ensureNamedFieldsAreMembers(sub, childType) });
  }
  return out;
}
