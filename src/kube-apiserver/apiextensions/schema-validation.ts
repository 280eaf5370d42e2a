// Validation of a custom resource against its version's openAPIV3Schema, as upstream's
// kube-openapi SchemaValidator plus the x-kubernetes-list-type checks do it, with the same
// field paths (`spec.items[0].name`) and messages, e.g.
//   spec.replicas: Invalid value: "string": spec.replicas in body must be of type integer: "string"
// Covered: type (with nullable and x-kubernetes-int-or-string), enum, format (the common
// ones), maxLength/minLength/pattern, minimum/maximum (exclusive too)/multipleOf,
// minItems/maxItems/uniqueItems, minProperties/maxProperties, required, properties,
// additionalProperties, items, allOf/anyOf/oneOf/not, and list-type set/map uniqueness.
// Not covered: x-kubernetes-validations (CEL) and ratcheting of unchanged invalid values.
// Validators apply by the kind of the data, as upstream's do, so a mistyped value gets its
// type error and no more.

import { isIP } from 'node:net';
import { duplicate, invalid, notSupported, required, tooMany } from '../../api/meta/v1/field.ts';
import type { StatusCause } from '../../machinery/status.ts';
import { fieldTooLong, goQuote } from '../../machinery/validation.ts';
import { goNumber } from './printer-columns.ts';

/** A JSONSchemaProps as stored in a CRD (only the parts validation reads are typed). */
export type JSONSchemaProps = Record<string, unknown>;

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function schemaAt(v: unknown): JSONSchemaProps | undefined {
  return isRecord(v) ? v : undefined;
}

/** The JSON type kube-openapi infers for decoded data (integral numbers are integers). */
export function jsonType(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  if (typeof value === 'object') return 'object';
  return typeof value;
}

/** field.TypeInvalid */
function typeInvalid(field: string, value: string, detail: string): StatusCause {
  return { reason: 'FieldValueTypeInvalid', message: `Invalid value: ${goQuote(value)}: ${detail}`, field };
}

function child(path: string, name: string): string {
  return path ? `${path}.${name}` : name;
}

/** Validates `value` (a whole object, or any value at `path`) against `schema`. */
export function validateValue(value: unknown, schema: JSONSchemaProps, path = ''): StatusCause[] {
  const errs: StatusCause[] = [];
  const listErrs: StatusCause[] = [];
  walk(value, schema, path, errs, listErrs);
  return [...errs, ...listErrs];
}

function schemaTypes(schema: JSONSchemaProps): string[] {
  if (schema['x-kubernetes-int-or-string'] === true) return ['integer', 'string'];
  return typeof schema.type === 'string' && schema.type !== '' ? [schema.type] : [];
}

function walk(value: unknown, schema: JSONSchemaProps, path: string, errs: StatusCause[], listErrs: StatusCause[]): void {
  const name = path;
  const types = schemaTypes(schema);
  const kind = jsonType(value);

  // typeValidator
  if (kind === 'null') {
    if (types.length > 0 && schema.nullable !== true) errs.push(typeInvalid(path, 'null', `${name} in body must be of type ${types.join(',')}: "null"`));
    return;
  }
  if (types.length > 0 && !(types.includes(kind) || (kind === 'integer' && types.includes('number')))) {
    errs.push(typeInvalid(path, kind, `${name} in body must be of type ${types.join(',')}: ${goQuote(kind)}`));
  }

  // schemaPropsValidator
  compositions(value, schema, path, errs);

  if (typeof value === 'string') {
    stringChecks(value, schema, path, errs);
    formatCheck(value, schema, path, errs);
  }
  if (typeof value === 'number') numberChecks(value, schema, path, errs);
  if (Array.isArray(value)) arrayChecks(value, schema, path, errs, listErrs);

  // commonValidator
  if (Array.isArray(schema.enum) && !schema.enum.some((e) => jsonEqual(e, value))) {
    const allowed = schema.enum.map((e) => (typeof e === 'string' ? e : JSON.stringify(e)));
    errs.push(notSupported(path, value, allowed));
  }

  if (isRecord(value)) objectChecks(value, schema, path, errs, listErrs);
}

