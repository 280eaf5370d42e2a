// Field sets as structured-merge-diff's fieldpath.Set: a trie of path elements in which a path
// is a member or only leads to members. Path elements are `f:<field>` (a field of an object),
// `k:{"name":"x"}` (a list-map element by its key fields, sorted by name), `v:<json>` (a set
// element) and `i:<index>` (an element of a list without keys). The `fieldsV1` wire form
// is upstream's: members and children ordered by path element (fields by name, then keys,
// then values, then indices), a node that is itself a member carries "." first, a member
// without children is `{}`. Path strings (`.spec.containers[name="web"].image`) read as in
// upstream's conflict messages. Sets are values: operations return new sets and leave their
// arguments alone.

import { isObject } from '../patch/json-value.ts';

export type PathElement =
  | { readonly field: string }
  | { readonly key: readonly (readonly [string, unknown])[] }
  | { readonly value: unknown }
  | { readonly index: number };

export type Path = readonly PathElement[];

/** A malformed fieldsV1 document. */
export class FieldsError extends Error {}

export function fieldElement(field: string): PathElement {
  return { field };
}

/** A list-map element's path element; the key fields are sorted by name, as upstream. */
export function keyElement(fields: (readonly [string, unknown])[]): PathElement {
  return { key: [...fields].sort((a, b) => compareStrings(a[0], b[0])) };
}

/** The element's `fieldsV1` form, which also identifies it. */
export function elementString(pe: PathElement): string {
  if ('field' in pe) return `f:${pe.field}`;
  if ('key' in pe) return `k:{${pe.key.map(([n, v]) => `${JSON.stringify(n)}:${jsonString(v)}`).join(',')}}`;
  if ('value' in pe) return `v:${jsonString(pe.value)}`;
  return `i:${pe.index}`;
}

/** Parses a `fieldsV1` key; undefined for an element type this version does not know (skipped, as upstream). */
export function parseElement(s: string): PathElement | undefined {
  const colon = s.indexOf(':');
  if (colon < 0) throw new FieldsError(`missing colon: ${s}`);
  const body = s.slice(colon + 1);
  switch (s.slice(0, colon)) {
    case 'f':
      return { field: body };
    case 'v':
      return { value: parseJSON(body) };
    case 'i': {
      if (!/^-?\d+$/.test(body)) throw new FieldsError(`strconv.Atoi: parsing ${JSON.stringify(body)}: invalid syntax`);
      return { index: Number(body) };
    }
    case 'k': {
      const fields = parseJSON(body);
      if (!isObject(fields)) throw new FieldsError(`key is not an object: ${body}`);
      return keyElement(Object.entries(fields));
    }
    default:
      return undefined;
  }
}

function parseJSON(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new FieldsError((err as Error).message);
  }
}

