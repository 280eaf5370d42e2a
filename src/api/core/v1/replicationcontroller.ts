// The ReplicationController kind: selector and labels defaulted from the template, one replica
// by default, a non-empty map selector that must match the template, pods that always
// restart, the scale subresource, and the DESIRED/CURRENT/READY/AGE table.

import type { StatusCause } from '../../../machinery/status.ts';
import type { ColumnDefinition, KindDefinition, KubeObject } from '../../kind.ts';
import { kindSchema } from '../../meta.ts';
import { age, ageColumn, containerCells, containersColumn, formatLabels, imagesColumn } from '../../printing.ts';
import { int32, int64, listMap, obj, str, stringMap, time } from '../../schema.ts';
import { forbidden, invalid, nonNegative, notSupported, required, sortedMap } from './field-errors.ts';
import { ensure, isRecord, rec, str as text } from './json.ts';
import { mapSelectorMatches } from './label-selector.ts';
import { nameIsDNSSubdomain } from './names.ts';
import { validateObjectMeta, validateObjectMetaUpdate } from './object-meta.ts';
import { defaultPodTemplateSpec } from './pod-defaults.ts';
import { podTemplateSpec } from './pod-spec.ts';
import { validatePodTemplateSpec } from './pod-validation.ts';

export const replicationControllerCondition = obj(
  {
    type: str('Type of replication controller condition.'),
    status: str('Status of the condition, one of True, False, Unknown.'),
    lastTransitionTime: time('The last time the condition transitioned from one status to another.'),
    reason: str("The reason for the condition's last transition."),
    message: str('A human readable message indicating details about the transition.'),
  },
  { required: ['type', 'status'] },
);

export const replicationControllerSchema = kindSchema('ReplicationController represents the configuration of a replication controller.', {
  spec: obj(
    {
      replicas: int32('Replicas is the number of desired replicas.'),
      minReadySeconds: int32('Minimum number of seconds for which a newly created pod should be ready without any of its container crashing, for it to be considered available.'),
      selector: { ...stringMap('Selector is a label query over pods that should match the Replicas count.'), 'x-kubernetes-map-type': 'atomic' },
      template: { ...podTemplateSpec, description: 'Template is the object that describes the pod that will be created if insufficient replicas are detected.' },
    },
    { description: 'Spec defines the specification of the desired behavior of the replication controller.' },
  ),
  status: obj(
    {
      replicas: int32('Replicas is the most recently observed number of replicas.'),
      fullyLabeledReplicas: int32('The number of pods that have labels matching the labels of the pod template of the replication controller.'),
      readyReplicas: int32('The number of ready replicas for this replication controller.'),
      availableReplicas: int32('The number of available replicas (ready for at least minReadySeconds) for this replication controller.'),
      observedGeneration: int64('ObservedGeneration reflects the generation of the most recently observed replication controller.'),
      conditions: listMap(replicationControllerCondition, ['type'], "Represents the latest available observations of a replication controller's current state."),
    },
    { required: ['replicas'], description: 'Status is the most recently observed status of the replication controller.' },
  ),
});

export const replicationControllerColumns: ColumnDefinition[] = [
  { name: 'Desired', type: 'integer', priority: 0, description: "Replicas is the number of desired replicas. This is a pointer to distinguish between explicit zero and unspecified. Defaults to 1. More info: https://kubernetes.io/docs/concepts/workloads/controllers/replicationcontroller#what-is-a-replicationcontroller" },
  { name: 'Current', type: 'integer', priority: 0, description: "Replicas is the most recently observed number of replicas. More info: https://kubernetes.io/docs/concepts/workloads/controllers/replicationcontroller#what-is-a-replicationcontroller" },
  { name: 'Ready', type: 'integer', priority: 0, description: "The number of ready replicas for this replication controller." },
  ageColumn,
  containersColumn,
  imagesColumn,
  { name: 'Selector', type: 'string', priority: 1, description: "Selector is a label query over pods that should match the Replicas count. If Selector is empty, it is defaulted to the labels present on the Pod template. Label keys and values that must match in order to be controlled by this replication controller, if empty defaulted to labels on Pod template. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#label-selectors" },
];

