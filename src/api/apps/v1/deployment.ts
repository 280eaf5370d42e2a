// The Deployment kind: replicas 1, RollingUpdate 25%/25%, 10 revisions and a 600s progress
// deadline by default; validation of the selector, template and strategy with upstream's
// messages; an immutable selector; the scale subresource; and the READY/UP-TO-DATE/AVAILABLE/
// AGE table.

import type { StatusCause } from '../../../machinery/status.ts';
import type { ColumnDefinition, KindDefinition, KubeObject } from '../../kind.ts';
import { kindSchema } from '../../meta.ts';
import { age, ageColumn, containersColumn, imagesColumn, labelSelectorString } from '../../printing.ts';
import { forbidden, invalid, nonNegative, notSupported, required } from '../../core/v1/field-errors.ts';
import { ensure, isRecord, rec, setDefault, setDefaultString } from '../../core/v1/json.ts';
import { nameIsDNSSubdomain } from '../../core/v1/names.ts';
import { validateObjectMeta, validateObjectMetaUpdate } from '../../core/v1/object-meta.ts';
import { defaultPodTemplateSpec } from '../../core/v1/pod-defaults.ts';
import {
  intOrPercentValue,
  notMoreThan100Percent,
  selectorImmutable,
  templateCells,
  validatePositiveIntOrPercent,
  validateRequiredSelector,
  validateTemplateForReplicaSet,
} from './workload.ts';
import { deploymentSpec, deploymentStatus } from './workload-schema.ts';

export const deploymentSchema = kindSchema('Deployment enables declarative updates for Pods and ReplicaSets.', {
  spec: { ...deploymentSpec, description: 'Specification of the desired behavior of the Deployment.' },
  status: { ...deploymentStatus, description: 'Most recently observed status of the Deployment.' },
});

export const deploymentColumns: ColumnDefinition[] = [
  { name: 'Ready', type: 'string', priority: 0, description: "Number of the pod with ready state" },
  { name: 'Up-to-date', type: 'string', priority: 0, description: "Total number of non-terminating pods targeted by this deployment that have the desired template spec." },
  { name: 'Available', type: 'string', priority: 0, description: "Total number of available non-terminating pods (ready for at least minReadySeconds) targeted by this deployment." },
  ageColumn,
  containersColumn,
  imagesColumn,
  { name: 'Selector', type: 'string', priority: 1, description: "Label selector for pods. Existing ReplicaSets whose pods are selected by this will be the ones affected by this deployment." },
];

function deploymentCells(d: KubeObject, now: number): unknown[] {
  const spec = rec(d.spec);
  const status = rec(d.status);
  const [names, images] = templateCells(d);
  const selector = labelSelectorString(spec.selector);
  return [
    `${Number(status.readyReplicas ?? 0)}/${Number(spec.replicas ?? 0)}`,
    Number(status.updatedReplicas ?? 0),
    Number(status.availableReplicas ?? 0),
    age(d, now),
    names,
    images,
    selector === undefined ? '<invalid>' : selector,
  ];
}

export function defaultDeployment(d: KubeObject): void {
  const spec = ensure(d, 'spec');
  setDefault(spec, 'replicas', 1);
  const strategy = ensure(spec, 'strategy');
  setDefaultString(strategy, 'type', 'RollingUpdate');
  if (strategy.type === 'RollingUpdate') {
    const ru = ensure(strategy, 'rollingUpdate');
    setDefault(ru, 'maxUnavailable', '25%');
    setDefault(ru, 'maxSurge', '25%');
  }
  setDefault(spec, 'revisionHistoryLimit', 10);
  setDefault(spec, 'progressDeadlineSeconds', 600);
  // The template is a struct upstream, so it is always there to default.
  defaultPodTemplateSpec(ensure(spec, 'template'));
}

function validateStrategy(strategy: unknown): StatusCause[] {
  const s = rec(strategy);
  switch (s.type) {
    case 'Recreate':
      return s.rollingUpdate !== undefined && s.rollingUpdate !== null ? [forbidden('spec.strategy.rollingUpdate', "may not be specified when strategy `type` is 'Recreate'")] : [];
    case 'RollingUpdate': {
      if (!isRecord(s.rollingUpdate)) return [required('spec.strategy.rollingUpdate', 'this should be defaulted and never be nil')];
      const ru = s.rollingUpdate;
      const errs = validatePositiveIntOrPercent(ru.maxUnavailable, 'spec.strategy.rollingUpdate.maxUnavailable');
      errs.push(...validatePositiveIntOrPercent(ru.maxSurge, 'spec.strategy.rollingUpdate.maxSurge'));
      if (intOrPercentValue(ru.maxUnavailable) === 0 && intOrPercentValue(ru.maxSurge) === 0)
        errs.push(invalid('spec.strategy.rollingUpdate.maxUnavailable', ru.maxUnavailable ?? 0, 'may not be 0 when `maxSurge` is 0'));
      errs.push(...notMoreThan100Percent(ru.maxUnavailable, 'spec.strategy.rollingUpdate.maxUnavailable'));
      return errs;
    }
    default:
      return [notSupported('spec.strategy', s, ['Recreate', 'RollingUpdate'])];
  }
}

/** ValidateDeploymentSpec. */
function validateDeploymentSpec(d: KubeObject): StatusCause[] {
  const spec = rec(d.spec);
  const errs = nonNegative(spec.replicas, 'spec.replicas');
  errs.push(...validateRequiredSelector(spec, 'deployment'));
  errs.push(...validateTemplateForReplicaSet(spec));
  errs.push(...validateStrategy(spec.strategy));
  errs.push(...nonNegative(spec.minReadySeconds, 'spec.minReadySeconds'));
  errs.push(...nonNegative(spec.revisionHistoryLimit, 'spec.revisionHistoryLimit'));
  if (typeof spec.progressDeadlineSeconds === 'number') {
    errs.push(...nonNegative(spec.progressDeadlineSeconds, 'spec.progressDeadlineSeconds'));
    if (spec.progressDeadlineSeconds <= Number(spec.minReadySeconds ?? 0))
      errs.push(invalid('spec.progressDeadlineSeconds', spec.progressDeadlineSeconds, 'must be greater than minReadySeconds'));
  }
  return errs;
}

export const deployment: KindDefinition = {
  group: 'apps',
  version: 'v1',
  kind: 'Deployment',
  resource: 'deployments',
  namespaced: true,
  shortNames: ['deploy'],
  categories: ['all'],
  schema: deploymentSchema,
  status: true,
  // spec.selector is a LabelSelector object; the Scale's status.selector is its string form.
  scale: { specReplicasPath: '.spec.replicas', statusReplicasPath: '.status.replicas', labelSelectorPath: '.spec.selector' },
  generation: true,
  table: { columns: deploymentColumns, cells: deploymentCells },
  strategy: {
    defaults: defaultDeployment,
    validate: (o) => [...validateObjectMeta(o, true, nameIsDNSSubdomain), ...validateDeploymentSpec(o)],
    validateUpdate: (o, old) => [...validateObjectMetaUpdate(o, old), ...selectorImmutable(o, old)],
    prepareForCreate: (o) => {
      o.status = {};
    },
    prepareForUpdate: (o, old) => {
      o.status = structuredClone(old.status);
    },
  },
};
