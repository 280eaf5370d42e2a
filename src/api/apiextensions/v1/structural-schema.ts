// The essentials of upstream's checks on a CRD version's openAPIV3Schema (apiextensions
// validation plus pkg/apiserver/schema's structural invariants), with upstream's paths and
// messages: every node names its type (except x-kubernetes-int-or-string and
// x-kubernetes-preserve-unknown-fields nodes), arrays have items, the root is an object,
// properties and additionalProperties are exclusive, unsupported JSON-schema keywords are
// refused, list/map extensions are consistent, and root metadata may only constrain name and
// generateName. Not covered: value validations inside allOf/anyOf/oneOf/not, defaults
// (pruning and type checks), CEL rule compilation, formats.

import type { StatusCause } from '../../../machinery/status.ts';
import { forbidden, invalid, notSupported, required } from '../../meta/v1/field.ts';
import { arr, isObject, type JSONObject } from '../../meta/v1/unstructured.ts';

type Level = 'root' | 'item' | 'field';

const openAPIV3Types = ['array', 'boolean', 'integer', 'number', 'object', 'string'];

function typeOf(node: JSONObject): string {
  return typeof node.type === 'string' ? node.type : '';
}

function isNonEmptyMap(v: unknown): v is JSONObject {
  return isObject(v) && Object.keys(v).length > 0;
}

/** Errors of a CRD schema at `path` (upstream's "spec.validation.openAPIV3Schema" when all versions share it). */
export function structuralSchemaErrors(schema: unknown, path = 'spec.validation.openAPIV3Schema'): StatusCause[] {
  const errs: StatusCause[] = [];
  if (isObject(schema) && schema.nullable === true) errs.push(forbidden(`${path}.nullable`, 'nullable cannot be true at the root'));
  errs.push(...validateOpenAPISchema(schema, path));
  errs.push(...validateStructural(schema, 'root', path));
  return errs;
}

// ValidateCustomResourceDefinitionOpenAPISchema: keyword-level rules, applied everywhere.
function validateOpenAPISchema(schema: unknown, path: string): StatusCause[] {
  if (!isObject(schema)) return [];
  const errs: StatusCause[] = [];
  const type = typeOf(schema);
  if (type !== '' && !openAPIV3Types.includes(type)) errs.push(notSupported(`${path}.type`, type, openAPIV3Types));
  const unsupported: [string, boolean][] = [
    ['id', typeof schema.id === 'string' && schema.id !== ''],
    ['additionalItems', schema.additionalItems !== undefined && schema.additionalItems !== null],
    ['patternProperties', isNonEmptyMap(schema.patternProperties)],
    ['definitions', isNonEmptyMap(schema.definitions)],
    ['dependencies', schema.dependencies !== undefined && schema.dependencies !== null],
    ['$ref', schema.$ref !== undefined && schema.$ref !== null],
  ];
  for (const [keyword, present] of unsupported) if (present) errs.push(forbidden(`${path}.${keyword}`, `${keyword} is not supported`));
  if (type === 'null') errs.push(forbidden(`${path}.type`, 'type cannot be set to null, use nullable as an alternative'));
  if (Array.isArray(schema.items) && schema.items.length > 0) errs.push(forbidden(`${path}.items`, 'items must be a schema object and not an array'));
  if (schema.uniqueItems === true) errs.push(forbidden(`${path}.uniqueItems`, 'uniqueItems cannot be set to true since the runtime complexity becomes quadratic'));

  const additional = schema.additionalProperties;
  if (additional !== undefined && additional !== null) {
    if (isNonEmptyMap(schema.properties) && (additional === false || isObject(additional))) {
      errs.push(forbidden(`${path}.additionalProperties`, 'additionalProperties and properties are mutual exclusive'));
    }
    errs.push(...validateOpenAPISchema(additional, `${path}.additionalProperties`));
  }
  if (isObject(schema.properties)) {
    for (const [name, property] of Object.entries(schema.properties)) errs.push(...validateOpenAPISchema(property, `${path}.properties[${name}]`));
  }
  errs.push(...validateOpenAPISchema(schema.not, `${path}.not`));
  for (const keyword of ['allOf', 'oneOf', 'anyOf']) {
    arr(schema[keyword]).forEach((sub, i) => errs.push(...validateOpenAPISchema(sub, `${path}.${keyword}[${i}]`)));
  }
  if (Array.isArray(schema.items)) schema.items.forEach((sub, i) => errs.push(...validateOpenAPISchema(sub, `${path}.items[${i}]`)));
  else errs.push(...validateOpenAPISchema(schema.items, `${path}.items`));

  if (schema['x-kubernetes-preserve-unknown-fields'] === false) {
    errs.push(invalid(`${path}.x-kubernetes-preserve-unknown-fields`, false, 'must be true or undefined'));
  }
  errs.push(...validateListAndMapTypes(schema, type, path));
  arr(schema['x-kubernetes-validations']).forEach((rule, i) => {
    const text = isObject(rule) && typeof rule.rule === 'string' ? rule.rule.trim() : '';
    if (text === '') errs.push(required(`${path}.x-kubernetes-validations[${i}].rule`, 'rule is not specified'));
  });
  return errs;
}