function compositions(value: unknown, schema: JSONSchemaProps, path: string, errs: StatusCause[]): void {
  const passes = (s: unknown) => isRecord(s) && validateValue(value, s, path).length === 0;
  const composite = (message: string) => errs.push(invalid(path, '', `${path} ${message}`));
  if (Array.isArray(schema.allOf)) {
    let failed = false;
    for (const s of schema.allOf) {
      if (!isRecord(s)) continue;
      const sub = validateValue(value, s, path);
      if (sub.length > 0) failed = true;
      errs.push(...sub);
    }
    if (failed) composite('must validate all the schemas (allOf)');
  }
  if (Array.isArray(schema.anyOf) && schema.anyOf.length > 0 && !schema.anyOf.some(passes)) {
    composite('must validate at least one schema (anyOf)');
  }
  if (Array.isArray(schema.oneOf) && schema.oneOf.length > 0 && schema.oneOf.filter(passes).length !== 1) {
    composite('must validate one and only one schema (oneOf)');
  }
  if (isRecord(schema.not) && passes(schema.not)) composite('must not validate the schema (not)');
}

function stringChecks(value: string, schema: JSONSchemaProps, path: string, errs: StatusCause[]): void {
  const length = [...value].length;
  if (typeof schema.maxLength === 'number' && length > schema.maxLength) errs.push(fieldTooLong(path, schema.maxLength));
  if (typeof schema.minLength === 'number' && length < schema.minLength) {
    errs.push(invalid(path, value, `${path} in body should be at least ${schema.minLength} chars long`));
  }
  if (typeof schema.pattern === 'string') {
    const re = compilePattern(schema.pattern);
    if (re && !re.test(value)) errs.push(invalid(path, value, `${path} in body should match '${schema.pattern}'`));
  }
}

const patterns = new Map<string, RegExp | undefined>();

function compilePattern(pattern: string): RegExp | undefined {
  if (!patterns.has(pattern)) {
    let re: RegExp | undefined;
    try {
      re = new RegExp(pattern, 'u');
    } catch {
      re = undefined;
    }
    patterns.set(pattern, re);
  }
  return patterns.get(pattern);
}

const rfc3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

/** The formats of upstream's registry that objects commonly use; unknown formats pass. */
const formats: Record<string, (s: string) => boolean> = {
  'date-time': (s) => rfc3339.test(s) && !Number.isNaN(Date.parse(s.replace(' ', 'T'))),
  date: (s) => /^\d{4}-\d{2}-\d{2}$/.test(s) && !Number.isNaN(Date.parse(s)),
  uuid: (s) => /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i.test(s),
  uuid3: (s) => /^[0-9a-f]{8}-?[0-9a-f]{4}-?3[0-9a-f]{3}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i.test(s),
  uuid4: (s) => /^[0-9a-f]{8}-?[0-9a-f]{4}-?4[0-9a-f]{3}-?[89ab][0-9a-f]{3}-?[0-9a-f]{12}$/i.test(s),
  uuid5: (s) => /^[0-9a-f]{8}-?[0-9a-f]{4}-?5[0-9a-f]{3}-?[89ab][0-9a-f]{3}-?[0-9a-f]{12}$/i.test(s),
  ipv4: (s) => isIP(s) === 4,
  ipv6: (s) => isIP(s) === 6,
  cidr: (s) => {
    const m = /^(.+)\/(\d{1,3})$/.exec(s);
    const family = m ? isIP(m[1]) : 0;
    return family !== 0 && Number(m![2]) <= (family === 4 ? 32 : 128);
  },
  mac: (s) => /^([0-9a-f]{2}[:-]){5}[0-9a-f]{2}$/i.test(s),
  byte: (s) => /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(s),
  hostname: (s) => s.length <= 255 && /^[a-zA-Z0-9]([-a-zA-Z0-9]{0,61}[a-zA-Z0-9])?(\.[a-zA-Z0-9]([-a-zA-Z0-9]{0,61}[a-zA-Z0-9])?)*$/.test(s),
  email: (s) => /^[^@\s]+@[^@\s]+$/.test(s),
  duration: (s) => /^[-+]?(\d+(\.\d*)?(ns|us|µs|ms|s|m|h|d|w)\s*)+$/.test(s),
};
formats.datetime = formats['date-time'];

function formatCheck(value: string, schema: JSONSchemaProps, path: string, errs: StatusCause[]): void {
  const format = schema.format;
  if (typeof format !== 'string' || format === '') return;
  const check = formats[format.toLowerCase()];
  if (check && !check(value)) errs.push(typeInvalid(path, value, `${path} in body must be of type ${format}: ${goQuote(value)}`));
}

