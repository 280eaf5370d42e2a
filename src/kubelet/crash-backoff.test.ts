import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FakeClock } from '../machinery/fake-clock.ts';
import { CrashBackoff, formatBackoff } from './crash-backoff.ts';

test('the first restart is immediate, later ones double from 10 s up to 5 min', () => {
  const clock = new FakeClock(1_000_000);
  const b = new CrashBackoff({ clock });
  assert.equal(b.inBackoff('k', clock.now()), undefined);
  const delays: number[] = [];
  for (let i = 0; i < 7; i++) {
    b.next('k');
    const exited = clock.now();
    const w = b.inBackoff('k', exited);
    assert.ok(w);
    delays.push(w.delayMs);
    clock.advance(w.delayMs - 1);
    assert.ok(b.inBackoff('k', exited), 'still waiting 1 ms before the end');
    clock.advance(1);
    assert.equal(b.inBackoff('k', exited), undefined);
  }
  assert.deepEqual(delays, [10_000, 20_000, 40_000, 80_000, 160_000, 300_000, 300_000]);
});

test('a container quiet for twice the maximum starts over at the initial delay', () => {
  const clock = new FakeClock(0);
  const b = new CrashBackoff({ clock });
  b.next('k');
  b.next('k');
  assert.equal(b.inBackoff('k', clock.now())?.delayMs, 20_000);
  clock.advance(600_001);
  b.next('k');
  assert.equal(b.inBackoff('k', clock.now())?.delayMs, 10_000);
  b.forget('k');
  assert.equal(b.inBackoff('k', clock.now()), undefined);
});

test('back-off durations print as upstream does', () => {
  assert.equal(formatBackoff(10_000), '10s');
  assert.equal(formatBackoff(80_000), '1m20s');
  assert.equal(formatBackoff(300_000), '5m0s');
});
