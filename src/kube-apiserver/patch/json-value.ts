// JSON values as JSON.parse produces them (plain objects, arrays, strings, numbers, booleans,
// null), handled without ever touching a prototype: a member named "__proto__" is an ordinary
// key here. Only put and remove change their argument; everything else is read-only or copies.

export type JSONObject = { [key: string]: unknown };

export type Kind = 'object' | 'array' | 'string' | 'number' | 'boolean' | 'null';

export function isObject(value: unknown): value is JSONObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The JSON type of a value; `undefined` counts as null. */
export function kindOf(value: unknown): Kind {
  if (value === null || value === undefined) return 'null';
  if (Array.isArray(value)) return 'array';
  switch (typeof value) {
    case 'object':
      return 'object';
    case 'string':
      return 'string';
    case 'number':
      return 'number';
    case 'boolean':
      return 'boolean';
    default:
      throw new TypeError(`not a JSON value: ${typeof value}`);
  }
}

export function has(object: JSONObject, key: string): boolean {
  return Object.hasOwn(object, key);
}

export function get(object: JSONObject, key: string): unknown {
  return Object.hasOwn(object, key) ? object[key] : undefined;
}

export function put(object: JSONObject, key: string, value: unknown): void {
  if (key === '__proto__') {
    Object.defineProperty(object, key, { value, writable: true, enumerable: true, configurable: true });
  } else {
    object[key] = value;
  }
}

export function remove(object: JSONObject, key: string): void {
  if (Object.hasOwn(object, key)) delete object[key];
}

export function clone<T>(value: T): T {
  if (Array.isArray(value)) return value.map(clone) as T;
  if (isObject(value)) {
    const copy: JSONObject = {};
    for (const key of Object.keys(value)) put(copy, key, clone(value[key]));
    return copy as T;
  }
  return value;
}

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  const kind = kindOf(a);
  if (kind !== kindOf(b)) return false;
  if (kind === 'array') {
    const x = a as unknown[];
    const y = b as unknown[];
    return x.length === y.length && x.every((v, i) => deepEqual(v, y[i]));
  }
  if (kind === 'object') {
    const x = a as JSONObject;
    const y = b as JSONObject;
    const keys = Object.keys(x);
    return keys.length === Object.keys(y).length && keys.every((k) => has(y, k) && deepEqual(x[k], y[k]));
  }
  return kind === 'null';
}

/**
 * A string that identifies a value by type and content, so values can key a Map: 1 and "1"
 * differ, objects compare by content whatever their key order.
 */
export function identity(value: unknown): string {
  return `${kindOf(value)}:${canonicalJSON(value)}`;
}

function canonicalJSON(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJSON).join(',')}]`;
  if (isObject(value)) {
    const keys = Object.keys(value).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJSON(value[k])}`).join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}