function numberChecks(value: number, schema: JSONSchemaProps, path: string, errs: StatusCause[]): void {
  if (typeof schema.multipleOf === 'number' && schema.multipleOf > 0) {
    const q = value / schema.multipleOf;
    if (Math.abs(q - Math.round(q)) > 1e-9) errs.push(invalid(path, value, `${path} in body should be a multiple of ${goNumber(schema.multipleOf)}`));
  }
  if (typeof schema.maximum === 'number') {
    const exclusive = schema.exclusiveMaximum === true;
    if (exclusive ? value >= schema.maximum : value > schema.maximum) {
      errs.push(invalid(path, value, `${path} in body should be less than ${exclusive ? '' : 'or equal to '}${goNumber(schema.maximum)}`));
    }
  }
  if (typeof schema.minimum === 'number') {
    const exclusive = schema.exclusiveMinimum === true;
    if (exclusive ? value <= schema.minimum : value < schema.minimum) {
      errs.push(invalid(path, value, `${path} in body should be greater than ${exclusive ? '' : 'or equal to '}${goNumber(schema.minimum)}`));
    }
  }
}

function arrayChecks(value: unknown[], schema: JSONSchemaProps, path: string, errs: StatusCause[], listErrs: StatusCause[]): void {
  const items = schemaAt(schema.items);
  if (items) value.forEach((item, i) => walk(item, items, `${path}[${i}]`, errs, listErrs));
  if (typeof schema.minItems === 'number' && value.length < schema.minItems) {
    errs.push(invalid(path, value.length, `${path} in body should have at least ${schema.minItems} items`));
  }
  if (typeof schema.maxItems === 'number' && value.length > schema.maxItems) errs.push(tooMany(path, value.length, schema.maxItems));
  if (schema.uniqueItems === true && value.some((v, i) => value.findIndex((w) => jsonEqual(v, w)) !== i)) {
    errs.push(invalid(path, '', `${path} in body shouldn't contain duplicates`));
  }
  listTypeChecks(value, schema, path, listErrs);
}

// structurallisttype.ValidateListSetsAndMaps: sets hold no value twice, maps no key twice.
function listTypeChecks(value: unknown[], schema: JSONSchemaProps, path: string, listErrs: StatusCause[]): void {
  const listType = schema['x-kubernetes-list-type'];
  if (listType === 'set') {
    value.forEach((v, i) => {
      if (value.findIndex((w) => jsonEqual(v, w)) !== i) listErrs.push(duplicate(`${path}[${i}]`, v));
    });
  } else if (listType === 'map') {
    const keys = Array.isArray(schema['x-kubernetes-list-map-keys']) ? (schema['x-kubernetes-list-map-keys'] as unknown[]).filter((k): k is string => typeof k === 'string') : [];
    if (keys.length === 0) return;
    const keyOf = (v: unknown) => (isRecord(v) ? Object.fromEntries(keys.filter((k) => v[k] !== undefined).map((k) => [k, v[k]])) : undefined);
    const seen: unknown[] = [];
    value.forEach((v, i) => {
      const key = keyOf(v);
      if (key === undefined) return;
      if (seen.some((s) => jsonEqual(s, key))) listErrs.push(duplicate(`${path}[${i}]`, key));
      else seen.push(key);
    });
  }
}

function objectChecks(value: Record<string, unknown>, schema: JSONSchemaProps, path: string, errs: StatusCause[], listErrs: StatusCause[]): void {
  const count = Object.keys(value).length;
  if (typeof schema.minProperties === 'number' && count < schema.minProperties) {
    errs.push(invalid(path, count, `${path} in body should have at least ${schema.minProperties} properties`));
    return;
  }
  if (typeof schema.maxProperties === 'number' && count > schema.maxProperties) {
    errs.push(tooMany(path, count, schema.maxProperties));
    return;
  }
  const properties = isRecord(schema.properties) ? schema.properties : {};
  const additional = schemaAt(schema.additionalProperties);
  if (additional) {
    for (const [key, v] of Object.entries(value)) if (!Object.hasOwn(properties, key)) walk(v, additional, child(path, key), errs, listErrs);
  }
  for (const [key, propertySchema] of Object.entries(properties)) {
    if (Object.hasOwn(value, key) && isRecord(propertySchema)) walk(value[key], propertySchema, child(path, key), errs, listErrs);
  }
  if (Array.isArray(schema.required)) {
    for (const key of schema.required) if (typeof key === 'string' && !Object.hasOwn(value, key)) errs.push(required(child(path, key)));
  }
}

/** Equality of decoded JSON values (object key order does not matter). */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((v, i) => jsonEqual(v, b[i]));
  }
  if (isRecord(a) && isRecord(b)) {
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => Object.hasOwn(b, k) && jsonEqual(a[k], b[k]));
  }
  return false;
}
