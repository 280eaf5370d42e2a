import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatIndexes, parseIntervals } from './indexed.ts';
import { matchSuccessPolicy } from './success-policy.ts';

test('index lists are written as upstream does and read back leniently', () => {
  assert.equal(formatIndexes([]), '');
  assert.equal(formatIndexes([3, 1, 2, 9, 7, 8, 5]), '1-3,5,7-9');
  assert.equal(formatIndexes([0, 1, 4]), '0,1,4');
  assert.deepEqual(parseIntervals('0-2,5,7,8', 10), [[0, 2], [5, 5], [7, 8]]);
  assert.deepEqual(parseIntervals('1,x,3-y,4-20', 10), [[1, 1], [4, 9]]);
  assert.deepEqual(parseIntervals('2,12,13', 10), [[2, 2]]);
  assert.deepEqual(parseIntervals(undefined, 10), []);
});

test('matchSuccessPolicy', () => {
  const cases = [
    { name: 'no policy', policy: undefined, succeeded: [0, 1], want: undefined },
    { name: 'nothing succeeded yet', policy: { rules: [{ succeededCount: 0 }] }, succeeded: [], want: undefined },
    { name: 'all required indexes', policy: { rules: [{ succeededIndexes: '0,2-3' }] }, succeeded: [0, 2, 3], want: 'Matched rules at index 0' },
    { name: 'a required index missing', policy: { rules: [{ succeededIndexes: '0,2-3' }] }, succeeded: [0, 1, 2, 4], want: undefined },
    { name: 'count within the indexes, as the API docs example', policy: { rules: [{ succeededIndexes: '1-4', succeededCount: 3 }] }, succeeded: [1, 3, 5], want: undefined },
    { name: 'count within the indexes met', policy: { rules: [{ succeededIndexes: '1-4', succeededCount: 2 }] }, succeeded: [1, 3, 5], want: 'Matched rules at index 0' },
    { name: 'count alone', policy: { rules: [{ succeededIndexes: '9' }, { succeededCount: 3 }] }, succeeded: [0, 5, 7], want: 'Matched rules at index 1' },
    { name: 'unparsable indexes are skipped', policy: { rules: [{ succeededIndexes: 'x' }, { succeededCount: 1 }] }, succeeded: [4], want: 'Matched rules at index 1' },
  ];
  for (const c of cases) assert.equal(matchSuccessPolicy(c.policy, 10, new Set(c.succeeded)), c.want, c.name);
});