function validateListAndMapTypes(schema: JSONObject, type: string, path: string): StatusCause[] {
  const errs: StatusCause[] = [];
  const mapType = schema['x-kubernetes-map-type'];
  if (typeof mapType === 'string') {
    if (type !== 'object') {
      const msg = 'must be object if x-kubernetes-map-type is specified';
      errs.push(type === '' ? required(`${path}.type`, msg) : invalid(`${path}.type`, type, msg));
    }
    if (mapType !== 'atomic' && mapType !== 'granular') errs.push(notSupported(`${path}.x-kubernetes-map-type`, mapType, ['atomic', 'granular']));
  }
  const listType = schema['x-kubernetes-list-type'];
  if (typeof listType === 'string') {
    if (type !== 'array') {
      const msg = 'must be array if x-kubernetes-list-type is specified';
      errs.push(type === '' ? required(`${path}.type`, msg) : invalid(`${path}.type`, type, msg));
    }
    if (!['atomic', 'set', 'map'].includes(listType)) errs.push(notSupported(`${path}.x-kubernetes-list-type`, listType, ['atomic', 'set', 'map']));
  }
  const keys = arr(schema['x-kubernetes-list-map-keys']);
  if (keys.length > 0) {
    const msg = 'must be map if x-kubernetes-list-map-keys is non-empty';
    if (typeof listType !== 'string') errs.push(required(`${path}.x-kubernetes-list-type`, msg));
    else if (listType !== 'map') errs.push(invalid(`${path}.x-kubernetes-list-type`, listType, msg));
  }
  if (listType === 'map') {
    if (keys.length === 0) errs.push(required(`${path}.x-kubernetes-list-map-keys`, 'must not be empty if x-kubernetes-list-type is map'));
    if (schema.items === undefined || schema.items === null) {
      errs.push(required(`${path}.items`, 'must have a schema if x-kubernetes-list-type is map'));
    } else if (isObject(schema.items) && typeOf(schema.items) !== 'object') {
      errs.push(invalid(`${path}.items.type`, typeOf(schema.items), "must be object if parent array's x-kubernetes-list-type is map"));
    }
  }
  return errs;
}

// ValidateStructural: the invariants that make a schema structural.
function validateStructural(schema: unknown, level: Level, path: string): StatusCause[] {
  if (!isObject(schema)) return [];
  const errs: StatusCause[] = [];
  const type = typeOf(schema);
  const intOrString = schema['x-kubernetes-int-or-string'] === true;
  const preserve = schema['x-kubernetes-preserve-unknown-fields'] === true;
  const embedded = schema['x-kubernetes-embedded-resource'] === true;
  const properties = isObject(schema.properties) ? schema.properties : {};

  if (type === 'array' && (schema.items === undefined || schema.items === null)) errs.push(required(`${path}.items`, 'must be specified'));
  if (isObject(schema.items)) errs.push(...validateStructural(schema.items, 'item', `${path}.items`));
  for (const [name, property] of Object.entries(properties)) errs.push(...validateStructural(property, 'field', `${path}.properties[${name}]`));
  if (isObject(schema.additionalProperties)) errs.push(...validateStructural(schema.additionalProperties, 'field', `${path}.additionalProperties`));

  if (intOrString && preserve) errs.push(invalid(`${path}.x-kubernetes-preserve-unknown-fields`, true, 'must be false if x-kubernetes-int-or-string is true'));
  if (intOrString && embedded) errs.push(invalid(`${path}.x-kubernetes-embedded-resource`, true, 'must be false if x-kubernetes-int-or-string is true'));

  if (embedded && type !== 'object') {
    const msg = 'must be object if x-kubernetes-embedded-resource is true';
    errs.push(type === '' ? required(`${path}.type`, msg) : invalid(`${path}.type`, type, msg));
  } else if (type === '' && !intOrString && !preserve) {
    const where = { root: 'at the root', item: 'for specified array items', field: 'for specified object fields' }[level];
    errs.push(required(`${path}.type`, `must not be empty ${where}`));
  }
  if (embedded && schema.additionalProperties !== undefined && schema.additionalProperties !== null) {
    errs.push(forbidden(`${path}.additionalProperties`, 'must not be used if x-kubernetes-embedded-resource is set'));
  }
  if (level === 'root' && type !== '' && type !== 'object') errs.push(invalid(`${path}.type`, type, 'must be object at the root'));

  if (level === 'root' || embedded) {
    for (const [name, want] of [
      ['kind', 'string'],
      ['apiVersion', 'string'],
      ['metadata', 'object'],
    ] as const) {
      const property = properties[name];
      if (!isObject(property)) continue;
      const actual = typeOf(property);
      if (actual !== want) errs.push(invalid(`${path}.properties[${name}].type`, actual, `must be ${want}`));
    }
  }
  const metadata = properties.metadata;
  if (level === 'root' && isObject(metadata) && !onlyNamesInMetadata(metadata)) {
    errs.push(forbidden(`${path}.properties[metadata]`, 'must not specify anything other than name and generateName, but metadata is implicitly specified'));
  }
  if (embedded && !preserve && Object.keys(properties).length === 0) {
    errs.push(required(`${path}.properties`, 'must not be empty if x-kubernetes-embedded-resource is true without x-kubernetes-preserve-unknown-fields'));
  }
  return errs;
}

// A root metadata schema may give a type, a default and constraints on name and generateName only.
function onlyNamesInMetadata(metadata: JSONObject): boolean {
  for (const [key, value] of Object.entries(metadata)) {
    if (value === undefined || value === null) continue;
    if (key === 'type' || key === 'default') continue;
    if (key === 'properties' && isObject(value) && Object.keys(value).every((k) => k === 'name' || k === 'generateName')) continue;
    return false;
  }
  return true;
}
