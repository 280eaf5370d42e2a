// Field errors for the kinds' validation, on top of machinery/validation.ts (upstream's
// field.Error as StatusCauses): constructors that accept any JSON value as the bad value and
// print it the way upstream's ErrorBody does, plus TooMany and ValidateImmutableField.

import type { StatusCause } from '../../../machinery/status.ts';
import type { GoRendered } from '../../../machinery/validation.ts';
import { fieldDuplicate, fieldForbidden, fieldInvalid, fieldNotSupported, fieldRequired, goStringSlice } from '../../../machinery/validation.ts';

export { fieldRequired as required, fieldForbidden as forbidden };

/** A bad value printed verbatim, for the places upstream prints a Go struct (`rbac.RoleRef{...}`). */
export function goValue(text: string): GoRendered {
  return { goSyntax: text };
}

function isGoRendered(v: unknown): v is GoRendered {
  return typeof v === 'object' && v !== null && typeof (v as GoRendered).goSyntax === 'string' && Object.keys(v).length === 1;
}

// A nil pointer prints as the string "null" (quoted, as upstream's ErrorBody does); string
// lists as Go's []string{...}; other structures as JSON, for want of Go's %#v.
function render(value: unknown): string | number | boolean | GoRendered {
  if (value === undefined || value === null) return 'null';
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
  if (isGoRendered(value)) return value;
  if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return goValue(goStringSlice(value as string[]));
  return goValue(JSON.stringify(value));
}

export function invalid(field: string, value: unknown, detail: string): StatusCause {
  return fieldInvalid(field, render(value), detail);
}

export function notSupported(field: string, value: unknown, supported: readonly string[]): StatusCause {
  return fieldNotSupported(field, render(value), supported);
}

export function duplicate(field: string, value: unknown): StatusCause {
  return fieldDuplicate(field, render(value));
}

/** field.TooMany: a list longer than allowed. */
export function tooMany(field: string, actual: number, max: number): StatusCause {
  return { reason: 'FieldValueTooMany', message: `Too many: ${actual}: must have at most ${max} items`, field };
}

export const fieldImmutableErrorMsg = 'field is immutable';

/** ValidateImmutableField: an error when `value` differs semantically from `old`. */
export function validateImmutableField(value: unknown, old: unknown, field: string): StatusCause[] {
  return semanticEqual(value, old) ? [] : [invalid(field, value, fieldImmutableErrorMsg)];
}

/**
 * apiequality.Semantic.DeepEqual for JSON: deep equality in which a missing value, null, an
 * empty list and an empty map are all equal (Go's nil and empty compare equal there).
 */
export function semanticEqual(a: unknown, b: unknown): boolean {
  if (isEmpty(a) && isEmpty(b)) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((v, i) => semanticEqual(v, b[i]));
  }
  if (isMap(a) && isMap(b)) {
    for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) if (!semanticEqual(a[k], b[k])) return false;
    return true;
  }
  return a === b;
}

function isMap(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isEmpty(v: unknown): boolean {
  if (v === undefined || v === null) return true;
  if (Array.isArray(v)) return v.length === 0;
  return isMap(v) && Object.keys(v).length === 0;
}
