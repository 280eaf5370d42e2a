import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { FakeClock } from '../../../machinery/fake-clock.ts';
import { StatusError } from '../../../machinery/status.ts';
import { FakeClient, cacheOf, quietLogger } from '../../testing.ts';
import type { Pod } from '../../types.ts';
import type { Node } from '../nodelifecycle/node-lifecycle-controller.ts';
import { PodGCController } from './podgc-controller.ts';

function pod(name: string, o: { phase?: string; node?: string; createdMin?: number; terminating?: boolean } = {}): Pod {
  return {
    metadata: { name, namespace: 'ns', uid: `${name}-uid`, creationTimestamp: new Date(Date.UTC(2025, 0, 1, 0, o.createdMin ?? 0)).toISOString(), deletionTimestamp: o.terminating ? '2025-01-01T00:00:00Z' : undefined },
    spec: { nodeName: o.node },
    status: { phase: o.phase ?? 'Running' },
  };
}

const node = (name: string, extra: Partial<Node> = {}): Node => ({ metadata: { name }, ...extra });

function setup(pods: Pod[], nodes: Node[], threshold?: number) {
  const fake = new FakeClient();
  fake.fail = (c) => (c.verb === 'get' && c.ref.resource === 'nodes' ? new StatusError(404, 'NotFound', `nodes "${c.ref.name}" not found`) : undefined);
  const clock = new FakeClock(Date.UTC(2025, 0, 1, 1));
  const gc = new PodGCController({ client: fake.client, pods: cacheOf(pods), nodes: cacheOf(nodes), clock, log: quietLogger, terminatedPodGCThreshold: threshold });
  const deleted = () => fake.callsOf('delete', 'pods').map((c) => c.ref.name).sort();
  return { fake, gc, clock, deleted };
}

describe('terminated pods above the threshold', () => {
  const cases = [
    { name: 'below the threshold nothing goes', threshold: 3, want: [] },
    { name: 'the oldest terminated pods above the threshold go', threshold: 1, want: ['failed-old', 'succeeded-mid'] },
    { name: 'a threshold of 0 turns collection off', threshold: 0, want: [] },
  ];
  for (const c of cases) {
    test(c.name, async () => {
      const pods = [pod('failed-old', { phase: 'Failed', createdMin: 1, node: 'n1' }), pod('succeeded-mid', { phase: 'Succeeded', createdMin: 2, node: 'n1' }), pod('new', { phase: 'Failed', createdMin: 3, node: 'n1' }), pod('running', { node: 'n1' })];
      const { gc, deleted } = setup(pods, [node('n1')], c.threshold);
      await gc.gc();
      assert.deepEqual(deleted(), c.want);
    });
  }
});

test('pods on a node that is gone are force-deleted after the 40 s quarantine, marked Failed first', async () => {
  const { fake, gc, clock, deleted } = setup([pod('orphan', { node: 'gone' }), pod('home', { node: 'n1' })], [node('n1')]);
  await gc.gc();
  assert.deepEqual(deleted(), [], 'first seen: quarantined');
  clock.advance(39_000);
  await gc.gc();
  assert.deepEqual(deleted(), []);
  clock.advance(2_000);
  await gc.gc();
  assert.deepEqual(deleted(), ['orphan']);
  const del = fake.callsOf('delete', 'pods')[0];
  assert.deepEqual(del.options, { gracePeriodSeconds: 0, preconditions: { uid: 'orphan-uid' } });
  const status = fake.callsOf('patch', 'pods')[0];
  assert.equal(status.ref.subresource, 'status');
  assert.equal((status.body as { status: { phase: string } }).status.phase, 'Failed');
});

test('a node that reappears in the API is not a reason to delete', async () => {
  const { fake, gc, clock, deleted } = setup([pod('p', { node: 'late' })], []);
  fake.fail = () => undefined;
  await gc.gc();
  clock.advance(41_000);
  await gc.gc();
  assert.deepEqual(deleted(), []);
});

test('terminating pods that were never scheduled, or on an out-of-service node, are force-deleted', async () => {
  const oos = node('oos', { spec: { taints: [{ key: 'node.kubernetes.io/out-of-service', effect: 'NoExecute' }] }, status: { conditions: [{ type: 'Ready', status: 'False' }] } });
  const { fake, gc, deleted } = setup([pod('unscheduled', { terminating: true }), pod('on-oos', { node: 'oos', terminating: true }), pod('on-n1', { node: 'n1', terminating: true })], [node('n1'), oos]);
  await gc.gc();
  assert.deepEqual(deleted(), ['on-oos', 'unscheduled']);
  for (const c of fake.callsOf('delete', 'pods')) assert.equal((c.options as { gracePeriodSeconds: number }).gracePeriodSeconds, 0);
});
