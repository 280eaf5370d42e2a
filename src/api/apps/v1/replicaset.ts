// The ReplicaSet kind: one replica by default, a required selector matching the template, pods
// that always restart, an immutable selector, the scale subresource, the status.replicas field
// selector, and the DESIRED/CURRENT/READY/AGE table.

import type { ColumnDefinition, KindDefinition, KubeObject } from '../../kind.ts';
import { kindSchema } from '../../meta.ts';
import { age, ageColumn, containersColumn, formatLabelSelector, imagesColumn } from '../../printing.ts';
import { nonNegative } from '../../core/v1/field-errors.ts';
import { ensure, rec, setDefault } from '../../core/v1/json.ts';
import { nameIsDNSSubdomain } from '../../core/v1/names.ts';
import { validateObjectMeta, validateObjectMetaUpdate } from '../../core/v1/object-meta.ts';
import { defaultPodTemplateSpec } from '../../core/v1/pod-defaults.ts';
import { selectorImmutable, templateCells, validateRequiredSelector, validateTemplateForReplicaSet } from './workload.ts';
import { replicaSetSpec, replicaSetStatus } from './workload-schema.ts';

export const replicaSetSchema = kindSchema('ReplicaSet ensures that a specified number of pod replicas are running at any given time.', {
  spec: { ...replicaSetSpec, description: 'Spec defines the specification of the desired behavior of the ReplicaSet.' },
  status: { ...replicaSetStatus, description: 'Status is the most recently observed status of the ReplicaSet.' },
});

export const replicaSetColumns: ColumnDefinition[] = [
  { name: 'Desired', type: 'integer', priority: 0, description: "Replicas is the number of desired pods. This is a pointer to distinguish between explicit zero and unspecified. Defaults to 1. More info: https://kubernetes.io/docs/concepts/workloads/controllers/replicaset" },
  { name: 'Current', type: 'integer', priority: 0, description: "Replicas is the most recently observed number of non-terminating pods. More info: https://kubernetes.io/docs/concepts/workloads/controllers/replicaset" },
  { name: 'Ready', type: 'integer', priority: 0, description: "The number of non-terminating pods targeted by this ReplicaSet with a Ready Condition." },
  ageColumn,
  containersColumn,
  imagesColumn,
  { name: 'Selector', type: 'string', priority: 1, description: "Selector is a label query over pods that should match the replica count. If the selector is empty, it is defaulted to the labels present on the pod template. Label keys and values that must match in order to be controlled by this replica set. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#label-selectors" },
];

function replicaSetCells(rs: KubeObject, now: number): unknown[] {
  const spec = rec(rs.spec);
  const status = rec(rs.status);
  const [names, images] = templateCells(rs);
  return [Number(spec.replicas ?? 0), Number(status.replicas ?? 0), Number(status.readyReplicas ?? 0), age(rs, now), names, images, formatLabelSelector(spec.selector)];
}

export const replicaSet: KindDefinition = {
  group: 'apps',
  version: 'v1',
  kind: 'ReplicaSet',
  resource: 'replicasets',
  namespaced: true,
  shortNames: ['rs'],
  categories: ['all'],
  schema: replicaSetSchema,
  status: true,
  // spec.selector is a LabelSelector object; the Scale's status.selector is its string form.
  scale: { specReplicasPath: '.spec.replicas', statusReplicasPath: '.status.replicas', labelSelectorPath: '.spec.selector' },
  generation: true,
  fields: { 'status.replicas': (o) => String(Number(rec(o.status).replicas ?? 0)) },
  table: { columns: replicaSetColumns, cells: replicaSetCells },
  strategy: {
    defaults: (o) => {
      const spec = ensure(o, 'spec');
      setDefault(spec, 'replicas', 1);
      defaultPodTemplateSpec(ensure(spec, 'template'));
    },
    validate: (o) => {
      const spec = rec(o.spec);
      return [
        ...validateObjectMeta(o, true, nameIsDNSSubdomain),
        ...nonNegative(spec.replicas, 'spec.replicas'),
        ...nonNegative(spec.minReadySeconds, 'spec.minReadySeconds'),
        // Upstream's message names deployments here too.
        ...validateRequiredSelector(spec, 'deployment'),
        ...validateTemplateForReplicaSet(spec),
      ];
    },
    validateUpdate: (o, old) => [...validateObjectMetaUpdate(o, old), ...selectorImmutable(o, old)],
    prepareForCreate: (o) => {
      o.status = { replicas: 0 };
    },
    prepareForUpdate: (o, old) => {
      o.status = structuredClone(old.status);
    },
  },
};
