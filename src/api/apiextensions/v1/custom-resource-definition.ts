// apiextensions.k8s.io/v1 CustomResourceDefinition (crd, crds; category api-extensions):
// cluster-scoped, with a status subresource and generation counting spec changes. Upstream's
// defaults (singular = lower-cased kind, listKind = kind + "List", conversion strategy None,
// webhook service port 443, the storage version recorded in status.storedVersions), its
// create/update preparation, validation (crd-validation.ts) and the default CREATED AT table.

import type { KindDefinition, KubeObject } from '../../kind.ts';
import { defaultTable } from '../../meta/v1/default-table.ts';
import { arr, child, isObject, obj as asObject, str as asString } from '../../meta/v1/unstructured.ts';
import { customResourceDefinitionSchema } from './crd-schema.ts';
import { validateCustomResourceDefinition, validateCustomResourceDefinitionUpdate } from './crd-validation.ts';

function storageVersion(object: KubeObject): string | undefined {
  const version = arr(asObject(object.spec).versions).find((v) => isObject(v) && v.storage === true);
  return isObject(version) ? asString(version.name) : undefined;
}

// The storage version is always among the versions objects may have been stored in.
function recordStorageVersion(object: KubeObject): void {
  const storage = storageVersion(object);
  if (storage === undefined) return;
  const status = child(object, 'status');
  const stored = Array.isArray(status.storedVersions) ? status.storedVersions : [];
  if (!stored.includes(storage)) status.storedVersions = [...stored, storage];
}

function defaults(object: KubeObject): void {
  const spec = child(object, 'spec');
  const names = child(spec, 'names');
  const kind = asString(names.kind);
  if (!names.singular) names.singular = kind.toLowerCase();
  if (!names.listKind && kind) names.listKind = `${kind}List`;
  if (!isObject(spec.conversion)) spec.conversion = { strategy: 'None' };
  const service = asObject(asObject(asObject(spec.conversion).webhook).clientConfig).service;
  if (isObject(service)) service.port ??= 443;
  if (arr(asObject(object.status).storedVersions).length === 0) recordStorageVersion(object);
}

// A new CRD starts with an empty status (names not yet accepted) and its storage version.
function prepareForCreate(object: KubeObject): void {
  object.status = { acceptedNames: { plural: '', kind: '' } };
  recordStorageVersion(object);
}

// Status is the controllers' (the server keeps the stored one); a new storage version is recorded.
function prepareForUpdate(object: KubeObject): void {
  recordStorageVersion(object);
}

export const customResourceDefinition: KindDefinition = {
  group: 'apiextensions.k8s.io',
  version: 'v1',
  kind: 'CustomResourceDefinition',
  resource: 'customresourcedefinitions',
  namespaced: false,
  shortNames: ['crd', 'crds'],
  categories: ['api-extensions'],
  schema: customResourceDefinitionSchema,
  status: true,
  generation: true,
  table: defaultTable,
  strategy: {
    defaults,
    prepareForCreate,
    prepareForUpdate,
    validate: validateCustomResourceDefinition,
    validateUpdate: validateCustomResourceDefinitionUpdate,
  },
};
