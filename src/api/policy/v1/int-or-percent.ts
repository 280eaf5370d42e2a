// IntOrString counts or percentages ("2", "50%") as apps and policy validate them:
// non-negative integers or "<digits>%" strings, percentages at most 100%, printed as
// intstr.IntOrString.String() prints them.

import type { StatusCause } from '../../../machinery/status.ts';
import { regexError } from '../../../machinery/validation.ts';
import { invalid } from '../../meta/v1/field.ts';

const percentFmt = '[0-9]+%';
const percentRegexp = new RegExp(`^${percentFmt}$`);

export function isValidPercent(value: string): string[] {
  return percentRegexp.test(value) ? [] : [regexError("a valid percent string must be a numeric string followed by an ending '%'", percentFmt, '1%', '93%')];
}

/** ValidatePositiveIntOrPercent: a non-negative count, or a well-formed percentage. */
export function validatePositiveIntOrPercent(value: unknown, field: string): StatusCause[] {
  if (typeof value === 'string') return isValidPercent(value).map((msg) => invalid(field, { goSyntax: value }, msg));
  if (typeof value === 'number') return value < 0 ? [invalid(field, value, 'must be greater than or equal to 0')] : [];
  return [invalid(field, value, "must be an integer or percentage (e.g '5%%')")];
}

/** IsNotMoreThan100Percent: percentages may not exceed 100%. */
export function validateNotMoreThan100Percent(value: unknown, field: string): StatusCause[] {
  if (typeof value !== 'string' || isValidPercent(value).length > 0) return [];
  return Number.parseInt(value.slice(0, -1), 10) > 100 ? [invalid(field, { goSyntax: value }, 'must not be greater than 100%')] : [];
}

/** intstr.IntOrString.String(). */
export function intOrStringText(value: unknown): string {
  return typeof value === 'number' ? String(value) : typeof value === 'string' ? value : '';
}
