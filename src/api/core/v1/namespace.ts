// The Namespace kind (cluster-scoped): the kubernetes.io/metadata.name label, the "kubernetes"
// finalizer and the Active phase on create, a spec that only the finalize subresource changes,
// and the STATUS/AGE table.

import type { StatusCause } from '../../../machinery/status.ts';
import type { ColumnDefinition, KindDefinition, KubeObject } from '../../kind.ts';
import { kindSchema } from '../../meta.ts';
import { age, ageColumn } from '../../printing.ts';
import { list, listMap, obj, str, time } from '../../schema.ts';
import { index } from './field-errors.ts';
import { ensure, rec, stringsOf, str as text } from './json.ts';
import { nameIsDNSLabel } from './names.ts';
import { validateFinalizerName, validateObjectMeta, validateObjectMetaUpdate } from './object-meta.ts';

export const namespaceCondition = obj(
  {
    type: str('Type of namespace controller condition.'),
    status: str('Status of the condition, one of True, False, Unknown.'),
    lastTransitionTime: time('Last time the condition transitioned from one status to another.'),
    reason: str("Unique, one-word, CamelCase reason for the condition's last transition."),
    message: str('Human-readable message indicating details about last transition.'),
  },
  { required: ['type', 'status'] },
);

export const namespaceSchema = kindSchema('Namespace provides a scope for Names. Use of multiple namespaces is optional.', {
  spec: obj(
    {
      finalizers: list(str(), 'Finalizers is an opaque list of values that must be empty to permanently remove object from storage.', {
        'x-kubernetes-list-type': 'atomic',
      }),
    },
    { description: 'Spec defines the behavior of the Namespace.' },
  ),
  status: obj(
    {
      phase: str('Phase is the current lifecycle phase of the namespace.'),
      conditions: listMap(namespaceCondition, ['type'], "Represents the latest available observations of a namespace's current state."),
    },
    { description: 'Status describes the current status of a Namespace.' },
  ),
});

export const namespaceColumns: ColumnDefinition[] = [
  { name: 'Status', type: 'string', priority: 0, description: "The status of the namespace" },
  ageColumn,
];

/** SetDefaults_Namespace: every named namespace carries kubernetes.io/metadata.name. */
function defaultNamespace(ns: KubeObject): void {
  const name = ns.metadata?.name;
  if (!name) return;
  const labels = ensure(ensure(ns, 'metadata'), 'labels');
  labels['kubernetes.io/metadata.name'] = name;
}

function validateNamespace(ns: KubeObject): StatusCause[] {
  const errs = validateObjectMeta(ns, false, nameIsDNSLabel);
  stringsOf(rec(ns.spec).finalizers).forEach((f, i) => errs.push(...validateFinalizerName(f, index('spec.finalizers', i))));
  return errs;
}

export const namespace: KindDefinition = {
  group: '',
  version: 'v1',
  kind: 'Namespace',
  resource: 'namespaces',
  namespaced: false,
  shortNames: ['ns'],
  schema: namespaceSchema,
  status: true,
  fields: {
    'status.phase': (o) => text(rec(o.status).phase),
    // Upstream keeps this alias of metadata.name for backward compatibility.
    name: (o) => o.metadata?.name,
  },
  table: { columns: namespaceColumns, cells: (o, now) => [text(rec(o.status).phase), age(o, now)] },
  strategy: {
    defaults: defaultNamespace,
    validate: validateNamespace,
    validateUpdate: (o, old) => validateObjectMetaUpdate(o, old),
    prepareForCreate: (o) => {
      o.status = { phase: 'Active' };
      const spec = ensure(o, 'spec');
      const finalizers = stringsOf(spec.finalizers);
      if (!finalizers.includes('kubernetes')) spec.finalizers = [...finalizers, 'kubernetes'];
    },
    prepareForUpdate: (o, old) => {
      o.spec = structuredClone(old.spec);
      o.status = structuredClone(old.status);
    },
  },
};
