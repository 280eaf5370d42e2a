// The CronJob kind: Allow concurrency, not suspended and 3/1 history limits by default (its job
// template gets pod template defaults only), a valid cron schedule and time zone, a job
// template whose selector is generated later, names short enough for the jobs it creates, and
// the SCHEDULE/TIMEZONE/SUSPEND/ACTIVE/LAST SCHEDULE/AGE table.

import type { StatusCause } from '../../../machinery/status.ts';
import type { ColumnDefinition, KindDefinition, KubeObject } from '../../kind.ts';
import { kindSchema } from '../../meta.ts';
import { age, ageColumn, boolPtr, containerCells, containersColumn, formatLabelSelector, imagesColumn, since } from '../../printing.ts';
import { invalid, nonNegative, notSupported, oneOf, required, selectorValue } from '../../core/v1/field-errors.ts';
import { ensure, isRecord, rec, records, setDefault, str } from '../../core/v1/json.ts';
import { nameIsDNSSubdomain } from '../../core/v1/names.ts';
import { validateObjectMeta, validateObjectMetaUpdate } from '../../core/v1/object-meta.ts';
import { defaultPodTemplateSpec } from '../../core/v1/pod-defaults.ts';
import { cronScheduleError, timeZoneKnown } from './cron.ts';
import { cronJobSpec, cronJobStatus } from './job-schema.ts';
import { validateJobSpec } from './job-spec.ts';

export const cronJobSchema = kindSchema('CronJob represents the configuration of a single cron job.', {
  spec: { ...cronJobSpec, description: 'Specification of the desired behavior of a cron job, including the schedule.' },
  status: { ...cronJobStatus, description: 'Current status of a cron job.' },
});

export const cronJobColumns: ColumnDefinition[] = [
  { name: 'Schedule', type: 'string', priority: 0, description: "The schedule in Cron format, see https://en.wikipedia.org/wiki/Cron." },
  { name: 'Timezone', type: 'string', priority: 0, description: "The time zone name for the given schedule, see https://en.wikipedia.org/wiki/List_of_tz_database_time_zones. If not specified, this will default to the time zone of the kube-controller-manager process. The set of valid time zone names and the time zone offset is loaded from the system-wide time zone database by the API server during CronJob validation and the controller manager during execution. If no system-wide time zone database can be found a bundled version of the database is used instead. If the time zone name becomes invalid during the lifetime of a CronJob or due to a change in host configuration, the controller will stop creating new new Jobs and will create a system event with the reason UnknownTimeZone. More information can be found in https://kubernetes.io/docs/concepts/workloads/controllers/cron-jobs/#time-zones" },
  { name: 'Suspend', type: 'boolean', priority: 0, description: "This flag tells the controller to suspend subsequent executions, it does not apply to already started executions.  Defaults to false." },
  { name: 'Active', type: 'integer', priority: 0, description: "A list of pointers to currently running jobs." },
  { name: 'Last Schedule', type: 'string', priority: 0, description: "Information when was the last time the job was successfully scheduled." },
  ageColumn,
  containersColumn,
  imagesColumn,
  { name: 'Selector', type: 'string', priority: 1, description: "A label query over pods that should match the pod count. Normally, the system sets this field for you. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#label-selectors" },
];

function cronJobCells(cj: KubeObject, now: number): unknown[] {
  const spec = rec(cj.spec);
  const status = rec(cj.status);
  const jobSpec = rec(rec(spec.jobTemplate).spec);
  const [names, images] = containerCells(rec(rec(jobSpec.template).spec).containers);
  return [
    str(spec.schedule),
    typeof spec.timeZone === 'string' ? spec.timeZone : '<none>',
    boolPtr(spec.suspend),
    records(status.active).length,
    status.lastScheduleTime ? since(status.lastScheduleTime, now) : '<none>',
    age(cj, now),
    names,
    images,
    formatLabelSelector(jobSpec.selector),
  ];
}

