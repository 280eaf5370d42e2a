// Label selectors as k8s.io/apimachinery/pkg/labels and metav1.LabelSelectorAsSelector define
// them: the `?labelSelector=` string grammar (same tokens, same error messages, keys and values
// validated), requirements kept sorted by key, and the nothing/everything distinction
// (a null metav1.LabelSelector selects nothing, `{}` selects everything).

import { badRequest } from './status.ts';
import {
  aggregateString,
  fieldErrorString,
  fieldInvalid,
  fieldNotSupported,
  goQuote,
  goStringSlice,
  isQualifiedName,
  isValidLabelValue,
  type FieldError,
} from './validation.ts';

export type Operator = 'In' | 'NotIn' | 'Exists' | 'DoesNotExist' | 'Equals' | 'NotEquals' | 'GreaterThan' | 'LessThan';

export interface Requirement {
  readonly key: string;
  readonly operator: Operator;
  /** Parsed selectors hold them sorted and de-duplicated; from a metav1.LabelSelector, as given. */
  readonly values: readonly string[];
}

export type Labels = Record<string, string> | null | undefined;

/** metav1.LabelSelector, as in Deployment.spec.selector. */
export interface LabelSelectorSpec {
  matchLabels?: Record<string, string> | null;
  matchExpressions?: { key: string; operator: string; values?: string[] | null }[] | null;
}

// selection.Operator spellings, for upstream's error messages.
const binaryOperatorsText = ['in', 'notin', '=', '==', '!=', 'gt', 'lt'];
const validOperatorsText = [...binaryOperatorsText, 'exists', '!'];

const int64Pattern = /^[+-]?[0-9]+$/;
const int64Min = -(2n ** 63n);
const int64Max = 2n ** 63n - 1n;
function parseInt64(s: string): bigint | undefined {
  if (!int64Pattern.test(s)) return undefined;
  const v = BigInt(s);
  return v < int64Min || v > int64Max ? undefined : v;
}

