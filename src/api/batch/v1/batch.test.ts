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

const indexedJob = (spec: Record<string, unknown>, containers = [{ name: 'pi', image: 'perl' }]) => ({
  metadata: { name: 'pi' },
  spec: { completionMode: 'Indexed', completions: 4, parallelism: 2, template: { spec: { restartPolicy: 'Never', containers } }, ...spec },
});
const jobWith = (spec: Record<string, unknown>, restartPolicy = 'Never') => ({
  metadata: { name: 'pi' },
  spec: { template: { spec: { restartPolicy, containers: [{ name: 'pi', image: 'perl' }], initContainers: [{ name: 'setup', image: 'perl' }] } }, ...spec },
});

test('job podFailurePolicy validation', () => {
  const rule = (r: Record<string, unknown>) => ({ podFailurePolicy: { rules: [r] } });
  const cases = [
    { name: 'valid rules', job: jobWith({ podFailurePolicy: { rules: [
      { action: 'FailJob', onExitCodes: { containerName: 'pi', operator: 'In', values: [1, 42] } },
      { action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget' }] },
      { action: 'Count', onExitCodes: { containerName: 'setup', operator: 'NotIn', values: [0, 3] } },
    ] } }), errors: [] },
    { name: 'restartPolicy OnFailure', job: jobWith(rule({ action: 'Ignore', onExitCodes: { operator: 'In', values: [1] } }), 'OnFailure'), errors: [
      'spec.template.spec.restartPolicy: Invalid value: "OnFailure": only "Never" is supported when podFailurePolicy is specified',
    ] },
    { name: 'missing action', job: jobWith(rule({ onExitCodes: { operator: 'In', values: [1] } })), errors: [
      'spec.podFailurePolicy.rules[0].action: Required value: valid values: ["Count" "FailIndex" "FailJob" "Ignore"]',
    ] },
    { name: 'unknown action', job: jobWith(rule({ action: 'Retry', onExitCodes: { operator: 'In', values: [1] } })), errors: [
      'spec.podFailurePolicy.rules[0].action: Unsupported value: "Retry": supported values: "Count", "FailIndex", "FailJob", "Ignore"',
    ] },
    { name: 'FailIndex without backoffLimitPerIndex', job: jobWith(rule({ action: 'FailIndex', onExitCodes: { operator: 'In', values: [1] } })), errors: [
      'spec.podFailurePolicy.rules[0].action: Invalid value: "FailIndex": requires the backoffLimitPerIndex to be set',
    ] },
    { name: 'bad onExitCodes', job: jobWith(rule({ action: 'FailJob', onExitCodes: { containerName: 'nope', operator: 'Is', values: [5, 0, 5] } })), errors: [
      'spec.podFailurePolicy.rules[0].onExitCodes.operator: Unsupported value: "Is": supported values: "In", "NotIn"',
      'spec.podFailurePolicy.rules[0].onExitCodes.containerName: Invalid value: "nope": must be one of the container or initContainer names in the pod template',
      'spec.podFailurePolicy.rules[0].onExitCodes.values[2]: Duplicate value: 5',
      'spec.podFailurePolicy.rules[0].onExitCodes.values: Invalid value: [5,0,5]: must be ordered',
    ] },
    { name: 'In with 0, no operator', job: jobWith(rule({ action: 'FailJob', onExitCodes: { operator: 'In', values: [0] } })), errors: [
      'spec.podFailurePolicy.rules[0].onExitCodes.values[0]: Invalid value: 0: must not be 0 for the In operator',
    ] },
    { name: 'empty values', job: jobWith(rule({ action: 'FailJob', onExitCodes: { operator: 'NotIn', values: [] } })), errors: [
      'spec.podFailurePolicy.rules[0].onExitCodes.values: Invalid value: []: at least one value is required',
    ] },
    { name: 'bad onPodConditions', job: jobWith(rule({ action: 'Ignore', onPodConditions: [{ type: 'Bad Type', status: 'Maybe' }] })), errors: [
      'spec.podFailurePolicy.rules[0].onPodConditions[0].type: Invalid value: "Bad Type": name part must consist of alphanumeric characters, \'-\', \'_\' or \'.\', and must start and end with an alphanumeric character (e.g. \'MyName\', or \'my.name\', or \'123-abc\', regex used for validation is \'([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]\')',
      'spec.podFailurePolicy.rules[0].onPodConditions[0].status: Unsupported value: "Maybe": supported values: "False", "True", "Unknown"',
    ] },
    { name: 'both requirements', job: jobWith(rule({ action: 'Ignore', onExitCodes: { operator: 'In', values: [1] }, onPodConditions: [{ type: 'DisruptionTarget' }] })), errors: [
      'spec.podFailurePolicy.rules[0]: Invalid value: specifying both OnExitCodes and OnPodConditions is not supported',
    ] },
    { name: 'no requirement', job: jobWith(rule({ action: 'Ignore' })), errors: [
      'spec.podFailurePolicy.rules[0]: Invalid value: specifying one of OnExitCodes and OnPodConditions is required',
    ] },
    { name: 'too many rules', job: jobWith({ podFailurePolicy: { rules: Array.from({ length: 21 }, () => ({ action: 'Count', onExitCodes: { operator: 'In', values: [1] } })) } }), errors: [
      'spec.podFailurePolicy.rules: Too many: 21: must have at most 20 items',
    ] },
    { name: 'podReplacementPolicy must be Failed', job: jobWith({ ...rule({ action: 'Count', onExitCodes: { operator: 'In', values: [1] } }), podReplacementPolicy: 'TerminatingOrFailed' }), errors: [
      'spec.podReplacementPolicy: Unsupported value: "TerminatingOrFailed": supported values: "Failed"',
    ] },
  ];
  for (const c of cases) assert.deepEqual(create(job, c.job).errors, c.errors, c.name);
  // Defaults: a pod condition pattern's status is True, and pods are replaced only once failed.
  const defaulted = create(job, jobWith(rule({ action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget' }] }))).object.spec as any;
  assert.deepEqual(defaulted.podFailurePolicy.rules[0].onPodConditions, [{ type: 'DisruptionTarget', status: 'True' }]);
  assert.equal(defaulted.podReplacementPolicy, 'Failed');
});

test('job backoffLimitPerIndex and maxFailedIndexes validation', () => {
  const cases = [
    { name: 'valid', job: indexedJob({ backoffLimitPerIndex: 1, maxFailedIndexes: 2 }), errors: [] },
    { name: 'FailIndex with backoffLimitPerIndex', job: indexedJob({ backoffLimitPerIndex: 1, podFailurePolicy: { rules: [{ action: 'FailIndex', onExitCodes: { operator: 'In', values: [1] } }] } }), errors: [] },
    { name: 'NonIndexed', job: jobWith({ backoffLimitPerIndex: 1, maxFailedIndexes: 1 }), errors: [
      'spec.backoffLimitPerIndex: Invalid value: 1: requires indexed completion mode',
      'spec.maxFailedIndexes: Invalid value: 1: requires indexed completion mode',
    ] },
    { name: 'maxFailedIndexes without backoffLimitPerIndex', job: indexedJob({ maxFailedIndexes: 1 }), errors: [
      'spec.backoffLimitPerIndex: Required value: when maxFailedIndexes is specified',
    ] },
    { name: 'negative', job: indexedJob({ backoffLimitPerIndex: -1, maxFailedIndexes: -1 }), errors: [
      'spec.backoffLimitPerIndex: Invalid value: -1: must be greater than or equal to 0',
      'spec.maxFailedIndexes: Invalid value: -1: must be greater than or equal to 0',
    ] },
    { name: 'more than completions', job: indexedJob({ backoffLimitPerIndex: 1, maxFailedIndexes: 5 }), errors: [
      'spec.maxFailedIndexes: Invalid value: 5: must be less than or equal to completions',
    ] },
    { name: 'high completions', job: indexedJob({ completions: 100_001, parallelism: 10_001, backoffLimitPerIndex: 1 }), errors: [
      'spec.maxFailedIndexes: Required value: must be specified when completions is above 100000',
      'spec.parallelism: Invalid value: 10001: must be less than or equal to 10000 when completions are above 100000 and used with backoff limit per index',
    ] },
  ];
  for (const c of cases) assert.deepEqual(create(job, c.job).errors, c.errors, c.name);
  const defaulted = create(job, indexedJob({ backoffLimitPerIndex: 1 })).object.spec as any;
  assert.equal(defaulted.backoffLimit, 2147483647);
});

test('job successPolicy validation', () => {
  const policy = (...rules: Record<string, unknown>[]) => ({ successPolicy: { rules } });
  const cases = [
    { name: 'valid', job: indexedJob(policy({ succeededIndexes: '0,2-3', succeededCount: 2 }, { succeededCount: 4 })), errors: [] },
    { name: 'NonIndexed', job: jobWith(policy({ succeededCount: 1 })), errors: [
      'spec.successPolicy: Invalid value: {"rules":[{"succeededCount":1}]}: requires indexed completion mode',
    ] },
    { name: 'no rules', job: indexedJob({ successPolicy: { rules: [] } }), errors: [
      'spec.successPolicy.rules: Required value: at least one rules must be specified when the successPolicy is specified',
    ] },
    { name: 'empty rule', job: indexedJob(policy({})), errors: [
      'spec.successPolicy.rules[0]: Required value: at least one of succeededCount or succeededIndexes must be specified',
    ] },
    { name: 'index too large', job: indexedJob(policy({ succeededIndexes: '1-4' })), errors: [
      'spec.successPolicy.rules[0].succeededIndexes: Invalid value: "1-4": error parsing succeededIndexes: too large index: "4"',
    ] },
    { name: 'not increasing', job: indexedJob(policy({ succeededIndexes: '2,1' })), errors: [
      'spec.successPolicy.rules[0].succeededIndexes: Invalid value: "2,1": error parsing succeededIndexes: non-increasing order, previous: 2, current: 1',
    ] },
    { name: 'not a number', job: indexedJob(policy({ succeededIndexes: '0,a' })), errors: [
      'spec.successPolicy.rules[0].succeededIndexes: Invalid value: "0,a": error parsing succeededIndexes: cannot convert string to integer for index: "a"',
    ] },
    { name: 'three parts', job: indexedJob(policy({ succeededIndexes: '0-1-2' })), errors: [
      'spec.successPolicy.rules[0].succeededIndexes: Invalid value: "0-1-2": error parsing succeededIndexes: the fragment "0-1-2" violates the requirement that an index interval can have at most two parts separated by \'-\'',
    ] },
    { name: 'count above completions and indexes', job: indexedJob(policy({ succeededIndexes: '1-2', succeededCount: 5 })), errors: [
      'spec.successPolicy.rules[0].succeededCount: Invalid value: 5: must be less than or equal to 4 (the number of specified completions)',
      'spec.successPolicy.rules[0].succeededCount: Invalid value: 5: must be less than or equal to 2 (the number of indexes in the specified succeededIndexes field)',
    ] },
    { name: 'negative count', job: indexedJob(policy({ succeededCount: -1 })), errors: [
      'spec.successPolicy.rules[0].succeededCount: Invalid value: -1: must be greater than or equal to 0',
    ] },
  ];
  for (const c of cases) assert.deepEqual(create(job, c.job).errors, c.errors, c.name);
});

test('the job policies and backoffLimitPerIndex are immutable', () => {
  const old = stored(job, indexedJob({ backoffLimitPerIndex: 1, successPolicy: { rules: [{ succeededCount: 1 }] } }));
  const next = structuredClone(old);
  (next.spec as any).backoffLimitPerIndex = 2;
  (next.spec as any).successPolicy = { rules: [{ succeededCount: 2 }] };
  assert.deepEqual(update(job, next, old).errors, [
    'spec.backoffLimitPerIndex: Invalid value: 2: field is immutable',
    'spec.successPolicy: Invalid value: {"rules":[{"succeededCount":2}]}: field is immutable',
  ]);
});
