import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KubeObject } from '../api/kind.ts';
import { parseLabelSelector } from '../machinery/labels.ts';
import { deepFreeze, Indexer, metaNamespaceIndexFunc, metaNamespaceKey, namespaceIndex, nodeNameIndexFunc, splitMetaNamespaceKey } from './indexer.ts';
import { Lister } from './lister.ts';

function pod(namespace: string, name: string, nodeName?: string, labels?: Record<string, string>): KubeObject {
  return { metadata: { namespace, name, labels }, spec: nodeName ? { nodeName } : {} };
}

function names(objs: KubeObject[]): string[] {
  return objs.map(metaNamespaceKey).sort();
}

describe('Indexer', () => {
  it('keys objects namespace/name (name when cluster-scoped) and splits keys back', () => {
    assert.equal(metaNamespaceKey(pod('ns', 'a')), 'ns/a');
    assert.equal(metaNamespaceKey({ metadata: { name: 'node1' } }), 'node1');
    assert.deepEqual(splitMetaNamespaceKey('ns/a'), { namespace: 'ns', name: 'a' });
    assert.deepEqual(splitMetaNamespaceKey('node1'), { namespace: '', name: 'node1' });
    assert.throws(() => splitMetaNamespaceKey('a/b/c'), /unexpected key format/);
    assert.throws(() => metaNamespaceKey({ metadata: {} }), /no metadata.name/);
  });

  it('keeps indexes in step with add, update, delete and replace', () => {
    const idx = new Indexer<KubeObject>(metaNamespaceKey, { [namespaceIndex]: metaNamespaceIndexFunc, nodeName: nodeNameIndexFunc });
    idx.add(pod('a', 'p1', 'n1'));
    idx.add(pod('a', 'p2', 'n2'));
    idx.add(pod('b', 'p3', 'n1'));
    idx.add(pod('b', 'p4'));
    assert.equal(idx.size, 4);
    assert.deepEqual(names(idx.byIndex(namespaceIndex, 'a')), ['a/p1', 'a/p2']);
    assert.deepEqual(names(idx.byIndex('nodeName', 'n1')), ['a/p1', 'b/p3']);
    assert.deepEqual(idx.listIndexFuncValues('nodeName').sort(), ['n1', 'n2']);

    idx.update(pod('a', 'p1', 'n2')); // moves from n1 to n2
    assert.deepEqual(names(idx.byIndex('nodeName', 'n1')), ['b/p3']);
    assert.deepEqual(names(idx.byIndex('nodeName', 'n2')), ['a/p1', 'a/p2']);
    assert.deepEqual(names(idx.index('nodeName', pod('x', 'y', 'n2'))), ['a/p1', 'a/p2']);

    idx.delete(pod('b', 'p3'));
    assert.deepEqual(idx.byIndex('nodeName', 'n1'), []);
    assert.deepEqual(idx.listIndexFuncValues('nodeName').sort(), ['n2'], 'empty index values are dropped');
    assert.equal(idx.getByKey('b/p3'), undefined);
    assert.equal(idx.get(pod('a', 'p2'))?.metadata?.name, 'p2');

    idx.replace([pod('c', 'q1', 'n9')]);
    assert.deepEqual(idx.listKeys(), ['c/q1']);
    assert.deepEqual(idx.byIndex(namespaceIndex, 'a'), []);
    assert.deepEqual(names(idx.byIndex('nodeName', 'n9')), ['c/q1']);
    assert.throws(() => idx.byIndex('nope', 'x'), /index with name nope does not exist/);
  });

  it('indexes existing objects when an indexer is added later, and refuses a conflicting one', () => {
    const idx = new Indexer<KubeObject>(metaNamespaceKey);
    idx.add(pod('a', 'p1', 'n1'));
    idx.addIndexers({ nodeName: nodeNameIndexFunc });
    assert.deepEqual(names(idx.byIndex('nodeName', 'n1')), ['a/p1']);
    idx.addIndexers({ nodeName: nodeNameIndexFunc });
    assert.throws(() => idx.addIndexers({ nodeName: () => [] }), /indexer conflict/);
  });

  it('deepFreeze makes cached objects read-only all the way down', () => {
    const obj = deepFreeze(pod('a', 'p1', 'n1', { app: 'web' }));
    assert.throws(() => {
      (obj.metadata!.labels as Record<string, string>).app = 'x';
    }, TypeError);
    const copy = structuredClone(obj);
    copy.metadata!.labels!.app = 'x';
    assert.equal(copy.metadata!.labels!.app, 'x');
  });
});

describe('Lister', () => {
  it('lists by label selector and gets by name, across or within a namespace', () => {
    const idx = new Indexer<KubeObject>(metaNamespaceKey, { [namespaceIndex]: metaNamespaceIndexFunc });
    idx.add(pod('a', 'web1', undefined, { app: 'web' }));
    idx.add(pod('a', 'db1', undefined, { app: 'db' }));
    idx.add(pod('b', 'web2', undefined, { app: 'web' }));
    idx.add({ metadata: { name: 'node1' } });
    const lister = new Lister(idx);
    assert.equal(lister.list().length, 4);
    assert.deepEqual(names(lister.list(parseLabelSelector('app=web'))), ['a/web1', 'b/web2']);
    assert.deepEqual(names(lister.namespace('a').list()), ['a/db1', 'a/web1']);
    assert.deepEqual(names(lister.namespace('a').list(parseLabelSelector('app in (web)'))), ['a/web1']);
    assert.equal(lister.namespace('b').get('web2')?.metadata?.name, 'web2');
    assert.equal(lister.namespace('b').get('web1'), undefined);
    assert.equal(lister.get('node1')?.metadata?.name, 'node1');
  });
});
