// The DaemonSet kind: RollingUpdate (maxUnavailable 1, maxSurge 0) and 10 revisions by
// default, a selector that must match the template, exactly one of maxUnavailable and maxSurge,
// an immutable selector, and the DESIRED/CURRENT/READY/UP-TO-DATE/AVAILABLE/NODE SELECTOR/AGE
// table. DaemonSets have no scale subresource.

import type { StatusCause } from '../../../machinery/status.ts';
import type { ColumnDefinition, KindDefinition, KubeObject } from '../../kind.ts';
import { kindSchema } from '../../meta.ts';
import { age, ageColumn, containersColumn, formatLabels, formatLabelSelector, imagesColumn } from '../../printing.ts';
import { invalid, nonNegative, notSupported, required, selectorValue } from '../../core/v1/field-errors.ts';
import { ensure, isRecord, rec, setDefault, setDefaultString } from '../../core/v1/json.ts';
import { labelSelectorEmpty } from '../../core/v1/label-selector.ts';
import { nameIsDNSSubdomain } from '../../core/v1/names.ts';
import { validateLabelSelector, validateObjectMeta, validateObjectMetaUpdate } from '../../core/v1/object-meta.ts';
import { defaultPodTemplateSpec } from '../../core/v1/pod-defaults.ts';
import { validatePodTemplateSpec } from '../../core/v1/pod-validation.ts';
import {
  alwaysRestart,
  intOrPercentValue,
  notMoreThan100Percent,
  selectorImmutable,
  selectorMatchesTemplate,
  templateCells,
  validatePositiveIntOrPercent,
} from './workload.ts';
import { daemonSetSpec, daemonSetStatus } from './workload-schema.ts';

export const daemonSetSchema = kindSchema('DaemonSet represents the configuration of a daemon set.', {
  spec: { ...daemonSetSpec, description: 'The desired behavior of this daemon set.' },
  status: { ...daemonSetStatus, description: 'The current status of this daemon set.' },
});

export const daemonSetColumns: ColumnDefinition[] = [
  { name: 'Desired', type: 'integer', priority: 0, description: "The total number of nodes that should be running the daemon pod (including nodes correctly running the daemon pod). More info: https://kubernetes.io/docs/concepts/workloads/controllers/daemonset/" },
  { name: 'Current', type: 'integer', priority: 0, description: "The number of nodes that are running at least 1 daemon pod and are supposed to run the daemon pod. More info: https://kubernetes.io/docs/concepts/workloads/controllers/daemonset/" },
  { name: 'Ready', type: 'integer', priority: 0, description: "The number of nodes that should be running the daemon pod and have one or more of the daemon pod running and ready." },
  { name: 'Up-to-date', type: 'integer', priority: 0, description: "The total number of nodes that are running updated daemon pod" },
  { name: 'Available', type: 'integer', priority: 0, description: "The number of nodes that should be running the daemon pod and have one or more of the daemon pod running and available (ready for at least spec.minReadySeconds)" },
  { name: 'Node Selector', type: 'string', priority: 0, description: "NodeSelector is a selector which must be true for the pod to fit on a node. Selector which must match a node's labels for the pod to be scheduled on that node. More info: https://kubernetes.io/docs/concepts/configuration/assign-pod-node/" },
  ageColumn,
  containersColumn,
  imagesColumn,
  { name: 'Selector', type: 'string', priority: 1, description: "A label query over pods that are managed by the daemon set. Must match in order to be controlled. If empty, defaulted to labels on Pod template. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#label-selectors" },
];

function daemonSetCells(ds: KubeObject, now: number): unknown[] {
  const spec = rec(ds.spec);
  const s = rec(ds.status);
  const [names, images] = templateCells(ds);
  const n = (v: unknown) => Number(v ?? 0);
  return [
    n(s.desiredNumberScheduled),
    n(s.currentNumberScheduled),
    n(s.numberReady),
    n(s.updatedNumberScheduled),
    n(s.numberAvailable),
    formatLabels(rec(rec(spec.template).spec).nodeSelector),
    age(ds, now),
    names,
    images,
    formatLabelSelector(spec.selector),
  ];
}

