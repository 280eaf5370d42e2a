// The ControllerRevision kind: an immutable snapshot of a StatefulSet's or DaemonSet's
// template (data) with its revision number, and the CONTROLLER/REVISION/AGE table.

import type { StatusCause } from '../../../machinery/status.ts';
import type { ColumnDefinition, KindDefinition, KubeObject } from '../../kind.ts';
import { kindSchema } from '../../meta.ts';
import { age, ageColumn } from '../../printing.ts';
import { freeform, int64 } from '../../schema.ts';
import { immutable, nonNegative, required } from '../../core/v1/field-errors.ts';
import { nameIsDNSSubdomain } from '../../core/v1/names.ts';
import { validateObjectMeta, validateObjectMetaUpdate } from '../../core/v1/object-meta.ts';

export const controllerRevisionSchema = kindSchema(
  'ControllerRevision implements an immutable snapshot of state data.',
  {
    data: freeform('Data is the serialized representation of the state.'),
    revision: int64('Revision indicates the revision of the state represented by Data.'),
  },
  ['revision'],
);

export const controllerRevisionColumns: ColumnDefinition[] = [
  { name: 'Controller', type: 'string', priority: 0, description: "Controller of the object" },
  { name: 'Revision', type: 'string', priority: 0, description: "revision indicates the revision of the state represented by Data." },
  ageColumn,
];

/** The controller as "kind.group/name" (formatResourceName), `<none>` without one. */
function controllerOf(rev: KubeObject): string {
  const ref = (rev.metadata?.ownerReferences ?? []).find((r) => r.controller === true);
  if (!ref) return '<none>';
  const group = ref.apiVersion.includes('/') ? ref.apiVersion.split('/')[0] : '';
  const kind = group ? `${ref.kind}.${group}` : ref.kind;
  return kind ? `${kind.toLowerCase()}/${ref.name}` : ref.name;
}

function validateRevision(rev: KubeObject): StatusCause[] {
  const errs = validateObjectMeta(rev, true, nameIsDNSSubdomain);
  if (rev.data === undefined || rev.data === null) errs.push(required('data', 'data is mandatory'));
  errs.push(...nonNegative(rev.revision, 'revision'));
  return errs;
}

export const controllerRevision: KindDefinition = {
  group: 'apps',
  version: 'v1',
  kind: 'ControllerRevision',
  resource: 'controllerrevisions',
  namespaced: true,
  schema: controllerRevisionSchema,
  table: { columns: controllerRevisionColumns, cells: (o, now) => [controllerOf(o), Number(o.revision ?? 0), age(o, now)] },
  strategy: {
    validate: validateRevision,
    validateUpdate: (o, old) => [...validateObjectMetaUpdate(o, old), ...immutable(o.data, old.data, 'data')],
  },
};