/** JSON with object members sorted, so equal values serialise alike. */
function jsonString(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(jsonString).join(',')}]`;
  if (isObject(value)) {
    return `{${Object.keys(value).sort(compareStrings).map((k) => `${JSON.stringify(k)}:${jsonString(value[k])}`).join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

/** Go's strings.Compare (UTF-16 order equals UTF-8 byte order below U+E000). */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Upstream's value order: numbers, strings, booleans, lists, maps, null. */
export function compareValues(a: unknown, b: unknown): number {
  const rank = (v: unknown): number => {
    if (typeof v === 'number') return 0;
    if (typeof v === 'string') return 1;
    if (typeof v === 'boolean') return 2;
    if (Array.isArray(v)) return 3;
    if (isObject(v)) return 4;
    return 5;
  };
  const ra = rank(a);
  const rb = rank(b);
  if (ra !== rb) return ra - rb;
  switch (ra) {
    case 0:
      return Math.sign((a as number) - (b as number));
    case 1:
      return compareStrings(a as string, b as string);
    case 2:
      return Number(a) - Number(b);
    case 3: {
      const x = a as unknown[];
      const y = b as unknown[];
      for (let i = 0; i < Math.min(x.length, y.length); i++) {
        const c = compareValues(x[i], y[i]);
        if (c !== 0) return c;
      }
      return x.length - y.length;
    }
    case 4: {
      const x = Object.keys(a as object).sort(compareStrings);
      const y = Object.keys(b as object).sort(compareStrings);
      for (let i = 0; i < Math.min(x.length, y.length); i++) {
        const c = compareStrings(x[i], y[i]) || compareValues((a as Record<string, unknown>)[x[i]], (b as Record<string, unknown>)[y[i]]);
        if (c !== 0) return c;
      }
      return x.length - y.length;
    }
    default:
      return 0;
  }
}

/** Upstream's path element order: fields, then keys, then values, then indices. */
export function compareElements(a: PathElement, b: PathElement): number {
  const rank = (pe: PathElement) => ('field' in pe ? 0 : 'key' in pe ? 1 : 'value' in pe ? 2 : 3);
  const ra = rank(a);
  const rb = rank(b);
  if (ra !== rb) return ra - rb;
  if ('field' in a && 'field' in b) return compareStrings(a.field, b.field);
  if ('key' in a && 'key' in b) {
    for (let i = 0; ; i++) {
      if (i >= a.key.length && i >= b.key.length) return 0;
      if (i >= a.key.length) return -1;
      if (i >= b.key.length) return 1;
      const c = compareStrings(a.key[i][0], b.key[i][0]) || compareValues(a.key[i][1], b.key[i][1]);
      if (c !== 0) return c;
    }
  }
  if ('value' in a && 'value' in b) return compareValues(a.value, b.value);
  return (a as { index: number }).index - (b as { index: number }).index;
}

/** Go's value.ToString, as conflict messages print key values. */
function valueString(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return `[${v.map(valueString).join(',')}]`;
  return Object.entries(v as object).map(([k, x]) => `${k}=${valueString(x)}`).join('');
}

export function elementLabel(pe: PathElement): string {
  if ('field' in pe) return `.${pe.field}`;
  if ('key' in pe) return `[${pe.key.map(([n, v]) => `${n}=${valueString(v)}`).join(',')}]`;
  if ('value' in pe) return `[=${valueString(pe.value)}]`;
  return `[${pe.index}]`;
}

/** A path as upstream prints it: `.spec.template.spec.containers[name="web"].image`. */
export function pathString(path: Path): string {
  return path.map(elementLabel).join('');
}

interface Child {
  pe: PathElement;
  set: FieldSet;
}

export class FieldSet {
  /** Members at this level, by element string. */
  readonly members = new Map<string, PathElement>();
  /** Sub-sets under an element, by element string; never empty. */
  readonly children = new Map<string, Child>();

  static of(...paths: Path[]): FieldSet {
    const s = new FieldSet();
    for (const p of paths) s.insert(p);
    return s;
  }

  /** Adds a path (in place; for building a set). */
  insert(path: Path): void {
    if (path.length === 0) return;
    let node: FieldSet = this;
    for (let i = 0; i < path.length - 1; i++) {
      const k = elementString(path[i]);
      let child = node.children.get(k);
      if (!child) {
        child = { pe: path[i], set: new FieldSet() };
        node.children.set(k, child);
      }
      node = child.set;
    }
    const last = path[path.length - 1];
    node.members.set(elementString(last), last);
  }

  has(path: Path): boolean {
    if (path.length === 0) return false;
    let node: FieldSet | undefined = this;
    for (let i = 0; i < path.length - 1 && node; i++) node = node.children.get(elementString(path[i]))?.set;
    return node !== undefined && node.members.has(elementString(path[path.length - 1]));
  }

  hasMember(pe: PathElement): boolean {
    return this.members.has(elementString(pe));
  }

  /** The paths below pe (without pe), or an empty set. */
  withPrefix(pe: PathElement): FieldSet {
    return this.children.get(elementString(pe))?.set ?? empty;
  }

  empty(): boolean {
    return this.members.size === 0 && this.children.size === 0;
  }

  copy(): FieldSet {
    const s = new FieldSet();
    for (const [k, pe] of this.members) s.members.set(k, pe);
    for (const [k, c] of this.children) s.children.set(k, { pe: c.pe, set: c.set.copy() });
    return s;
  }

  union(other: FieldSet): FieldSet {
    const s = this.copy();
    for (const [k, pe] of other.members) s.members.set(k, pe);
    for (const [k, c] of other.children) {
      const mine = s.children.get(k);
      s.children.set(k, { pe: c.pe, set: mine ? mine.set.union(c.set) : c.set.copy() });
    }
    return s;
  }

  intersection(other: FieldSet): FieldSet {
    const s = new FieldSet();
    for (const [k, pe] of this.members) if (other.members.has(k)) s.members.set(k, pe);
    for (const [k, c] of this.children) {
      const theirs = other.children.get(k);
      if (!theirs) continue;
      const sub = c.set.intersection(theirs.set);
      if (!sub.empty()) s.children.set(k, { pe: c.pe, set: sub });
    }
    return s;
  }

  /** The paths of this set that are not paths of other (a parent minus its child is the parent). */
  difference(other: FieldSet): FieldSet {
    const s = new FieldSet();
    for (const [k, pe] of this.members) if (!other.members.has(k)) s.members.set(k, pe);
    for (const [k, c] of this.children) {
      const theirs = other.children.get(k);
      const sub = theirs ? c.set.difference(theirs.set) : c.set.copy();
      if (!sub.empty()) s.children.set(k, { pe: c.pe, set: sub });
    }
    return s;
  }

  /** Like difference, but a member of other also removes everything below it. */
  recursiveDifference(other: FieldSet): FieldSet {
    const s = new FieldSet();
    for (const [k, pe] of this.members) if (!other.members.has(k)) s.members.set(k, pe);
    for (const [k, c] of this.children) {
      if (other.members.has(k)) continue;
      const theirs = other.children.get(k);
      const sub = theirs ? c.set.recursiveDifference(theirs.set) : c.set.copy();
      if (!sub.empty()) s.children.set(k, { pe: c.pe, set: sub });
    }
    return s;
  }

  equals(other: FieldSet): boolean {
    return JSON.stringify(this.toFields()) === JSON.stringify(other.toFields());
  }

  /** Every member path, in upstream's order. */
  paths(): PathElement[][] {
    const out: PathElement[][] = [];
    const walk = (set: FieldSet, prefix: PathElement[]) => {
      for (const { pe, member, child } of set.#entries()) {
        if (member) out.push([...prefix, pe]);
        if (child) walk(child, [...prefix, pe]);
      }
    };
    walk(this, []);
    return out;
  }

  *#entries(): Generator<{ pe: PathElement; key: string; member: boolean; child: FieldSet | undefined }> {
    const keys = new Map<string, PathElement>(this.members);
    for (const [k, c] of this.children) keys.set(k, c.pe);
    const sorted = [...keys].sort((a, b) => compareElements(a[1], b[1]));
    for (const [key, pe] of sorted) yield { pe, key, member: this.members.has(key), child: this.children.get(key)?.set };
  }

  /** The `fieldsV1` form. */
  toFields(): Record<string, unknown> {
    return this.#emit(false);
  }

  #emit(self: boolean): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    if (self) out['.'] = {};
    for (const { key, member, child } of this.#entries()) out[key] = child ? child.#emit(member) : {};
    return out;
  }

  /** Reads a `fieldsV1` document; throws FieldsError when it is not one. */
  static fromFields(fields: unknown): FieldSet {
    if (!isObject(fields)) throw new FieldsError('fieldsV1 must be an object');
    return read(fields).set ?? new FieldSet();
  }
}

const empty = new FieldSet();

function read(fields: Record<string, unknown>): { set: FieldSet | undefined; member: boolean } {
  let set: FieldSet | undefined;
  let member = false;
  for (const [key, value] of Object.entries(fields)) {
    if (!isObject(value)) throw new FieldsError(`expected an object for ${JSON.stringify(key)}`);
    if (key === '.') {
      member = true;
      continue;
    }
    const pe = parseElement(key);
    if (!pe) continue;
    const sub = read(value);
    set ??= new FieldSet();
    const k = elementString(pe);
    if (sub.member) set.members.set(k, pe);
    if (sub.set) set.children.set(k, { pe, set: sub.set });
  }
  if (!set) member = true;
  return { set, member };
}
