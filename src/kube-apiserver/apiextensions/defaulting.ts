// Structural defaulting of custom resources, as upstream applies it while decoding a
// request: first nulls are dropped where the schema neither allows null nor has a default
// (PruneNonNullableNullsWithoutDefaults), then missing or null fields get their schema
// `default` (deep-copied), and defaulted values are defaulted inside in turn. The object's
// apiVersion, kind and metadata are left alone, as upstream strips them before this step.

import type { JSONSchemaProps } from './schema-validation.ts';

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const envelope = new Set(['apiVersion', 'kind', 'metadata']);

function propertySchema(schema: JSONSchemaProps | undefined, key: string): JSONSchemaProps | undefined {
  if (!schema) return undefined;
  const properties = schema.properties;
  if (isRecord(properties) && isRecord(properties[key])) return properties[key] as JSONSchemaProps;
  return isRecord(schema.additionalProperties) ? (schema.additionalProperties as JSONSchemaProps) : undefined;
}

function isNonNullableNull(value: unknown, schema: JSONSchemaProps | undefined): boolean {
  return value === null && schema !== undefined && schema.nullable !== true;
}

/** Drops nulls the schema does not allow (and cannot default) from an object, in place. */
export function pruneNonNullableNulls(object: Record<string, unknown>, schema: JSONSchemaProps): void {
  for (const [key, value] of Object.entries(object)) {
    if (envelope.has(key)) continue;
    prune(value, key, object, propertySchema(schema, key));
  }
}

function prune(value: unknown, key: string | number, parent: Record<string, unknown> | unknown[], schema: JSONSchemaProps | undefined): void {
  if (isRecord(parent) && isNonNullableNull(value, schema) && schema!.default === undefined) {
    delete parent[key as string];
    return;
  }
  if (isRecord(value)) {
    for (const [k, v] of Object.entries(value)) prune(v, k, value, propertySchema(schema, k));
  } else if (Array.isArray(value)) {
    const items = schema && isRecord(schema.items) ? (schema.items as JSONSchemaProps) : undefined;
    value.forEach((v, i) => prune(v, i, value, items));
  }
}

/** Fills schema defaults into an object, in place. */
export function applyDefaults(object: Record<string, unknown>, schema: JSONSchemaProps): void {
  defaultObject(object, schema, true);
}

function defaultObject(value: Record<string, unknown>, schema: JSONSchemaProps, root: boolean): void {
  const properties = isRecord(schema.properties) ? schema.properties : {};
  for (const [key, prop] of Object.entries(properties)) {
    if (root && envelope.has(key)) continue;
    if (!isRecord(prop) || prop.default === undefined) continue;
    if (!Object.hasOwn(value, key) || isNonNullableNull(value[key], prop)) value[key] = structuredClone(prop.default);
  }
  const additional = isRecord(schema.additionalProperties) ? (schema.additionalProperties as JSONSchemaProps) : undefined;
  for (const [key, v] of Object.entries(value)) {
    if (root && envelope.has(key)) continue;
    const prop = properties[key];
    if (isRecord(prop)) defaultValue(v, prop);
    else if (additional) {
      if (isNonNullableNull(v, additional) && additional.default !== undefined) value[key] = structuredClone(additional.default);
      defaultValue(value[key], additional);
    }
  }
}

function defaultValue(value: unknown, schema: JSONSchemaProps): void {
  if (isRecord(value)) defaultObject(value, schema, false);
  else if (Array.isArray(value) && isRecord(schema.items)) {
    const items = schema.items as JSONSchemaProps;
    value.forEach((v, i) => {
      if (isNonNullableNull(v, items) && items.default !== undefined) value[i] = structuredClone(items.default);
      defaultValue(value[i], items);
    });
  }
}
