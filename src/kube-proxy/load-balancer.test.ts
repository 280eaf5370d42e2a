import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FakeClock } from '../machinery/fake-clock.ts';
import type { Endpoint } from './endpoints.ts';
import { RoundRobin } from './load-balancer.ts';

const ep = (ip: string): Endpoint => ({ ip, port: 80, nodeName: '', zone: '', isLocal: false, ready: true, serving: true, terminating: false });
const pick = (lb: RoundRobin, client: string, reset = false) => lb.next(client, reset)?.ip;

test('round robin goes through every endpoint in turn', () => {
  const lb = new RoundRobin(new FakeClock());
  assert.equal(pick(lb, 'c'), undefined);
  lb.setEndpoints([ep('a'), ep('b'), ep('c')]);
  assert.deepEqual([1, 2, 3, 4, 5, 6].map(() => pick(lb, 'client')), ['a', 'b', 'c', 'a', 'b', 'c']);
  lb.setEndpoints([ep('a'), ep('c')]);
  const seen = new Set([1, 2, 3, 4].map(() => pick(lb, 'client')));
  assert.deepEqual([...seen].sort(), ['a', 'c']);
  lb.setEndpoints([]);
  assert.equal(pick(lb, 'client'), undefined);
});

test('ClientIP affinity keeps a client on its endpoint until it is idle for the timeout', () => {
  const clock = new FakeClock();
  const lb = new RoundRobin(clock);
  lb.setStickyMaxAgeSeconds(10);
  lb.setEndpoints([ep('a'), ep('b'), ep('c')]);
  const first = pick(lb, '1.1.1.1');
  const other = pick(lb, '2.2.2.2');
  assert.notEqual(first, other);
  for (let i = 0; i < 5; i++) {
    clock.advance(9_000);
    assert.equal(pick(lb, '1.1.1.1'), first, 'each use renews the affinity');
  }
  clock.advance(10_000);
  assert.notEqual(pick(lb, '1.1.1.1'), first, 'expired after 10 s idle');
});

test('a reset (failed connection) moves a sticky client to the next endpoint', () => {
  const lb = new RoundRobin(new FakeClock());
  lb.setStickyMaxAgeSeconds(10800);
  lb.setEndpoints([ep('a'), ep('b')]);
  const first = pick(lb, 'c');
  const second = pick(lb, 'c', true);
  assert.notEqual(second, first);
  assert.equal(pick(lb, 'c'), second, 'the new endpoint sticks');
});

test('an affinity to an endpoint no longer listed is dropped', () => {
  const lb = new RoundRobin(new FakeClock());
  lb.setStickyMaxAgeSeconds(10800);
  lb.setEndpoints([ep('a'), ep('b')]);
  const first = pick(lb, 'c')!;
  lb.setEndpoints([ep(first === 'a' ? 'b' : 'a')]);
  assert.notEqual(pick(lb, 'c'), first);
});

test('turning affinity off forgets clients', () => {
  const lb = new RoundRobin(new FakeClock());
  lb.setStickyMaxAgeSeconds(10800);
  lb.setEndpoints([ep('a'), ep('b')]);
  assert.equal(pick(lb, 'c'), 'a');
  assert.equal(pick(lb, 'c'), 'a');
  lb.setStickyMaxAgeSeconds(0);
  assert.deepEqual([pick(lb, 'c'), pick(lb, 'c')], ['b', 'a']);
});
