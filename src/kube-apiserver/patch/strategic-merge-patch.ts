// Strategic merge patch (application/strategic-merge-patch+json) with apimachinery's
// strategicpatch semantics, driven by a structural Schema instead of Go struct tags:
// `x-kubernetes-patch-strategy` ("merge", "replace", "retainKeys", "merge,retainKeys") and
// `x-kubernetes-patch-merge-key` on a field's schema say how that field merges. A field's schema
// is found through `properties`, then `additionalProperties` (maps), and `items` (lists).
//
// Guarantees: inputs are never changed; objects merge recursively and null deletes a member;
// merge lists of objects match elements by merge key (matches merge, others are added), merge
// lists of scalars form a union, every other list is replaced. Order is upstream's: elements the
// patch names follow `$setElementOrder/<list>` or else the patch's order; live elements it does
// not name keep their order and stay ahead of a named element only if they were ahead of it in
// the live list (so an element new to the list lands ahead of unnamed ones). `$patch`
// (replace/delete, on maps and in lists), `$retainKeys`, `$deleteFromPrimitiveList/<list>` and
// `$setElementOrder/<list>` work as upstream; anything malformed throws PatchError with
// upstream's message. Where no schema is known (absent, or preserve-unknown-fields without
// property information) a subtree merges like a JSON merge patch: lists are replaced.
//
// A value taken over from the patch (a field the original lacks, a replaced list, `$patch:
// replace`, an added list element) is applied to an empty value, so it brings no nulls or
// directives into the result; upstream gets the same outcome by decoding into Go types.
// createStrategicMergePatch makes kubectl's two-way diff (with $setElementOrder and $retainKeys):
// strategicMergePatch(a, createStrategicMergePatch(a, b, s), s) equals b whenever b has no null
// members, no duplicate merge keys and no duplicates in merge lists of scalars.

import type { Schema } from '../../api/schema.ts';
import { PatchError, formatValue, goTypeName, jsonKindWord } from './patch-error.ts';
import { clone, deepEqual, get, has, identity, isObject, kindOf, put, remove, type JSONObject, type Kind } from './json-value.ts';

const directiveMarker = '$patch';
const deleteDirective = 'delete';
const replaceDirective = 'replace';
const mergeDirective = 'merge';
const retainKeysStrategy = 'retainKeys';
const retainKeysDirective = '$retainKeys';
const deleteFromPrimitiveListPrefix = '$deleteFromPrimitiveList';
const setElementOrderPrefix = '$setElementOrder';

/** What adopting `{$patch: delete}` yields: the member is left out. */
const omit: unique symbol = Symbol('omit');

/** Applies a strategic merge patch to original (an object, or null for none). */
export function strategicMergePatch(original: unknown, patch: unknown, schema: Schema | undefined): unknown {
  if (!isObject(patch)) throw notAnObject(patch);
  if (original !== null && original !== undefined && !isObject(original)) throw notAnObject(original);
  return mergeMap(isObject(original) ? clone(original) : {}, clone(patch), schema);
}

/** The strategic merge patch that turns original into modified. */
export function createStrategicMergePatch(original: unknown, modified: unknown, schema: Schema | undefined): JSONObject {
  if (original !== null && original !== undefined && !isObject(original)) throw new PatchError('invalid JSON document');
  if (modified !== null && modified !== undefined && !isObject(modified)) throw new PatchError('invalid JSON document');
  return clone(diffMaps(isObject(original) ? original : {}, isObject(modified) ? modified : {}, schema, false));
}

// ---- schema lookup ----

interface PatchMeta {
  strategy: string;
  retainKeys: boolean;
  mergeKey: string;
}

function fieldSchema(parent: Schema | undefined, key: string): Schema | undefined {
  if (!parent) return undefined;
  if (parent.properties && Object.hasOwn(parent.properties, key)) return parent.properties[key];
  if (typeof parent.additionalProperties === 'object') return parent.additionalProperties;
  return undefined;
}

