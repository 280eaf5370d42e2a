// Field errors exactly as k8s.io/apimachinery/pkg/util/validation/field prints them: the
// cause's reason is the error type ("FieldValueInvalid"), its field the path
// ("spec.containers[0].name") and its message the error body ("Invalid value: \"Foo\": ..."),
// with bad values rendered as upstream does (strings quoted like Go's %q, numbers and booleans
// plain, anything else as JSON).

import type { StatusCause } from '../../../machinery/status.ts';

/** A field path: "" is the root; child/index/key build longer ones. */
export function child(path: string, ...names: string[]): string {
  let p = path;
  for (const n of names) p = p ? `${p}.${n}` : n;
  return p;
}

export function index(path: string, i: number): string {
  return `${path}[${i}]`;
}

export function key(path: string, k: string): string {
  return `${path}[${k}]`;
}

/** Marks a bad value as omitted: the body names only the error type. */
export const omitValue: unique symbol = Symbol('omitValue');

/** strconv.Quote. */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0) ?? 0;
    switch (ch) {
      case '"':
        out += '\\"';
        continue;
      case '\\':
        out += '\\\\';
        continue;
      case '\n':
        out += '\\n';
        continue;
      case '\t':
        out += '\\t';
        continue;
      case '\r':
        out += '\\r';
        continue;
      case '\x07':
        out += '\\a';
        continue;
      case '\b':
        out += '\\b';
        continue;
      case '\f':
        out += '\\f';
        continue;
      case '\v':
        out += '\\v';
        continue;
    }
    if (c < 0x20 || c === 0x7f) out += `\\x${c.toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return out + '"';
}

/**
 * encoding/json.Marshal of a value: <, > and & escaped; keys in the order given (a Go struct's
 * field order). Pass maps through sortedMap first, as Go sorts map keys.
 */
export function goJSON(value: unknown): string {
  const text = JSON.stringify(value) ?? 'null';
  return text.replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026');
}

/** A copy of a map with its keys sorted, as Go marshals maps. */
export function sortedMap(map: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (map && typeof map === 'object') for (const k of Object.keys(map).sort()) out[k] = (map as Record<string, unknown>)[k];
  return out;
}

/** A metav1.LabelSelector as Go marshals it: matchLabels (sorted) then matchExpressions. */
export function selectorValue(selector: unknown): unknown {
  if (!selector || typeof selector !== 'object') return null;
  const s = selector as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  if (s.matchLabels && typeof s.matchLabels === 'object' && Object.keys(s.matchLabels).length) out.matchLabels = sortedMap(s.matchLabels);
  if (Array.isArray(s.matchExpressions) && s.matchExpressions.length) out.matchExpressions = s.matchExpressions;
  return out;
}

function render(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'string') return goQuote(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return goJSON(value);
}

function cause(reason: string, field: string, body: string): StatusCause {
  return { reason, message: body, field };
}

function withDetail(body: string, detail: string): string {
  return detail ? `${body}: ${detail}` : body;
}

export function required(field: string, detail = ''): StatusCause {
  return cause('FieldValueRequired', field, withDetail('Required value', detail));
}

export function forbidden(field: string, detail: string): StatusCause {
  return cause('FieldValueForbidden', field, withDetail('Forbidden', detail));
}

export function invalid(field: string, value: unknown, detail: string): StatusCause {
  const body = value === omitValue ? 'Invalid value' : `Invalid value: ${render(value)}`;
  return cause('FieldValueInvalid', field, withDetail(body, detail));
}

export function notSupported(field: string, value: unknown, supported: readonly string[]): StatusCause {
  const detail = supported.length ? `supported values: ${supported.map(goQuote).join(', ')}` : '';
  return cause('FieldValueNotSupported', field, withDetail(`Unsupported value: ${render(value)}`, detail));
}

export function duplicate(field: string, value: unknown): StatusCause {
  return cause('FieldValueDuplicate', field, `Duplicate value: ${render(value)}`);
}

export function notFound(field: string, value: unknown, detail = ''): StatusCause {
  return cause('FieldValueNotFound', field, withDetail(`Not found: ${render(value)}`, detail));
}

/** field.TooLong: the value is never shown. */
export function tooLong(field: string, maxLength: number): StatusCause {
  const detail = maxLength >= 0 ? `may not be more than ${maxLength} ${maxLength === 1 ? 'byte' : 'bytes'}` : 'value is too long';
  return cause('FieldValueTooLong', field, withDetail('Too long', detail));
}

export function tooMany(field: string, actual: number, max: number): StatusCause {
  const detail = max >= 0 ? `must have at most ${max} ${max === 1 ? 'item' : 'items'}` : 'has too many items';
  return cause('FieldValueTooMany', field, withDetail(actual >= 0 ? `Too many: ${actual}` : 'Too many', detail));
}

export const fieldImmutable = 'field is immutable';
export const isNegative = 'must be greater than or equal to 0';

/** ValidateNonnegativeField. */
export function nonNegative(value: unknown, field: string): StatusCause[] {
  return typeof value === 'number' && value < 0 ? [invalid(field, value, isNegative)] : [];
}

/** ValidateImmutableField: compares JSON values semantically (absent, null and undefined alike). */
export function immutable(value: unknown, old: unknown, field: string): StatusCause[] {
  return deepEqual(value, old) ? [] : [invalid(field, value ?? null, fieldImmutable)];
}

function isEmpty(v: unknown): boolean {
  if (v === null || v === undefined) return true;
  if (Array.isArray(v)) return v.length === 0;
  return typeof v === 'object' && Object.keys(v as object).length === 0;
}

/**
 * Structural equality of JSON values as apiequality.Semantic.DeepEqual sees them: absent,
 * null, empty lists and empty maps are all equal.
 */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || b === null || a === undefined || b === undefined) return isEmpty(a) && isEmpty(b);
  if (typeof a !== typeof b) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b)) return a.length === 0 && isEmpty(b);
    if (a.length !== b.length) return false;
    return a.every((x, i) => deepEqual(x, b[i]));
  }
  if (typeof a === 'object') {
    const ao = a as Record<string, unknown>;
    const bo = b as Record<string, unknown>;
    const keys = new Set([...Object.keys(ao), ...Object.keys(bo)]);
    for (const k of keys) if (!deepEqual(ao[k], bo[k])) return false;
    return true;
  }
  return false;
}

/** A value must be one of `supported` (field.NotSupported). */
export function oneOf(value: unknown, supported: readonly string[], field: string, requiredWhenEmpty = true): StatusCause[] {
  if (value === undefined || value === null || value === '') return requiredWhenEmpty ? [required(field)] : [];
  return supported.includes(String(value)) ? [] : [notSupported(field, value, supported)];
}
