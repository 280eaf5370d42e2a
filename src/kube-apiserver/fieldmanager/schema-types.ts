// How a structural Schema shapes field ownership, as kube-openapi's schemaconv reads OpenAPI
// for structured-merge-diff. A list is `atomic` (one leaf), a set (scalars keyed by value) or a
// map (objects keyed by x-kubernetes-list-map-keys); without x-kubernetes-list-type, a list
// whose patch strategy is "merge" is a map keyed by its patch merge key (a set when it has
// none), any other list is atomic. Objects are granular unless x-kubernetes-map-type is
// "atomic". Where the schema says nothing (no schema, preserve-unknown-fields, an undeclared
// field) the type is deduced from the value: objects granular, lists atomic, the rest scalars.

import type { Schema } from '../../api/schema.ts';
import { isObject } from '../patch/json-value.ts';
import { keyElement, type PathElement } from './field-set.ts';

/** A node's schema; undefined means deduced from the value. */
export type Type = Schema | undefined;

export interface ListType {
  atomic: boolean;
  /** Key fields of a list map; empty for a set. */
  keys: string[];
  items: Type;
}

/** A value that does not fit its type (upstream's typed-value validation errors). */
export class TypedValueError extends Error {
  readonly path: string;
  readonly detail: string;

  constructor(path: string, detail: string) {
    super(path ? `${path}: ${detail}` : detail);
    this.path = path;
    this.detail = detail;
  }
}

export function listType(type: Type): ListType {
  const items = type?.items;
  const declared = type?.['x-kubernetes-list-type'];
  if (declared === 'atomic') return { atomic: true, keys: [], items };
  if (declared === 'set') return { atomic: false, keys: [], items };
  if (declared === 'map') return { atomic: false, keys: type?.['x-kubernetes-list-map-keys'] ?? [], items };
  const strategies = (type?.['x-kubernetes-patch-strategy'] ?? '').split(',').map((s) => s.trim());
  if (strategies.includes('merge')) {
    const key = type?.['x-kubernetes-patch-merge-key'];
    return { atomic: false, keys: key ? [key] : [], items };
  }
  return { atomic: true, keys: [], items };
}

export function mapIsAtomic(type: Type): boolean {
  return type?.['x-kubernetes-map-type'] === 'atomic';
}

/** A member's type, and whether the schema names it (a struct field, not a map key). */
export function fieldType(type: Type, name: string): { type: Type; declared: boolean } {
  if (type?.properties && Object.hasOwn(type.properties, name)) return { type: type.properties[name], declared: true };
  if (typeof type?.additionalProperties === 'object') return { type: type.additionalProperties, declared: false };
  return { type: undefined, declared: false };
}

/** The path element of a list item: its key fields (defaults filled in) or, in a set, its value. */
export function itemElement(list: ListType, item: unknown): PathElement {
  if (list.keys.length > 0) {
    if (item === null || item === undefined) throw new Error('associative list with keys may not have a null element');
    if (!isObject(item)) throw new Error('associative list with keys may not have non-map elements');
    const fields: [string, unknown][] = [];
    for (const name of list.keys) {
      if (Object.hasOwn(item, name) && item[name] !== undefined) fields.push([name, item[name]]);
      else {
        const fallback = fieldType(list.items, name).type?.default;
        if (fallback !== undefined) fields.push([name, fallback]);
      }
    }
    if (fields.length === 0) {
      throw new Error(
        `associative list with keys has an element that omits all key fields [${list.keys.map((k) => JSON.stringify(k)).join(' ')}] (and doesn't have default values for any key fields)`,
      );
    }
    return keyElement(fields);
  }
  if (isObject(item)) throw new Error("associative list without keys has an element that's a map type");
  if (Array.isArray(item)) throw new Error('not supported: associative list with lists as elements');
  if (item === null || item === undefined) throw new Error("associative list without keys has an element that's an explicit null");
  return { value: item };
}
