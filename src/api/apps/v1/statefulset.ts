// The StatefulSet kind: OrderedReady pods, RollingUpdate with partition 0, Retain for claims,
// one replica and 10 revisions by default (claim templates defaulted like claims); a required
// selector matching the template; a spec of which only replicas, ordinals, template,
// updateStrategy, persistentVolumeClaimRetentionPolicy and minReadySeconds may change; the
// scale subresource; and the READY/AGE table.

import type { StatusCause } from '../../../machinery/status.ts';
import type { ColumnDefinition, KindDefinition, KubeObject } from '../../kind.ts';
import { kindSchema } from '../../meta.ts';
import { age, ageColumn, containersColumn, imagesColumn } from '../../printing.ts';
import { deepEqual, forbidden, invalid, nonNegative, notSupported, required } from '../../core/v1/field-errors.ts';
import type { JSONObject } from '../../core/v1/json.ts';
import { ensure, isRecord, rec, records, setDefault, setDefaultString } from '../../core/v1/json.ts';
import { nameIsDNSLabel } from '../../core/v1/names.ts';
import { validateAnnotations, validateLabels, validateObjectMeta, validateObjectMetaUpdate } from '../../core/v1/object-meta.ts';
import { defaultPersistentVolumeClaimSpec, defaultPodTemplateSpec } from '../../core/v1/pod-defaults.ts';
import { statefulSetSpec, statefulSetStatus } from './statefulset-schema.ts';
import { alwaysRestart, selectorMatchesTemplate, templateCells, validatePositiveIntOrPercent, intOrPercentValue, notMoreThan100Percent, validateRequiredSelector } from './workload.ts';

export const statefulSetSchema = kindSchema('StatefulSet represents a set of pods with consistent identities.', {
  spec: { ...statefulSetSpec, description: 'Spec defines the desired identities of pods in this set.' },
  status: { ...statefulSetStatus, description: 'Status is the current status of Pods in this StatefulSet.' },
});

export const statefulSetColumns: ColumnDefinition[] = [
  { name: 'Ready', type: 'string', priority: 0, description: "Number of the pod with ready state" },
  ageColumn,
  containersColumn,
  imagesColumn,
];

function statefulSetCells(sts: KubeObject, now: number): unknown[] {
  const [names, images] = templateCells(sts);
  return [`${Number(rec(sts.status).readyReplicas ?? 0)}/${Number(rec(sts.spec).replicas ?? 0)}`, age(sts, now), names, images];
}

function defaultStatefulSet(sts: KubeObject): void {
  const spec = ensure(sts, 'spec');
  setDefaultString(spec, 'podManagementPolicy', 'OrderedReady');
  const strategy = ensure(spec, 'updateStrategy');
  if (!strategy.type) {
    strategy.type = 'RollingUpdate';
    setDefault(strategy, 'rollingUpdate', {});
  }
  if (strategy.type === 'RollingUpdate' && isRecord(strategy.rollingUpdate)) setDefault(strategy.rollingUpdate, 'partition', 0);
  const retention = ensure(spec, 'persistentVolumeClaimRetentionPolicy');
  setDefaultString(retention, 'whenDeleted', 'Retain');
  setDefaultString(retention, 'whenScaled', 'Retain');
  setDefault(spec, 'replicas', 1);
  setDefault(spec, 'revisionHistoryLimit', 10);
  defaultPodTemplateSpec(ensure(spec, 'template'));
  for (const claim of records(spec.volumeClaimTemplates)) {
    defaultPersistentVolumeClaimSpec(ensure(claim, 'spec'));
    setDefaultString(ensure(claim, 'status'), 'phase', 'Pending');
  }
}