function patchMeta(schema: Schema | undefined): PatchMeta {
  const declared = schema?.['x-kubernetes-patch-strategy'] ?? '';
  const strategies = declared === '' ? [] : declared.split(',').map((s) => s.trim());
  const mergeKey = schema?.['x-kubernetes-patch-merge-key'] ?? '';
  if (strategies.length === 0) return { strategy: '', retainKeys: false, mergeKey };
  if (strategies.length === 1) {
    const [only] = strategies as [string];
    return only === retainKeysStrategy ? { strategy: '', retainKeys: true, mergeKey } : { strategy: only, retainKeys: false, mergeKey };
  }
  if (strategies.length === 2) {
    const [first, second] = strategies as [string, string];
    if (first === retainKeysStrategy) return { strategy: second, retainKeys: true, mergeKey };
    if (second === retainKeysStrategy) return { strategy: first, retainKeys: true, mergeKey };
  }
  throw new PatchError(`unexpected patch strategy: [${strategies.join(' ')}]`);
}

// ---- errors with upstream's wording ----

function notAnObject(value: unknown): PatchError {
  return new PatchError(`json: cannot unmarshal ${jsonKindWord(value)} into Go value of type map[string]interface {}`);
}

function badArgType(expected: string, actual: unknown): PatchError {
  return new PatchError(`expected a ${expected}, but received a ${goTypeName(actual)}`);
}

function noMergeKey(element: JSONObject, mergeKey: string): PatchError {
  return new PatchError(`map: ${formatValue(element)} does not contain declared merge key: ${mergeKey}`);
}

function badPatchType(directive: unknown, element: JSONObject): PatchError {
  return new PatchError(`unknown patch type: ${formatValue(directive)} in map: ${formatValue(element)}`);
}

function extractKey(key: string, prefix: string): string {
  const slash = key.indexOf('/');
  if (slash < 0 || key.slice(0, slash) !== prefix) {
    throw new PatchError(
      prefix === deleteFromPrimitiveListPrefix ? 'invalid patch format of primitive list' : 'invalid patch format of setElementOrder list',
    );
  }
  return key.slice(slash + 1);
}

// ---- applying ----
// The functions below work in place on private copies made by strategicMergePatch.

function mergeMap(original: JSONObject, patch: JSONObject, schema: Schema | undefined): JSONObject {
  if (has(patch, directiveMarker)) {
    const directive = patch[directiveMarker];
    if (directive === replaceDirective) {
      remove(patch, directiveMarker);
      return mergeMap({}, patch, schema);
    }
    if (directive === deleteDirective) return {};
    throw badPatchType(directive, patch);
  }
  applyRetainKeys(original, patch);
  mergeOrderedLists(original, patch, schema);
  // Deletions from primitive lists run after additions, as they do when $setElementOrder is sent.
  const deletions: string[] = [];
  for (const key of Object.keys(patch)) {
    if (key.startsWith(deleteFromPrimitiveListPrefix)) deletions.push(key);
    else mergeField(original, key, patch[key], schema, false);
  }
  for (const key of deletions) {
    mergeField(original, extractKey(key, deleteFromPrimitiveListPrefix), patch[key], schema, true);
  }
  return original;
}

function mergeField(original: JSONObject, key: string, value: unknown, schema: Schema | undefined, isDeleteList: boolean): void {
  if (value === null || value === undefined) {
    remove(original, key);
    return;
  }
  const sub = fieldSchema(schema, key);
  const current = get(original, key);
  if (!has(original, key) || kindOf(current) !== kindOf(value)) {
    if (isDeleteList) return;
    const adopted = adopt(value, sub);
    if (adopted === omit) remove(original, key);
    else put(original, key, adopted);
    return;
  }
  const meta = patchMeta(sub);
  if (isObject(current)) {
    const merged = meta.strategy === replaceDirective ? mergeMap({}, value as JSONObject, sub) : mergeMap(current, value as JSONObject, sub);
    put(original, key, merged);
  } else if (Array.isArray(current)) {
    const list = value as unknown[];
    const merged =
      meta.strategy === mergeDirective || isDeleteList
        ? mergeSlice(current, list, sub?.items, meta.mergeKey, isDeleteList, key)
        : adoptList(list, sub?.items);
    put(original, key, merged);
  } else {
    put(original, key, value);
  }
}

/** A patch value applied to nothing: nulls dropped, directives resolved; omit for `$patch: delete`. */
function adopt(value: unknown, schema: Schema | undefined): unknown {
  if (isObject(value)) {
    if (get(value, directiveMarker) === deleteDirective) return omit;
    return mergeMap({}, value, schema);
  }
  if (Array.isArray(value)) return adoptList(value, schema?.items);
  return value;
}

