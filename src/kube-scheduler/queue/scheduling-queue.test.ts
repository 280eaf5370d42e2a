import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FakeClock } from '../../machinery/fake-clock.ts';
import { makePod } from '../framework/testing.ts';
import { SchedulingQueue } from './scheduling-queue.ts';

test('activeQ orders by priority, then arrival', async () => {
  const clock = new FakeClock();
  const q = new SchedulingQueue({ clock });
  q.add(makePod('low', { priority: 0 }));
  clock.advance(1);
  q.add(makePod('high', { priority: 100 }));
  clock.advance(1);
  q.add(makePod('low2', { priority: 0 }));
  const order = [];
  for (let i = 0; i < 3; i++) order.push((await q.pop())!.pod.metadata!.name);
  assert.deepEqual(order, ['high', 'low', 'low2']);
  q.close();
});

test('back-off doubles from 1 s to 10 s and a timer returns the pod to activeQ', async () => {
  const clock = new FakeClock();
  const q = new SchedulingQueue({ clock });
  q.add(makePod('p'));
  const info = (await q.pop())!;
  assert.equal(q.backoffDuration(info), 1000);
  info.attempts = 3;
  assert.equal(q.backoffDuration(info), 4000);
  info.attempts = 10;
  assert.equal(q.backoffDuration(info), 10_000);
  info.attempts = 2;
  q.addBackoff(info);
  assert.equal(q.whereIs(info.key), 'backoff');
  clock.advance(1999);
  assert.equal(q.whereIs(info.key), 'backoff');
  clock.advance(1);
  assert.equal(q.whereIs(info.key), 'active');
  q.close();
});

test('unschedulable pods wait for an event one of their rejecting plugins registered for', async () => {
  const clock = new FakeClock();
  const q = new SchedulingQueue({ clock, eventsOf: (p) => (p === 'NodeAffinity' ? ['NodeAdd', 'NodeLabelChange'] : ['NodeAdd', 'AssignedPodDelete']) });
  q.add(makePod('p'));
  const info = (await q.pop())!;
  const cycle = q.schedulingCycle;
  info.unschedulablePlugins = new Set(['NodeAffinity']);
  q.addUnschedulable(info, cycle);
  assert.equal(q.whereIs(info.key), 'unschedulable');
  q.moveAllToActiveOrBackoff('AssignedPodDelete');
  assert.equal(q.whereIs(info.key), 'unschedulable', 'a deleted pod cannot fix node affinity');
  q.moveAllToActiveOrBackoff('NodeLabelChange');
  assert.equal(q.whereIs(info.key), 'backoff', 'still backing off');
  clock.advance(1000);
  assert.equal(q.whereIs(info.key), 'active');
  assert.deepEqual(q.sizes(), { active: 1, backoff: 0, unschedulable: 0, gated: 0 });
  q.close();
});

test('an event during the cycle sends the failed pod to backoff, not to wait', async () => {
  const clock = new FakeClock();
  const q = new SchedulingQueue({ clock });
  q.add(makePod('p'));
  const info = (await q.pop())!;
  const cycle = q.schedulingCycle;
  q.moveAllToActiveOrBackoff('NodeAdd');
  q.addUnschedulable(info, cycle);
  assert.equal(q.whereIs(info.key), 'backoff');
  q.close();
});

test('updates while in flight are kept; deletes drop the pod; gates hold it back', async () => {
  const q = new SchedulingQueue({ clock: new FakeClock() });
  const pod = makePod('p');
  q.add(pod);
  const info = (await q.pop())!;
  const updated = { ...pod, metadata: { ...pod.metadata, labels: { v: '2' } } };
  q.update(pod, updated);
  assert.equal(q.latest(info.key), updated);
  q.delete(updated);
  q.addUnschedulable(info, q.schedulingCycle);
  assert.equal(q.whereIs(info.key), undefined, 'a pod deleted in flight is not requeued');

  const gated = makePod('g', { schedulingGates: [{ name: 'wait' }] });
  q.add(gated);
  assert.equal(q.whereIs('default/g'), 'gated');
  q.update(gated, { ...gated, spec: { ...gated.spec, schedulingGates: [] } });
  assert.equal(q.whereIs('default/g'), 'active');
  q.close();
});

test('pop waits for a pod and ends on abort or close', async () => {
  const q = new SchedulingQueue({ clock: new FakeClock() });
  const waiting = q.pop();
  q.add(makePod('later'));
  assert.equal((await waiting)!.pod.metadata!.name, 'later');
  const abort = new AbortController();
  const aborted = q.pop(abort.signal);
  abort.abort();
  assert.equal(await aborted, undefined);
  const closed = q.pop();
  q.close();
  assert.equal(await closed, undefined);
});
