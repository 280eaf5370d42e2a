// Field validation against a kind's structural schema: finds fields the schema does not
// know (which are dropped, and reported as warnings or, with fieldValidation=Strict, as
// errors) and values of the wrong type (always errors), like upstream's strict decoding.

import type { Schema } from '../../api/schema.ts';

export interface FieldProblems {
  unknown: string[];
  wrongType: string[];
}

/** Removes unknown fields from `value` in place and reports what it found. */
export function pruneAndCheck(value: unknown, schema: Schema): FieldProblems {
  const problems: FieldProblems = { unknown: [], wrongType: [] };
  walk(value, schema, '', problems);
  return problems;
}

function typeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

function walk(value: unknown, schema: Schema, path: string, problems: FieldProblems): void {
  if (value === null || value === undefined) return;
  if (schema['x-kubernetes-int-or-string']) {
    if (typeof value !== 'string' && typeof value !== 'number') problems.wrongType.push(`${path || '.'}: expected int or string, got ${typeOf(value)}`);
    return;
  }
  switch (schema.type) {
    case 'string':
      if (typeof value !== 'string') problems.wrongType.push(`${path}: expected string, got ${typeOf(value)}`);
      return;
    case 'integer':
      if (typeof value !== 'number' || !Number.isInteger(value)) problems.wrongType.push(`${path}: expected integer, got ${typeOf(value)}`);
      return;
    case 'number':
      if (typeof value !== 'number') problems.wrongType.push(`${path}: expected number, got ${typeOf(value)}`);
      return;
    case 'boolean':
      if (typeof value !== 'boolean') problems.wrongType.push(`${path}: expected boolean, got ${typeOf(value)}`);
      return;
    case 'array':
      if (!Array.isArray(value)) {
        problems.wrongType.push(`${path}: expected array, got ${typeOf(value)}`);
        return;
      }
      if (schema.items) value.forEach((item, i) => walk(item, schema.items!, `${path}[${i}]`, problems));
      return;
    case 'object': {
      if (typeOf(value) !== 'object') {
        problems.wrongType.push(`${path}: expected object, got ${typeOf(value)}`);
        return;
      }
      const record = value as Record<string, unknown>;
      const props = schema.properties;
      const extra = schema.additionalProperties;
      for (const key of Object.keys(record)) {
        const childPath = path ? `${path}.${key}` : key;
        const child = props?.[key];
        if (child) walk(record[key], child, childPath, problems);
        else if (extra && typeof extra === 'object') walk(record[key], extra, childPath, problems);
        else if (extra === true || schema['x-kubernetes-preserve-unknown-fields']) continue;
        else if (props) {
          problems.unknown.push(childPath);
          delete record[key];
        }
      }
      return;
    }
    default:
      return;
  }
}
