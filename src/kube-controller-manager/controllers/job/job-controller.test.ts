import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FakeClock } from '../../../machinery/fake-clock.ts';
import { FakeClient, FakeRecorder, cacheOf, quietLogger } from '../../testing.ts';
import type { Pod } from '../../types.ts';
import { backoffRecord, remainingBackoffMs } from './backoff.ts';
import { formatIndexes } from './indexed.ts';
import { JobController, type Job } from './job-controller.ts';

const start = Date.UTC(2025, 0, 1, 12);
const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');
const labels = { 'batch.kubernetes.io/controller-uid': 'job-uid', 'batch.kubernetes.io/job-name': 'pi', 'controller-uid': 'job-uid', 'job-name': 'pi' };

function job(spec: Partial<Job['spec']> = {}, status: Job['status'] = {}): Job {
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: 'pi', namespace: 'ns', uid: 'job-uid', generation: 1, creationTimestamp: iso(start) },
    spec: {
      completions: 1,
      parallelism: 1,
      backoffLimit: 6,
      completionMode: 'NonIndexed',
      selector: { matchLabels: { 'batch.kubernetes.io/controller-uid': 'job-uid' } },
      template: { metadata: { labels }, spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox' }] } },
      ...spec,
    },
    status,
  };
}

let seq = 0;
function pod(phase: string, o: { finishedAt?: number; index?: number; deleting?: boolean; created?: number } = {}): Pod {
  const name = `pi-${seq++}`;
  const l: Record<string, string> = { ...labels };
  const annotations: Record<string, string> = {};
  if (o.index !== undefined) annotations['batch.kubernetes.io/job-completion-index'] = l['batch.kubernetes.io/job-completion-index'] = String(o.index);
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: 'ns',
      uid: `${name}-uid`,
      labels: l,
      annotations,
      creationTimestamp: iso(o.created ?? start),
      deletionTimestamp: o.deleting ? iso(start) : undefined,
      ownerReferences: [{ apiVersion: 'batch/v1', kind: 'Job', name: 'pi', uid: 'job-uid', controller: true, blockOwnerDeletion: true }],
    },
    spec: {},
    status: {
      phase,
      containerStatuses: o.finishedAt === undefined ? [] : [{ name: 'c', state: { terminated: { exitCode: phase === 'Failed' ? 1 : 0, finishedAt: iso(o.finishedAt) } } }],
    },
  };
}

function setup(j: Job, pods: Pod[], now = start) {
  const clock = new FakeClock(now);
  const fake = new FakeClient();
  fake.getResult = () => j;
  const recorder = new FakeRecorder();
  const controller = new JobController({ client: fake.client, jobs: cacheOf([j]), pods: cacheOf(pods), recorder, clock, log: quietLogger });
  const status = () => (fake.callsOf('update', 'jobs').at(-1)?.body as Job | undefined)?.status;
  return { fake, recorder, controller, clock, status };
}

const types = (j: { conditions?: { type: string }[] } | undefined) => (j?.conditions ?? []).map((c) => c.type);

test('creates pods up to parallelism, capped by the completions still missing', async () => {
  const cases = [
    { name: 'parallelism below completions', spec: { completions: 5, parallelism: 2 }, pods: [], creates: 2 },
    { name: 'completions left below parallelism', spec: { completions: 3, parallelism: 3 }, pods: [pod('Succeeded'), pod('Succeeded')], creates: 1 },
    { name: 'one already running', spec: { completions: 4, parallelism: 2 }, pods: [pod('Running')], creates: 1 },
    { name: 'work queue: no completions', spec: { completions: null, parallelism: 3 }, pods: [], creates: 3 },
    { name: 'work queue: one succeeded, none more', spec: { completions: null, parallelism: 3 }, pods: [pod('Succeeded'), pod('Running')], creates: 0 },
  ];
  for (const c of cases) {
    const { fake, recorder, status } = await (async () => {
      const s = setup(job(c.spec), c.pods);
      await s.controller.reconcile('ns/pi');
      return s;
    })();
    assert.equal(fake.callsOf('create', 'pods').length, c.creates, c.name);
    assert.equal(recorder.events.filter((e) => e.reason === 'SuccessfulCreate').length, c.creates, c.name);
    assert.equal(status()?.startTime, iso(start), c.name);
  }
});

