// The JSONPath subset of k8s.io/client-go/util/jsonpath that CRD printer columns use:
// fields (`.spec.replicas`, `['a.b']`, escaped dots), indexes and slices (`[0]`, `[-1]`,
// `[1:3]`), wildcards (`[*]`, `.*`), recursive descent (`..name`) and filters
// (`[?(@.type=="Ready")]`, `[?(@.x)]`, with == != < <= > >=). Evaluation never throws on
// data: a missing key yields no result (upstream's AllowMissingKeys). A path that does not
// parse throws a JSONPathError when it is compiled.

export class JSONPathError extends Error {}

type Step =
  | { type: 'field'; name: string }
  | { type: 'wildcard' }
  | { type: 'recursive' }
  | { type: 'index'; index: number }
  | { type: 'slice'; start?: number; end?: number; step?: number }
  | { type: 'filter'; left: Step[]; op?: string; right?: Operand };

type Operand = { literal: unknown } | { path: Step[] };

export interface JSONPath {
  readonly source: string;
  /** Every value the path selects, in document order. */
  find(data: unknown): unknown[];
}

/** Compiles a path given with or without braces: "{.spec.replicas}" or ".spec.replicas". */
export function compileJSONPath(source: string): JSONPath {
  let text = source.trim();
  if (text.startsWith('{') && text.endsWith('}')) text = text.slice(1, -1).trim();
  if (text.startsWith('$')) text = text.slice(1);
  const steps = parseSteps(text, 0, text.length, source);
  return { source, find: (data) => evaluate(steps, [data]) };
}

function parseSteps(text: string, from: number, to: number, source: string): Step[] {
  const steps: Step[] = [];
  let i = from;
  while (i < to) {
    const c = text[i];
    if (c === '.') {
      if (text[i + 1] === '.') {
        steps.push({ type: 'recursive' });
        i += 2;
        if (text[i] === '[') continue;
      } else {
        i++;
      }
      if (text[i] === '*') {
        steps.push({ type: 'wildcard' });
        i++;
        continue;
      }
      let name = '';
      while (i < to && text[i] !== '.' && text[i] !== '[') {
        if (text[i] === '\\' && i + 1 < to) {
          name += text[i + 1];
          i += 2;
        } else {
          name += text[i++];
        }
      }
      if (name === '') {
        if (i >= to && steps.length === 0) break; // "." alone: the whole object
        if (i >= to) throw new JSONPathError(`unrecognized identifier in ${source}`);
        continue;
      }
      steps.push({ type: 'field', name });
    } else if (c === '[') {
      const close = matchingBracket(text, i, source);
      steps.push(parseBracket(text.slice(i + 1, close).trim(), source));
      i = close + 1;
    } else if (c === ' ' || c === '\t') {
      i++;
    } else {
      throw new JSONPathError(`unrecognized character in action: ${JSON.stringify(c)} in ${source}`);
    }
  }
  return steps;
}

function matchingBracket(text: string, open: number, source: string): number {
  let depth = 0;
  let quote = '';
  for (let i = open; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = '';
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '[' || c === '(') depth++;
    else if (c === ']' || c === ')') {
      depth--;
      if (depth === 0) return i;
    }
  }
  throw new JSONPathError(`unclosed array expect ] in ${source}`);
}

