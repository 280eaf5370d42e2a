import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KubeObject } from '../../../api/kind.ts';
import { until } from '../../../../test/support/until.ts';
import { fakeSource } from '../../testing.ts';
import { projectedInformer } from './projected-informer.ts';

const obj = (name: string, rv: string, value: string): KubeObject => ({ metadata: { name, namespace: 'ns', resourceVersion: rv }, spec: { value } });
const upper = (o: KubeObject): KubeObject => ({ ...o, spec: { value: String((o.spec as { value: string }).value).toUpperCase() } });

test('a projected informer mirrors its source through the projection, changes included', async () => {
  const source = fakeSource([obj('a', '1', 'x'), obj('b', '1', 'y')]);
  const view = projectedInformer(source.informer, upper, 'upper');
  const seen: string[] = [];
  view.addEventHandler({
    onAdd: (o) => seen.push(`add ${o.metadata?.name}`),
    onUpdate: (_old, o) => seen.push(`update ${o.metadata?.name} ${(o.spec as { value: string }).value}`),
    onDelete: (o) => seen.push(`delete ${(o as KubeObject).metadata?.name}`),
  });
  const abort = new AbortController();
  source.informer.start(abort.signal);
  view.start(abort.signal);
  try {
    assert.equal(await view.waitForSync(), true);
    assert.deepEqual(view.lister.namespace('ns').list().map((o) => (o.spec as { value: string }).value).sort(), ['X', 'Y']);
    source.emit('MODIFIED', obj('a', '2', 'z'));
    source.emit('ADDED', obj('c', '3', 'w'));
    source.emit('DELETED', obj('b', '4', 'y'));
    await until('the changes', async () => view.lister.namespace('ns').list().length === 2 && view.lister.namespace('ns').get('c'));
    assert.equal((view.lister.namespace('ns').get('a')!.spec as { value: string }).value, 'Z');
    assert.deepEqual(seen, ['add a', 'add b', 'update a Z', 'add c', 'delete b']);
    assert.ok(Object.isFrozen(view.lister.namespace('ns').get('a')), 'cached objects are frozen');
  } finally {
    abort.abort();
    await Promise.all([view.stop(), source.informer.stop()]);
  }
});

test('stopping a projected informer leaves its source running', async () => {
  const source = fakeSource([obj('a', '1', 'x')]);
  const view = projectedInformer(source.informer, upper, 'upper');
  const abort = new AbortController();
  source.informer.start(abort.signal);
  view.start();
  try {
    await view.waitForSync();
    await view.stop();
    source.emit('ADDED', obj('b', '2', 'y'));
    await until('the source to see b', async () => source.informer.lister.namespace('ns').get('b'));
    assert.equal(view.lister.namespace('ns').get('b'), undefined);
  } finally {
    abort.abort();
    await source.informer.stop();
  }
});
