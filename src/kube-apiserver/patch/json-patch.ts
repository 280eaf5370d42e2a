// JSON Patch (RFC 6902, application/json-patch+json) as the apiserver applies it through
// evanphx/json-patch v4: operations run in order on a copy of the document, the first failure
// throws a PatchError with that library's message and the input is never changed. Pointers
// (RFC 6901) unescape ~1 to "/" and ~0 to "~"; "-" appends to an array; array indices may be
// negative (counted from the end), as the library allows by default.
//
// Where v4 differs from the RFC the apiserver's behaviour is kept: `replace` of a missing member
// of an existing object adds it, `add`/`remove` at the root ("") are rejected, `replace`/`test`
// at the root work, a missing "value" means null, and `test` of a missing member passes only
// against null. Two v4 bugs are not copied: `test` compares objects in both directions, and
// `copy` from a missing member fails instead of copying null.

import { PatchError, jsonKindWord } from './patch-error.ts';
import { clone, deepEqual, get, has, isObject, put, remove, type JSONObject } from './json-value.ts';

export interface JSONPatchOperation {
  op: 'add' | 'remove' | 'replace' | 'move' | 'copy' | 'test';
  path: string;
  from?: string;
  value?: unknown;
}

/** Escapes one reference token of a JSON pointer: "~" → "~0", "/" → "~1". */
export function escapePointerToken(token: string): string {
  return token.replace(/~/g, '~0').replace(/\//g, '~1');
}

/** Unescapes one reference token of a JSON pointer: "~1" → "/", "~0" → "~". */
export function unescapePointerToken(token: string): string {
  return token.replace(/~[01]/g, (m) => (m === '~1' ? '/' : '~'));
}

/** Applies an RFC 6902 patch (an array of operations) to a document and returns the result. */
export function applyJSONPatch(document: unknown, patch: unknown): unknown {
  if (!Array.isArray(patch)) {
    throw new PatchError(`json: cannot unmarshal ${jsonKindWord(patch)} into Go value of type jsonpatch.Patch`);
  }
  for (const op of patch) {
    if (!isObject(op)) {
      throw new PatchError(`json: cannot unmarshal ${jsonKindWord(op)} into Go value of type jsonpatch.Operation`);
    }
  }
  if (!isObject(document) && !Array.isArray(document)) throw new PatchError('Invalid JSON Document');
  const root: { doc: Container } = { doc: clone(document) };
  for (const op of patch as JSONObject[]) {
    const kind = typeof op['op'] === 'string' ? op['op'] : 'unknown';
    switch (kind) {
      case 'add':
        add(root, op);
        break;
      case 'remove':
        removeOp(root, op);
        break;
      case 'replace':
        replace(root, op);
        break;
      case 'move':
        move(root, op);
        break;
      case 'copy':
        copy(root, op);
        break;
      case 'test':
        test(root, op);
        break;
      default:
        throw new PatchError(`Unexpected kind: ${kind}`);
    }
  }
  return root.doc;
}

type Container = JSONObject | unknown[];

interface Location {
  container: Container;
  key: string;
}

const missing = 'missing value';
const invalidIndex = 'invalid index referenced';

function pathOf(op: JSONObject, name: string): string {
  const path = get(op, 'path');
  if (typeof path !== 'string') throw new PatchError(`${name} operation failed to decode path: ${missing}`);
  return path;
}

function fromOf(op: JSONObject, name: string): string {
  const from = get(op, 'from');
  if (typeof from !== 'string') {
    throw new PatchError(`${name} operation failed to decode from: operation, missing from field: ${missing}`);
  }
  return from;
}

function valueOf(op: JSONObject): unknown {
  return clone(get(op, 'value') ?? null);
}

/** The container holding the pointer's last token, or undefined when any step is missing. */
function locate(doc: Container, path: string): Location | undefined {
  if (!path.startsWith('/')) return undefined;
  const tokens = path.split('/').slice(1).map(unescapePointerToken);
  const key = tokens.pop()!;
  let container: Container = doc;
  for (const token of tokens) {
    let next: unknown;
    try {
      next = read(container, token);
    } catch {
      return undefined;
    }
    if (!isObject(next) && !Array.isArray(next)) return undefined;
    container = next;
  }
  return { container, key };
}

/** Go's strconv.Atoi as the library uses it to read array indices. */
function parseIndex(token: string): number {
  if (!/^[+-]?\d+$/.test(token)) throw new Error(`strconv.Atoi: parsing ${JSON.stringify(token)}: invalid syntax`);
  const index = Number(token);
  if (!Number.isSafeInteger(index)) throw new Error(`strconv.Atoi: parsing ${JSON.stringify(token)}: value out of range`);
  return index;
}

/** An existing index of the array (negative counts from the end). */
function existingIndex(array: unknown[], token: string): number {
  let index = parseIndex(token);
  if (index < 0) {
    if (index < -array.length) throw new Error(`Unable to access invalid index: ${index}: ${invalidIndex}`);
    index += array.length;
  }
  if (index >= array.length) throw new Error(`Unable to access invalid index: ${index}: ${invalidIndex}`);
  return index;
}

/** The value at container[key]: undefined for a missing object member, throws for a bad index. */
function read(container: Container, key: string): unknown {
  if (Array.isArray(container)) return container[existingIndex(container, key)];
  return get(container, key);
}

function insert(container: Container, key: string, value: unknown): void {
  if (!Array.isArray(container)) {
    put(container, key, value);
    return;
  }
  if (key === '-') {
    container.push(value);
    return;
  }
  let index: number;
  try {
    index = parseIndex(key);
  } catch (err) {
    throw new Error(`value was not a proper array index: '${key}': ${(err as Error).message}`);
  }
  const size = container.length + 1;
  if (index >= size) throw new Error(`Unable to access invalid index: ${index}: ${invalidIndex}`);
  if (index < 0) {
    if (index < -size) throw new Error(`Unable to access invalid index: ${index}: ${invalidIndex}`);
    index += size;
  }
  container.splice(index, 0, value);
}

function erase(container: Container, key: string): void {
  if (Array.isArray(container)) {
    container.splice(existingIndex(container, key), 1);
    return;
  }
  if (!has(container, key)) throw new Error(`Unable to remove nonexistent key: ${key}: ${missing}`);
  remove(container, key);
}

function wrap<T>(prefix: string, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof PatchError) throw err;
    throw new PatchError(`${prefix}: ${(err as Error).message}`);
  }
}