function rcCells(rc: KubeObject, now: number): unknown[] {
  const spec = rec(rc.spec);
  const status = rec(rc.status);
  const [names, images] = containerCells(rec(rec(spec.template).spec).containers);
  return [Number(spec.replicas ?? 0), Number(status.replicas ?? 0), Number(status.readyReplicas ?? 0), age(rc, now), names, images, formatLabels(spec.selector)];
}

function defaultRC(rc: KubeObject): void {
  const spec = ensure(rc, 'spec');
  const labels = isRecord(spec.template) ? rec(spec.template.metadata).labels : undefined;
  if (isRecord(labels)) {
    if (Object.keys(rec(spec.selector)).length === 0) spec.selector = structuredClone(labels);
    const meta = ensure(rc, 'metadata');
    if (Object.keys(rec(meta.labels)).length === 0) meta.labels = structuredClone(labels);
  }
  if (spec.replicas === undefined || spec.replicas === null) spec.replicas = 1;
  if (isRecord(spec.template)) defaultPodTemplateSpec(spec.template);
}

function validateRCSpec(rc: KubeObject): StatusCause[] {
  const spec = rec(rc.spec);
  const errs = nonNegative(spec.minReadySeconds, 'spec.minReadySeconds');
  const selector = rec(spec.selector);
  if (Object.keys(selector).length === 0) errs.push(required('spec.selector'));
  if (spec.replicas === undefined || spec.replicas === null) errs.push(required('spec.replicas'));
  else errs.push(...nonNegative(spec.replicas, 'spec.replicas'));
  if (!isRecord(spec.template)) {
    errs.push(required('spec.template'));
    return errs;
  }
  const template = spec.template;
  const labels = rec(template.metadata).labels;
  if (Object.keys(selector).length > 0 && !mapSelectorMatches(selector, labels))
    errs.push(invalid('spec.template.metadata.labels', isRecord(labels) ? sortedMap(labels) : null, '`selector` does not match template `labels`'));
  errs.push(...validatePodTemplateSpec(template, 'spec.template'));
  const tspec = rec(template.spec);
  if (tspec.restartPolicy !== 'Always') errs.push(notSupported('spec.template.spec.restartPolicy', text(tspec.restartPolicy), ['Always']));
  if (tspec.activeDeadlineSeconds !== undefined && tspec.activeDeadlineSeconds !== null)
    errs.push(forbidden('spec.template.spec.activeDeadlineSeconds', 'activeDeadlineSeconds in ReplicationController is not Supported'));
  return errs;
}

export const replicationController: KindDefinition = {
  group: '',
  version: 'v1',
  kind: 'ReplicationController',
  resource: 'replicationcontrollers',
  namespaced: true,
  shortNames: ['rc'],
  categories: ['all'],
  schema: replicationControllerSchema,
  status: true,
  // The selector is a map[string]string; the Scale's status.selector is its string form.
  scale: { specReplicasPath: '.spec.replicas', statusReplicasPath: '.status.replicas', labelSelectorPath: '.spec.selector' },
  generation: true,
  fields: { 'status.replicas': (o) => String(Number(rec(o.status).replicas ?? 0)) },
  table: { columns: replicationControllerColumns, cells: rcCells },
  strategy: {
    defaults: defaultRC,
    validate: (o) => [...validateObjectMeta(o, true, nameIsDNSSubdomain), ...validateRCSpec(o)],
    validateUpdate: (o, old) => validateObjectMetaUpdate(o, old),
    prepareForCreate: (o) => {
      o.status = { replicas: 0 };
    },
    prepareForUpdate: (o, old) => {
      o.status = structuredClone(old.status);
    },
  },
};
