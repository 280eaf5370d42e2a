import assert from 'node:assert/strict';
import { test } from 'node:test';
import { create, stored, update } from '../../core/v1/strategy-harness.ts';
import { cronScheduleError } from './cron.ts';
import { cronJob } from './cronjob.ts';
import { job } from './job.ts';

const now = Date.parse('2024-01-01T00:10:00Z');
const podTemplate = { spec: { restartPolicy: 'Never', containers: [{ name: 'pi', image: 'perl' }] } };

test('job defaults and the generated selector', () => {
  const j = stored(job, { metadata: { name: 'pi' }, spec: { template: podTemplate } });
  const spec = j.spec as any;
  assert.equal(spec.completions, 1);
  assert.equal(spec.parallelism, 1);
  assert.equal(spec.backoffLimit, 6);
  assert.equal(spec.completionMode, 'NonIndexed');
  assert.equal(spec.suspend, false);
  assert.equal(spec.podReplacementPolicy, 'TerminatingOrFailed');
  const uid = j.metadata!.uid;
  assert.deepEqual(spec.selector, { matchLabels: { 'batch.kubernetes.io/controller-uid': uid } });
  assert.deepEqual(spec.template.metadata.labels, { 'job-name': 'pi', 'batch.kubernetes.io/job-name': 'pi', 'controller-uid': uid, 'batch.kubernetes.io/controller-uid': uid });
  assert.deepEqual(j.status, {});
  assert.equal(job.fields!['status.successful']({ ...j, status: { succeeded: 2 } }), '2');
});

test('job pods may not restart Always', () => {
  const errors = create(job, { metadata: { name: 'pi', uid: 'u' }, spec: { template: { spec: { containers: [{ name: 'pi', image: 'perl' }] } } } }).errors;
  assert.deepEqual(errors, ['spec.template.spec.restartPolicy: Required value: valid values: "OnFailure", "Never"']);
});

test('the job template and selector are immutable', () => {
  const old = stored(job, { metadata: { name: 'pi' }, spec: { template: podTemplate } });
  const next = structuredClone(old);
  (next.spec as any).template.spec.containers[0].image = 'perl:5';
  const errors = update(job, next, old).errors;
  assert.equal(errors.length, 1);
  assert.match(errors[0], /^spec\.template: Invalid value: \{.*\}: field is immutable$/);
  const scaled = structuredClone(next);
  (scaled.spec as any).parallelism = 2;
  (scaled.spec as any).template = (old.spec as any).template;
  assert.deepEqual(update(job, scaled, old).errors, []);
});

test('job table: status, completions, duration', () => {
  const j = stored(job, { metadata: { name: 'pi' }, spec: { template: podTemplate } }, '2024-01-01T00:00:00Z');
  j.status = { startTime: '2024-01-01T00:00:05Z', active: 1 };
  assert.deepEqual(job.table!.cells(j, now).slice(0, 5), ['Running', '0/1', '9m55s', '10m', 'pi']);
  j.status = { startTime: '2024-01-01T00:00:05Z', completionTime: '2024-01-01T00:00:50Z', succeeded: 1, conditions: [{ type: 'Complete', status: 'True' }] };
  assert.deepEqual(job.table!.cells(j, now).slice(0, 3), ['Complete', '1/1', '45s']);
  j.status = { conditions: [{ type: 'Suspended', status: 'True' }] };
  assert.deepEqual(job.table!.cells(j, now).slice(0, 3), ['Suspended', '0/1', '']);
  j.status = { conditions: [{ type: 'Failed', status: 'True' }] };
  assert.equal(job.table!.cells(j, now)[0], 'Failed');
  const parallel = { ...j, spec: { ...(j.spec as object), completions: undefined, parallelism: 3 }, status: { succeeded: 1 } };
  assert.equal(job.table!.cells(parallel, now)[1], '1/1 of 3');
  assert.deepEqual(job.table!.columns.map((c) => c.name), ['Status', 'Completions', 'Duration', 'Age', 'Containers', 'Images', 'Selector']);
});

const cron = { metadata: { name: 'hello' }, spec: { schedule: '*/5 * * * *', jobTemplate: { spec: { template: podTemplate } } } };

test('cron job defaults; its job template gets only pod template defaults', () => {
  const { object, errors } = create(cronJob, cron);
  assert.deepEqual(errors, []);
  const spec = object.spec as any;
  assert.equal(spec.concurrencyPolicy, 'Allow');
  assert.equal(spec.suspend, false);
  assert.equal(spec.successfulJobsHistoryLimit, 3);
  assert.equal(spec.failedJobsHistoryLimit, 1);
  assert.equal(spec.jobTemplate.spec.backoffLimit, undefined);
  assert.equal(spec.jobTemplate.spec.template.spec.dnsPolicy, 'ClusterFirst');
});

test('cron job validation', () => {
  assert.deepEqual(create(cronJob, { ...cron, spec: { ...cron.spec, schedule: 'every minute' } }).errors, [
    'spec.schedule: Invalid value: "every minute": expected exactly 5 fields, found 2: [every minute]',
  ]);
  assert.deepEqual(create(cronJob, { ...cron, spec: { ...cron.spec, schedule: '0 25 * * *' } }).errors, ['spec.schedule: Invalid value: "0 25 * * *": end of range (25) above maximum (23): 25']);
  assert.deepEqual(create(cronJob, { ...cron, spec: { ...cron.spec, timeZone: 'Mars/Olympus' } }).errors, ['spec.timeZone: Invalid value: "Mars/Olympus": unknown time zone Mars/Olympus']);
  assert.deepEqual(create(cronJob, { ...cron, spec: { ...cron.spec, concurrencyPolicy: 'Sometimes' } }).errors, [
    'spec.concurrencyPolicy: Unsupported value: "Sometimes": supported values: "Allow", "Forbid", "Replace"',
  ]);
  assert.deepEqual(create(cronJob, { ...cron, metadata: { name: 'x'.repeat(53) } }).errors, [`metadata.name: Invalid value: "${'x'.repeat(53)}": must be no more than 52 characters`]);
});

test('cron schedules parse as robfig/cron does', () => {
  for (const ok of ['* * * * *', '0 0 1 1 *', '*/15 9-17 * * mon-fri', '0 0 * JAN,jul 0', '@hourly', '@every 1h30m', '5 4 ? * *']) assert.equal(cronScheduleError(ok), undefined, ok);
  assert.equal(cronScheduleError('61 * * * *'), 'end of range (61) above maximum (59): 61');
  assert.equal(cronScheduleError('5-1 * * * *'), 'beginning of range (5) beyond end of range (1): 5-1');
  assert.equal(cronScheduleError('x * * * *'), 'failed to parse int from x: strconv.Atoi: parsing "x": invalid syntax');
  assert.equal(cronScheduleError('@sometimes'), 'unrecognized descriptor: @sometimes');
});

test('cron job table', () => {
  const cj = stored(cronJob, { ...cron, spec: { ...cron.spec, timeZone: 'Europe/Paris' } });
  cj.status = { active: [{ name: 'hello-1' }], lastScheduleTime: '2024-01-01T00:09:00Z' };
  assert.deepEqual(cronJob.table!.cells(cj, now), ['*/5 * * * *', 'Europe/Paris', 'False', 1, '60s', '10m', 'pi', 'perl', '<none>']);
  const idle = stored(cronJob, cron);
  assert.deepEqual(cronJob.table!.cells(idle, now).slice(0, 5), ['*/5 * * * *', '<none>', 'False', 0, '<none>']);
});