function add(root: { doc: Container }, op: JSONObject): void {
  const path = pathOf(op, 'add');
  const at = locate(root.doc, path);
  if (!at) throw new PatchError(`add operation does not apply: doc is missing path: "${path}": ${missing}`);
  const value = valueOf(op);
  wrap(`error in add for path: '${path}'`, () => insert(at.container, at.key, value));
}

function removeOp(root: { doc: Container }, op: JSONObject): void {
  const path = pathOf(op, 'remove');
  const at = locate(root.doc, path);
  if (!at) throw new PatchError(`remove operation does not apply: doc is missing path: "${path}": ${missing}`);
  wrap(`error in remove for path: '${path}'`, () => erase(at.container, at.key));
}

function replace(root: { doc: Container }, op: JSONObject): void {
  const path = pathOf(op, 'replace');
  const value = valueOf(op);
  if (path === '') {
    if (!isObject(value) && !Array.isArray(value)) throw new PatchError('replace operation value must be object or array');
    root.doc = value;
    return;
  }
  const at = locate(root.doc, path);
  if (!at) throw new PatchError(`replace operation does not apply: doc is missing path: ${path}: ${missing}`);
  const { container, key } = at;
  if (Array.isArray(container)) {
    let index: number;
    try {
      index = existingIndex(container, key);
    } catch {
      throw new PatchError(`replace operation does not apply: doc is missing key: ${path}: ${missing}`);
    }
    container[index] = value;
    return;
  }
  put(container, key, value);
}

function move(root: { doc: Container }, op: JSONObject): void {
  const from = fromOf(op, 'move');
  const source = locate(root.doc, from);
  if (!source) throw new PatchError(`move operation does not apply: doc is missing from path: ${from}: ${missing}`);
  const value = wrap(`error in move for path: '${source.key}'`, () => read(source.container, source.key));
  wrap(`error in move for path: '${source.key}'`, () => erase(source.container, source.key));
  const path = pathOf(op, 'move');
  const target = locate(root.doc, path);
  if (!target) throw new PatchError(`move operation does not apply: doc is missing destination path: ${path}: ${missing}`);
  wrap(`error in move for path: '${path}'`, () => insert(target.container, target.key, value));
}

function copy(root: { doc: Container }, op: JSONObject): void {
  const from = fromOf(op, 'copy');
  const source = locate(root.doc, from);
  if (!source || (!Array.isArray(source.container) && !has(source.container, source.key))) {
    throw new PatchError(`copy operation does not apply: doc is missing from path: ${from}: ${missing}`);
  }
  const value = clone(wrap(`error in copy for from: '${from}'`, () => read(source.container, source.key)));
  const path = pathOf(op, 'copy');
  const target = locate(root.doc, path);
  if (!target) throw new PatchError(`copy operation does not apply: doc is missing destination path: ${path}: ${missing}`);
  wrap('error while adding value during copy', () => insert(target.container, target.key, value));
}

function test(root: { doc: Container }, op: JSONObject): void {
  const path = pathOf(op, 'test');
  const expected = get(op, 'value') ?? null;
  const failed = () => new PatchError(`testing value ${path} failed: test failed`);
  if (path === '') {
    if (!deepEqual(root.doc, expected)) throw failed();
    return;
  }
  const at = locate(root.doc, path);
  if (!at) throw new PatchError(`test operation does not apply: is missing path: ${path}: ${missing}`);
  const actual = wrap(`error in test for path: '${path}'`, () => read(at.container, at.key)) ?? null;
  if (!deepEqual(actual, expected)) throw failed();
}
