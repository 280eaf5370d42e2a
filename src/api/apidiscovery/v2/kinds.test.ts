// What aggregated discovery (apidiscovery.k8s.io/v2) and the generic registry need of every
// kind defined in these groups: names, a full schema, a table whose rows match its columns,
// and strategies that survive any object (they report problems, they do not throw).

import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KindDefinition, KubeObject } from '../../kind.ts';
import { kinds as apiextensions } from '../../apiextensions/v1/index.ts';
import { kinds as authentication } from '../../authentication/v1/index.ts';
import { kinds as authorization } from '../../authorization/v1/index.ts';
import { kinds as coordination } from '../../coordination/v1/index.ts';
import { kinds as discovery } from '../../discovery/v1/index.ts';
import { kinds as events } from '../../events/v1/index.ts';
import { kinds as policy } from '../../policy/v1/index.ts';
import { kinds as rbac } from '../../rbac/v1/index.ts';
import { kinds as scheduling } from '../../scheduling/v1/index.ts';

const all: KindDefinition[] = [...apiextensions, ...authentication, ...authorization, ...coordination, ...discovery, ...events, ...policy, ...rbac, ...scheduling];

const odd: KubeObject[] = [
  { metadata: { name: 'x', creationTimestamp: '2024-05-01T10:00:00Z' } },
  { metadata: {}, spec: 'not an object', status: 7, rules: 'x', subjects: {}, roleRef: [], endpoints: null, ports: 3, regarding: 1, series: [] },
];

test('every kind has the names discovery publishes', () => {
  const seen = new Set<string>();
  for (const def of all) {
    assert.ok(def.group && def.version && def.kind, def.kind);
    assert.match(def.resource, /^[a-z]+$/, def.kind);
    const key = `${def.group}/${def.resource}`;
    assert.ok(!seen.has(key), key);
    seen.add(key);
  }
  assert.equal(all.length, 16);
});

test('every schema is a whole object with the envelope', () => {
  for (const def of all) {
    assert.equal(def.schema.type, 'object', def.kind);
    for (const f of ['apiVersion', 'kind', 'metadata']) assert.ok(def.schema.properties?.[f], `${def.kind}.${f}`);
  }
});

test('table rows match their columns, and the server adds Name', () => {
  for (const def of all) {
    assert.ok(def.table, def.kind);
    assert.ok(!def.table.columns.some((c) => c.name === 'Name'), def.kind);
    for (const object of odd) assert.equal(def.table.cells(structuredClone(object), Date.parse('2024-05-01T12:00:00Z')).length, def.table.columns.length, def.kind);
  }
});

test('strategies never throw on malformed objects', () => {
  for (const def of all) {
    for (const object of odd) {
      const o = structuredClone(object);
      def.strategy?.prepareForCreate?.(o);
      def.strategy?.defaults?.(o);
      assert.ok(Array.isArray(def.strategy?.validate?.(o) ?? []), def.kind);
      assert.ok(Array.isArray(def.strategy?.validateUpdate?.(o, structuredClone(object)) ?? []), def.kind);
      for (const fieldOf of Object.values(def.fields ?? {})) assert.equal(typeof fieldOf(o), 'string', def.kind);
    }
  }
});
