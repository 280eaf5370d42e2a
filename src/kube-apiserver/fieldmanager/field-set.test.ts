import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FieldSet, FieldsError, keyElement, parseElement, pathString, type Path } from './field-set.ts';

const f = (field: string) => ({ field });

describe('FieldSet', () => {
  it('writes fieldsV1 as upstream: "." first, fields, then keys, values and indices, each in order', () => {
    const containers = [f('spec'), f('containers')];
    const web = [...containers, keyElement([['name', 'web']])];
    const set = FieldSet.of(
      [...web, f('image')],
      web,
      [...containers, keyElement([['name', 'api']])],
      [f('metadata'), f('labels'), f('b')],
      [f('metadata'), f('labels')],
      [f('metadata'), f('labels'), f('a')],
      [f('spec'), f('finalizers'), { value: 'z' }],
      [f('spec'), f('finalizers'), { value: 'a' }],
      [f('spec'), f('args'), { index: 1 }],
      [f('spec'), f('args'), { index: 0 }],
    );
    const fields = set.toFields();
    assert.equal(
      JSON.stringify(fields),
      JSON.stringify({
        'f:metadata': { 'f:labels': { '.': {}, 'f:a': {}, 'f:b': {} } },
        'f:spec': {
          'f:args': { 'i:0': {}, 'i:1': {} },
          'f:containers': { 'k:{"name":"api"}': {}, 'k:{"name":"web"}': { '.': {}, 'f:image': {} } },
          'f:finalizers': { 'v:"a"': {}, 'v:"z"': {} },
        },
      }),
    );
    assert.ok(FieldSet.fromFields(fields).equals(set));
  });

  it('sorts key fields by name and compares numbers as numbers', () => {
    const port = (n: number) => keyElement([['protocol', 'TCP'], ['containerPort', n]]);
    const set = FieldSet.of([f('ports'), port(8080)], [f('ports'), port(80)], [f('ports'), port(443)]);
    assert.deepEqual(Object.keys(set.toFields()['f:ports'] as object), [
      'k:{"containerPort":80,"protocol":"TCP"}',
      'k:{"containerPort":443,"protocol":"TCP"}',
      'k:{"containerPort":8080,"protocol":"TCP"}',
    ]);
  });

  it('reads what it writes, and refuses what is not fieldsV1', () => {
    const fields = { 'f:data': { '.': {}, 'f:a': {} }, 'f:spec': { 'f:ports': { 'k:{"port":80,"protocol":"TCP"}': { '.': {}, 'f:port': {} } } } };
    const set = FieldSet.fromFields(fields);
    assert.ok(set.has([f('data')]));
    assert.ok(set.has([f('data'), f('a')]));
    assert.ok(!set.has([f('spec')]), 'a node without "." only leads to members');
    assert.ok(set.has([f('spec'), f('ports'), keyElement([['protocol', 'TCP'], ['port', 80]])]));
    assert.deepEqual(set.toFields(), fields);
    assert.throws(() => FieldSet.fromFields({ 'f:a': 1 }), FieldsError);
    assert.throws(() => FieldSet.fromFields({ a: {} }), FieldsError);
    assert.throws(() => FieldSet.fromFields({ 'k:{"a"': {} }), FieldsError);
    assert.equal(parseElement('x:unknown'), undefined, 'an unknown element type is skipped');
  });

  it('prints paths as conflict messages do', () => {
    const path: Path = [f('spec'), f('containers'), keyElement([['name', 'web']]), f('ports'), keyElement([['containerPort', 80], ['protocol', 'TCP']])];
    assert.equal(pathString(path), '.spec.containers[name="web"].ports[containerPort=80,protocol="TCP"]');
    assert.equal(pathString([f('finalizers'), { value: 'x' }]), '.finalizers[="x"]');
    assert.equal(pathString([f('args'), { index: 2 }]), '.args[2]');
  });

  it('has set algebra as upstream: difference keeps parents, recursive difference takes subtrees', () => {
    const a = FieldSet.of([f('spec')], [f('spec'), f('replicas')], [f('spec'), f('paused')]);
    const b = FieldSet.of([f('spec'), f('replicas')]);
    assert.deepEqual(a.difference(b).toFields(), { 'f:spec': { '.': {}, 'f:paused': {} } });
    assert.deepEqual(a.intersection(b).toFields(), { 'f:spec': { 'f:replicas': {} } });
    assert.deepEqual(a.recursiveDifference(FieldSet.of([f('spec')])).toFields(), {});
    assert.deepEqual(b.difference(FieldSet.of([f('spec')])).toFields(), { 'f:spec': { 'f:replicas': {} } }, 'child minus parent is the child');
    assert.ok(b.union(a).equals(a));
    assert.ok(new FieldSet().empty());
    assert.equal(a.paths().map(pathString).join(' '), '.spec .spec.paused .spec.replicas');
  });
});
