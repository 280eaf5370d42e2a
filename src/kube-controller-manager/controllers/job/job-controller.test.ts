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
interface PodOptions {
  finishedAt?: number;
  index?: number;
  deleting?: boolean;
  created?: number;
  /** Exit code of the failed container (default 1). */
  exitCode?: number;
  conditions?: { type: string; status: string }[];
  annotations?: Record<string, string>;
}
function pod(phase: string, o: PodOptions = {}): Pod {
  const name = `pi-${seq++}`;
  const l: Record<string, string> = { ...labels };
  const annotations: Record<string, string> = { ...o.annotations };
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
      conditions: o.conditions,
      containerStatuses: o.finishedAt === undefined ? [] : [{ name: 'c', state: { terminated: { exitCode: phase === 'Failed' ? (o.exitCode ?? 1) : 0, finishedAt: iso(o.finishedAt) } } }],
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
  // Upstream writes a run of two as "7,8" and a longer one as "0-2".
  assert.equal(formatIndexes([5, 0, 1, 2, 7, 8]), '0-2,5,7,8');
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

const failJobOn42 = { rules: [{ action: 'FailJob', onExitCodes: { containerName: 'c', operator: 'In', values: [42] } }] };
const ignoreDisruption = { rules: [{ action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget', status: 'True' }] }] };
const condition = (s: Job['status'], type: string) => s?.conditions?.find((c) => c.type === type);

test('podFailurePolicy FailJob: FailureTarget with the matching container, then Failed once no pod terminates', async () => {
  const failedPod = pod('Failed', { finishedAt: start, exitCode: 42 });
  const running = pod('Running');
  const message = `Container c for pod ns/${failedPod.metadata.name} failed with exit code 42 matching FailJob rule at index 0`;
  const first = setup(job({ podFailurePolicy: failJobOn42, completions: 3, parallelism: 2 }), [failedPod, running]);
  await first.controller.reconcile('ns/pi');
  assert.deepEqual(first.fake.callsOf('delete', 'pods').map((c) => c.ref.name), [running.metadata.name]);
  assert.deepEqual(types(first.status()), ['FailureTarget']);
  assert.deepEqual([condition(first.status(), 'FailureTarget')?.reason, condition(first.status(), 'FailureTarget')?.message], ['PodFailurePolicy', message]);
  assert.equal(first.fake.callsOf('create', 'pods').length, 0);
  assert.deepEqual(first.recorder.events.filter((e) => e.type === 'Warning'), []);

  // The next round keeps the recorded failure and, with the pod gone, finishes it.
  const second = setup(job({ podFailurePolicy: failJobOn42, completions: 3, parallelism: 2 }, first.status()), [failedPod], start + 1000);
  await second.controller.reconcile('ns/pi');
  assert.deepEqual(types(second.status()), ['FailureTarget', 'Failed']);
  assert.deepEqual([condition(second.status(), 'Failed')?.reason, condition(second.status(), 'Failed')?.message], ['PodFailurePolicy', message]);
  assert.deepEqual(second.recorder.events.map((e) => [e.type, e.reason, e.message]), [['Warning', 'PodFailurePolicy', message]]);
  assert.equal(second.status()?.failed, 1);
});

test('podFailurePolicy decides how a failed pod counts toward backoffLimit', async () => {
  const cases = [
    { name: 'no rule matches: counts', policy: failJobOn42, failure: { exitCode: 1 }, failed: 1, reason: 'BackoffLimitExceeded' },
    { name: 'Ignore: not counted, replaced after the back-off', policy: ignoreDisruption, failure: { conditions: [{ type: 'DisruptionTarget', status: 'True' }] }, failed: 0, requeue: 10_000 },
    { name: 'Ignore needs the condition status to match', policy: ignoreDisruption, failure: { conditions: [{ type: 'DisruptionTarget', status: 'False' }] }, failed: 1, reason: 'BackoffLimitExceeded' },
    { name: 'Count: counted', policy: { rules: [{ action: 'Count', onExitCodes: { operator: 'NotIn', values: [0] } }] }, failure: { exitCode: 3 }, failed: 1, reason: 'BackoffLimitExceeded' },
    { name: 'first matching rule wins', policy: { rules: [{ action: 'Ignore', onExitCodes: { operator: 'In', values: [3] } }, { action: 'FailJob', onExitCodes: { operator: 'NotIn', values: [0] } }] }, failure: { exitCode: 3 }, failed: 0, requeue: 10_000 },
    { name: 'a later rule still matches', policy: { rules: [{ action: 'Ignore', onExitCodes: { operator: 'In', values: [3] } }, { action: 'FailJob', onExitCodes: { operator: 'NotIn', values: [0] } }] }, failure: { exitCode: 4 }, failed: 1, reason: 'PodFailurePolicy' },
  ];
  for (const c of cases) {
    const s = setup(job({ backoffLimit: 0, podFailurePolicy: c.policy }), [pod('Failed', { finishedAt: start, ...c.failure })]);
    const result = await s.controller.reconcile('ns/pi');
    assert.equal(s.status()?.failed, c.failed, c.name);
    assert.equal(condition(s.status(), 'Failed')?.reason, c.reason, c.name);
    assert.deepEqual(result, c.requeue === undefined ? undefined : { requeueAfterMs: c.requeue }, c.name);
  }
});

test('with a podFailurePolicy a terminating pod is replaced only once it has failed', async () => {
  const cases = [
    { name: 'podFailurePolicy', spec: { podFailurePolicy: ignoreDisruption }, creates: 0 },
    { name: 'podReplacementPolicy Failed', spec: { podReplacementPolicy: 'Failed' }, creates: 0 },
    { name: 'TerminatingOrFailed', spec: { podReplacementPolicy: 'TerminatingOrFailed' }, creates: 1 },
  ];
  for (const c of cases) {
    const s = setup(job(c.spec), [pod('Running', { deleting: true })]);
    await s.controller.reconcile('ns/pi');
    assert.equal(s.fake.callsOf('create', 'pods').length, c.creates, c.name);
    assert.equal(s.status()?.terminating, 1, c.name);
  }
});

const perIndex = (spec: Partial<Job['spec']> = {}, status: Job['status'] = {}) =>
  job({ completionMode: 'Indexed', completions: 3, parallelism: 3, backoffLimitPerIndex: 1, backoffLimit: 2147483647, ...spec }, status);
const failureCount = (n: number, ignored?: number) => ({
  'batch.kubernetes.io/job-index-failure-count': String(n),
  ...(ignored === undefined ? {} : { 'batch.kubernetes.io/job-index-ignored-failure-count': String(ignored) }),
});
const created = (s: ReturnType<typeof setup>) =>
  s.fake.callsOf('create', 'pods').map((c) => {
    const a = (c.body as Pod).metadata.annotations ?? {};
    return [a['batch.kubernetes.io/job-completion-index'], a['batch.kubernetes.io/job-index-failure-count'], a['batch.kubernetes.io/job-index-ignored-failure-count']];
  });

test('backoffLimitPerIndex: each index is retried with its own count and back-off until it fails', async () => {
  const cases = [
    {
      name: 'new pods start at failure count 0',
      pods: () => [],
      created: [['0', '0', undefined], ['1', '0', undefined], ['2', '0', undefined]],
      failedIndexes: '',
    },
    {
      name: 'a first failure is retried after 10 s with count 1; the global back-off does not hold other indexes',
      now: start + 10_000,
      pods: () => [pod('Failed', { index: 1, finishedAt: start, annotations: failureCount(0) }), pod('Failed', { index: 2, finishedAt: start + 5000, annotations: failureCount(0) })],
      created: [['0', '0', undefined], ['1', '1', undefined]],
      requeue: undefined,
      failedIndexes: '',
    },
    {
      name: 'an index in back-off requeues for the earliest due index',
      now: start + 5000,
      pods: () => [pod('Running', { index: 0, annotations: failureCount(0) }), pod('Failed', { index: 1, finishedAt: start, annotations: failureCount(0) }), pod('Running', { index: 2, annotations: failureCount(0) })],
      created: [],
      requeue: 5000,
      failedIndexes: '',
    },
    {
      name: 'the second attempt waits 20 s',
      now: start + 15_000,
      pods: () => [pod('Failed', { index: 0, finishedAt: start, annotations: failureCount(0, 1) }), pod('Running', { index: 1 }), pod('Running', { index: 2 })],
      created: [],
      requeue: 5000,
      failedIndexes: '',
    },
    {
      name: 'a failure with the limit used up fails the index, which is not retried',
      now: start + 60_000,
      pods: () => [pod('Failed', { index: 1, finishedAt: start, annotations: failureCount(0) }), pod('Failed', { index: 1, finishedAt: start + 20_000, annotations: failureCount(1) })],
      created: [['0', '0', undefined], ['2', '0', undefined]],
      failedIndexes: '1',
      failed: 2,
    },
    {
      name: 'an ignored failure is retried with the ignored count',
      spec: { podFailurePolicy: ignoreDisruption },
      now: start + 60_000,
      pods: () => [pod('Running', { index: 0 }), pod('Failed', { index: 1, finishedAt: start, annotations: failureCount(1), conditions: [{ type: 'DisruptionTarget', status: 'True' }] }), pod('Running', { index: 2 })],
      created: [['1', '1', '1']],
      failedIndexes: '',
      failed: 0,
    },
    {
      name: 'FailIndex fails the index at once',
      spec: { backoffLimitPerIndex: 3, podFailurePolicy: { rules: [{ action: 'FailIndex', onExitCodes: { operator: 'In', values: [7] } }] } },
      now: start + 60_000,
      pods: () => [pod('Running', { index: 0 }), pod('Failed', { index: 1, finishedAt: start, exitCode: 7, annotations: failureCount(0) }), pod('Running', { index: 2 })],
      created: [],
      failedIndexes: '1',
    },
    {
      name: 'failed indexes recorded earlier stay failed once their pods are gone',
      status: { failedIndexes: '2' },
      pods: () => [],
      created: [['0', '0', undefined], ['1', '0', undefined]],
      failedIndexes: '2',
    },
  ];
  for (const c of cases) {
    const run = setup(perIndex(c.spec, c.status), c.pods(), c.now);
    const result = await run.controller.reconcile('ns/pi');
    assert.deepEqual(created(run), c.created, c.name);
    assert.deepEqual(result, c.requeue === undefined ? undefined : { requeueAfterMs: c.requeue }, c.name);
    assert.equal(run.status()?.failedIndexes, c.failedIndexes, c.name);
    if (c.failed !== undefined) assert.equal(run.status()?.failed, c.failed, c.name);
    assert.deepEqual(types(run.status()), [], c.name);
  }
});

test('backoffLimitPerIndex: the job fails with FailedIndexes or MaxFailedIndexesExceeded', async () => {
  const failedIndex = (i: number) => pod('Failed', { index: i, finishedAt: start, annotations: failureCount(1) });
  const cases = [
    { name: 'every index done, one failed', spec: { completions: 2, parallelism: 2 }, pods: () => [pod('Succeeded', { index: 0 }), failedIndex(1)], reason: 'FailedIndexes', message: 'Job has failed indexes', failedIndexes: '1' },
    { name: 'an index still running', spec: { completions: 3 }, pods: () => [pod('Succeeded', { index: 0 }), failedIndex(1), pod('Running', { index: 2 })], reason: undefined, failedIndexes: '1' },
    { name: 'more failed indexes than allowed', spec: { completions: 4, maxFailedIndexes: 1 }, pods: () => [failedIndex(0), failedIndex(2), pod('Running', { index: 1 })], reason: 'MaxFailedIndexesExceeded', message: 'Job has exceeded the specified maximal number of failed indexes', failedIndexes: '0,2', deletes: 1 },
    { name: 'as many failed indexes as allowed', spec: { completions: 4, maxFailedIndexes: 2 }, pods: () => [failedIndex(0), failedIndex(2), pod('Running', { index: 1 }), pod('Running', { index: 3 })], reason: undefined, failedIndexes: '0,2' },
  ];
  for (const c of cases) {
    const s = setup(perIndex(c.spec), c.pods());
    await s.controller.reconcile('ns/pi');
    assert.equal(s.status()?.failedIndexes, c.failedIndexes, c.name);
    assert.equal(condition(s.status(), 'FailureTarget')?.reason, c.reason, c.name);
    assert.equal(condition(s.status(), 'FailureTarget')?.message, c.message, c.name);
    assert.equal(s.fake.callsOf('delete', 'pods').length, c.deletes ?? 0, c.name);
    if (c.reason && !c.deletes) {
      assert.equal(condition(s.status(), 'Failed')?.reason, c.reason, c.name);
      assert.deepEqual(s.recorder.events.map((e) => [e.type, e.reason]), [['Warning', c.reason]], c.name);
    }
  }
});

test('successPolicy: SuccessCriteriaMet with reason SuccessPolicy, lingering pods deleted, then Complete', async () => {
  const indexedJob = (successPolicy: unknown, status: Job['status'] = {}) =>
    job({ completionMode: 'Indexed', completions: 5, parallelism: 5, successPolicy: successPolicy as Job['spec']['successPolicy'] }, status);
  const cases = [
    { name: 'succeededIndexes all done', policy: { rules: [{ succeededIndexes: '0,2' }] }, done: [0, 2], message: 'Matched rules at index 0' },
    { name: 'succeededIndexes not all done', policy: { rules: [{ succeededIndexes: '0-2' }] }, done: [0, 2], message: undefined },
    { name: 'succeededCount alone', policy: { rules: [{ succeededIndexes: '4' }, { succeededCount: 2 }] }, done: [1, 3], message: 'Matched rules at index 1' },
    { name: 'succeededCount within succeededIndexes', policy: { rules: [{ succeededIndexes: '1-3', succeededCount: 2 }] }, done: [0, 3, 4], message: undefined },
    { name: 'succeededCount within succeededIndexes met', policy: { rules: [{ succeededIndexes: '1-3', succeededCount: 2 }] }, done: [1, 3], message: 'Matched rules at index 0' },
  ];
  for (const c of cases) {
    const running = [0, 1, 2, 3, 4].filter((i) => !c.done.includes(i)).map((i) => pod('Running', { index: i }));
    const s = setup(indexedJob(c.policy), [...c.done.map((i) => pod('Succeeded', { index: i })), ...running]);
    await s.controller.reconcile('ns/pi');
    const met = condition(s.status(), 'SuccessCriteriaMet');
    assert.equal(met?.message, c.message, c.name);
    if (!c.message) {
      assert.equal(s.fake.callsOf('delete', 'pods').length, 0, c.name);
      continue;
    }
    assert.equal(met?.reason, 'SuccessPolicy', c.name);
    assert.equal(s.fake.callsOf('delete', 'pods').length, running.length, c.name);
    assert.deepEqual(types(s.status()), ['SuccessCriteriaMet'], c.name);
    // Once the deleted pods are gone, the job completes with the same reason and message.
    const after = setup(indexedJob(c.policy, s.status()), c.done.map((i) => pod('Succeeded', { index: i })), start + 1000);
    await after.controller.reconcile('ns/pi');
    assert.deepEqual(types(after.status()), ['SuccessCriteriaMet', 'Complete'], c.name);
    assert.deepEqual([condition(after.status(), 'Complete')?.reason, condition(after.status(), 'Complete')?.message], ['SuccessPolicy', c.message], c.name);
    assert.equal(after.status()?.completionTime, iso(start + 1000), c.name);
    assert.deepEqual(after.recorder.events.map((e) => e.reason), ['Completed'], c.name);
  }
});