test('pods carry the template, the job labels and a controller reference', async () => {
  const { fake, controller } = setup(job(), []);
  await controller.reconcile('ns/pi');
  const body = fake.callsOf('create', 'pods')[0].body as Pod;
  assert.equal(body.metadata.generateName, 'pi-');
  assert.deepEqual(body.metadata.labels, labels);
  assert.deepEqual(body.metadata.ownerReferences, [{ apiVersion: 'batch/v1', kind: 'Job', name: 'pi', uid: 'job-uid', controller: true, blockOwnerDeletion: true }]);
  // Expectations hold back a second round until the informer sees the pod.
  await controller.reconcile('ns/pi');
  assert.equal(fake.callsOf('create', 'pods').length, 1);
});

test('Indexed jobs create the missing indexes with the index annotation, label, hostname and env', async () => {
  const { fake, status, controller } = setup(job({ completionMode: 'Indexed', completions: 4, parallelism: 3 }), [pod('Succeeded', { index: 0 }), pod('Running', { index: 2 })]);
  await controller.reconcile('ns/pi');
  const bodies = fake.callsOf('create', 'pods').map((c) => c.body as Pod);
  assert.deepEqual(bodies.map((b) => b.metadata.annotations?.['batch.kubernetes.io/job-completion-index']), ['1', '3']);
  assert.deepEqual(bodies.map((b) => b.metadata.labels?.['batch.kubernetes.io/job-completion-index']), ['1', '3']);
  assert.deepEqual(bodies.map((b) => b.metadata.generateName), ['pi-1-', 'pi-3-']);
  assert.equal(bodies[0].spec?.hostname, 'pi-1');
  const env = ((bodies[0].spec?.containers as { env: { name: string }[] }[])[0].env).map((e) => e.name);
  assert.deepEqual(env, ['JOB_COMPLETION_INDEX']);
  assert.equal(status()?.completedIndexes, '0');
  assert.equal(formatIndexes([5, 0, 1, 2, 7, 8]), '0-2,5,7-8');
});

test('completion sets SuccessCriteriaMet, then Complete with completionTime, and records Completed', async () => {
  const { status, recorder, controller } = setup(job({ completions: 2 }), [pod('Succeeded', { finishedAt: start }), pod('Succeeded', { finishedAt: start })], start + 5000);
  await controller.reconcile('ns/pi');
  assert.deepEqual(types(status()), ['SuccessCriteriaMet', 'Complete']);
  assert.equal(status()?.conditions?.[1].reason, 'CompletionsReached');
  assert.equal(status()?.completionTime, iso(start + 5000));
  assert.equal(status()?.succeeded, 2);
  assert.deepEqual(recorder.events.map((e) => e.reason), ['Completed']);
});

test('failed pods are replaced only after the exponential back-off', async () => {
  const cases = [
    { failures: 1, wait: 10_000 },
    { failures: 2, wait: 20_000 },
    { failures: 3, wait: 40_000 },
    { failures: 9, wait: 600_000 },
  ];
  for (const c of cases) {
    const finished = start;
    const pods = Array.from({ length: c.failures }, () => pod('Failed', { finishedAt: finished }));
    const early = setup(job({ backoffLimit: 20 }), pods, finished + c.wait - 1000);
    assert.deepEqual(await early.controller.reconcile('ns/pi'), { requeueAfterMs: 1000 }, `${c.failures} failures`);
    assert.equal(early.fake.callsOf('create', 'pods').length, 0);
    assert.equal(early.status()?.failed, c.failures);
    const due = setup(job({ backoffLimit: 20 }), pods, finished + c.wait);
    await due.controller.reconcile('ns/pi');
    assert.equal(due.fake.callsOf('create', 'pods').length, 1, `${c.failures} failures`);
  }
  // A success resets the run of failures.
  const rec = backoffRecord([pod('Failed', { finishedAt: start }), pod('Succeeded', { finishedAt: start + 1 }), pod('Failed', { finishedAt: start + 2 })]);
  assert.deepEqual(rec, { failuresAfterLastSuccess: 1, lastFailureTime: start + 2 });
  assert.equal(remainingBackoffMs(rec, start + 2), 10_000);
});

