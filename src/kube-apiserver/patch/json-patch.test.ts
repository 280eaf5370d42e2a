import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyJSONPatch, escapePointerToken, unescapePointerToken } from './json-patch.ts';
import { PatchError } from './patch-error.ts';

interface Case {
  name: string;
  doc: unknown;
  patch: unknown;
  want?: unknown;
  error?: string;
}

// RFC 6902 appendix A, then evanphx/json-patch v4 behaviour the apiserver exposes.
const cases: Case[] = [
  { name: 'A.1 add an object member', doc: { foo: 'bar' }, patch: [{ op: 'add', path: '/baz', value: 'qux' }], want: { foo: 'bar', baz: 'qux' } },
  {
    name: 'A.2 add an array element',
    doc: { foo: ['bar', 'baz'] },
    patch: [{ op: 'add', path: '/foo/1', value: 'qux' }],
    want: { foo: ['bar', 'qux', 'baz'] },
  },
  { name: 'A.3 remove an object member', doc: { baz: 'qux', foo: 'bar' }, patch: [{ op: 'remove', path: '/baz' }], want: { foo: 'bar' } },
  { name: 'A.4 remove an array element', doc: { foo: ['bar', 'qux', 'baz'] }, patch: [{ op: 'remove', path: '/foo/1' }], want: { foo: ['bar', 'baz'] } },
  {
    name: 'A.5 replace a value',
    doc: { baz: 'qux', foo: 'bar' },
    patch: [{ op: 'replace', path: '/baz', value: 'boo' }],
    want: { baz: 'boo', foo: 'bar' },
  },
  {
    name: 'A.6 move a value',
    doc: { foo: { bar: 'baz', waldo: 'fred' }, qux: { corge: 'grault' } },
    patch: [{ op: 'move', from: '/foo/waldo', path: '/qux/thud' }],
    want: { foo: { bar: 'baz' }, qux: { corge: 'grault', thud: 'fred' } },
  },
  {
    name: 'A.7 move an array element',
    doc: { foo: ['all', 'grass', 'cows', 'eat'] },
    patch: [{ op: 'move', from: '/foo/1', path: '/foo/3' }],
    want: { foo: ['all', 'cows', 'eat', 'grass'] },
  },
  {
    name: 'A.8 test success',
    doc: { baz: 'qux', foo: ['a', 2, 'c'] },
    patch: [
      { op: 'test', path: '/baz', value: 'qux' },
      { op: 'test', path: '/foo/1', value: 2 },
    ],
    want: { baz: 'qux', foo: ['a', 2, 'c'] },
  },
  { name: 'A.9 test failure', doc: { baz: 'qux' }, patch: [{ op: 'test', path: '/baz', value: 'bar' }], error: 'testing value /baz failed: test failed' },
  {
    name: 'A.10 add a nested member object',
    doc: { foo: 'bar' },
    patch: [{ op: 'add', path: '/child', value: { grandchild: {} } }],
    want: { foo: 'bar', child: { grandchild: {} } },
  },
  {
    name: 'A.11 ignore unrecognized members',
    doc: { foo: 'bar' },
    patch: [{ op: 'add', path: '/baz', value: 'qux', xyz: 123 }],
    want: { foo: 'bar', baz: 'qux' },
  },
  {
    name: 'A.12 add to a nonexistent target',
    doc: { foo: 'bar' },
    patch: [{ op: 'add', path: '/baz/bat', value: 'qux' }],
    error: 'add operation does not apply: doc is missing path: "/baz/bat": missing value',
  },
  {
    name: 'A.14 ~ escape ordering',
    doc: { '/': 9, '~1': 10 },
    patch: [{ op: 'test', path: '/~01', value: 10 }],
    want: { '/': 9, '~1': 10 },
  },
  {
    name: 'A.15 comparing strings and numbers',
    doc: { '/': 9, '~1': 10 },
    patch: [{ op: 'test', path: '/~01', value: '10' }],
    error: 'testing value /~01 failed: test failed',
  },
  {
    name: 'A.16 add an array value',
    doc: { foo: ['bar'] },
    patch: [{ op: 'add', path: '/foo/-', value: ['abc', 'def'] }],
    want: { foo: ['bar', ['abc', 'def']] },
  },
  {
    name: 'add a label with ~1 in the key',
    doc: { metadata: { labels: {} } },
    patch: [{ op: 'add', path: '/metadata/labels/app.kubernetes.io~1name', value: 'web' }],
    want: { metadata: { labels: { 'app.kubernetes.io/name': 'web' } } },
  },
  {
    name: 'add replaces an existing member',
    doc: { spec: { replicas: 1 } },
    patch: [{ op: 'add', path: '/spec/replicas', value: 3 }],
    want: { spec: { replicas: 3 } },
  },
  {
    name: 'add at the end index appends',
    doc: { a: [1, 2] },
    patch: [{ op: 'add', path: '/a/2', value: 3 }],
    want: { a: [1, 2, 3] },
  },
  {
    name: 'add past the end fails',
    doc: { a: [1, 2] },
    patch: [{ op: 'add', path: '/a/3', value: 3 }],
    error: "error in add for path: '/a/3': Unable to access invalid index: 3: invalid index referenced",
  },
  {
    name: 'add with a non-numeric index fails',
    doc: { a: [1] },
    patch: [{ op: 'add', path: '/a/x', value: 3 }],
    error: `error in add for path: '/a/x': value was not a proper array index: 'x': strconv.Atoi: parsing "x": invalid syntax`,
  },
  { name: 'negative index counts from the end', doc: { a: [1, 2, 3] }, patch: [{ op: 'remove', path: '/a/-1' }], want: { a: [1, 2] } },
  { name: 'add at -1 appends', doc: { a: [1, 2] }, patch: [{ op: 'add', path: '/a/-1', value: 9 }], want: { a: [1, 2, 9] } },
  {
    name: 'remove a missing member fails',
    doc: { spec: {} },
    patch: [{ op: 'remove', path: '/spec/foo' }],
    error: "error in remove for path: '/spec/foo': Unable to remove nonexistent key: foo: missing value",
  },
  {
    name: 'remove below a missing member fails',
    doc: {},
    patch: [{ op: 'remove', path: '/spec/foo' }],
    error: 'remove operation does not apply: doc is missing path: "/spec/foo": missing value',
  },
  {
    name: 'remove past the end fails',
    doc: { a: [1] },
    patch: [{ op: 'remove', path: '/a/1' }],
    error: "error in remove for path: '/a/1': Unable to access invalid index: 1: invalid index referenced",
  },
  {
    name: 'remove with - fails',
    doc: { a: [1] },
    patch: [{ op: 'remove', path: '/a/-' }],
    error: `error in remove for path: '/a/-': strconv.Atoi: parsing "-": invalid syntax`,
  },
  {
    name: 'replace of a missing member adds it (evanphx v4)',
    doc: { metadata: { labels: { a: '1' } } },
    patch: [{ op: 'replace', path: '/metadata/labels/b', value: '2' }],
    want: { metadata: { labels: { a: '1', b: '2' } } },
  },
  {
    name: 'replace below a missing member fails',
    doc: { metadata: {} },
    patch: [{ op: 'replace', path: '/metadata/labels/b', value: '2' }],
    error: 'replace operation does not apply: doc is missing path: /metadata/labels/b: missing value',
  },
  {
    name: 'replace past the end fails',
    doc: { a: [1] },
    patch: [{ op: 'replace', path: '/a/1', value: 2 }],
    error: 'replace operation does not apply: doc is missing key: /a/1: missing value',
  },
  { name: 'replace the whole document', doc: { a: 1 }, patch: [{ op: 'replace', path: '', value: { b: 2 } }], want: { b: 2 } },
  {
    name: 'add at the root fails',
    doc: { a: 1 },
    patch: [{ op: 'add', path: '', value: { b: 2 } }],
    error: 'add operation does not apply: doc is missing path: "": missing value',
  },
  {
    name: 'copy deep-copies the value',
    doc: { a: { b: [1] } },
    patch: [
      { op: 'copy', from: '/a', path: '/c' },
      { op: 'add', path: '/c/b/-', value: 2 },
    ],
    want: { a: { b: [1] }, c: { b: [1, 2] } },
  },
  {
    name: 'copy from a missing member fails',
    doc: { a: {} },
    patch: [{ op: 'copy', from: '/a/x', path: '/b' }],
    error: 'copy operation does not apply: doc is missing from path: /a/x: missing value',
  },
  {
    name: 'move from a missing member fails',
    doc: { a: {} },
    patch: [{ op: 'move', from: '/a/x', path: '/b' }],
    error: "error in move for path: 'x': Unable to remove nonexistent key: x: missing value",
  },
  {
    name: 'move into its own child fails',
    doc: { a: { b: 1 } },
    patch: [{ op: 'move', from: '/a', path: '/a/c' }],
    error: 'move operation does not apply: doc is missing destination path: /a/c: missing value',
  },
  {
    name: 'test of a label that differs',
    doc: { metadata: { labels: { a: 'x' } } },
    patch: [{ op: 'test', path: '/metadata/labels/a', value: 'y' }],
    error: 'testing value /metadata/labels/a failed: test failed',
  },
  {
    name: 'test compares objects both ways',
    doc: { a: { x: 1 } },
    patch: [{ op: 'test', path: '/a', value: { x: 1, y: 2 } }],
    error: 'testing value /a failed: test failed',
  },
  {
    name: 'test compares deeply regardless of key order',
    doc: { a: { x: 1, y: [1, { z: null }] } },
    patch: [{ op: 'test', path: '/a', value: { y: [1, { z: null }], x: 1 } }],
    want: { a: { x: 1, y: [1, { z: null }] } },
  },
  { name: 'test of a missing member against null passes', doc: { a: {} }, patch: [{ op: 'test', path: '/a/b', value: null }], want: { a: {} } },
  {
    name: 'test of a missing member against a value fails',
    doc: { a: {} },
    patch: [{ op: 'test', path: '/a/b', value: 1 }],
    error: 'testing value /a/b failed: test failed',
  },
  { name: 'test of the whole document', doc: { a: 1 }, patch: [{ op: 'test', path: '', value: { a: 1 } }], want: { a: 1 } },
  {
    name: 'a failed test stops the patch',
    doc: { a: 1 },
    patch: [
      { op: 'test', path: '/a', value: 2 },
      { op: 'remove', path: '/a' },
    ],
    error: 'testing value /a failed: test failed',
  },
  { name: 'unknown op', doc: {}, patch: [{ op: 'frobnicate', path: '/a' }], error: 'Unexpected kind: frobnicate' },
  { name: 'missing op', doc: {}, patch: [{ path: '/a' }], error: 'Unexpected kind: unknown' },
  { name: 'missing path', doc: {}, patch: [{ op: 'add', value: 1 }], error: 'add operation failed to decode path: missing value' },
  {
    name: 'missing from',
    doc: {},
    patch: [{ op: 'move', path: '/a' }],
    error: 'move operation failed to decode from: operation, missing from field: missing value',
  },
  { name: 'patch must be an array', doc: {}, patch: { op: 'add' }, error: 'json: cannot unmarshal object into Go value of type jsonpatch.Patch' },
  { name: 'add without value adds null', doc: {}, patch: [{ op: 'add', path: '/a' }], want: { a: null } },
  {
    name: '__proto__ is an ordinary member',
    doc: {},
    patch: [{ op: 'add', path: '/__proto__', value: { polluted: true } }],
    want: JSON.parse('{"__proto__":{"polluted":true}}'),
  },
  {
    name: 'a path that does not start with / is missing',
    doc: { a: 1 },
    patch: [{ op: 'remove', path: 'a' }],
    error: 'remove operation does not apply: doc is missing path: "a": missing value',
  },
  { name: 'through a scalar is missing', doc: { a: 1 }, patch: [{ op: 'add', path: '/a/b', value: 1 }], error: 'add operation does not apply: doc is missing path: "/a/b": missing value' },
];

