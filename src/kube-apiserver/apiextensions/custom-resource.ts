// What a CustomResourceDefinition serves: one ApiResource per served version, built from the
// CRD's accepted names and that version's schema, subresources, printer columns and
// selectable fields. Every version shares the storage prefix /registry/<group>/<plural>/ and
// stores objects in the storage version (conversion strategy None: only apiVersion changes).
// The strategy prunes non-nullable nulls, applies schema defaults, drops status on create
// when the status subresource exists, and validates against the structural schema (plus
// the scale subresource's replica paths); a terminating CRD accepts no new objects.

import type { KindDefinition, KubeObject, ScaleSubresource } from '../../api/kind.ts';
import { kindSchema } from '../../api/meta.ts';
import { arr, isObject, obj as asObject, str as asString } from '../../api/meta/v1/unstructured.ts';
import { invalid } from '../../api/meta/v1/field.ts';
import type { Schema } from '../../api/schema.ts';
import { StatusError, type StatusCause } from '../../machinery/status.ts';
import { toApiResource, type ApiResource } from '../registry/resources.ts';
import { applyDefaults, pruneNonNullableNulls } from './defaulting.ts';
import { printerColumnsTable, type PrinterColumn } from './printer-columns.ts';
import { validateValue, type JSONSchemaProps } from './schema-validation.ts';

/** status.acceptedNames of a CRD. */
export interface AcceptedNames {
  plural: string;
  singular?: string;
  kind: string;
  listKind?: string;
  shortNames?: string[];
  categories?: string[];
}

export interface CustomResourceOptions {
  /** The CRD is being deleted: creating objects is refused (405), as upstream. */
  terminating?: boolean;
}

/** The name of the version marked `storage: true`. */
export function storageVersion(crd: KubeObject): string | undefined {
  const v = arr(asObject(crd.spec).versions).find((v) => isObject(v) && v.storage === true);
  return isObject(v) ? asString(v.name) : undefined;
}

/** One ApiResource per served version of the CRD, named by its accepted names. */
export function customResources(crd: KubeObject, names: AcceptedNames, options: CustomResourceOptions = {}): ApiResource[] {
  const spec = asObject(crd.spec);
  const group = asString(spec.group);
  const storage = storageVersion(crd);
  if (!group || !storage || !names.plural || !names.kind) return [];
  const resources: ApiResource[] = [];
  for (const v of arr(spec.versions)) {
    if (!isObject(v) || v.served !== true) continue;
    const resource = toApiResource(kindForVersion(group, spec, v, names, options));
    resource.customResource = { storageApiVersion: `${group}/${storage}` };
    resources.push(resource);
  }
  return resources;
}

function kindForVersion(group: string, spec: Record<string, unknown>, version: Record<string, unknown>, names: AcceptedNames, options: CustomResourceOptions): KindDefinition {
  const raw = asObject(asObject(version.schema).openAPIV3Schema);
  const schema: JSONSchemaProps = Object.keys(raw).length > 0 ? structuredClone(raw) : { type: 'object', 'x-kubernetes-preserve-unknown-fields': true };
  const subresources = asObject(version.subresources);
  const hasStatus = isObject(subresources.status);
  const scale = scaleOf(subresources.scale);
  const kind = names.kind;
  const selectable = arr(version.selectableFields)
    .map((f) => asString(asObject(f).jsonPath))
    .filter((p) => p.startsWith('.'));
  return {
    group,
    version: asString(version.name),
    kind,
    listKind: names.listKind || `${kind}List`,
    resource: names.plural,
    singular: names.singular || kind.toLowerCase(),
    namespaced: spec.scope === 'Namespaced',
    ...(names.shortNames?.length ? { shortNames: names.shortNames } : {}),
    ...(names.categories?.length ? { categories: names.categories } : {}),
    schema: envelope(schema),
    status: hasStatus,
    ...(scale ? { scale } : {}),
    generation: true,
    table: printerColumnsTable(arr(version.additionalPrinterColumns).filter(isObject) as unknown as PrinterColumn[]),
    ...(selectable.length > 0 ? { fields: Object.fromEntries(selectable.map((p) => [p.slice(1), (o: KubeObject) => selectableValue(o, p)])) } : {}),
    strategy: {
      prepareForCreate(object) {
        if (options.terminating) {
          throw new StatusError(405, 'MethodNotAllowed', 'create not allowed while custom resource definition is terminating', {
            group,
            kind: names.plural,
          });
        }
        if (hasStatus) delete object.status;
      },
      defaults(object) {
        pruneNonNullableNulls(object, schema);
        applyDefaults(object, schema);
      },
      validate(object) {
        return [...validateValue(object, schema), ...(scale ? validateScale(object, scale) : [])];
      },
    },
  };
}

