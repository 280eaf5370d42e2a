// The Job kind: defaults (completions and parallelism 1, backoffLimit 6, NonIndexed, not
// suspended, pod replacement policy), a selector generated from the job's uid unless
// manualSelector, validation with upstream's messages (pods must not restart Always), most of
// the spec immutable after creation, the status.successful field selector, and the STATUS/
// COMPLETIONS/DURATION/AGE table.

import { randomUUID } from 'node:crypto';
import type { StatusCause } from '../../../machinery/status.ts';
import type { ColumnDefinition, KindDefinition, KubeObject } from '../../kind.ts';
import { kindSchema } from '../../meta.ts';
import { age, ageColumn, containerCells, containersColumn, formatLabelSelector, humanDuration, imagesColumn, parseTime } from '../../printing.ts';
import { deepEqual, immutable, invalid, required, selectorValue, sortedMap } from '../../core/v1/field-errors.ts';
import type { JSONObject } from '../../core/v1/json.ts';
import { ensure, isRecord, rec, records, setDefault, str } from '../../core/v1/json.ts';
import { labelSelectorMatches, labelSelectorValid } from '../../core/v1/label-selector.ts';
import { isDNS1123Label, nameIsDNSSubdomain } from '../../core/v1/names.ts';
import { validateLabelSelector, validateObjectMeta, validateObjectMetaUpdate } from '../../core/v1/object-meta.ts';
import { defaultPodTemplateSpec } from '../../core/v1/pod-defaults.ts';
import { jobSpec, jobStatus } from './job-schema.ts';
import { validateJobSpec } from './job-spec.ts';

export const jobSchema = kindSchema('Job represents the configuration of a single job.', {
  spec: { ...jobSpec, description: 'Specification of the desired behavior of a job.' },
  status: { ...jobStatus, description: 'Current status of a job.' },
});

export const jobColumns: ColumnDefinition[] = [
  { name: 'Status', type: 'string', priority: 0, description: "Status of the job." },
  { name: 'Completions', type: 'string', priority: 0, description: "The number of pods which reached phase Succeeded. The value increases monotonically for a given spec. However, it may decrease in reaction to scale down of elastic indexed jobs." },
  { name: 'Duration', type: 'string', priority: 0, description: "Time required to complete the job." },
  ageColumn,
  containersColumn,
  imagesColumn,
  { name: 'Selector', type: 'string', priority: 1, description: "A label query over pods that should match the pod count. Normally, the system sets this field for you. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#label-selectors" },
];

function conditionTrue(status: JSONObject, type: string): boolean {
  const c = records(status.conditions).find((x) => x.type === type);
  return c?.status === 'True';
}

/** The STATUS cell: Complete, Failed, Terminating, Suspended, FailureTarget or Running. */
export function jobStatusCell(job: KubeObject): string {
  const status = rec(job.status);
  if (conditionTrue(status, 'Complete')) return 'Complete';
  if (conditionTrue(status, 'Failed')) return 'Failed';
  if (job.metadata?.deletionTimestamp) return 'Terminating';
  if (conditionTrue(status, 'Suspended')) return 'Suspended';
  if (conditionTrue(status, 'FailureTarget')) return 'FailureTarget';
  return 'Running';
}

function jobCells(job: KubeObject, now: number): unknown[] {
  const spec = rec(job.spec);
  const status = rec(job.status);
  const succeeded = Number(status.succeeded ?? 0);
  let completions: string;
  if (typeof spec.completions === 'number') completions = `${succeeded}/${spec.completions}`;
  else if (typeof spec.parallelism === 'number' && spec.parallelism > 1) completions = `${succeeded}/1 of ${spec.parallelism}`;
  else completions = `${succeeded}/1`;
  const start = parseTime(status.startTime);
  const end = parseTime(status.completionTime);
  const duration = start === undefined ? '' : humanDuration((end ?? now) - start);
  const [names, images] = containerCells(rec(rec(spec.template).spec).containers);
  return [jobStatusCell(job), completions, duration, age(job, now), names, images, formatLabelSelector(spec.selector)];
}

