// Reading JSON objects whose shape is not yet checked: each accessor returns a usable empty
// value ({} / [] / "" / undefined) instead of throwing when a field is missing or mistyped,
// so defaulting, validation and table printing never crash on bad input.

export type JSONObject = Record<string, unknown>;

export function isObject(v: unknown): v is JSONObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The object at `v`, or a fresh empty one. */
export function obj(v: unknown): JSONObject {
  return isObject(v) ? v : {};
}

/** The list at `v`, or an empty one. */
export function arr(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

/** The string at `v`, or "" (Go's zero value). */
export function str(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

/** The string at `v`, or undefined (a Go *string). */
export function optStr(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

/** The number at `v`, or undefined. */
export function num(v: unknown): number | undefined {
  return typeof v === 'number' ? v : undefined;
}

/** The list of strings at `v`, skipping anything else. */
export function strings(v: unknown): string[] {
  return arr(v).filter((s): s is string => typeof s === 'string');
}

/** The object at `parent[key]`, created (in place) when absent, for defaulting. */
export function child(parent: JSONObject, key: string): JSONObject {
  const v = parent[key];
  if (isObject(v)) return v;
  const created: JSONObject = {};
  parent[key] = created;
  return created;
}
