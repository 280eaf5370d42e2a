import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FakeClock } from '../../machinery/fake-clock.ts';
import { makeNode, makePod } from '../framework/testing.ts';
import { Cache } from './cache.ts';

const on = (pod: ReturnType<typeof makePod>, node: string) => ({ ...pod, spec: { ...pod.spec, nodeName: node } });

test('an assumed pod counts until the watch confirms it, and moves with the confirmation', () => {
  const cache = new Cache({ clock: new FakeClock() });
  cache.addNode(makeNode('a'));
  cache.addNode(makeNode('b'));
  const pod = makePod('p', { requests: { cpu: '1' } });
  cache.assumePod(on(pod, 'a'));
  assert.equal(cache.get('a')!.requested.milliCPU, 1000);
  assert.ok(cache.isAssumed(pod));
  assert.throws(() => cache.assumePod(on(pod, 'a')), /can't be assumed/);
  cache.addPod(on(pod, 'b'));
  assert.equal(cache.get('a')!.requested.milliCPU, 0);
  assert.equal(cache.get('b')!.requested.milliCPU, 1000);
  assert.ok(!cache.isAssumed(pod));
  cache.removePod(on(pod, 'b'));
  assert.equal(cache.get('b')!.pods.size, 0);
});

test('forgetPod undoes an assumption; unconfirmed bindings expire after the TTL', () => {
  const clock = new FakeClock();
  const cache = new Cache({ clock, ttlMs: 30_000 });
  cache.addNode(makeNode('a'));
  const p1 = on(makePod('p1', { requests: { cpu: '1' } }), 'a');
  const p2 = on(makePod('p2', { requests: { cpu: '1' } }), 'a');
  cache.assumePod(p1);
  cache.forgetPod(p1);
  assert.equal(cache.get('a')!.pods.size, 0);
  cache.assumePod(p2);
  cache.finishBinding(p2);
  clock.advance(29_000);
  assert.equal(cache.get('a')!.pods.size, 1);
  clock.advance(2_000);
  assert.equal(cache.get('a')!.pods.size, 0);
  assert.equal(clock.pendingTimers, 0, 'no timer is left once nothing can expire');
  cache.close();
});

test('pods may arrive before their node; a deleted node is listed no more', () => {
  const cache = new Cache();
  cache.addPod(on(makePod('early', { requests: { cpu: '2' } }), 'late'));
  assert.equal(cache.list().length, 0);
  cache.addNode(makeNode('late'));
  assert.equal(cache.get('late')!.requested.milliCPU, 2000);
  cache.removeNode(makeNode('late'));
  assert.equal(cache.list().length, 0);
  assert.equal(cache.get('late'), undefined);
});

test('image states count the nodes holding each image', () => {
  const cache = new Cache();
  cache.addNode(makeNode('a', { images: [{ names: ['img:1'], sizeBytes: 100 }] }));
  cache.addNode(makeNode('b', { images: [{ names: ['img:1'], sizeBytes: 100 }] }));
  assert.equal(cache.get('a')!.imageStates.get('img:1')!.numNodes, 2);
  cache.removeNode(makeNode('b'));
  assert.equal(cache.get('a')!.imageStates.get('img:1')!.numNodes, 1);
});