/** SetDefaults_Job and the pod template's defaults. */
export function defaultJob(job: KubeObject): void {
  const spec = ensure(job, 'spec');
  if ((spec.completions === undefined || spec.completions === null) && (spec.parallelism === undefined || spec.parallelism === null)) {
    spec.completions = 1;
    spec.parallelism = 1;
  }
  setDefault(spec, 'parallelism', 1);
  setDefault(spec, 'backoffLimit', typeof spec.backoffLimitPerIndex === 'number' ? 2147483647 : 6);
  const templateLabels = rec(rec(spec.template).metadata).labels;
  const meta = ensure(job, 'metadata');
  if (isRecord(templateLabels) && Object.keys(rec(meta.labels)).length === 0) meta.labels = structuredClone(templateLabels);
  setDefault(spec, 'completionMode', 'NonIndexed');
  setDefault(spec, 'suspend', false);
  if (isRecord(spec.podFailurePolicy)) {
    for (const rule of records(spec.podFailurePolicy.rules)) for (const c of records(rule.onPodConditions)) setDefault(c, 'status', 'True');
  }
  setDefault(spec, 'podReplacementPolicy', isRecord(spec.podFailurePolicy) ? 'Failed' : 'TerminatingOrFailed');
  defaultPodTemplateSpec(ensure(spec, 'template'));
}

const controllerUidLabels = ['controller-uid', 'batch.kubernetes.io/controller-uid'];
const jobNameLabels = ['job-name', 'batch.kubernetes.io/job-name'];

/** generateSelector: label the pods with the job's uid and name, and select the uid. */
export function generateJobSelector(job: KubeObject): void {
  const spec = ensure(job, 'spec');
  if (spec.manualSelector === true) return;
  const meta = ensure(job, 'metadata');
  if (!meta.uid) meta.uid = randomUUID();
  const labels = ensure(ensure(ensure(spec, 'template'), 'metadata'), 'labels');
  for (const l of jobNameLabels) if (!(l in labels)) labels[l] = meta.name ?? '';
  for (const l of controllerUidLabels) if (!(l in labels)) labels[l] = meta.uid;
  const matchLabels = ensure(ensure(spec, 'selector'), 'matchLabels');
  if (!('batch.kubernetes.io/controller-uid' in matchLabels)) matchLabels['batch.kubernetes.io/controller-uid'] = meta.uid;
}

function validateGeneratedSelector(job: KubeObject): StatusCause[] {
  const spec = rec(job.spec);
  if (spec.manualSelector === true || !isRecord(spec.selector)) return [];
  const meta = rec(job.metadata);
  const uid = str(meta.uid);
  const name = str(meta.name);
  const errs: StatusCause[] = [];
  if (!uid) errs.push(required('metadata.uid'));
  const labels = rec(rec(rec(spec.template).metadata).labels);
  const expected: Record<string, string> = {
    'controller-uid': uid,
    'job-name': name,
    'batch.kubernetes.io/controller-uid': uid,
    'batch.kubernetes.io/job-name': name,
  };
  for (const [k, v] of Object.entries(expected)) {
    if (!(k in labels)) errs.push(required(`spec.template.metadata.labels[${k}]`, `must be '${v}'`));
    else if (labels[k] !== v) errs.push(invalid(`spec.template.metadata.labels[${k}]`, sortedMap(labels), `must be '${v}'`));
  }
  if (labelSelectorValid(spec.selector) && !labelSelectorMatches(spec.selector, expected))
    errs.push(invalid('spec.selector', selectorValue(spec.selector), '`selector` not auto-generated'));
  return errs;
}

