// Server-side printing: objects as meta.k8s.io Tables (what `kubectl get` shows) and as
// PartialObjectMetadata. The Name column comes first for every kind; kinds without their
// own columns get upstream's default table (Name, Created At).

import type { ColumnDefinition, KubeObject } from '../../api/kind.ts';
import type { ApiResource } from '../registry/resources.ts';

/** Upstream's Name column (also the first column of custom resources' tables). */
export const nameColumn: ColumnDefinition = {
  name: 'Name',
  type: 'string',
  format: 'name',
  description: 'Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names',
  priority: 0,
};

const createdAtColumn: ColumnDefinition = {
  name: 'Created At',
  type: 'date',
  description: 'CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.',
  priority: 0,
};

export type IncludeObject = 'None' | 'Metadata' | 'Object';

/** Kinds place the name column themselves when one of theirs has format "name" (Event). */
function placesName(resource: ApiResource): boolean {
  return resource.def.table?.columns.some((c) => c.format === 'name') ?? false;
}

export function columnDefinitions(resource: ApiResource): ColumnDefinition[] {
  if (placesName(resource)) return resource.def.table!.columns;
  return [nameColumn, ...(resource.def.table?.columns ?? [createdAtColumn])];
}

export function tableRow(resource: ApiResource, object: KubeObject, now: number, include: IncludeObject): Record<string, unknown> {
  const cells = resource.def.table ? resource.def.table.cells(object, now) : [object.metadata?.creationTimestamp ?? null];
  const row: Record<string, unknown> = { cells: placesName(resource) ? cells : [object.metadata?.name ?? '', ...cells] };
  if (include === 'Metadata') {
    // Printing needs names, namespaces and labels, not field ownership, which is often
    // the larger part of the metadata.
    const { managedFields: _m, ...metadata } = object.metadata ?? {};
    row.object = partialObjectMetadata({ metadata }, 'v1');
  }
  else if (include === 'Object') row.object = object;
  return row;
}

export function table(
  resource: ApiResource,
  objects: KubeObject[],
  version: string,
  now: number,
  include: IncludeObject,
  listMeta: Record<string, unknown>,
  withColumns = true,
): Record<string, unknown> {
  return {
    kind: 'Table',
    apiVersion: `meta.k8s.io/${version}`,
    metadata: listMeta,
    columnDefinitions: withColumns ? columnDefinitions(resource) : null,
    rows: objects.map((o) => tableRow(resource, o, now, include)),
  };
}

export function partialObjectMetadata(object: KubeObject, version: string): Record<string, unknown> {
  return { kind: 'PartialObjectMetadata', apiVersion: `meta.k8s.io/${version}`, metadata: object.metadata ?? {} };
}

export function parseIncludeObject(value: string | null): IncludeObject {
  return value === 'None' || value === 'Object' ? value : 'Metadata';
}
