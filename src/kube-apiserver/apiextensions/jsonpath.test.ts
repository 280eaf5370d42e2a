import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compileJSONPath, JSONPathError } from './jsonpath.ts';
import { cell, goNumber, printerColumnsTable } from './printer-columns.ts';

const widget = {
  apiVersion: 'example.com/v1',
  kind: 'Widget',
  metadata: { name: 'w1', creationTimestamp: '2026-01-01T00:00:00Z', labels: { 'app.kubernetes.io/name': 'shop' } },
  spec: { replicas: 3, ratio: 0.5, paused: false, selector: { matchLabels: { b: '2', a: '1' } }, ports: [80, 443] },
  status: {
    conditions: [
      { type: 'Available', status: 'False' },
      { type: 'Ready', status: 'True', lastTransitionTime: '2026-01-01T00:05:00Z' },
    ],
  },
};

const find = (path: string, data: unknown = widget) => compileJSONPath(path).find(data);

describe('printer-column JSONPath', () => {
  it('follows fields, with or without braces; a missing key selects nothing', () => {
    assert.deepEqual(find('.spec.replicas'), [3]);
    assert.deepEqual(find('{.metadata.name}'), ['w1']);
    assert.deepEqual(find('.spec.nothing.here'), []);
    assert.deepEqual(find('.spec.replicas.deeper'), []);
    assert.deepEqual(find('.spec.paused'), [false]);
  });

  it('reads keys with dots by bracket or escape', () => {
    assert.deepEqual(find(".metadata.labels['app.kubernetes.io/name']"), ['shop']);
    assert.deepEqual(find('.metadata.labels.app\\.kubernetes\\.io/name'), ['shop']);
  });

  it('indexes, slices and wildcards lists', () => {
    assert.deepEqual(find('.spec.ports[0]'), [80]);
    assert.deepEqual(find('.spec.ports[-1]'), [443]);
    assert.deepEqual(find('.spec.ports[5]'), []);
    assert.deepEqual(find('.spec.ports[0:1]'), [80]);
    assert.deepEqual(find('.spec.ports[*]'), [80, 443]);
    assert.deepEqual(find('.status.conditions[*].type'), ['Available', 'Ready']);
  });

  it('filters list items', () => {
    assert.deepEqual(find('.status.conditions[?(@.type=="Ready")].status'), ['True']);
    assert.deepEqual(find(".status.conditions[?(@.type == 'Available')].status"), ['False']);
    assert.deepEqual(find('.status.conditions[?(@.type!="Ready")].type'), ['Available']);
    assert.deepEqual(find('.status.conditions[?(@.lastTransitionTime)].type'), ['Ready']);
    assert.deepEqual(find('.status.conditions[?(@.type=="Missing")].status'), []);
    assert.deepEqual(find('.items[?(@.n > 1)].n', { items: [{ n: 1 }, { n: 2 }, { n: 3 }] }), [2, 3]);
  });

  it('descends recursively', () => {
    assert.deepEqual(find('..type'), ['Available', 'Ready']);
    assert.deepEqual(find('.status..status'), ['False', 'True']);
  });

  it('refuses paths it cannot parse', () => {
    assert.throws(() => compileJSONPath('.spec.ports[abc]'), JSONPathError);
    assert.throws(() => compileJSONPath('.spec.ports[0'), JSONPathError);
  });
});

describe('printer columns', () => {
  const now = Date.parse('2026-01-01T01:00:00Z');

  it('puts Name first and fills one cell per column, as the CRD declares them', () => {
    const table = printerColumnsTable([
      { name: 'Replicas', type: 'integer', jsonPath: '.spec.replicas' },
      { name: 'Ready', type: 'string', jsonPath: '.status.conditions[?(@.type=="Ready")].status', priority: 1 },
      { name: 'Selector', type: 'string', jsonPath: '.spec.selector' },
      { name: 'Missing', type: 'string', jsonPath: '.spec.missing' },
      { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
    ]);
    assert.deepEqual(
      table.columns.map((c) => [c.name, c.type, c.priority, c.format]),
      [
        ['Name', 'string', 0, 'name'],
        ['Replicas', 'integer', 0, undefined],
        ['Ready', 'string', 1, undefined],
        ['Selector', 'string', 0, undefined],
        ['Missing', 'string', 0, undefined],
        ['Age', 'date', 0, undefined],
      ],
    );
    assert.equal(table.columns[1].description, 'Custom resource definition column (in JSONPath format): .spec.replicas');
    assert.deepEqual(table.cells(widget, now), ['w1', 3, 'True', '{"matchLabels":{"a":"1","b":"2"}}', null, '60m']);
  });

  it('defaults to Name and Age', () => {
    const table = printerColumnsTable(undefined);
    assert.deepEqual(table.columns.map((c) => [c.name, c.type]), [
      ['Name', 'string'],
      ['Age', 'date'],
    ]);
    assert.deepEqual(table.cells(widget, now), ['w1', '60m']);
  });

  it('keeps a cell only when the value has the column type', () => {
    assert.equal(cell('integer', 2.7, now), 2);
    assert.equal(cell('integer', '2', now), null);
    assert.equal(cell('number', 3, now), 3);
    assert.equal(cell('boolean', 'true', now), null);
    assert.equal(cell('boolean', false, now), false);
    assert.equal(cell('string', 3, now), '3');
    assert.equal(cell('string', true, now), 'true');
    assert.equal(cell('date', 'yesterday', now), '<invalid>');
    assert.equal(cell('date', '0001-01-01T00:00:00Z', now), '<unknown>');
    assert.equal(cell('date', 5, now), null);
    assert.equal(cell('string', null, now), null);
  });

  it('prints numbers as Go does', () => {
    assert.equal(goNumber(3), '3');
    assert.equal(goNumber(0.5), '0.5');
    assert.equal(goNumber(0.00001), '1e-05');
    assert.equal(goNumber(1e21), '1e+21');
  });
});