function parseBracket(inner: string, source: string): Step {
  if (inner === '*') return { type: 'wildcard' };
  if (inner.startsWith('?')) {
    const expr = inner.slice(1).trim();
    if (!expr.startsWith('(') || !expr.endsWith(')')) throw new JSONPathError(`invalid filter in ${source}`);
    return parseFilter(expr.slice(1, -1).trim(), source);
  }
  const quoted = /^(['"])(.*)\1$/s.exec(inner);
  if (quoted) return { type: 'field', name: quoted[2] };
  if (/^-?\d+$/.test(inner)) return { type: 'index', index: Number(inner) };
  const slice = /^(-?\d+)?\s*:\s*(-?\d+)?(?:\s*:\s*(-?\d+)?)?$/.exec(inner);
  if (slice) {
    const n = (s: string | undefined) => (s === undefined ? undefined : Number(s));
    return { type: 'slice', start: n(slice[1]), end: n(slice[2]), step: n(slice[3]) };
  }
  throw new JSONPathError(`invalid array index ${inner} in ${source}`);
}

function parseFilter(expr: string, source: string): Step {
  const m = /^(@[^=!<>\s]*)\s*(==|!=|<=|>=|<|>)\s*(.+)$/.exec(expr);
  if (!m) {
    if (!expr.startsWith('@')) throw new JSONPathError(`invalid filter ${expr} in ${source}`);
    return { type: 'filter', left: parseSteps(expr, 1, expr.length, source) };
  }
  return { type: 'filter', left: parseSteps(m[1], 1, m[1].length, source), op: m[2], right: parseOperand(m[3].trim(), source) };
}

function parseOperand(text: string, source: string): Operand {
  if (text.startsWith('@')) return { path: parseSteps(text, 1, text.length, source) };
  const quoted = /^(['"])(.*)\1$/s.exec(text);
  if (quoted) return { literal: quoted[2] };
  if (text === 'true' || text === 'false') return { literal: text === 'true' };
  if (text === 'null' || text === 'nil') return { literal: null };
  if (/^-?\d+(\.\d+)?([eE][-+]?\d+)?$/.test(text)) return { literal: Number(text) };
  throw new JSONPathError(`unrecognized filter operand ${text} in ${source}`);
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function children(v: unknown): unknown[] {
  if (Array.isArray(v)) return v;
  if (isRecord(v)) return Object.keys(v).sort().map((k) => v[k]);
  return [];
}

function descendants(v: unknown, out: unknown[]): void {
  out.push(v);
  for (const c of children(v)) descendants(c, out);
}

function evaluate(steps: Step[], start: unknown[]): unknown[] {
  let current = start;
  for (const step of steps) {
    const next: unknown[] = [];
    for (const v of current) applyStep(step, v, next);
    current = next;
  }
  return current;
}

function applyStep(step: Step, v: unknown, out: unknown[]): void {
  switch (step.type) {
    case 'field':
      if (isRecord(v) && Object.hasOwn(v, step.name)) out.push(v[step.name]);
      return;
    case 'wildcard':
      out.push(...children(v));
      return;
    case 'recursive':
      descendants(v, out);
      return;
    case 'index': {
      if (!Array.isArray(v)) return;
      const i = step.index < 0 ? v.length + step.index : step.index;
      if (i >= 0 && i < v.length) out.push(v[i]);
      return;
    }
    case 'slice': {
      if (!Array.isArray(v)) return;
      const len = v.length;
      const norm = (n: number | undefined, dflt: number) => (n === undefined ? dflt : n < 0 ? Math.max(0, len + n) : Math.min(n, len));
      const by = step.step && step.step > 0 ? step.step : 1;
      for (let i = norm(step.start, 0); i < norm(step.end, len); i += by) out.push(v[i]);
      return;
    }
    case 'filter':
      for (const item of Array.isArray(v) ? v : [v]) if (matches(step, item)) out.push(item);
      return;
  }
}

function matches(filter: Extract<Step, { type: 'filter' }>, item: unknown): boolean {
  const left = evaluate(filter.left, [item]);
  if (filter.op === undefined) return left.length > 0;
  const right = filter.right && 'path' in filter.right ? evaluate(filter.right.path, [item]) : [filter.right?.literal];
  if (left.length === 0 || right.length === 0) return false;
  const [a, b] = [left[0], right[0]];
  switch (filter.op) {
    case '==':
      return looseEqual(a, b);
    case '!=':
      return !looseEqual(a, b);
    default: {
      if (typeof a === 'number' && typeof b === 'number') return compare(filter.op!, a, b);
      if (typeof a === 'string' && typeof b === 'string') return compare(filter.op!, a, b);
      return false;
    }
  }
}

function looseEqual(a: unknown, b: unknown): boolean {
  if (typeof a === 'number' || typeof b === 'number') return Number(a) === Number(b);
  return a === b;
}

function compare<T extends number | string>(op: string, a: T, b: T): boolean {
  if (op === '<') return a < b;
  if (op === '<=') return a <= b;
  if (op === '>') return a > b;
  return a >= b;
}