function scaleOf(value: unknown): ScaleSubresource | undefined {
  if (!isObject(value)) return undefined;
  const specReplicasPath = asString(value.specReplicasPath);
  const statusReplicasPath = asString(value.statusReplicasPath);
  if (!specReplicasPath || !statusReplicasPath) return undefined;
  const labelSelectorPath = asString(value.labelSelectorPath);
  return { specReplicasPath, statusReplicasPath, ...(labelSelectorPath ? { labelSelectorPath } : {}) };
}

function readPath(object: unknown, path: string): unknown {
  let cur = object;
  for (const part of path.replace(/^\./, '').split('.')) {
    if (!isObject(cur)) return undefined;
    cur = cur[part];
  }
  return cur;
}

// Upstream's validateScaleSpec/validateScaleStatus: replicas are int32 and not negative.
function validateScale(object: KubeObject, scale: ScaleSubresource): StatusCause[] {
  const errs: StatusCause[] = [];
  for (const path of [scale.specReplicasPath, scale.statusReplicasPath]) {
    const value = readPath(object, path);
    if (typeof value !== 'number') continue;
    const field = path.replace(/^\./, '');
    if (value < 0) errs.push(invalid(field, value, 'should be a non-negative integer'));
    else if (value > 2147483647) errs.push(invalid(field, value, 'should be less than or equal to 2147483647'));
  }
  return errs;
}

function selectableValue(object: KubeObject, path: string): string {
  const value = readPath(object, path);
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return '';
}

const envelopeProperties = kindSchema('', {}).properties!;

/**
 * The schema the generic registry prunes with and OpenAPI publishes: the version's schema
 * with apiVersion, kind and the full ObjectMeta at the root (and in embedded resources),
 * and every object node that neither lists properties nor preserves unknown fields given
 * an empty property list, so that pruning drops what the schema does not declare.
 */
export function envelope(schema: JSONSchemaProps): Schema {
  const root = normalize(structuredClone(schema)) as Record<string, unknown>;
  const { apiVersion, kind, metadata: _m, ...rest } = asObject(root.properties);
  root.type = 'object';
  root.properties = {
    apiVersion: isObject(apiVersion) ? { ...envelopeProperties.apiVersion, ...apiVersion } : envelopeProperties.apiVersion,
    kind: isObject(kind) ? { ...envelopeProperties.kind, ...kind } : envelopeProperties.kind,
    metadata: envelopeProperties.metadata,
    ...rest,
  };
  return root as Schema;
}

function normalize(node: unknown): unknown {
  if (!isObject(node)) return node;
  if (isObject(node.properties)) for (const key of Object.keys(node.properties)) node.properties[key] = normalize(node.properties[key]);
  if (isObject(node.additionalProperties)) node.additionalProperties = normalize(node.additionalProperties);
  if (isObject(node.items)) node.items = normalize(node.items);
  if (node['x-kubernetes-embedded-resource'] === true) {
    node.properties = { apiVersion: envelopeProperties.apiVersion, kind: envelopeProperties.kind, ...asObject(node.properties), metadata: envelopeProperties.metadata };
  }
  const isObjectNode = node.type === 'object' || isObject(node.properties);
  if (isObjectNode && !isObject(node.properties) && node.additionalProperties === undefined && node['x-kubernetes-preserve-unknown-fields'] !== true) {
    node.properties = {};
  }
  return node;
}
