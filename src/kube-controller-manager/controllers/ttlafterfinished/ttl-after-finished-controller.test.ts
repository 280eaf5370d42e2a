import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FakeClock } from '../../../machinery/fake-clock.ts';
import { FakeClient, cacheOf, quietLogger } from '../../testing.ts';
import type { Job } from '../job/job-controller.ts';
import { TTLAfterFinishedController } from './ttl-after-finished-controller.ts';

const finished = Date.UTC(2025, 0, 1, 12);
const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');

function job(ttl: number | undefined, condition?: 'Complete' | 'Failed' | 'SuccessCriteriaMet'): Job {
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: 'pi', namespace: 'ns', uid: 'job-uid' },
    spec: { ttlSecondsAfterFinished: ttl },
    status: { conditions: condition ? [{ type: condition, status: 'True', lastTransitionTime: iso(finished) }] : [] },
  };
}

test('deletes finished jobs once their TTL has passed, and only then', async () => {
  const cases = [
    { name: 'complete, expired', job: job(100, 'Complete'), at: finished + 100_000, deleted: true },
    { name: 'failed, expired', job: job(0, 'Failed'), at: finished, deleted: true },
    { name: 'complete, not yet', job: job(100, 'Complete'), at: finished + 40_000, deleted: false, requeue: 60_000 },
    { name: 'no ttl', job: job(undefined, 'Complete'), at: finished + 1e9, deleted: false },
    { name: 'not finished', job: job(10, 'SuccessCriteriaMet'), at: finished + 1e9, deleted: false },
  ];
  for (const c of cases) {
    const fake = new FakeClient();
    fake.getResult = () => c.job;
    const controller = new TTLAfterFinishedController({ client: fake.client, jobs: cacheOf([c.job]), clock: new FakeClock(c.at), log: quietLogger });
    const result = await controller.reconcile('ns/pi');
    const deletes = fake.callsOf('delete', 'jobs');
    assert.equal(deletes.length, c.deleted ? 1 : 0, c.name);
    if (c.deleted) assert.deepEqual(deletes[0].options, { propagationPolicy: 'Foreground', preconditions: { uid: 'job-uid' } }, c.name);
    assert.deepEqual(result, c.requeue ? { requeueAfterMs: c.requeue } : undefined, c.name);
  }
});

test('a TTL removed on the server since the cache saw it is honoured', async () => {
  const fake = new FakeClient();
  fake.getResult = () => job(undefined, 'Complete');
  const controller = new TTLAfterFinishedController({ client: fake.client, jobs: cacheOf([job(5, 'Complete')]), clock: new FakeClock(finished + 10_000), log: quietLogger });
  await controller.reconcile('ns/pi');
  assert.equal(fake.callsOf('delete').length, 0);
  assert.equal(fake.callsOf('get').length, 1);
});