function adoptList(list: unknown[], itemSchema: Schema | undefined): unknown[] {
  const out: unknown[] = [];
  for (const element of list) {
    if (isObject(element) && has(element, directiveMarker)) {
      const directive = element[directiveMarker];
      if (directive === deleteDirective || directive === replaceDirective) continue;
      throw badPatchType(directive, element);
    }
    out.push(adopt(element, itemSchema));
  }
  return out;
}

function applyRetainKeys(original: JSONObject, patch: JSONObject): void {
  if (!has(patch, retainKeysDirective)) return;
  const list = patch[retainKeysDirective];
  remove(patch, retainKeysDirective);
  if (!Array.isArray(list)) throw new PatchError('invalid patch format of retainKeys');
  const retained = new Set(list.filter((k): k is string => typeof k === 'string'));
  for (const key of Object.keys(patch)) {
    if (patch[key] === null || key.startsWith(deleteFromPrimitiveListPrefix) || key.startsWith(setElementOrderPrefix)) continue;
    if (!retained.has(key)) throw new PatchError('invalid patch format of retainKeys');
  }
  for (const key of Object.keys(original)) {
    if (!retained.has(key)) remove(original, key);
  }
}

/** Merges each list named by a `$setElementOrder/<list>` directive and puts it in that order. */
function mergeOrderedLists(original: JSONObject, patch: JSONObject, schema: Schema | undefined): void {
  for (const key of Object.keys(patch)) {
    if (!key.startsWith(setElementOrderPrefix)) continue;
    const order = patch[key];
    remove(patch, key);
    if (!Array.isArray(order)) throw badArgType('[]interface {}', order);
    const field = extractKey(key, setElementOrderPrefix);
    const sub = fieldSchema(schema, field);
    const meta = patchMeta(sub);
    // Only merge lists have an order to keep; any other list is replaced as a whole below.
    if (meta.strategy !== mergeDirective) continue;

    const current = get(original, field);
    const foundOriginal = current !== undefined && current !== null;
    const foundPatch = has(patch, field);
    if (!foundOriginal && !foundPatch) continue;
    if (foundOriginal && !Array.isArray(current)) throw badArgType('[]interface {}', current);
    const patchList = get(patch, field);
    if (foundPatch && !Array.isArray(patchList)) throw badArgType('[]interface {}', patchList);
    const originalItems = foundOriginal ? (current as unknown[]) : [];
    const patchItems = foundPatch ? (patchList as unknown[]) : [];

    const kind = elementKind(originalItems, patchItems);
    const mergeKey = kind === 'object' ? meta.mergeKey : '';
    validatePatchWithSetOrderList(patchItems, order, mergeKey);

    let merged: unknown[];
    if (!foundPatch) merged = originalItems;
    else if (!foundOriginal) merged = adoptList(patchItems, sub?.items);
    else merged = mergeSlice(originalItems, patchItems, sub?.items, meta.mergeKey, false, field);
    remove(patch, field);

    if (kind === undefined) {
      put(original, field, merged);
      continue;
    }
    const [inOrder, serverOnly] = kind === 'object' ? partitionMaps(merged, order, mergeKey) : partitionScalars(merged, order);
    put(original, field, normalizeElementOrder(inOrder, serverOnly, order, originalItems, mergeKey, kind));
  }
}

/** Checks that the patch list's elements appear in $setElementOrder, in the same relative order. */
function validatePatchWithSetOrderList(patchList: unknown[], order: unknown[], mergeKey: string): void {
  if (order.length === 0 || patchList.length === 0) return;
  const nonDelete = mergeKey ? extractToDeleteItems(patchList)[0] : patchList;
  let p = 0;
  let s = 0;
  while (p < nonDelete.length && s < order.length) {
    if (isObject(nonDelete[p]) && has(nonDelete[p] as JSONObject, directiveMarker)) {
      p++;
      continue;
    }
    if (mergeKeyValueEqual(nonDelete[p], order[s], mergeKey)) p++;
    s++;
  }
  if (p < nonDelete.length && s >= order.length) {
    throw new PatchError(`the order in patch list:\n${formatValue(patchList)}\n doesn't match ${setElementOrderPrefix} list:\n${formatValue(order)}`);
  }
}

function mergeKeyValueEqual(left: unknown, right: unknown, mergeKey: string): boolean {
  if (!mergeKey) return identity(left) === identity(right);
  if (!isObject(left)) throw badArgType('map[string]interface {}', left);
  if (!isObject(right)) throw badArgType('map[string]interface {}', right);
  if (!has(left, mergeKey)) throw noMergeKey(left, mergeKey);
  if (!has(right, mergeKey)) throw noMergeKey(right, mergeKey);
  return identity(left[mergeKey]) === identity(right[mergeKey]);
}

