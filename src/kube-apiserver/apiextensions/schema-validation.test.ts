import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyDefaults, pruneNonNullableNulls } from './defaulting.ts';
import { validateValue, type JSONSchemaProps } from './schema-validation.ts';

const schema: JSONSchemaProps = {
  type: 'object',
  required: ['spec'],
  properties: {
    spec: {
      type: 'object',
      required: ['color'],
      properties: {
        replicas: { type: 'integer', minimum: 0, maximum: 10, default: 1 },
        ratio: { type: 'number', exclusiveMaximum: true, maximum: 1, multipleOf: 0.25 },
        color: { type: 'string', enum: ['red', 'green'] },
        name: { type: 'string', pattern: '^[a-z]+$', maxLength: 5, minLength: 2 },
        port: { 'x-kubernetes-int-or-string': true },
        when: { type: 'string', format: 'date-time' },
        note: { type: 'string', nullable: true },
        tags: { type: 'array', items: { type: 'string' }, maxItems: 2, 'x-kubernetes-list-type': 'set' },
        env: {
          type: 'array',
          minItems: 1,
          'x-kubernetes-list-type': 'map',
          'x-kubernetes-list-map-keys': ['name'],
          items: { type: 'object', required: ['name'], properties: { name: { type: 'string' }, value: { type: 'string', default: '' } } },
        },
        labels: { type: 'object', additionalProperties: { type: 'string' }, maxProperties: 2 },
        free: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
      },
    },
  },
};

