import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { builtinKinds } from '../../api/builtin.ts';
import type { Schema } from '../../api/schema.ts';
import { TypedValueError } from './schema-types.ts';
import { compare, merge, toFieldSet } from './typed.ts';

const schemaOf = (kind: string): Schema => builtinKinds().find((d) => d.kind === kind && d.group === (kind === 'Deployment' ? 'apps' : ''))!.schema;
const podSchema = schemaOf('Pod');

const pod = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'p', labels: { app: 'web', tier: 'front' } },
  spec: {
    containers: [
      {
        name: 'web',
        image: 'nginx',
        command: ['nginx', '-g', 'daemon off;'],
        env: [{ name: 'A', value: '1' }, { name: 'B', value: '2' }],
        ports: [{ containerPort: 80 }, { containerPort: 53, protocol: 'UDP' }],
      },
      { name: 'sidecar', image: 'busybox' },
    ],
    nodeSelector: { disk: 'ssd' },
    tolerations: [{ key: 'k', operator: 'Exists' }],
  },
};

describe('toFieldSet', () => {
  it('keys containers and env by name, ports by containerPort and protocol (TCP by default)', () => {
    assert.deepEqual(toFieldSet(pod, podSchema).toFields(), {
      'f:apiVersion': {},
      'f:kind': {},
      'f:metadata': { 'f:labels': { 'f:app': {}, 'f:tier': {} }, 'f:name': {} },
      'f:spec': {
        'f:containers': {
          'k:{"name":"sidecar"}': { '.': {}, 'f:image': {}, 'f:name': {} },
          'k:{"name":"web"}': {
            '.': {},
            'f:command': {},
            'f:env': {
              'k:{"name":"A"}': { '.': {}, 'f:name': {}, 'f:value': {} },
              'k:{"name":"B"}': { '.': {}, 'f:name': {}, 'f:value': {} },
            },
            'f:image': {},
            'f:name': {},
            'f:ports': {
              'k:{"containerPort":53,"protocol":"UDP"}': { '.': {}, 'f:containerPort': {}, 'f:protocol': {} },
              'k:{"containerPort":80,"protocol":"TCP"}': { '.': {}, 'f:containerPort': {} },
            },
          },
        },
        'f:nodeSelector': {},
        'f:tolerations': {},
      },
    });
  });

  it('owns an empty object or a null as a leaf, and an atomic list or map as one', () => {
    const set = toFieldSet({ metadata: { labels: {} }, spec: { securityContext: {}, nodeName: null, containers: [{ name: 'a', args: [] }] } }, podSchema);
    assert.deepEqual(set.toFields(), {
      'f:metadata': { 'f:labels': {} },
      'f:spec': { 'f:containers': { 'k:{"name":"a"}': { '.': {}, 'f:args': {}, 'f:name': {} } }, 'f:nodeName': {}, 'f:securityContext': {} },
    });
    const deployment = schemaOf('Deployment');
    assert.deepEqual(toFieldSet({ spec: { selector: { matchLabels: { app: 'x' } } } }, deployment).toFields(), { 'f:spec': { 'f:selector': {} } });
  });

  it('reads lists without list metadata as atomic, and sets by value', () => {
    const schema: Schema = {
      type: 'object',
      properties: {
        spec: {
          type: 'object',
          properties: {
            items: { type: 'array', items: { type: 'object', properties: { name: { type: 'string' } } } },
            tags: { type: 'array', items: { type: 'string' }, 'x-kubernetes-list-type': 'set' },
            free: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
          },
        },
      },
    };
    const value = { spec: { items: [{ name: 'a' }], tags: ['x', 'y'], free: { a: { b: [1, 2] } } } };
    assert.deepEqual(toFieldSet(value, schema).toFields(), {
      'f:spec': { 'f:free': { 'f:a': { '.': {}, 'f:b': {} } }, 'f:items': {}, 'f:tags': { 'v:"x"': {}, 'v:"y"': {} } },
    });
  });

  it('refuses what cannot be keyed, with upstream path and words', () => {
    assert.throws(
      () => toFieldSet({ spec: { containers: [{ image: 'x' }] } }, podSchema),
      (err: Error) =>
        err instanceof TypedValueError &&
        err.message === '.spec.containers: element 0: associative list with keys has an element that omits all key fields ["name"] (and doesn\'t have default values for any key fields)',
    );
    const twice = { spec: { containers: [{ name: 'a' }, { name: 'a', image: 'x' }] } };
    assert.throws(
      () => toFieldSet(twice, podSchema, { allowDuplicates: false }),
      (err: Error) => err instanceof TypedValueError && err.message === '.spec.containers: duplicate entries for key [name="a"]',
    );
    assert.deepEqual(toFieldSet(twice, podSchema).toFields(), { 'f:spec': { 'f:containers': { 'k:{"name":"a"}': {} } } }, 'a live duplicate is owned as a whole');
  });
});

describe('compare', () => {
  it('reports added, modified and removed leaves, and objects that appear as a whole', () => {
    const before = { metadata: { labels: { a: '1' } }, spec: { containers: [{ name: 'web', image: 'nginx:1' }] } };
    const after = { metadata: { labels: { a: '2' }, annotations: { x: 'y' } }, spec: { containers: [{ name: 'web', image: 'nginx:1' }, { name: 'new', image: 'busybox' }] } };
    const c = compare(before, after, podSchema);
    assert.deepEqual(c.modified.toFields(), { 'f:metadata': { 'f:labels': { 'f:a': {} } } });
    assert.deepEqual(c.added.toFields(), {
      'f:metadata': { 'f:annotations': { '.': {}, 'f:x': {} } },
      'f:spec': { 'f:containers': { 'k:{"name":"new"}': { '.': {}, 'f:image': {}, 'f:name': {} } } },
    });
    assert.ok(c.removed.empty());
    assert.deepEqual(compare(after, before, podSchema).removed.toFields(), c.added.toFields());
  });
});

describe('merge', () => {
  it('lets the configuration win, merges maps and list maps by key, replaces atomic lists and maps', () => {
    const live = {
      metadata: { labels: { app: 'web' } },
      spec: { containers: [{ name: 'a', image: 'a:1', command: ['x', 'y'] }, { name: 'b', image: 'b:1' }], nodeSelector: { disk: 'ssd' } },
    };
    const config = {
      metadata: { labels: { tier: 'front' } },
      spec: { containers: [{ name: 'b', image: 'b:2' }, { name: 'c', image: 'c:1' }, { name: 'a', command: ['z'] }], nodeSelector: { zone: 'z1' } },
    };
    assert.deepEqual(merge(live, config, podSchema), {
      metadata: { labels: { app: 'web', tier: 'front' } },
      spec: {
        containers: [
          { name: 'b', image: 'b:2' },
          { name: 'c', image: 'c:1' },
          { name: 'a', image: 'a:1', command: ['z'] },
        ],
        nodeSelector: { zone: 'z1' },
      },
    });
  });

  it('keeps live items the configuration does not name where they were', () => {
    const live = { spec: { containers: [{ name: 'x' }, { name: 'a' }, { name: 'y' }, { name: 'b' }] } };
    const config = { spec: { containers: [{ name: 'b' }, { name: 'a' }] } };
    const merged = merge(live, config, podSchema) as { spec: { containers: { name: string }[] } };
    assert.deepEqual(merged.spec.containers.map((c) => c.name), ['x', 'y', 'b', 'a']);
  });
});
