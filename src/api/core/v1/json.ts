// Safe access to decoded JSON objects: strategies and printers read fields of objects that
// have only been checked against a schema (or not at all), so every accessor tolerates a
// missing or mistyped value instead of throwing.

export type JSONObject = Record<string, unknown>;

export function isRecord(value: unknown): value is JSONObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The object at value, or an empty one. */
export function rec(value: unknown): JSONObject {
  return isRecord(value) ? value : {};
}

/** The object at parent[name], created (and stored) when absent. */
export function ensure(parent: JSONObject, name: string): JSONObject {
  const v = parent[name];
  if (isRecord(v)) return v;
  const created: JSONObject = {};
  parent[name] = created;
  return created;
}

/** The list of objects at value (non-objects skipped), or an empty list. */
export function records(value: unknown): JSONObject[] {
  return Array.isArray(value) ? value.filter(isRecord) : [];
}

export function stringsOf(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

export function str(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

export function int(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : 0;
}

/** Sets parent[name] = value unless a value (anything but undefined/null) is there. */
export function setDefault(parent: JSONObject, name: string, value: unknown): void {
  if (parent[name] === undefined || parent[name] === null) parent[name] = value;
}

/** Sets parent[name] = value when it is absent or the empty string (Go's zero value). */
export function setDefaultString(parent: JSONObject, name: string, value: string): void {
  if (typeof parent[name] !== 'string' || parent[name] === '') parent[name] = value;
}

/** Sets parent[name] = value when it is absent or 0 (Go's zero value). */
export function setDefaultNumber(parent: JSONObject, name: string, value: number): void {
  if (typeof parent[name] !== 'number' || parent[name] === 0) parent[name] = value;
}
