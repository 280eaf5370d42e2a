import assert from 'node:assert/strict';
import { test } from 'node:test';
import { slowStartBatch } from './slow-start.ts';

test('slowStartBatch runs batches of 1, 2, 4, ... and stops after a failing batch', async () => {
  const cases = [
    { count: 7, failAt: undefined, batches: [1, 2, 4], successes: 7 },
    { count: 10, failAt: undefined, batches: [1, 2, 4, 3], successes: 10 },
    { count: 10, failAt: 2, batches: [1, 2], successes: 2 },
    { count: 10, failAt: 1, batches: [1], successes: 0 },
    { count: 0, failAt: undefined, batches: [], successes: 0 },
  ];
  for (const c of cases) {
    let calls = 0;
    let inFlight = 0;
    const batches: number[] = [];
    const { successes, error } = await slowStartBatch(c.count, 1, async () => {
      const n = ++calls;
      if (inFlight === 0) batches.push(0);
      inFlight++;
      batches[batches.length - 1]++;
      await Promise.resolve();
      inFlight--;
      if (n === c.failAt) throw new Error('quota');
    });
    assert.deepEqual(batches, c.batches, `count ${c.count}`);
    assert.equal(successes, c.successes);
    assert.equal(error === undefined, c.failAt === undefined);
  }
});