function defaultDaemonSet(ds: KubeObject): void {
  const spec = ensure(ds, 'spec');
  const strategy = ensure(spec, 'updateStrategy');
  setDefaultString(strategy, 'type', 'RollingUpdate');
  if (strategy.type === 'RollingUpdate') {
    const ru = ensure(strategy, 'rollingUpdate');
    setDefault(ru, 'maxUnavailable', 1);
    setDefault(ru, 'maxSurge', 0);
  }
  setDefault(spec, 'revisionHistoryLimit', 10);
  defaultPodTemplateSpec(ensure(spec, 'template'));
}

function validateUpdateStrategy(strategy: unknown): StatusCause[] {
  const s = rec(strategy);
  const field = 'spec.updateStrategy';
  switch (s.type) {
    case 'OnDelete':
      return [];
    case 'RollingUpdate': {
      if (!isRecord(s.rollingUpdate)) return [required(`${field}.rollingUpdate`)];
      const ru = s.rollingUpdate;
      const p = `${field}.rollingUpdate`;
      const errs = [...validatePositiveIntOrPercent(ru.maxUnavailable, `${p}.maxUnavailable`), ...validatePositiveIntOrPercent(ru.maxSurge, `${p}.maxSurge`)];
      errs.push(...notMoreThan100Percent(ru.maxUnavailable, `${p}.maxUnavailable`), ...notMoreThan100Percent(ru.maxSurge, `${p}.maxSurge`));
      const hasUnavailable = intOrPercentValue(ru.maxUnavailable) !== 0;
      const hasSurge = intOrPercentValue(ru.maxSurge) !== 0;
      if (hasUnavailable && hasSurge) errs.push(invalid(`${p}.maxSurge`, ru.maxSurge ?? null, 'may not be set when maxUnavailable is non-zero'));
      else if (!hasUnavailable && !hasSurge) errs.push(required(`${p}.maxUnavailable`, 'cannot be 0 when maxSurge is 0'));
      return errs;
    }
    default:
      return [notSupported(field, s, ['RollingUpdate', 'OnDelete'])];
  }
}

function validateDaemonSetSpec(ds: KubeObject): StatusCause[] {
  const spec = rec(ds.spec);
  const template = rec(spec.template);
  const errs = validateLabelSelector(spec.selector, 'spec.selector');
  errs.push(...selectorMatchesTemplate(spec.selector, template, 'spec.template'));
  if (isRecord(spec.selector) && labelSelectorEmpty(spec.selector)) errs.push(invalid('spec.selector', selectorValue(spec.selector), 'empty selector is invalid for daemonset'));
  errs.push(...validatePodTemplateSpec(template, 'spec.template'));
  errs.push(...alwaysRestart(template, 'DaemonSet'));
  errs.push(...nonNegative(spec.minReadySeconds, 'spec.minReadySeconds'));
  errs.push(...validateUpdateStrategy(spec.updateStrategy));
  errs.push(...nonNegative(spec.revisionHistoryLimit, 'spec.revisionHistoryLimit'));
  return errs;
}

export const daemonSet: KindDefinition = {
  group: 'apps',
  version: 'v1',
  kind: 'DaemonSet',
  resource: 'daemonsets',
  namespaced: true,
  shortNames: ['ds'],
  categories: ['all'],
  schema: daemonSetSchema,
  status: true,
  generation: true,
  table: { columns: daemonSetColumns, cells: daemonSetCells },
  strategy: {
    defaults: defaultDaemonSet,
    validate: (o) => [...validateObjectMeta(o, true, nameIsDNSSubdomain), ...validateDaemonSetSpec(o)],
    validateUpdate: (o, old) => [...validateObjectMetaUpdate(o, old), ...selectorImmutable(o, old)],
    prepareForCreate: (o) => {
      o.status = { currentNumberScheduled: 0, numberMisscheduled: 0, desiredNumberScheduled: 0, numberReady: 0 };
    },
    prepareForUpdate: (o, old) => {
      o.status = structuredClone(old.status);
    },
  },
};
