import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FakeClock } from '../machinery/fake-clock.ts';
import { BucketRateLimiter, defaultControllerRateLimiter, ItemExponentialFailureRateLimiter, ItemFastSlowRateLimiter, MaxOfRateLimiter } from './rate-limiter.ts';
import { WorkQueue, type GetResult } from './workqueue.ts';

const flush = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Whether a promise has settled yet, and with what. */
function track<T>(p: Promise<T>): { settled: boolean; value?: T } {
  const state: { settled: boolean; value?: T } = { settled: false };
  void p.then((v) => {
    state.settled = true;
    state.value = v;
  });
  return state;
}

async function drain(q: WorkQueue<string>): Promise<string[]> {
  const out: string[] = [];
  while (q.len() > 0) {
    const r = await q.get();
    assert.equal(r.shutdown, false);
    out.push(r.item!);
    q.done(r.item!);
  }
  return out;
}

describe('WorkQueue', () => {
  it('queues an item once however often it is added, in FIFO order', async () => {
    const q = new WorkQueue<string>({ clock: new FakeClock() });
    q.add('a');
    q.add('b');
    q.add('a');
    q.add('c');
    q.add('b');
    assert.equal(q.len(), 3);
    assert.deepEqual(await drain(q), ['a', 'b', 'c']);
    q.shutDown();
  });

  it('never hands out an item being processed; one re-added meanwhile comes back after done', async () => {
    const q = new WorkQueue<string>({ clock: new FakeClock() });
    q.add('a');
    const first = await q.get();
    assert.deepEqual(first, { item: 'a', shutdown: false });
    q.add('a');
    q.add('a');
    assert.equal(q.len(), 0, 'not queued while processing');
    const second = track(q.get());
    await flush();
    assert.equal(second.settled, false);
    q.done('a');
    await flush();
    assert.deepEqual(second.value, { item: 'a', shutdown: false });
    q.done('a');
    assert.equal(q.len(), 0, 'done without a re-add queues nothing');
    q.shutDown();
  });

  it('get waits for an item; waiting callers are served in order', async () => {
    const q = new WorkQueue<string>({ clock: new FakeClock() });
    const g1 = track(q.get());
    const g2 = track(q.get());
    await flush();
    assert.equal(g1.settled, false);
    q.add('x');
    await flush();
    assert.deepEqual(g1.value, { item: 'x', shutdown: false });
    assert.equal(g2.settled, false);
    q.add('y');
    await flush();
    assert.deepEqual(g2.value, { item: 'y', shutdown: false });
    q.shutDown();
  });

  it('addAfter adds when the delay has passed, in deadline order, earliest deadline winning', async () => {
    const clock = new FakeClock();
    const q = new WorkQueue<string>({ clock });
    q.addAfter('late', 100);
    q.addAfter('early', 50);
    q.addAfter('late2', 100);
    q.addAfter('now', 0);
    q.addAfter('x', 100);
    q.addAfter('x', 10); // earlier deadline replaces the later one
    q.addAfter('y', 10);
    q.addAfter('y', 100); // later deadline is ignored
    assert.deepEqual(await drain(q), ['now']);
    clock.advance(9);
    assert.equal(q.len(), 0);
    clock.advance(1);
    assert.deepEqual(await drain(q), ['x', 'y']);
    clock.advance(39);
    assert.equal(q.len(), 0);
    clock.advance(1);
    assert.deepEqual(await drain(q), ['early']);
    clock.advance(50);
    assert.deepEqual(await drain(q), ['late', 'late2']);
    clock.advance(1000);
    assert.equal(q.len(), 0, 'y and x are not added a second time');
    assert.equal(clock.pendingTimers, 0);
    q.shutDown();
  });

  it('a delayed item already queued is not queued twice', async () => {
    const clock = new FakeClock();
    const q = new WorkQueue<string>({ clock });
    q.add('a');
    q.addAfter('a', 10);
    clock.advance(10);
    assert.equal(q.len(), 1);
    q.shutDown();
  });

  it('addRateLimited backs off per item exponentially from 5 ms; forget starts over', async () => {
    const clock = new FakeClock();
    const q = new WorkQueue<string>({ clock });
    const delays: number[] = [];
    for (let i = 0; i < 6; i++) {
      q.addRateLimited('a');
      const start = clock.now();
      while (q.len() === 0) clock.advance(1);
      delays.push(clock.now() - start);
      const r = await q.get();
      q.done(r.item!);
    }
    assert.deepEqual(delays, [5, 10, 20, 40, 80, 160]);
    assert.equal(q.numRequeues('a'), 6);
    assert.equal(q.numRequeues('b'), 0);
    q.forget('a');
    assert.equal(q.numRequeues('a'), 0);
    q.addRateLimited('a');
    clock.advance(4);
    assert.equal(q.len(), 0);
    clock.advance(1);
    assert.equal(q.len(), 1);
    q.shutDown();
  });

  it('shutDown: queued items are still handed out, then get resolves shutdown; adds and delays are dropped', async () => {
    const clock = new FakeClock();
    const q = new WorkQueue<string>({ clock });
    const idle = new WorkQueue<string>({ clock });
    const waiting = track(idle.get());
    q.add('a');
    q.addAfter('later', 100);
    q.shutDown();
    idle.shutDown();
    await flush();
    assert.deepEqual(waiting.value, { item: undefined, shutdown: true });
    assert.equal(q.shuttingDown(), true);
    q.add('b');
    assert.equal(q.len(), 1);
    assert.deepEqual(await q.get(), { item: 'a', shutdown: false });
    assert.deepEqual(await q.get(), { item: undefined, shutdown: true } satisfies GetResult<string>);
    assert.equal(clock.pendingTimers, 0, 'no timer is left behind');
    clock.advance(1000);
    assert.equal(q.len(), 0);
  });

  it('shutDownWithDrain waits for items in process to be done', async () => {
    const q = new WorkQueue<string>({ clock: new FakeClock() });
    q.add('a');
    const r = await q.get();
    const drained = track(q.shutDownWithDrain());
    await flush();
    assert.equal(drained.settled, false);
    q.done(r.item!);
    await flush();
    assert.equal(drained.settled, true);
  });
});