/** The common JSON type of the elements of all lists (undefined when all are empty). */
function elementKind(...lists: unknown[][]): Kind | undefined {
  let kind: Kind | undefined;
  for (const list of lists) {
    for (const element of list) {
      const k = kindOf(element);
      if (kind === undefined) {
        if (k === 'array') throw new PatchError('lists of lists are not supported');
        kind = k;
      } else if (k !== kind) {
        throw new PatchError(`list element types are not identical: ${formatValue(lists)}`);
      }
    }
  }
  return kind;
}

function mergeSlice(
  original: unknown[],
  patch: unknown[],
  itemSchema: Schema | undefined,
  mergeKey: string,
  isDeleteList: boolean,
  field: string,
): unknown[] {
  if (original.length === 0 && patch.length === 0) return original;
  const kind = elementKind(original, patch)!;
  if (kind !== 'object') {
    if (isDeleteList) {
      const doomed = new Set(patch.map(identity));
      return original.filter((v) => !doomed.has(identity(v)));
    }
    const merged = uniqueScalars([...original, ...patch]);
    const [inPatch, serverOnly] = partitionScalars(merged, patch);
    return normalizeElementOrder(inPatch, serverOnly, patch, original, '', kind);
  }
  if (!mergeKey) throw new PatchError(`cannot merge lists without merge key for ${field}`);
  const [base, rest] = applySpecialElements(original as JSONObject[], patch as JSONObject[], mergeKey, itemSchema);
  const merged = mergeElements(base, rest, mergeKey, itemSchema);
  const [inPatch, serverOnly] = partitionMaps(merged, rest, mergeKey);
  return normalizeElementOrder(inPatch, serverOnly, rest, base, mergeKey, kind);
}

/** Handles `$patch: delete` and `$patch: replace` elements; returns the base list and the rest of the patch. */
function applySpecialElements(
  original: JSONObject[],
  patch: JSONObject[],
  mergeKey: string,
  itemSchema: Schema | undefined,
): [unknown[], JSONObject[]] {
  let base: unknown[] = original;
  const rest: JSONObject[] = [];
  let replace = false;
  for (const element of patch) {
    if (!has(element, directiveMarker)) {
      rest.push(element);
      continue;
    }
    const directive = element[directiveMarker];
    if (directive === deleteDirective) {
      if (!has(element, mergeKey)) throw noMergeKey(element, mergeKey);
      const doomed = identity(element[mergeKey]);
      base = base.filter((e) => !(isObject(e) && has(e, mergeKey) && identity(e[mergeKey]) === doomed));
    } else if (directive === replaceDirective) {
      replace = true;
    } else if (directive === mergeDirective) {
      throw new PatchError('merging lists cannot yet be specified in the patch');
    } else {
      throw badPatchType(directive, element);
    }
  }
  if (replace) return [rest.map((e) => adopt(e, itemSchema)), []];
  return [base, rest];
}

/** Merges each patch element into the element with its merge key, or appends it. */
function mergeElements(base: unknown[], patch: JSONObject[], mergeKey: string, itemSchema: Schema | undefined): unknown[] {
  const out = base.slice();
  // The first element with each merge key value; merging never changes an element's key.
  const first = new Map<string, number>();
  out.forEach((e, i) => {
    if (!isObject(e)) throw new PatchError(`value for key ${i} is not a map`);
    if (!has(e, mergeKey)) return;
    const id = identity(e[mergeKey]);
    if (!first.has(id)) first.set(id, i);
  });
  for (const element of patch) {
    if (!has(element, mergeKey)) throw noMergeKey(element, mergeKey);
    const id = identity(element[mergeKey]);
    const index = first.get(id);
    if (index !== undefined) {
      out[index] = mergeMap(out[index] as JSONObject, element, itemSchema);
    } else {
      first.set(id, out.length);
      out.push(adopt(element, itemSchema));
    }
  }
  return out;
}

function uniqueScalars(list: unknown[]): unknown[] {
  const seen = new Set<string>();
  return list.filter((v) => {
    const id = identity(v);
    if (seen.has(id)) return false;
    seen.add(id);
    return true;
  });
}