/** ValidateJobSpec: validateJobSpec plus the selector, which must select the template. */
function validateJobWithSelector(spec: JSONObject): StatusCause[] {
  const errs = validateJobSpec(spec, 'spec');
  if (!isRecord(spec.selector)) errs.push(required('spec.selector'));
  else errs.push(...validateLabelSelector(spec.selector, 'spec.selector'));
  if (isRecord(spec.selector) && labelSelectorValid(spec.selector)) {
    const labels = rec(rec(spec.template).metadata).labels;
    if (!labelSelectorMatches(spec.selector, labels))
      errs.push(invalid('spec.template.metadata.labels', isRecord(labels) ? sortedMap(labels) : null, '`selector` does not match template `labels`'));
  }
  return errs;
}

function validateJob(job: KubeObject): StatusCause[] {
  const spec = rec(job.spec);
  const errs = validateObjectMeta(job, true, nameIsDNSSubdomain);
  errs.push(...validateGeneratedSelector(job));
  errs.push(...validateJobWithSelector(spec));
  if (spec.completionMode === 'Indexed' && typeof spec.completions === 'number' && spec.completions > 0) {
    const hostname = `${job.metadata?.name ?? ''}-${spec.completions - 1}`;
    if (isDNS1123Label(hostname).length > 0)
      errs.push(invalid('metadata.name', job.metadata?.name ?? '', `will not able to create pod with invalid DNS label: ${hostname}`));
  }
  return errs;
}

function validateJobUpdate(job: KubeObject, old: KubeObject): StatusCause[] {
  const errs = validateObjectMetaUpdate(job, old);
  const spec = rec(job.spec);
  const oldSpec = rec(old.spec);
  if (spec.completionMode !== 'Indexed') errs.push(...immutable(spec.completions, oldSpec.completions, 'spec.completions'));
  else if (!deepEqual(spec.completions, oldSpec.completions) && typeof spec.completions === 'number' && spec.completions !== spec.parallelism)
    errs.push(invalid('spec.completions', spec.completions, 'can only be modified in tandem with spec.parallelism'));
  if (!deepEqual(spec.selector, oldSpec.selector)) errs.push(invalid('spec.selector', selectorValue(spec.selector), 'field is immutable'));
  // A suspended job that never started may still change where its pods run.
  const template: JSONObject = structuredClone(rec(spec.template));
  const oldTemplate: JSONObject = structuredClone(rec(oldSpec.template));
  if (oldSpec.suspend === true && rec(old.status).startTime === undefined) {
    const t = ensure(template, 'spec');
    const o = ensure(oldTemplate, 'spec');
    for (const f of ['nodeSelector', 'tolerations', 'schedulingGates']) o[f] = t[f];
    const affinity = rec(t.affinity);
    if (isRecord(o.affinity) || isRecord(t.affinity)) {
      const merged = { ...rec(o.affinity), nodeAffinity: affinity.nodeAffinity };
      o.affinity = Object.values(merged).some((v) => v !== undefined) ? merged : t.affinity;
    }
    ensure(oldTemplate, 'metadata').labels = rec(template.metadata).labels;
    ensure(oldTemplate, 'metadata').annotations = rec(template.metadata).annotations;
  }
  if (!deepEqual(template, oldTemplate)) errs.push(invalid('spec.template', spec.template ?? null, 'field is immutable'));
  for (const f of ['completionMode', 'podFailurePolicy', 'backoffLimitPerIndex', 'managedBy', 'successPolicy'])
    errs.push(...immutable(spec[f], oldSpec[f], `spec.${f}`));
  return errs;
}

export const job: KindDefinition = {
  group: 'batch',
  version: 'v1',
  kind: 'Job',
  resource: 'jobs',
  namespaced: true,
  categories: ['all'],
  schema: jobSchema,
  status: true,
  generation: true,
  fields: { 'status.successful': (o) => String(Number(rec(o.status).succeeded ?? 0)) },
  table: { columns: jobColumns, cells: jobCells },
  strategy: {
    defaults: defaultJob,
    validate: validateJob,
    validateUpdate: validateJobUpdate,
    prepareForCreate: (o) => {
      generateJobSelector(o);
      o.status = {};
    },
    prepareForUpdate: (o, old) => {
      o.status = structuredClone(old.status);
    },
  },
};
