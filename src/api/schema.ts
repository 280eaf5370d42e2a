// Structural schemas (the OpenAPI v3 subset that CustomResourceDefinitions use) describe
// every kind's fields. One description serves validation (unknown and mistyped fields),
// pruning, strategic merge patch (merge keys and strategies), server-side apply (list and
// map types) and the OpenAPI documents kubectl reads (explain, client-side validation).
// The builders below keep kind definitions short; they return plain Schema objects.

export interface Schema {
  type?: 'object' | 'array' | 'string' | 'integer' | 'number' | 'boolean';
  description?: string;
  format?: string;
  properties?: Record<string, Schema>;
  additionalProperties?: Schema | boolean;
  items?: Schema;
  required?: string[];
  enum?: unknown[];
  default?: unknown;
  nullable?: boolean;
  minimum?: number;
  maximum?: number;
  maxLength?: number;
  minLength?: number;
  pattern?: string;
  maxItems?: number;
  minItems?: number;
  maxProperties?: number;
  minProperties?: number;
  'x-kubernetes-preserve-unknown-fields'?: boolean;
  'x-kubernetes-int-or-string'?: boolean;
  'x-kubernetes-embedded-resource'?: boolean;
  'x-kubernetes-list-type'?: 'atomic' | 'set' | 'map';
  'x-kubernetes-list-map-keys'?: string[];
  'x-kubernetes-map-type'?: 'atomic' | 'granular';
  /** Strategic merge patch: the field that identifies list elements. */
  'x-kubernetes-patch-merge-key'?: string;
  /** Strategic merge patch: "merge", "replace", "retainKeys" or "merge,retainKeys". */
  'x-kubernetes-patch-strategy'?: string;
}

type Opts = Omit<Schema, 'type' | 'properties' | 'items'>;

export function str(description?: string, opts: Opts = {}): Schema {
  return { type: 'string', ...(description ? { description } : {}), ...opts };
}

export function int32(description?: string, opts: Opts = {}): Schema {
  return { type: 'integer', format: 'int32', ...(description ? { description } : {}), ...opts };
}

export function int64(description?: string, opts: Opts = {}): Schema {
  return { type: 'integer', format: 'int64', ...(description ? { description } : {}), ...opts };
}

export function num(description?: string, opts: Opts = {}): Schema {
  return { type: 'number', format: 'double', ...(description ? { description } : {}), ...opts };
}

export function bool(description?: string, opts: Opts = {}): Schema {
  return { type: 'boolean', ...(description ? { description } : {}), ...opts };
}

/** RFC 3339 time, as metav1.Time. */
export function time(description?: string): Schema {
  return { type: 'string', format: 'date-time', ...(description ? { description } : {}) };
}

/** IntOrString (e.g. a port name or number, or a percentage). */
export function intOrString(description?: string): Schema {
  return { 'x-kubernetes-int-or-string': true, format: 'int-or-string', ...(description ? { description } : {}) };
}

/** resource.Quantity: "100m", "1Gi" or a number. */
export function quantity(description?: string): Schema {
  return { 'x-kubernetes-int-or-string': true, format: 'quantity', ...(description ? { description } : {}) };
}

export function obj(properties: Record<string, Schema>, opts: Opts = {}): Schema {
  return { type: 'object', properties, ...opts };
}

/** map[string]T */
export function mapOf(values: Schema, description?: string): Schema {
  return { type: 'object', additionalProperties: values, ...(description ? { description } : {}) };
}

/** map[string]string, as labels and annotations. */
export function stringMap(description?: string): Schema {
  return mapOf({ type: 'string' }, description);
}

/** An atomic list: replaced as a whole by patches. */
export function list(items: Schema, description?: string, opts: Opts = {}): Schema {
  return { type: 'array', items, ...(description ? { description } : {}), ...opts };
}

/** A list of scalars merged as a set by patches. */
export function set(items: Schema, description?: string): Schema {
  return { type: 'array', items, 'x-kubernetes-list-type': 'set', ...(description ? { description } : {}) };
}

/**
 * A list of objects identified by `keys` (the first is the strategic-merge-patch merge
 * key), merged element by element by patches.
 */
export function listMap(items: Schema, keys: string[], description?: string, opts: Opts = {}): Schema {
  return {
    type: 'array',
    items,
    'x-kubernetes-list-type': 'map',
    'x-kubernetes-list-map-keys': keys,
    'x-kubernetes-patch-merge-key': keys[0],
    'x-kubernetes-patch-strategy': 'merge',
    ...(description ? { description } : {}),
    ...opts,
  };
}

/** Anything goes below here (fields not described yet, or free-form by design). */
export function freeform(description?: string): Schema {
  return { type: 'object', 'x-kubernetes-preserve-unknown-fields': true, ...(description ? { description } : {}) };
}