function partitionScalars(list: unknown[], by: unknown[]): [unknown[], unknown[]] {
  const present = new Set(by.map(identity));
  const inside: unknown[] = [];
  const outside: unknown[] = [];
  for (const v of list) (present.has(identity(v)) ? inside : outside).push(v);
  return [inside, outside];
}

function partitionMaps(list: unknown[], by: unknown[], mergeKey: string): [unknown[], unknown[]] {
  const present = new Set<string>();
  by.forEach((e, i) => {
    if (!isObject(e)) throw new PatchError(`value for key ${i} is not a map`);
    if (has(e, mergeKey)) present.add(identity(e[mergeKey]));
  });
  const inside: unknown[] = [];
  const outside: unknown[] = [];
  for (const v of list) {
    if (!isObject(v)) throw badArgType('map[string]interface {}', v);
    if (!has(v, mergeKey)) throw noMergeKey(v, mergeKey);
    (present.has(identity(v[mergeKey])) ? inside : outside).push(v);
  }
  return [inside, outside];
}

function extractToDeleteItems(list: unknown[]): [unknown[], unknown[]] {
  const keep: unknown[] = [];
  const doomed: unknown[] = [];
  for (const v of list) {
    if (!isObject(v)) throw badArgType('map[string]interface {}', v);
    (get(v, directiveMarker) === deleteDirective ? doomed : keep).push(v);
  }
  return [keep, doomed];
}

/** Position lookup in a list: by merge key value for objects, by value for scalars. */
function positions(list: unknown[], mergeKey: string, kind: Kind): (v: unknown) => number {
  const key = (v: unknown) => identity(kind === 'object' ? (isObject(v) ? get(v, mergeKey) : undefined) : v);
  const first = new Map<string, number>();
  list.forEach((v, i) => {
    const k = key(v);
    if (!first.has(k)) first.set(k, i);
  });
  return (v) => first.get(key(v)) ?? -1;
}

/**
 * Orders patch elements by patchOrder and server-only elements by serverOrder, then interleaves
 * them: a server-only element goes before a patch element it preceded in the live list.
 */
function normalizeElementOrder(
  patchItems: unknown[],
  serverOnly: unknown[],
  patchOrder: unknown[],
  serverOrder: unknown[],
  mergeKey: string,
  kind: Kind,
): unknown[] {
  const right = normalizeSliceOrder(patchItems, patchOrder, mergeKey, kind);
  const left = normalizeSliceOrder(serverOnly, serverOrder, mergeKey, kind);
  const at = positions(serverOrder, mergeKey, kind);
  const out: unknown[] = [];
  let i = 0;
  let j = 0;
  while (i < left.length || j < right.length) {
    if (i >= left.length) out.push(right[j++]);
    else if (j >= right.length) out.push(left[i++]);
    else {
      const li = at(left[i]);
      const ri = at(right[j]);
      if (li >= 0 && ri >= 0 && li < ri) out.push(left[i++]);
      else out.push(right[j++]);
    }
  }
  return out;
}

function normalizeSliceOrder(toSort: unknown[], order: unknown[], mergeKey: string, kind: Kind): unknown[] {
  let doomed: unknown[] = [];
  if (kind === 'object') {
    for (const list of [toSort, order]) {
      for (const v of list) {
        if (!isObject(v)) throw badArgType('map[string]interface {}', v);
        if (!has(v, mergeKey)) throw noMergeKey(v, mergeKey);
      }
    }
    [toSort, doomed] = extractToDeleteItems(toSort);
  }
  const at = positions(order, mergeKey, kind);
  const ranked = toSort.map((v, i) => ({ v, i, p: at(v) }));
  ranked.sort((a, b) => (a.p >= 0 && b.p >= 0 && a.p !== b.p ? a.p - b.p : a.i - b.i));
  return [...ranked.map((r) => r.v), ...doomed];
}

// ---- diffing ----