for (const c of cases) {
  test(`json patch: ${c.name}`, () => {
    const before = structuredClone(c.doc);
    const patchBefore = structuredClone(c.patch);
    if (c.error !== undefined) {
      assert.throws(() => applyJSONPatch(c.doc, c.patch), (err: unknown) => {
        assert.ok(err instanceof PatchError, `not a PatchError: ${String(err)}`);
        assert.equal(err.message, c.error);
        return true;
      });
    } else {
      const got = applyJSONPatch(c.doc, c.patch);
      assert.equal(JSON.stringify(got), JSON.stringify(c.want));
      assert.deepEqual(got, c.want);
    }
    assert.deepEqual(c.doc, before, 'document was changed');
    assert.deepEqual(c.patch, patchBefore, 'patch was changed');
    assert.equal(({} as Record<string, unknown>)['polluted'], undefined);
  });
}

test('json patch: the result shares nothing with the patch', () => {
  const value = { nested: { x: 1 } };
  const got = applyJSONPatch({}, [{ op: 'add', path: '/a', value }]) as { a: { nested: { x: number } } };
  got.a.nested.x = 2;
  assert.equal(value.nested.x, 1);
});

test('json patch: pointer escaping round-trips', () => {
  for (const token of ['a/b', '~', '~1', 'x~0/y', '', 'plain']) {
    assert.equal(unescapePointerToken(escapePointerToken(token)), token);
  }
  assert.equal(escapePointerToken('app.kubernetes.io/name'), 'app.kubernetes.io~1name');
  assert.equal(unescapePointerToken('~01'), '~1');
});