function validateStatefulSetSpec(sts: KubeObject): StatusCause[] {
  const spec = rec(sts.spec);
  const errs: StatusCause[] = [];
  switch (spec.podManagementPolicy ?? '') {
    case '':
      errs.push(required('spec.podManagementPolicy'));
      break;
    case 'OrderedReady':
    case 'Parallel':
      break;
    default:
      errs.push(invalid('spec.podManagementPolicy', spec.podManagementPolicy, "must be 'OrderedReady' or 'Parallel'"));
  }
  const strategy = rec(spec.updateStrategy);
  switch (strategy.type ?? '') {
    case '':
      errs.push(required('spec.updateStrategy'));
      break;
    case 'OnDelete':
      if (strategy.rollingUpdate !== undefined && strategy.rollingUpdate !== null)
        errs.push(invalid('spec.updateStrategy.rollingUpdate', strategy.rollingUpdate, "only allowed for updateStrategy 'RollingUpdate'"));
      break;
    case 'RollingUpdate':
      if (isRecord(strategy.rollingUpdate)) {
        const ru = strategy.rollingUpdate;
        errs.push(...nonNegative(ru.partition, 'spec.updateStrategy.rollingUpdate.partition'));
        if (ru.maxUnavailable !== undefined && ru.maxUnavailable !== null) {
          const p = 'spec.updateStrategy.rollingUpdate.maxUnavailable';
          errs.push(...validatePositiveIntOrPercent(ru.maxUnavailable, p));
          if (intOrPercentValue(ru.maxUnavailable) === 0) errs.push(invalid(p, ru.maxUnavailable, 'cannot be 0'));
          errs.push(...notMoreThan100Percent(ru.maxUnavailable, p));
        }
      }
      break;
    default:
      errs.push(invalid('spec.updateStrategy', strategy, "must be 'RollingUpdate' or 'OnDelete'"));
  }
  const retention = spec.persistentVolumeClaimRetentionPolicy;
  if (isRecord(retention)) {
    for (const f of ['whenDeleted', 'whenScaled'])
      if (!['Retain', 'Delete'].includes(String(retention[f]))) errs.push(notSupported(`spec.persistentVolumeClaimRetentionPolicy.${f}`, retention[f] ?? '', ['Retain', 'Delete']));
  }
  errs.push(...nonNegative(spec.replicas, 'spec.replicas'));
  errs.push(...nonNegative(spec.minReadySeconds, 'spec.minReadySeconds'));
  if (isRecord(spec.ordinals)) errs.push(...nonNegative(spec.ordinals.start, 'spec.ordinals.start'));
  errs.push(...validateRequiredSelector(spec, 'statefulset'));
  // Upstream checks the template's labels and annotations here, not its pod spec.
  const template: JSONObject = rec(spec.template);
  errs.push(...selectorMatchesTemplate(spec.selector, template, 'spec.template'));
  errs.push(...validateLabels(rec(template.metadata).labels, 'spec.template.labels'));
  errs.push(...validateAnnotations(rec(template.metadata).annotations, 'spec.template.annotations'));
  errs.push(...alwaysRestart(template, 'StatefulSet'));
  return errs;
}

const mutableSpecFields = ['replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy', 'minReadySeconds'];

function validateStatefulSetUpdate(sts: KubeObject, old: KubeObject): StatusCause[] {
  const errs = validateObjectMetaUpdate(sts, old);
  const spec: JSONObject = { ...rec(sts.spec) };
  const oldSpec: JSONObject = { ...rec(old.spec) };
  for (const f of mutableSpecFields) {
    delete spec[f];
    delete oldSpec[f];
  }
  if (!deepEqual(spec, oldSpec))
    errs.push(
      forbidden(
        'spec',
        "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden",
      ),
    );
  return errs;
}

export const statefulSet: KindDefinition = {
  group: 'apps',
  version: 'v1',
  kind: 'StatefulSet',
  resource: 'statefulsets',
  namespaced: true,
  shortNames: ['sts'],
  categories: ['all'],
  schema: statefulSetSchema,
  status: true,
  // spec.selector is a LabelSelector object; the Scale's status.selector is its string form.
  scale: { specReplicasPath: '.spec.replicas', statusReplicasPath: '.status.replicas', labelSelectorPath: '.spec.selector' },
  generation: true,
  table: { columns: statefulSetColumns, cells: statefulSetCells },
  strategy: {
    defaults: defaultStatefulSet,
    validate: (o) => [...validateObjectMeta(o, true, nameIsDNSLabel), ...validateStatefulSetSpec(o)],
    validateUpdate: validateStatefulSetUpdate,
    prepareForCreate: (o) => {
      o.status = { replicas: 0 };
    },
    prepareForUpdate: (o, old) => {
      o.status = structuredClone(old.status);
    },
  },
};
