import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FakeClock } from '../../../machinery/fake-clock.ts';
import { StatusError } from '../../../machinery/status.ts';
import { FakeClient, FakeRecorder, cacheOf, quietLogger } from '../../testing.ts';
import type { Job } from '../job/job-controller.ts';
import { CronJobController, mostRecentScheduleTime, type CronJob } from './cronjob-controller.ts';
import { parseSchedule } from './schedule.ts';

const created = Date.UTC(2025, 0, 1, 12, 0, 0);
const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');
const minute = 60_000;

function cronJob(spec: Partial<CronJob['spec']> = {}, status: CronJob['status'] = {}): CronJob {
  return {
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: { name: 'tick', namespace: 'ns', uid: 'cj-uid', creationTimestamp: iso(created) },
    spec: {
      schedule: '*/1 * * * *',
      timeZone: 'UTC',
      concurrencyPolicy: 'Allow',
      successfulJobsHistoryLimit: 3,
      failedJobsHistoryLimit: 1,
      jobTemplate: { metadata: { labels: { app: 'tick' } }, spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox' }] } } } },
      ...spec,
    },
    status,
  };
}

function job(name: string, o: { finished?: 'Complete' | 'Failed'; startedAt?: number; completedAt?: number } = {}): Job {
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name, namespace: 'ns', uid: `${name}-uid`, resourceVersion: '7', ownerReferences: [{ apiVersion: 'batch/v1', kind: 'CronJob', name: 'tick', uid: 'cj-uid', controller: true, blockOwnerDeletion: true }] },
    spec: {},
    status: {
      startTime: o.startedAt !== undefined ? iso(o.startedAt) : undefined,
      completionTime: o.completedAt !== undefined ? iso(o.completedAt) : undefined,
      conditions: o.finished ? [{ type: o.finished, status: 'True' }] : [],
    },
  };
}

const ref = (j: Job) => ({ kind: 'Job', namespace: 'ns', name: j.metadata.name, uid: j.metadata.uid, apiVersion: 'batch/v1', resourceVersion: '7' });

function setup(cj: CronJob, jobs: Job[], now: number) {
  const clock = new FakeClock(now);
  const fake = new FakeClient();
  fake.getResult = (r) => {
    const j = jobs.find((x) => x.metadata.name === r.name);
    if (!j) throw new StatusError(404, 'NotFound', `jobs.batch "${r.name}" not found`);
    return j;
  };
  const recorder = new FakeRecorder();
  const controller = new CronJobController({ client: fake.client, cronJobs: cacheOf([cj]), jobs: cacheOf(jobs), recorder, clock, log: quietLogger });
  const status = () => (fake.callsOf('update', 'cronjobs').at(-1)?.body as CronJob | undefined)?.status;
  return { fake, recorder, controller, status };
}

test('a tick creates the job for the scheduled minute and requeues for the next one', async () => {
  const now = created + minute + 5_000;
  const { fake, recorder, controller, status } = setup(cronJob(), [], now);
  const result = await controller.reconcile('ns/tick');
  const creates = fake.callsOf('create', 'jobs');
  assert.equal(creates.length, 1);
  const body = creates[0].body as Job;
  const scheduled = created + minute;
  assert.equal(body.metadata.name, `tick-${scheduled / minute}`);
  assert.equal(body.metadata.annotations?.['batch.kubernetes.io/cronjob-scheduled-timestamp'], iso(scheduled));
  assert.deepEqual(body.metadata.labels, { app: 'tick' });
  assert.equal(body.metadata.ownerReferences?.[0].kind, 'CronJob');
  assert.equal(status()?.lastScheduleTime, iso(scheduled));
  assert.equal(status()?.active?.[0].name, body.metadata.name);
  assert.deepEqual(recorder.events.map((e) => e.reason), ['SuccessfulCreate']);
  assert.deepEqual(result, { requeueAfterMs: minute - 5_000 + 100 });
});

test('before the first tick nothing is created', async () => {
  const { fake, controller } = setup(cronJob(), [], created + 30_000);
  assert.deepEqual(await controller.reconcile('ns/tick'), { requeueAfterMs: 30_100 });
  assert.equal(fake.callsOf('create').length, 0);
});

test('the scheduled timestamp annotation is in the schedule time zone', async () => {
  const now = Date.UTC(2025, 0, 2, 8, 0, 10);
  const { fake, controller } = setup(cronJob({ schedule: '0 9 * * *', timeZone: 'Europe/Berlin' }), [], now);
  await controller.reconcile('ns/tick');
  const body = fake.callsOf('create', 'jobs')[0].body as Job;
  assert.equal(body.metadata.annotations?.['batch.kubernetes.io/cronjob-scheduled-timestamp'], '2025-01-02T09:00:00+01:00');
});