function diffMaps(original: JSONObject, modified: JSONObject, schema: Schema | undefined, buildRetainKeys: boolean): JSONObject {
  const patch: JSONObject = {};
  const retained: string[] = [];
  for (const key of Object.keys(modified)) {
    const after = modified[key];
    if (buildRetainKeys && after !== null) retained.push(key);
    if (!has(original, key)) {
      put(patch, key, after);
      continue;
    }
    const before = original[key];
    if (kindOf(before) !== kindOf(after)) {
      put(patch, key, after);
    } else if (isObject(before)) {
      const sub = fieldSchema(schema, key);
      const meta = patchMeta(sub);
      if (meta.strategy === replaceDirective) {
        if (!deepEqual(before, after)) put(patch, key, after);
      } else {
        const nested = diffMaps(before, after as JSONObject, sub, meta.retainKeys);
        if (Object.keys(nested).length > 0) put(patch, key, nested);
      }
    } else if (Array.isArray(before)) {
      const sub = fieldSchema(schema, key);
      const meta = patchMeta(sub);
      if (meta.strategy === mergeDirective) {
        const diff = diffLists(before, after as unknown[], sub?.items, meta.mergeKey, meta.retainKeys, key);
        if (diff.patchList.length > 0) put(patch, key, diff.patchList);
        if (diff.deleteList.length > 0) put(patch, `${deleteFromPrimitiveListPrefix}/${key}`, diff.deleteList);
        if (diff.orderList.length > 0) put(patch, `${setElementOrderPrefix}/${key}`, diff.orderList);
      } else if (!deepEqual(before, after)) {
        put(patch, key, after);
      }
    } else if (before !== after) {
      put(patch, key, after);
    }
  }
  for (const key of Object.keys(original)) {
    if (!has(modified, key)) put(patch, key, null);
  }
  const extraInOriginal = Object.keys(original).some((k) => original[k] !== null && !has(modified, k));
  if (retained.length > 0 && (Object.keys(patch).length > 0 || extraInOriginal)) {
    put(patch, retainKeysDirective, retained.sort());
  }
  return patch;
}

interface ListDiff {
  patchList: unknown[];
  deleteList: unknown[];
  orderList: unknown[];
}

function diffLists(
  original: unknown[],
  modified: unknown[],
  itemSchema: Schema | undefined,
  mergeKey: string,
  buildRetainKeys: boolean,
  field: string,
): ListDiff {
  if (original.length === 0) return { patchList: modified, deleteList: [], orderList: [] };
  const kind = elementKind(original, modified);
  if (kind !== 'object') {
    const before = new Set(original.map(identity));
    const after = new Set(modified.map(identity));
    const deleteList = uniqueScalars(original.filter((v) => !after.has(identity(v))));
    return {
      patchList: uniqueScalars(modified.filter((v) => !before.has(identity(v)))),
      deleteList,
      orderList: deleteList.length > 0 || !deepEqual(original, modified) ? modified : [],
    };
  }
  if (!mergeKey) throw new PatchError(`cannot merge lists without merge key for ${field}`);
  for (const list of [original, modified]) {
    for (const v of list) {
      if (!isObject(v)) throw badArgType('map[string]interface {}', v);
      if (!has(v, mergeKey)) throw noMergeKey(v, mergeKey);
    }
  }
  const keyOf = (v: unknown) => identity((v as JSONObject)[mergeKey]);
  const byKey = new Map<string, JSONObject>();
  for (const v of original as JSONObject[]) if (!byKey.has(keyOf(v))) byKey.set(keyOf(v), v);
  const kept = new Set(modified.map(keyOf));

  const patchList: unknown[] = [];
  for (const element of modified as JSONObject[]) {
    const previous = byKey.get(keyOf(element));
    if (!previous) {
      patchList.push(element);
      continue;
    }
    const changes = diffMaps(previous, element, itemSchema, buildRetainKeys);
    if (Object.keys(changes).length > 0) patchList.push(withMergeKey(mergeKey, element[mergeKey], changes));
  }
  const deleted = new Set<string>();
  for (const element of original as JSONObject[]) {
    const id = keyOf(element);
    if (kept.has(id) || deleted.has(id)) continue;
    deleted.add(id);
    patchList.push(withMergeKey(mergeKey, element[mergeKey], { [directiveMarker]: deleteDirective }));
  }
  const orderSame = original.length === modified.length && original.every((v, i) => keyOf(v) === keyOf(modified[i]));
  const orderList = patchList.length > 0 || !orderSame ? modified.map((v) => withMergeKey(mergeKey, (v as JSONObject)[mergeKey], {})) : [];
  return { patchList, deleteList: [], orderList };
}

function withMergeKey(mergeKey: string, value: unknown, rest: JSONObject): JSONObject {
  const out: JSONObject = {};
  put(out, mergeKey, value);
  for (const key of Object.keys(rest)) put(out, key, rest[key]);
  return out;
}
