import assert from 'node:assert/strict';
import { test } from 'node:test';
import { structuralSchemaErrors } from './structural-schema.ts';

function messages(schema: unknown): string[] {
  return structuralSchemaErrors(schema, 'spec.versions[0].schema.openAPIV3Schema').map((c) => `${c.field}: ${c.message}`);
}

test('a structural schema passes', () => {
  assert.deepEqual(
    messages({
      type: 'object',
      properties: {
        metadata: { type: 'object' },
        spec: {
          type: 'object',
          properties: {
            port: { 'x-kubernetes-int-or-string': true },
            values: { 'x-kubernetes-preserve-unknown-fields': true },
            tags: { type: 'array', items: { type: 'string' }, 'x-kubernetes-list-type': 'set' },
            labels: { type: 'object', additionalProperties: { type: 'string' } },
          },
        },
      },
    }),
    [],
  );
});

test('every node needs a type', () => {
  assert.deepEqual(messages({ properties: { spec: { properties: { list: { type: 'array', items: {} } } } } }), [
    'spec.versions[0].schema.openAPIV3Schema.properties[spec].properties[list].items.type: Required value: must not be empty for specified array items',
    'spec.versions[0].schema.openAPIV3Schema.properties[spec].type: Required value: must not be empty for specified object fields',
    'spec.versions[0].schema.openAPIV3Schema.type: Required value: must not be empty at the root',
  ]);
});

test('properties and additionalProperties are exclusive; arrays need items; the root is an object', () => {
  assert.deepEqual(messages({ type: 'object', properties: { spec: { type: 'object', properties: { a: { type: 'string' } }, additionalProperties: { type: 'string' } } } }), [
    'spec.versions[0].schema.openAPIV3Schema.properties[spec].additionalProperties: Forbidden: additionalProperties and properties are mutual exclusive',
  ]);
  assert.deepEqual(messages({ type: 'object', properties: { l: { type: 'array' } } }), ['spec.versions[0].schema.openAPIV3Schema.properties[l].items: Required value: must be specified']);
  assert.deepEqual(messages({ type: 'array', items: { type: 'string' } }), ['spec.versions[0].schema.openAPIV3Schema.type: Invalid value: "array": must be object at the root']);
});

test('unsupported keywords and extensions give upstream messages', () => {
  assert.deepEqual(messages({ type: 'object', properties: { a: { type: 'str' }, b: { type: 'string', $ref: '#/x' } } }), [
    'spec.versions[0].schema.openAPIV3Schema.properties[a].type: Unsupported value: "str": supported values: "array", "boolean", "integer", "number", "object", "string"',
    'spec.versions[0].schema.openAPIV3Schema.properties[b].$ref: Forbidden: $ref is not supported',
  ]);
  assert.deepEqual(messages({ type: 'object', properties: { l: { type: 'array', items: { type: 'object' }, 'x-kubernetes-list-type': 'map' } } }), [
    'spec.versions[0].schema.openAPIV3Schema.properties[l].x-kubernetes-list-map-keys: Required value: must not be empty if x-kubernetes-list-type is map',
  ]);
  assert.deepEqual(messages({ type: 'object', properties: { metadata: { type: 'object', properties: { labels: { type: 'object' } } } } }), [
    'spec.versions[0].schema.openAPIV3Schema.properties[metadata]: Forbidden: must not specify anything other than name and generateName, but metadata is implicitly specified',
  ]);
});