test('concurrencyPolicy decides what happens while a job is active', async () => {
  const running = job('tick-old');
  const now = created + 3 * minute + 1_000;
  const cases = [
    { policy: 'Allow', creates: 1, deletes: 0, reasons: ['SuccessfulCreate'], active: 2 },
    { policy: 'Forbid', creates: 0, deletes: 0, reasons: ['JobAlreadyActive'], active: 1 },
    { policy: 'Replace', creates: 1, deletes: 1, reasons: ['SuccessfulDelete', 'SuccessfulCreate'], active: 1 },
  ];
  for (const c of cases) {
    const { fake, recorder, controller, status } = setup(cronJob({ concurrencyPolicy: c.policy }, { active: [ref(running)], lastScheduleTime: iso(created + 2 * minute) }), [running], now);
    await controller.reconcile('ns/tick');
    assert.equal(fake.callsOf('create', 'jobs').length, c.creates, c.policy);
    assert.equal(fake.callsOf('delete', 'jobs').length, c.deletes, c.policy);
    assert.deepEqual(recorder.events.map((e) => e.reason), c.reasons, c.policy);
    if (c.deletes) assert.deepEqual(fake.callsOf('delete', 'jobs')[0].options, { propagationPolicy: 'Background', preconditions: { uid: 'tick-old-uid' } });
    assert.equal((status()?.active ?? [{}]).length, c.active, c.policy);
  }
});

test('suspend creates nothing', async () => {
  const { fake, controller } = setup(cronJob({ suspend: true }), [], created + 10 * minute);
  assert.equal(await controller.reconcile('ns/tick'), undefined);
  assert.equal(fake.callsOf('create').length, 0);
});

test('a finished job leaves status.active, sets lastSuccessfulTime and is reported', async () => {
  const done = job('tick-1', { finished: 'Complete', startedAt: created, completedAt: created + 20_000 });
  const { recorder, controller, status } = setup(cronJob({}, { active: [ref(done)], lastScheduleTime: iso(created + minute) }), [done], created + minute + 30_000);
  await controller.reconcile('ns/tick');
  assert.equal(status()?.active, undefined);
  assert.equal(status()?.lastSuccessfulTime, iso(created + 20_000));
  assert.deepEqual(recorder.events.map((e) => [e.reason, e.message]), [['SawCompletedJob', 'Saw completed job: tick-1, condition: Complete']]);
});

test('a listed job that is gone is dropped with MissingJob', async () => {
  const gone = job('tick-gone');
  const { recorder, controller, status } = setup(cronJob({}, { active: [ref(gone)], lastScheduleTime: iso(created + minute) }), [], created + minute + 1000);
  await controller.reconcile('ns/tick');
  assert.equal(status()?.active, undefined);
  assert.deepEqual(recorder.events.map((e) => e.reason), ['MissingJob']);
});

test('history limits delete the oldest finished jobs', async () => {
  const jobs = [
    ...[1, 2, 3, 4, 5].map((i) => job(`ok-${i}`, { finished: 'Complete', startedAt: created + i * minute })),
    ...[1, 2, 3].map((i) => job(`bad-${i}`, { finished: 'Failed', startedAt: created + i * minute })),
  ];
  const { fake, recorder, controller } = setup(cronJob({ suspend: true, successfulJobsHistoryLimit: 3, failedJobsHistoryLimit: 1 }), jobs, created + 10 * minute);
  await controller.reconcile('ns/tick');
  assert.deepEqual(fake.callsOf('delete', 'jobs').map((c) => c.ref.name), ['ok-1', 'ok-2', 'bad-1', 'bad-2']);
  assert.equal(recorder.events.filter((e) => e.reason === 'SuccessfulDelete').length, 4);
});

test('startingDeadlineSeconds: a start too late is skipped; too many missed times are reported', async () => {
  // Last scheduled long ago; the deadline window still holds the most recent minute.
  const now = created + 500 * minute + 30_000;
  const late = setup(cronJob({ startingDeadlineSeconds: 10 }), [], now);
  await late.controller.reconcile('ns/tick');
  assert.equal(late.fake.callsOf('create').length, 0);
  assert.deepEqual(late.recorder.events.map((e) => e.reason), []);

  const inTime = setup(cronJob({ startingDeadlineSeconds: 60 }), [], now);
  await inTime.controller.reconcile('ns/tick');
  assert.equal((inTime.fake.callsOf('create', 'jobs')[0].body as Job).metadata.name, `tick-${(created + 500 * minute) / minute}`);

  const unbounded = setup(cronJob(), [], now);
  await unbounded.controller.reconcile('ns/tick');
  assert.deepEqual(unbounded.recorder.events.map((e) => [e.type, e.reason, e.message]), [
    ['Warning', 'TooManyMissedTimes', 'too many missed start times. Set or decrease .spec.startingDeadlineSeconds or check clock skew'],
    ['Normal', 'SuccessfulCreate', `Created job tick-${(created + 500 * minute) / minute}`],
  ]);
});

test('mostRecentScheduleTime counts the missed times since the last schedule', () => {
  const s = parseSchedule('*/1 * * * *', 'UTC');
  assert.deepEqual(mostRecentScheduleTime(cronJob({}, { lastScheduleTime: iso(created) }), s, created + 3 * minute + 1), { time: created + 3 * minute, missed: 3 });
  assert.deepEqual(mostRecentScheduleTime(cronJob(), s, created + 59_000), { missed: 0 });
});

test('an existing job of ours for the same time is taken as created', async () => {
  const scheduled = created + minute;
  const existing = job(`tick-${scheduled / minute}`);
  const { fake, controller, status } = setup(cronJob(), [], created + minute + 1000);
  fake.fail = (c) => (c.verb === 'create' ? new StatusError(409, 'AlreadyExists', 'exists') : undefined);
  fake.getResult = () => existing;
  await controller.reconcile('ns/tick');
  assert.equal(status()?.active?.[0].uid, existing.metadata.uid);
  assert.equal(status()?.lastScheduleTime, iso(scheduled));
});