test('more failures than backoffLimit fail the job with BackoffLimitExceeded and delete active pods', async () => {
  const running = pod('Running');
  const { fake, status, recorder, controller } = setup(job({ backoffLimit: 1, parallelism: 2, completions: 3 }), [pod('Failed', { finishedAt: start }), pod('Failed', { finishedAt: start }), running]);
  await controller.reconcile('ns/pi');
  assert.deepEqual(fake.callsOf('delete', 'pods').map((c) => c.ref.name), [running.metadata.name]);
  // The deleted pod is still terminating: Failed waits for it.
  assert.deepEqual(types(status()), ['FailureTarget']);
  assert.equal(status()?.terminating, 1);

  const done = setup(job({ backoffLimit: 1 }), [pod('Failed', { finishedAt: start }), pod('Failed', { finishedAt: start })]);
  await done.controller.reconcile('ns/pi');
  assert.deepEqual(types(done.status()), ['FailureTarget', 'Failed']);
  assert.equal(done.status()?.conditions?.[1].reason, 'BackoffLimitExceeded');
  assert.equal(done.status()?.conditions?.[1].message, 'Job has reached the specified backoff limit');
  assert.deepEqual(done.recorder.events.map((e) => [e.type, e.reason]), [['Warning', 'BackoffLimitExceeded']]);
  assert.equal(recorder.events.filter((e) => e.reason === 'BackoffLimitExceeded').length, 0);
});

test('activeDeadlineSeconds: requeues for the deadline, then fails with DeadlineExceeded', async () => {
  const j = job({ activeDeadlineSeconds: 30 }, { startTime: iso(start) });
  const before = setup(j, [pod('Running')], start + 10_000);
  assert.deepEqual(await before.controller.reconcile('ns/pi'), { requeueAfterMs: 20_000 });
  const after = setup(j, [], start + 30_000);
  await after.controller.reconcile('ns/pi');
  assert.deepEqual(types(after.status()), ['FailureTarget', 'Failed']);
  assert.equal(after.status()?.conditions?.[1].reason, 'DeadlineExceeded');
  assert.equal(after.fake.callsOf('create', 'pods').length, 0);
});

test('suspend deletes active pods and sets Suspended; resume restarts startTime', async () => {
  const running = pod('Running');
  const s = setup(job({ suspend: true }, { startTime: iso(start) }), [running], start + 1000);
  await s.controller.reconcile('ns/pi');
  assert.deepEqual(s.fake.callsOf('delete', 'pods').map((c) => c.ref.name), [running.metadata.name]);
  assert.deepEqual(types(s.status()), ['Suspended']);
  assert.equal(s.status()?.conditions?.[0].reason, 'JobSuspended');

  const suspendedStatus = s.status()!;
  const r = setup(job({ suspend: false }, suspendedStatus), [], start + 9000);
  await r.controller.reconcile('ns/pi');
  assert.equal(r.status()?.conditions?.[0].status, 'False');
  assert.equal(r.status()?.conditions?.[0].reason, 'JobResumed');
  assert.equal(r.status()?.startTime, iso(start + 9000));
  assert.equal(r.fake.callsOf('create', 'pods').length, 1);
});

test('a finished job is left alone', async () => {
  const j = job({}, { conditions: [{ type: 'Complete', status: 'True' }] });
  const { fake, controller } = setup(j, [pod('Running')]);
  await controller.reconcile('ns/pi');
  assert.equal(fake.calls.length, 0);
});