function compareKeys(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function sortedValues(values: readonly string[]): string[] {
  return [...values].sort(compareKeys);
}

function requirementMatches(r: Requirement, labels: Labels): boolean {
  const has = labels != null && Object.hasOwn(labels, r.key);
  const value = has ? labels[r.key]! : undefined;
  switch (r.operator) {
    case 'In':
    case 'Equals':
      return has && r.values.includes(value!);
    case 'NotIn':
    case 'NotEquals':
      return !has || !r.values.includes(value!);
    case 'Exists':
      return has;
    case 'DoesNotExist':
      return !has;
    case 'GreaterThan':
    case 'LessThan': {
      if (!has || r.values.length !== 1) return false;
      const actual = parseInt64(value!);
      const bound = parseInt64(r.values[0]!);
      if (actual === undefined || bound === undefined) return false;
      return r.operator === 'GreaterThan' ? actual > bound : actual < bound;
    }
  }
}

function requirementString(r: Requirement): string {
  if (r.operator === 'Exists') return r.key;
  if (r.operator === 'DoesNotExist') return `!${r.key}`;
  const values = r.values.length === 1 ? r.values[0]! : sortedValues(r.values).join(',');
  switch (r.operator) {
    case 'Equals':
      return `${r.key}=${values}`;
    case 'NotEquals':
      return `${r.key}!=${values}`;
    case 'GreaterThan':
      return `${r.key}>${values}`;
    case 'LessThan':
      return `${r.key}<${values}`;
    case 'In':
      return `${r.key} in (${values})`;
    case 'NotIn':
      return `${r.key} notin (${values})`;
  }
}

export class LabelSelector {
  /** AND of these, sorted by key. */
  readonly requirements: readonly Requirement[];
  /** True for a selector that matches no object (from a null metav1.LabelSelector). */
  readonly nothing: boolean;

  constructor(requirements: readonly Requirement[], nothing = false) {
    // Stable sort: requirements on the same key keep their order, so toString is deterministic.
    this.requirements = Object.freeze([...requirements].sort((a, b) => compareKeys(a.key, b.key)));
    this.nothing = nothing;
  }

  /** True when the selector does not restrict the selection (matches everything). */
  get empty(): boolean {
    return !this.nothing && this.requirements.length === 0;
  }

  matches(labels: Labels): boolean {
    if (this.nothing) return false;
    for (const r of this.requirements) if (!requirementMatches(r, labels)) return false;
    return true;
  }

  /**
   * The value a matching object must have for `key`, when one requirement pins it
   * (`key=v`, `key==v`, `key in (v)`): what a cache can look up in an index.
   */
  requiresExactMatch(key: string): string | undefined {
    const r = this.requirements.find((x) => x.key === key);
    if (r && (r.operator === 'Equals' || r.operator === 'In') && r.values.length === 1) return r.values[0];
    return undefined;
  }

  toString(): string {
    return this.requirements.map(requirementString).join(',');
  }
}

export const everything = new LabelSelector([]);
export const nothing = new LabelSelector([], true);

// ---- NewRequirement: the validation every requirement goes through ----

function requirementErrors(key: string, operator: Operator | string, values: readonly string[] | null, path: string | undefined): FieldError[] {
  const errs: FieldError[] = [];
  const child = (name: string): string => (path ? `${path}.${name}` : name);
  const keyErrs = isQualifiedName(key);
  if (keyErrs.length) errs.push(fieldInvalid(child('key'), key, keyErrs.join('; ')));
  const valuesPath = child('values');
  const vals = values ?? [];
  switch (operator) {
    case 'In':
    case 'NotIn':
      if (vals.length === 0) errs.push(fieldInvalid(valuesPath, { goSyntax: goStringSlice(values) }, "for 'in', 'notin' operators, values set can't be empty"));
      break;
    case 'Equals':
    case 'NotEquals':
      if (vals.length !== 1) errs.push(fieldInvalid(valuesPath, { goSyntax: goStringSlice(values) }, 'exact-match compatibility requires one single value'));
      break;
    case 'Exists':
    case 'DoesNotExist':
      if (vals.length !== 0) errs.push(fieldInvalid(valuesPath, { goSyntax: goStringSlice(values) }, 'values set must be empty for exists and does not exist'));
      break;
    case 'GreaterThan':
    case 'LessThan':
      if (vals.length !== 1) errs.push(fieldInvalid(valuesPath, { goSyntax: goStringSlice(values) }, "for 'Gt', 'Lt' operators, exactly one value is required"));
      vals.forEach((v, i) => {
        if (parseInt64(v) === undefined) errs.push(fieldInvalid(`${valuesPath}[${i}]`, v, "for 'Gt', 'Lt' operators, the value must be an integer"));
      });
      break;
    default:
      errs.push(fieldNotSupported(child('operator'), operator, validOperatorsText));
  }
  vals.forEach((v, i) => {
    const msgs = isValidLabelValue(v);
    if (msgs.length) errs.push(fieldInvalid(`${valuesPath}[${i}][${key}]`, v, msgs.join('; ')));
  });
  return errs;
}

class SelectorSyntaxError extends Error {}

function newRequirement(key: string, operator: Operator, values: readonly string[]): Requirement {
  const errs = requirementErrors(key, operator, values, undefined);
  if (errs.length) throw new SelectorSyntaxError(aggregateString(errs));
  return Object.freeze({ key, operator, values: Object.freeze([...values]) });
}

// ---- the string grammar (labels.Parse) ----

const T = {
  EndOfString: 1,
  ClosedPar: 2,
  Comma: 3,
  DoesNotExist: 4,
  DoubleEquals: 5,
  Equals: 6,
  GreaterThan: 7,
  Identifier: 8,
  In: 9,
  LessThan: 10,
  NotEquals: 11,
  NotIn: 12,
  OpenPar: 13,
} as const;
type Token = (typeof T)[keyof typeof T];

const string2token = new Map<string, Token>([
  [')', T.ClosedPar],
  [',', T.Comma],
  ['!', T.DoesNotExist],
  ['==', T.DoubleEquals],
  ['=', T.Equals],
  ['>', T.GreaterThan],
  ['in', T.In],
  ['<', T.LessThan],
  ['!=', T.NotEquals],
  ['notin', T.NotIn],
  ['(', T.OpenPar],
]);

const isWhitespace = (ch: string): boolean => ch === ' ' || ch === '\t' || ch === '\r' || ch === '\n';
const isSpecialSymbol = (ch: string): boolean => '=!(),><'.includes(ch) && ch !== '';

interface Item {
  tok: Token;
  lit: string;
}

function lex(s: string): Item[] {
  const items: Item[] = [];
  let pos = 0;
  const read = (): string => (pos < s.length ? s[pos++]! : '');
  for (;;) {
    let ch = read();
    while (isWhitespace(ch)) ch = read();
    if (ch === '') {
      items.push({ tok: T.EndOfString, lit: '' });
      return items;
    }
    pos--;
    if (isSpecialSymbol(ch)) {
      // Longest run of special symbols that is still a token ("!=" but "!" then "(").
      let buffer = '';
      let last: Item | undefined;
      for (;;) {
        const c = read();
        if (c === '') break;
        if (!isSpecialSymbol(c)) {
          pos--;
          break;
        }
        buffer += c;
        const t = string2token.get(buffer);
        if (t !== undefined) last = { tok: t, lit: buffer };
        else if (last) {
          pos--;
          break;
        }
      }
      // every special symbol alone is a token, so the first one always set `last`
      items.push(last!);
    } else {
      const start = pos;
      for (;;) {
        const c = read();
        if (c === '') break;
        if (isSpecialSymbol(c) || isWhitespace(c)) {
          pos--;
          break;
        }
      }
      const word = s.slice(start, pos);
      const t = string2token.get(word);
      items.push({ tok: t ?? T.Identifier, lit: word });
    }
  }
}

const Values = true;
const KeyAndOperator = false;

class Parser {
  readonly items: Item[];
  position = 0;
  constructor(s: string) {
    this.items = lex(s);
  }

  // In the values context the keywords "in" and "notin" are ordinary identifiers.
  lookahead(values: boolean): Item {
    const it = this.items[this.position]!;
    return values && (it.tok === T.In || it.tok === T.NotIn) ? { tok: T.Identifier, lit: it.lit } : it;
  }

  consume(values: boolean): Item {
    const it = this.lookahead(values);
    this.position++;
    return it;
  }

  parse(): Requirement[] {
    const reqs: Requirement[] = [];
    for (;;) {
      const { tok, lit } = this.lookahead(Values);
      if (tok === T.Identifier || tok === T.DoesNotExist) {
        try {
          reqs.push(this.parseRequirement());
        } catch (e) {
          if (e instanceof SelectorSyntaxError) throw new SelectorSyntaxError(`unable to parse requirement: ${e.message}`);
          throw e;
        }
        const next = this.consume(Values);
        if (next.tok === T.EndOfString) return reqs;
        if (next.tok === T.Comma) {
          const after = this.lookahead(Values);
          if (after.tok !== T.Identifier && after.tok !== T.DoesNotExist) {
            throw new SelectorSyntaxError(`found '${after.lit}', expected: identifier after ','`);
          }
        } else {
          throw new SelectorSyntaxError(`found '${next.lit}', expected: ',' or 'end of string'`);
        }
      } else if (tok === T.EndOfString) {
        return reqs;
      } else {
        throw new SelectorSyntaxError(`found '${lit}', expected: !, identifier, or 'end of string'`);
      }
    }
  }

  parseRequirement(): Requirement {
    const [key, inferred] = this.parseKeyAndInferOperator();
    if (inferred) return newRequirement(key, inferred, []);
    const operator = this.parseOperator();
    const values = operator === 'In' || operator === 'NotIn' ? this.parseValues() : this.parseExactValue();
    return newRequirement(key, operator, sortedValues([...values]));
  }

  parseKeyAndInferOperator(): [string, Operator | undefined] {
    let operator: Operator | undefined;
    let it = this.consume(Values);
    if (it.tok === T.DoesNotExist) {
      operator = 'DoesNotExist';
      it = this.consume(Values);
    }
    if (it.tok !== T.Identifier) throw new SelectorSyntaxError(`found '${it.lit}', expected: identifier`);
    const keyErrs = isQualifiedName(it.lit);
    // upstream validates with a nil field path, which prints as "<nil>"
    if (keyErrs.length) throw new SelectorSyntaxError(fieldErrorString(fieldInvalid('<nil>', it.lit, keyErrs.join('; '))));
    const next = this.lookahead(Values).tok;
    if ((next === T.EndOfString || next === T.Comma) && operator !== 'DoesNotExist') operator = 'Exists';
    return [it.lit, operator];
  }

  parseOperator(): Operator {
    const { tok, lit } = this.consume(KeyAndOperator);
    switch (tok) {
      case T.In:
        return 'In';
      case T.Equals:
      case T.DoubleEquals:
        return 'Equals';
      case T.GreaterThan:
        return 'GreaterThan';
      case T.LessThan:
        return 'LessThan';
      case T.NotIn:
        return 'NotIn';
      case T.NotEquals:
        return 'NotEquals';
      default:
        throw new SelectorSyntaxError(`found '${lit}', expected: ${binaryOperatorsText.join(', ')}`);
    }
  }

  parseValues(): Set<string> {
    const open = this.consume(Values);
    if (open.tok !== T.OpenPar) throw new SelectorSyntaxError(`found '${open.lit}' expected: '('`);
    const { tok, lit } = this.lookahead(Values);
    if (tok === T.Identifier || tok === T.Comma) {
      const s = this.parseIdentifiersList();
      if (this.consume(Values).tok !== T.ClosedPar) throw new SelectorSyntaxError(`found '${lit}', expected: ')'`);
      return s;
    }
    if (tok === T.ClosedPar) {
      this.consume(Values);
      return new Set(['']);
    }
    throw new SelectorSyntaxError(`found '${lit}', expected: ',', ')' or identifier`);
  }

  // A possibly empty list of comma-separated, possibly empty identifiers: "(a,,b)", "(,a)", "(a,)".
  parseIdentifiersList(): Set<string> {
    const s = new Set<string>();
    for (;;) {
      const { tok, lit } = this.consume(Values);
      if (tok === T.Identifier) {
        s.add(lit);
        const next = this.lookahead(Values);
        if (next.tok === T.Comma) continue;
        if (next.tok === T.ClosedPar) return s;
        throw new SelectorSyntaxError(`found '${next.lit}', expected: ',' or ')'`);
      } else if (tok === T.Comma) {
        if (s.size === 0) s.add('');
        const next = this.lookahead(Values).tok;
        if (next === T.ClosedPar) {
          s.add('');
          return s;
        }
        if (next === T.Comma) s.add('');
      } else {
        throw new SelectorSyntaxError(`found '${lit}', expected: ',', or identifier`);
      }
    }
  }

  parseExactValue(): Set<string> {
    const next = this.lookahead(Values).tok;
    if (next === T.EndOfString || next === T.Comma) return new Set(['']);
    const { tok, lit } = this.consume(Values);
    if (tok === T.Identifier) return new Set([lit]);
    throw new SelectorSyntaxError(`found '${lit}', expected: identifier`);
  }
}

/**
 * Parses the `?labelSelector=` syntax: `a=b`, `a==b`, `a!=b`, `a in (x,y)`, `a notin (x)`, `a`,
 * `!a`, `a>1`, `a<1`, joined by commas. The empty string selects everything.
 * Throws a 400 BadRequest StatusError with upstream's message on bad input.
 */
export function parseLabelSelector(s: string): LabelSelector {
  try {
    return new LabelSelector(new Parser(s).parse());
  } catch (e) {
    if (e instanceof SelectorSyntaxError) throw badRequest(e.message);
    throw e;
  }
}

/**
 * metav1.LabelSelectorAsSelector: null/undefined selects nothing, `{}` selects everything.
 * Throws an Error (upstream's aggregate text) for an invalid operator, key or values.
 */
export function fromLabelSelector(sel: LabelSelectorSpec | null | undefined): LabelSelector {
  if (sel == null) return nothing;
  const matchLabels = Object.entries(sel.matchLabels ?? {});
  const expressions = sel.matchExpressions ?? [];
  if (matchLabels.length + expressions.length === 0) return everything;
  const reqs: Requirement[] = [];
  try {
    for (const [k, v] of matchLabels) reqs.push(newRequirement(k, 'Equals', [v]));
    for (const expr of expressions) {
      if (!['In', 'NotIn', 'Exists', 'DoesNotExist'].includes(expr.operator)) {
        throw new Error(`${goQuote(String(expr.operator))} is not a valid pod selector operator`);
      }
      // upstream copies the values with append([]string(nil), ...), so an empty list is nil
      const errs = requirementErrors(expr.key, expr.operator, expr.values?.length ? expr.values : null, undefined);
      if (errs.length) throw new Error(aggregateString(errs));
      reqs.push(Object.freeze({ key: expr.key, operator: expr.operator as Operator, values: Object.freeze([...(expr.values ?? [])]) }));
    }
  } catch (e) {
    if (e instanceof SelectorSyntaxError) throw new Error(e.message);
    throw e;
  }
  return new LabelSelector(reqs);
}

/** A selector requiring every label in the set (labels.SelectorFromSet; not validated). Empty selects everything. */
export function selectorFromSet(set: Labels): LabelSelector {
  return new LabelSelector(Object.entries(set ?? {}).map(([key, value]) => Object.freeze({ key, operator: 'Equals' as const, values: Object.freeze([value]) })));
}

/**
 * metav1.FormatLabelSelector: the selector string, `<none>` when it is empty, `<error>` when
 * invalid. (Scale.status.selector uses fromLabelSelector(sel).toString(), which gives "" for none.)
 */
export function formatLabelSelector(sel: LabelSelectorSpec | null | undefined): string {
  let s: string;
  try {
    s = fromLabelSelector(sel).toString();
  } catch {
    return '<error>';
  }
  return s === '' ? '<none>' : s;
}
