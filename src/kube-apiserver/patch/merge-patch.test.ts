import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createMergePatch, mergePatch } from './merge-patch.ts';
import { mutate, object, seeded } from './random-json.ts';

// RFC 7386 appendix A, then cases that pin Kubernetes-visible behaviour.
const cases: { name: string; target: unknown; patch: unknown; want: unknown }[] = [
  { name: 'A.1', target: { a: 'b' }, patch: { a: 'c' }, want: { a: 'c' } },
  { name: 'A.2', target: { a: 'b' }, patch: { b: 'c' }, want: { a: 'b', b: 'c' } },
  { name: 'A.3', target: { a: 'b' }, patch: { a: null }, want: {} },
  { name: 'A.4', target: { a: 'b', b: 'c' }, patch: { a: null }, want: { b: 'c' } },
  { name: 'A.5', target: { a: ['b'] }, patch: { a: 'c' }, want: { a: 'c' } },
  { name: 'A.6', target: { a: 'c' }, patch: { a: ['b'] }, want: { a: ['b'] } },
  { name: 'A.7', target: { a: { b: 'c' } }, patch: { a: { b: 'd', c: null } }, want: { a: { b: 'd' } } },
  { name: 'A.8', target: { a: [{ b: 'c' }] }, patch: { a: [1] }, want: { a: [1] } },
  { name: 'A.9', target: ['a', 'b'], patch: ['c', 'd'], want: ['c', 'd'] },
  { name: 'A.10', target: { a: 'b' }, patch: ['c'], want: ['c'] },
  { name: 'A.11', target: { a: 'foo' }, patch: null, want: null },
  { name: 'A.12', target: { a: 'foo' }, patch: 'bar', want: 'bar' },
  { name: 'A.13', target: { e: null }, patch: { a: 1 }, want: { e: null, a: 1 } },
  { name: 'A.14', target: [1, 2], patch: { a: 'b', c: null }, want: { a: 'b' } },
  { name: 'A.15', target: {}, patch: { a: { bb: { ccc: null } } }, want: { a: { bb: {} } } },
  {
    name: 'null deletes a label',
    target: { metadata: { labels: { app: 'web', tier: 'fe' } } },
    patch: { metadata: { labels: { tier: null } } },
    want: { metadata: { labels: { app: 'web' } } },
  },
  {
    name: 'lists are replaced, not merged',
    target: { spec: { containers: [{ name: 'a', image: 'x' }, { name: 'b' }] } },
    patch: { spec: { containers: [{ name: 'a', image: 'y' }] } },
    want: { spec: { containers: [{ name: 'a', image: 'y' }] } },
  },
  {
    name: 'objects inside an adopted list lose null members, nulls in the list stay',
    target: {},
    patch: { a: [{ x: null, y: 1 }, null, [null]] },
    want: { a: [{ y: 1 }, null, [null]] },
  },
  { name: 'deleting a missing member is a no-op', target: { a: 1 }, patch: { b: null }, want: { a: 1 } },
  { name: '__proto__ is an ordinary member', target: {}, patch: JSON.parse('{"__proto__":{"x":1}}'), want: JSON.parse('{"__proto__":{"x":1}}') },
];

for (const c of cases) {
  test(`merge patch: ${c.name}`, () => {
    const target = structuredClone(c.target);
    const patch = structuredClone(c.patch);
    const got = mergePatch(c.target, c.patch);
    assert.equal(JSON.stringify(got), JSON.stringify(c.want));
    assert.deepEqual(got, c.want);
    assert.deepEqual(c.target, target, 'target was changed');
    assert.deepEqual(c.patch, patch, 'patch was changed');
  });
}

test('merge patch: the result shares nothing with its inputs', () => {
  const target = { a: { b: [1] } };
  const patch = { c: { d: [2] } };
  const got = mergePatch(target, patch) as { a: { b: number[] }; c: { d: number[] } };
  got.a.b.push(9);
  got.c.d.push(9);
  assert.deepEqual(target, { a: { b: [1] } });
  assert.deepEqual(patch, { c: { d: [2] } });
});

test('createMergePatch: the minimal diff', () => {
  const original = { metadata: { name: 'x', labels: { a: '1', b: '2' } }, spec: { replicas: 1, list: [1, 2] } };
  const modified = { metadata: { name: 'x', labels: { a: '1', c: '3' } }, spec: { replicas: 1, list: [2, 1] } };
  assert.deepEqual(createMergePatch(original, modified), { metadata: { labels: { b: null, c: '3' } }, spec: { list: [2, 1] } });
  assert.deepEqual(createMergePatch(original, structuredClone(original)), {});
  assert.deepEqual(createMergePatch({ a: 1 }, { a: '1' }), { a: '1' });
  assert.deepEqual(createMergePatch({ a: {} }, { a: [] }), { a: [] });
});

test('createMergePatch: property: mergePatch(a, createMergePatch(a, b)) equals b', () => {
  for (let seed = 1; seed <= 2000; seed++) {
    const random = seeded(seed);
    const a = object(random, 4, { nullInArrays: true });
    const b = random() < 0.7 ? (mutate(random, a, 4, { nullInArrays: true }) as Record<string, unknown>) : object(random, 4, { nullInArrays: true });
    const aBefore = structuredClone(a);
    const bBefore = structuredClone(b);
    const patch = createMergePatch(a, b);
    const got = mergePatch(a, JSON.parse(JSON.stringify(patch)));
    assert.deepEqual(got, b, `seed ${seed}: a=${JSON.stringify(a)} b=${JSON.stringify(b)} patch=${JSON.stringify(patch)}`);
    assert.deepEqual(a, aBefore);
    assert.deepEqual(b, bBefore);
  }
});