function defaultCronJob(cj: KubeObject): void {
  const spec = ensure(cj, 'spec');
  setDefault(spec, 'concurrencyPolicy', 'Allow');
  setDefault(spec, 'suspend', false);
  setDefault(spec, 'successfulJobsHistoryLimit', 3);
  setDefault(spec, 'failedJobsHistoryLimit', 1);
  const jobSpec = rec(rec(spec.jobTemplate).spec);
  if (isRecord(jobSpec.template)) defaultPodTemplateSpec(jobSpec.template);
}

const timeZonePart = /^[A-Za-z.\-_0-9+]{1,14}$/;

function validateTimeZone(tz: unknown): StatusCause[] {
  if (typeof tz !== 'string') return [];
  const field = 'spec.timeZone';
  if (tz.length === 0) return [invalid(field, tz, 'timeZone must be nil or non-empty string')];
  for (const part of tz.split('/')) {
    if (part === '.' || part === '..' || part.startsWith('-') || !timeZonePart.test(part)) return [invalid(field, tz, `unknown time zone ${tz}`)];
  }
  if (tz.toLowerCase() === 'local') return [invalid(field, tz, 'timeZone must be an explicit time zone as defined in https://www.iana.org/time-zones')];
  return timeZoneKnown(tz) ? [] : [invalid(field, tz, `unknown time zone ${tz}`)];
}

/**
 * validateCronJobSpec; the 52-character name limit applies on create only (an object without
 * a resourceVersion), so older, longer names can still be updated and deleted.
 */
function validateCronJob(cj: KubeObject): StatusCause[] {
  const errs = validateObjectMeta(cj, true, nameIsDNSSubdomain);
  const spec = rec(cj.spec);
  const schedule = str(spec.schedule);
  if (!schedule) errs.push(required('spec.schedule'));
  else {
    const err = cronScheduleError(schedule);
    if (err) errs.push(invalid('spec.schedule', schedule, err));
    if (schedule.includes('TZ')) errs.push(invalid('spec.schedule', schedule, 'cannot use TZ or CRON_TZ in schedule, use timeZone field instead'));
  }
  errs.push(...nonNegative(spec.startingDeadlineSeconds, 'spec.startingDeadlineSeconds'));
  errs.push(...validateTimeZone(spec.timeZone));
  errs.push(...oneOf(spec.concurrencyPolicy, ['Allow', 'Forbid', 'Replace'], 'spec.concurrencyPolicy'));
  const jobSpec = rec(rec(spec.jobTemplate).spec);
  errs.push(...validateJobSpec(jobSpec, 'spec.jobTemplate.spec'));
  if (jobSpec.selector !== undefined && jobSpec.selector !== null)
    errs.push(invalid('spec.jobTemplate.spec.selector', selectorValue(jobSpec.selector), '`selector` will be auto-generated'));
  if (jobSpec.manualSelector === true) errs.push(notSupported('spec.jobTemplate.spec.manualSelector', true, ['nil', 'false']));
  errs.push(...nonNegative(spec.successfulJobsHistoryLimit, 'spec.successfulJobsHistoryLimit'));
  errs.push(...nonNegative(spec.failedJobsHistoryLimit, 'spec.failedJobsHistoryLimit'));
  const name = cj.metadata?.name ?? '';
  if (!cj.metadata?.resourceVersion && name.length > 52) errs.push(invalid('metadata.name', name, 'must be no more than 52 characters'));
  return errs;
}

export const cronJob: KindDefinition = {
  group: 'batch',
  version: 'v1',
  kind: 'CronJob',
  resource: 'cronjobs',
  namespaced: true,
  shortNames: ['cj'],
  categories: ['all'],
  schema: cronJobSchema,
  status: true,
  generation: true,
  table: { columns: cronJobColumns, cells: cronJobCells },
  strategy: {
    defaults: defaultCronJob,
    validate: validateCronJob,
    validateUpdate: (o, old) => validateObjectMetaUpdate(o, old),
    prepareForCreate: (o) => {
      o.status = {};
    },
    prepareForUpdate: (o, old) => {
      o.status = structuredClone(old.status);
    },
  },
};
