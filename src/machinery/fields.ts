// Field selectors as k8s.io/apimachinery/pkg/fields.ParseSelector reads them: comma-separated
// `field=value`, `field==value`, `field!=value` terms, values unescaped (`\,` `\=` `\\`), terms
// kept in upstream's sorted order. A field the object lacks compares as "". requireFields
// rejects unsupported fields with the message the API server's field label conversion gives.

import { badRequest } from './status.ts';
import { goQuote } from './validation.ts';

export interface FieldRequirement {
  readonly field: string;
  readonly operator: '=' | '!=';
  readonly value: string;
}

export interface FieldSelector {
  /** AND of these, in upstream's order (terms sorted as strings). */
  readonly requirements: readonly FieldRequirement[];
  /** True when the selector does not restrict the selection. */
  readonly empty: boolean;
  /** `get` returns the object's value for a field; undefined counts as "". */
  matches(get: (field: string) => string | undefined): boolean;
  /** The value `field` must equal, when an `=` requirement pins it. */
  requiresExactMatch(field: string): string | undefined;
  /** The selector with values escaped, as upstream prints it. */
  toString(): string;
}

// Commas escaped with a backslash belong to the value; the backslash stays for unescapeValue.
function splitTerms(s: string): string[] {
  if (s === '') return [];
  const terms: string[] = [];
  let start = 0;
  let inSlash = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (inSlash) inSlash = false;
    else if (c === '\\') inSlash = true;
    else if (c === ',') {
      terms.push(s.slice(start, i));
      start = i + 1;
    }
  }
  terms.push(s.slice(start));
  return terms;
}

// "!=" and "==" are tried before "=" at each position so "a==b" does not leave "=b" as the value.
const termOperators = ['!=', '==', '='] as const;

function splitTerm(term: string): [string, (typeof termOperators)[number], string] | undefined {
  for (let i = 0; i < term.length; i++) {
    for (const op of termOperators) {
      if (term.startsWith(op, i)) return [term.slice(0, i), op, term.slice(i + op.length)];
    }
  }
  return undefined;
}

function unescapeValue(s: string): string {
  if (!/[\\,=]/.test(s)) return s;
  let out = '';
  let inSlash = false;
  for (const c of s) {
    if (inSlash) {
      if (c !== '\\' && c !== ',' && c !== '=') throw badRequest(`invalid field selector: invalid escape sequence: \\${c}`);
      out += c;
      inSlash = false;
    } else if (c === '\\') {
      inSlash = true;
    } else if (c === ',' || c === '=') {
      // upstream prints the rune with %v, i.e. as its code point number
      throw badRequest(`invalid field selector: unescaped character in value: ${c.codePointAt(0)}`);
    } else {
      out += c;
    }
  }
  if (inSlash) throw badRequest('invalid field selector: invalid escape sequence: \\');
  return out;
}

function escapeValue(s: string): string {
  return s.replace(/[\\,=]/g, (c) => `\\${c}`);
}

class Selector implements FieldSelector {
  readonly requirements: readonly FieldRequirement[];
  constructor(requirements: FieldRequirement[]) {
    this.requirements = Object.freeze(requirements);
  }
  get empty(): boolean {
    return this.requirements.length === 0;
  }
  matches(get: (field: string) => string | undefined): boolean {
    return this.requirements.every((r) => ((get(r.field) ?? '') === r.value) === (r.operator === '='));
  }
  requiresExactMatch(field: string): string | undefined {
    return this.requirements.find((r) => r.field === field && r.operator === '=')?.value;
  }
  toString(): string {
    return this.requirements.map((r) => `${r.field}${r.operator}${escapeValue(r.value)}`).join(',');
  }
}

/**
 * Parses `?fieldSelector=`. The empty string selects everything. Throws a 400 BadRequest
 * StatusError with upstream's message on bad input.
 */
export function parseFieldSelector(s: string): FieldSelector {
  // upstream sorts the raw terms (sort.Strings: byte order) before parsing them
  const parts = splitTerms(s).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const requirements: FieldRequirement[] = [];
  for (const part of parts) {
    if (part === '') continue;
    const split = splitTerm(part);
    if (!split) throw badRequest(`invalid selector: '${s}'; can't understand '${part}'`);
    const [field, op, raw] = split;
    requirements.push(Object.freeze({ field, operator: op === '!=' ? '!=' : '=', value: unescapeValue(raw) }));
  }
  return new Selector(requirements);
}

export const everythingFields: FieldSelector = new Selector([]);

const metadataFields = new Set(['metadata.name', 'metadata.namespace']);

// Upstream words the rejection per kind: kinds without a registered field label conversion
// use runtime.DefaultMetaV1FieldSelectorConversion; batch/v1 Job has its own wording; the
// other conversions (pods, nodes, events, ..., custom resources' selectableFields) share one.
function rejection(field: string, supported: ReadonlySet<string>, resource: string): string {
  if (resource === 'jobs' || resource === 'jobs.batch') return `field label ${goQuote(field)} not supported for batchv1.Job`;
  if ([...supported].every((f) => metadataFields.has(f))) {
    return `${goQuote(field)} is not a known field selector: only "metadata.name", "metadata.namespace"`;
  }
  return `field label not supported: ${field}`;
}

/**
 * Throws 400 BadRequest when the selector names a field outside `supported` (the kind's
 * selectable fields). `resource` is the plural resource name ("pods", "jobs"); it picks
 * upstream's wording where a kind has its own. The first offending field in selector order wins.
 */
export function requireFields(selector: FieldSelector, supported: ReadonlySet<string>, resource: string): void {
  for (const r of selector.requirements) {
    if (!supported.has(r.field)) throw badRequest(rejection(r.field, supported, resource));
  }
}
