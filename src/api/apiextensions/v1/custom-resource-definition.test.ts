import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KubeObject } from '../../kind.ts';
import { customResourceDefinition as crd } from './custom-resource-definition.ts';

const schema = {
  type: 'object',
  properties: {
    spec: { type: 'object', properties: { replicas: { type: 'integer' }, image: { type: 'string' } } },
    status: { type: 'object', properties: { replicas: { type: 'integer' } } },
  },
};

function widget(extra: Record<string, unknown> = {}, versions?: unknown[]): KubeObject {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: 'widgets.example.com', creationTimestamp: '2024-05-01T10:00:00Z' },
    spec: {
      group: 'example.com',
      names: { plural: 'widgets', kind: 'Widget', shortNames: ['wd'] },
      scope: 'Namespaced',
      versions: versions ?? [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: schema }, subresources: { status: {} } }],
      ...extra,
    },
  };
}

function created(object: KubeObject): KubeObject {
  crd.strategy!.prepareForCreate!(object);
  crd.strategy!.defaults!(object);
  return object;
}

function messages(object: KubeObject): string[] {
  return crd.strategy!.validate!(object).map((c) => `${c.field}: ${c.message}`);
}

test('defaults as upstream: singular, listKind, conversion, storedVersions', () => {
  const w = created(widget());
  const spec = w.spec as Record<string, Record<string, unknown>>;
  assert.equal(spec.names!.singular, 'widget');
  assert.equal(spec.names!.listKind, 'WidgetList');
  assert.deepEqual(spec.conversion, { strategy: 'None' });
  assert.deepEqual(w.status, { acceptedNames: { plural: '', kind: '' }, storedVersions: ['v1'] });
  assert.deepEqual(messages(w), []);
});

test('the name must be <plural>.<group>', () => {
  const w = created(widget());
  w.metadata!.name = 'widget.example.com';
  assert.deepEqual(messages(w), ['metadata.name: Invalid value: "widget.example.com": must be spec.names.plural+"."+spec.group']);
});

test('spec essentials give upstream messages', () => {
  const w = created(
    widget({ scope: 'Global', group: 'example' }, [
      { name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: schema } },
      { name: 'v2', served: true, storage: true, schema: { openAPIV3Schema: schema } },
    ]),
  );
  w.metadata!.name = 'widgets.example';
  const got = messages(w);
  assert.equal(got[0], 'spec.group: Invalid value: "example": should be a domain with at least one dot');
  assert.equal(got[1], 'spec.scope: Unsupported value: "Global": supported values: "Cluster", "Namespaced"');
  assert.match(got[2]!, /^spec\.versions: Invalid value: .*: must have exactly one version marked as storage version$/);
  // Only the first storage version was recorded in status.storedVersions.
  assert.match(got[3]!, /^status\.storedVersions: Invalid value: .*: must have the storage version v2$/);
  assert.equal(got.length, 4);
});

test('names must be DNS-1035 labels', () => {
  const w = created(widget());
  (w.spec as { names: Record<string, unknown> }).names.shortNames = ['W D'];
  assert.deepEqual(messages(w), [
    "spec.names.shortNames[0]: Invalid value: \"W D\": a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')",
  ]);
});

test('schemas are required and must be structural', () => {
  const noSchema = created(widget({}, [{ name: 'v1', served: true, storage: true }]));
  assert.deepEqual(messages(noSchema), ['spec.versions[0].schema.openAPIV3Schema: Required value: schemas are required']);
  // One version: upstream hoists the schema to spec.validation and reports there.
  const loose = created(widget({}, [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', properties: { spec: { properties: { a: { type: 'string' } } } } } } }]));
  assert.deepEqual(messages(loose), ['spec.validation.openAPIV3Schema.properties[spec].type: Required value: must not be empty for specified object fields']);
  // Different schemas per version: each reports under its own version.
  const two = created(
    widget({}, [
      { name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: schema } },
      { name: 'v2', served: true, storage: false, schema: { openAPIV3Schema: { type: 'object', properties: { spec: {} } } } },
    ]),
  );
  assert.deepEqual(messages(two), ['spec.versions[1].schema.openAPIV3Schema.properties[spec].type: Required value: must not be empty for specified object fields']);
});

test('printer columns and scale paths are checked', () => {
  const w = created(
    widget({}, [
      {
        name: 'v1',
        served: true,
        storage: true,
        schema: { openAPIV3Schema: schema },
        subresources: { scale: { specReplicasPath: '.status.replicas', statusReplicasPath: '.status.replicas' } },
        additionalPrinterColumns: [{ name: 'Replicas', type: 'int', jsonPath: 'spec.replicas' }],
      },
    ]),
  );
  assert.deepEqual(messages(w), [
    'spec.subresources.scale.specReplicasPath: Invalid value: ".status.replicas": should be a json path under .spec',
    'spec.additionalPrinterColumns[0].type: Invalid value: "int": must be one of boolean,date,integer,number,string',
    'spec.additionalPrinterColumns[0].JSONPath: Invalid value: "spec.replicas": must be a simple json path starting with .',
  ]);
});

test('preserveUnknownFields may not be set in v1', () => {
  const w = created(widget({ preserveUnknownFields: true }));
  assert.deepEqual(messages(w), [
    'spec.preserveUnknownFields: Invalid value: true: cannot set to true, set x-kubernetes-preserve-unknown-fields to true in spec.versions[*].schema instead',
  ]);
});

test('group and plural are immutable; scope and kind once established', () => {
  const old = created(widget());
  old.status = { ...(old.status as object), conditions: [{ type: 'Established', status: 'True' }] };
  const next = structuredClone(old);
  (next.spec as Record<string, unknown>).scope = 'Cluster';
  (next.spec as Record<string, unknown>).group = 'example.org';
  assert.deepEqual(
    crd.strategy!.validateUpdate!(next, old).map((c) => `${c.field}: ${c.message}`),
    ['spec.scope: Invalid value: "Cluster": field is immutable', 'spec.group: Invalid value: "example.org": field is immutable'],
  );
});

test('a new storage version is recorded on update', () => {
  const old = created(widget());
  const next = structuredClone(old);
  (next.spec as { versions: unknown[] }).versions = [
    { name: 'v1', served: true, storage: false, schema: { openAPIV3Schema: schema } },
    { name: 'v2', served: true, storage: true, schema: { openAPIV3Schema: schema } },
  ];
  crd.strategy!.prepareForUpdate!(next, old);
  assert.deepEqual((next.status as { storedVersions: string[] }).storedVersions, ['v1', 'v2']);
});

test('discovery names and the default table', () => {
  assert.deepEqual([crd.resource, crd.namespaced, crd.shortNames, crd.categories, crd.status, crd.generation], [
    'customresourcedefinitions',
    false,
    ['crd', 'crds'],
    ['api-extensions'],
    true,
    true,
  ]);
  assert.deepEqual(crd.table!.columns.map((c) => c.name), ['Created At']);
  assert.deepEqual(crd.table!.cells(widget(), 0), ['2024-05-01T10:00:00Z']);
});