const messages = (value: unknown, s: JSONSchemaProps = schema) => validateValue(value, s).map((c) => `${c.field}: ${c.message}`);
const reasons = (value: unknown) => validateValue(value, schema).map((c) => c.reason);
const cr = (spec: Record<string, unknown>) => ({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' }, spec });

describe('custom resource schema validation', () => {
  it('accepts a valid object', () => {
    const ok = cr({
      replicas: 2,
      ratio: 0.5,
      color: 'red',
      name: 'abc',
      port: 'http',
      when: '2026-01-01T00:00:00Z',
      note: null,
      tags: ['a', 'b'],
      env: [{ name: 'A' }, { name: 'B', value: 'x' }],
      labels: { a: 'b' },
      free: { anything: [1, { deep: true }] },
    });
    assert.deepEqual(messages(ok), []);
    assert.deepEqual(messages(cr({ color: 'green', port: 8080, ratio: 0 })), []);
  });

  it('reports mistyped values as upstream does', () => {
    assert.deepEqual(messages(cr({ color: 'red', replicas: 'string' })), [
      'spec.replicas: Invalid value: "string": spec.replicas in body must be of type integer: "string"',
    ]);
    assert.deepEqual(reasons(cr({ color: 'red', replicas: 'string' })), ['FieldValueTypeInvalid']);
    assert.deepEqual(messages(cr({ color: 'red', replicas: 1.5 })), [
      'spec.replicas: Invalid value: "number": spec.replicas in body must be of type integer: "number"',
    ]);
    assert.deepEqual(messages(cr({ color: 'red', port: true })), ['spec.port: Invalid value: "boolean": spec.port in body must be of type integer,string: "boolean"']);
    assert.deepEqual(messages(cr({ color: 'red', name: null })), ['spec.name: Invalid value: "null": spec.name in body must be of type string: "null"']);
    assert.deepEqual(messages({ ...cr({}), spec: [] }), ['spec: Invalid value: "array": spec in body must be of type object: "array"']);
    assert.deepEqual(messages(cr({ color: 'red', tags: ['a', 3] })), ['spec.tags[1]: Invalid value: "integer": spec.tags[1] in body must be of type string: "integer"']);
  });

  it('checks required fields, enums and bounds', () => {
    assert.deepEqual(messages({ apiVersion: 'example.com/v1', kind: 'Widget' }), ['spec: Required value']);
    assert.deepEqual(messages(cr({})), ['spec.color: Required value']);
    assert.deepEqual(messages(cr({ color: 'blue' })), ['spec.color: Unsupported value: "blue": supported values: "red", "green"']);
    assert.deepEqual(messages(cr({ color: 'red', replicas: -1 })), ['spec.replicas: Invalid value: -1: spec.replicas in body should be greater than or equal to 0']);
    assert.deepEqual(messages(cr({ color: 'red', replicas: 11 })), ['spec.replicas: Invalid value: 11: spec.replicas in body should be less than or equal to 10']);
    assert.deepEqual(messages(cr({ color: 'red', ratio: 1 })), ['spec.ratio: Invalid value: 1: spec.ratio in body should be less than 1']);
    assert.deepEqual(messages(cr({ color: 'red', ratio: 0.3 })), ['spec.ratio: Invalid value: 0.3: spec.ratio in body should be a multiple of 0.25']);
  });

  it('checks strings: pattern, length and format', () => {
    assert.deepEqual(messages(cr({ color: 'red', name: 'Abc' })), ["spec.name: Invalid value: \"Abc\": spec.name in body should match '^[a-z]+$'"]);
    assert.deepEqual(messages(cr({ color: 'red', name: 'abcdef' })), ['spec.name: Too long: must have at most 5 bytes']);
    assert.deepEqual(messages(cr({ color: 'red', name: 'a' })), ['spec.name: Invalid value: "a": spec.name in body should be at least 2 chars long']);
    assert.deepEqual(messages(cr({ color: 'red', when: 'noon' })), ['spec.when: Invalid value: "noon": spec.when in body must be of type date-time: "noon"']);
  });

  it('checks lists and maps, with indexed paths', () => {
    assert.deepEqual(messages(cr({ color: 'red', tags: ['a', 'b', 'c'] })), ['spec.tags: Too many: 3: must have at most 2 items']);
    assert.deepEqual(messages(cr({ color: 'red', tags: ['a', 'a'] })), ['spec.tags[1]: Duplicate value: "a"']);
    assert.deepEqual(messages(cr({ color: 'red', env: [] })), ['spec.env: Invalid value: 0: spec.env in body should have at least 1 items']);
    assert.deepEqual(messages(cr({ color: 'red', env: [{ value: 'x' }] })), ['spec.env[0].name: Required value']);
    assert.deepEqual(messages(cr({ color: 'red', env: [{ name: 'A' }, { name: 'A' }] })), ['spec.env[1]: Duplicate value: {"name":"A"}']);
    assert.deepEqual(messages(cr({ color: 'red', labels: { a: 1 } })), ['spec.labels.a: Invalid value: "integer": spec.labels.a in body must be of type string: "integer"']);
    assert.deepEqual(messages(cr({ color: 'red', labels: { a: 'x', b: 'y', c: 'z' } })), ['spec.labels: Too many: 3: must have at most 2 items']);
  });

  it('supports anyOf, allOf and not', () => {
    const s: JSONSchemaProps = { type: 'object', properties: { v: { type: 'integer', anyOf: [{ minimum: 5 }, { maximum: 1 }], not: { enum: [0] } } } };
    assert.deepEqual(messages({ v: 6 }, s), []);
    assert.deepEqual(messages({ v: 3 }, s), ['v: Invalid value: "": v must validate at least one schema (anyOf)']);
    assert.deepEqual(messages({ v: 0 }, s), ['v: Invalid value: "": v must not validate the schema (not)']);
  });
});

describe('custom resource defaulting', () => {
  it('fills defaults, also inside list items and defaulted objects', () => {
    const object = cr({ color: 'red', env: [{ name: 'A' }] });
    applyDefaults(object, schema);
    assert.deepEqual(object.spec, { color: 'red', replicas: 1, env: [{ name: 'A', value: '' }] });
    const nested: JSONSchemaProps = { type: 'object', properties: { spec: { type: 'object', default: {}, properties: { size: { type: 'integer', default: 3 } } } } };
    const empty: Record<string, unknown> = { metadata: { name: 'x' } };
    applyDefaults(empty, nested);
    assert.deepEqual(empty, { metadata: { name: 'x' }, spec: { size: 3 } });
  });

  it('drops nulls the schema does not allow, unless a default replaces them', () => {
    const object = cr({ color: 'red', name: null, note: null, replicas: null, free: { x: null } });
    pruneNonNullableNulls(object, schema);
    assert.deepEqual(object.spec, { color: 'red', note: null, replicas: null, free: { x: null } });
    applyDefaults(object, schema);
    assert.equal((object.spec as { replicas: unknown }).replicas, 1);
  });
});
