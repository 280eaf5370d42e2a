// JSON Merge Patch (RFC 7386, application/merge-patch+json) and its inverse. mergePatch never
// changes its inputs: a patch object merges member by member (null deletes, objects recurse),
// any other patch value replaces the target. A value taken over from the patch loses the null
// members of the objects inside it, as evanphx/json-patch v4 (the apiserver's library) does, so
// a stored object never carries nulls a merge patch put there.
//
// createMergePatch(original, modified) returns the patch p with mergePatch(original, p) equal to
// modified, for every modified whose objects hold no null members (merge patch cannot express a
// member whose value is null; nulls inside arrays are fine).

import { clone, deepEqual, get, has, isObject, kindOf, put, remove, type JSONObject } from './json-value.ts';

/** Applies a merge patch to a target document and returns the result. */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return withoutNullMembers(patch);
  const result: JSONObject = isObject(target) ? clone(target) : {};
  mergeInto(result, patch);
  return result;
}

function mergeInto(target: JSONObject, patch: JSONObject): void {
  for (const key of Object.keys(patch)) {
    const value = patch[key];
    if (value === null) {
      remove(target, key);
    } else if (isObject(value)) {
      const current = get(target, key);
      if (isObject(current)) {
        mergeInto(current, value);
      } else {
        const fresh: JSONObject = {};
        mergeInto(fresh, value);
        put(target, key, fresh);
      }
    } else {
      put(target, key, withoutNullMembers(value));
    }
  }
}

/** A copy with null object members dropped at every depth; array elements stay as they are. */
function withoutNullMembers(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutNullMembers);
  if (isObject(value)) {
    const copy: JSONObject = {};
    for (const key of Object.keys(value)) {
      if (value[key] !== null) put(copy, key, withoutNullMembers(value[key]));
    }
    return copy;
  }
  return value;
}

/** The merge patch that turns original into modified. */
export function createMergePatch(original: unknown, modified: unknown): unknown {
  if (!isObject(modified)) return clone(modified);
  return diff(isObject(original) ? original : {}, modified);
}

function diff(original: JSONObject, modified: JSONObject): JSONObject {
  const patch: JSONObject = {};
  for (const key of Object.keys(modified)) {
    const after = modified[key];
    if (!has(original, key)) {
      put(patch, key, clone(after));
      continue;
    }
    const before = original[key];
    if (isObject(before) && isObject(after)) {
      const nested = diff(before, after);
      if (Object.keys(nested).length > 0) put(patch, key, nested);
    } else if (kindOf(before) !== kindOf(after) || !deepEqual(before, after)) {
      put(patch, key, clone(after));
    }
  }
  for (const key of Object.keys(original)) {
    if (!has(modified, key)) put(patch, key, null);
  }
  return patch;
}