describe('rate limiters', () => {
  it('item exponential: 5 ms doubling, capped at 1000 s', () => {
    const rl = new ItemExponentialFailureRateLimiter<string>(5, 1_000_000);
    const seq = Array.from({ length: 20 }, () => rl.when('x'));
    assert.deepEqual(seq.slice(0, 5), [5, 10, 20, 40, 80]);
    assert.equal(seq[17], 5 * 2 ** 17);
    assert.equal(seq[18], 1_000_000);
    assert.equal(rl.when('x'), 1_000_000);
    for (let i = 0; i < 2000; i++) rl.when('x');
    assert.equal(rl.when('x'), 1_000_000, 'no overflow');
    assert.equal(rl.when('y'), 5, 'items are independent');
    rl.forget('x');
    assert.equal(rl.when('x'), 5);
  });

  it('bucket: burst of 100, then 10 per second on the clock', () => {
    const clock = new FakeClock();
    const rl = new BucketRateLimiter<string>(10, 100, clock);
    for (let i = 0; i < 100; i++) assert.equal(rl.when(`i${i}`), 0);
    assert.equal(Math.round(rl.when('a')), 100);
    assert.equal(Math.round(rl.when('b')), 200);
    clock.advance(1000); // 10 tokens refilled, 2 were borrowed
    assert.equal(Math.round(rl.when('c')), 0);
    assert.equal(rl.numRequeues('a'), 0);
  });

  it('default controller limiter: the slower of per-item back-off and the overall bucket', () => {
    const clock = new FakeClock();
    const rl = defaultControllerRateLimiter<string>(clock);
    for (let i = 0; i < 100; i++) assert.equal(rl.when(`i${i}`), 5);
    assert.equal(Math.round(rl.when('next')), 100, 'bucket exhausted: 100 ms for the 101st');
    assert.equal(rl.numRequeues('next'), 1);
    clock.advance(60_000);
    assert.equal(rl.when('i0'), 10, 'item back-off once the bucket has refilled');
    rl.forget('i0');
    assert.equal(rl.numRequeues('i0'), 0);
  });

  it('fast-slow and max-of', () => {
    const fs = new ItemFastSlowRateLimiter<string>(10, 1000, 2);
    assert.deepEqual([fs.when('a'), fs.when('a'), fs.when('a')], [10, 10, 1000]);
    const max = new MaxOfRateLimiter<string>(new ItemFastSlowRateLimiter(10, 1000, 1), new ItemExponentialFailureRateLimiter(1, 100));
    assert.deepEqual([max.when('a'), max.when('a'), max.when('a')], [10, 1000, 1000]);
    assert.equal(max.numRequeues('a'), 3);
  });
});
