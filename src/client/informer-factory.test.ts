// Informers against a real `k8ts up`: events for configmaps, watches the server ends every
// second, a real 410 Gone followed by a re-list that reports what changed unseen, and the
// factory's sharing.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startCluster, type Cluster } from '../../test/support/k8ts-cluster.ts';
import type { KubeObject } from '../api/kind.ts';
import { DeletedFinalStateUnknown, SharedIndexInformer, type ResourceEventHandler } from './informer.ts';
import { SharedInformerFactory } from './informer-factory.ts';
import { loadKubeconfig } from './kubeconfig.ts';
import { listerWatcher, type ListerWatcher } from './reflector.ts';
import { RestClient } from './rest-client.ts';

const configmaps = { group: '', version: 'v1', resource: 'configmaps' };

async function until(cond: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

function recorder(): { seen: string[]; handler: ResourceEventHandler<KubeObject> } {
  const seen: string[] = [];
  const data = (o: KubeObject) => JSON.stringify(o.data ?? {});
  return {
    seen,
    handler: {
      onAdd: (o) => seen.push(`add ${o.metadata!.name} ${data(o)}`),
      onUpdate: (o, n) => {
        if (o.metadata!.resourceVersion !== n.metadata!.resourceVersion) seen.push(`update ${n.metadata!.name} ${data(o)}->${data(n)}`);
      },
      onDelete: (o) => seen.push(o instanceof DeletedFinalStateUnknown ? `tombstone ${o.key}` : `delete ${o.metadata!.name}`),
    },
  };
}

/** Counts the calls a ListerWatcher gets; can hold the next watch and aim it at a stale version. */
class Instrumented implements ListerWatcher<KubeObject> {
  readonly inner: ListerWatcher<KubeObject>;
  lists = 0;
  watches: string[] = [];
  stale: { release: Promise<void>; waiting: boolean } | undefined;
  constructor(inner: ListerWatcher<KubeObject>) {
    this.inner = inner;
  }
  list(...args: Parameters<ListerWatcher<KubeObject>['list']>) {
    this.lists++;
    return this.inner.list(...args);
  }
  async watch(...[options, signal]: Parameters<ListerWatcher<KubeObject>['watch']>) {
    const stale = this.stale;
    if (stale) {
      this.stale = undefined;
      stale.waiting = true;
      await stale.release;
      options = { ...options, resourceVersion: '1' };
    }
    this.watches.push(options.resourceVersion);
    return this.inner.watch(options, signal);
  }
}

describe('informers against k8ts up', () => {
  let cluster: Cluster;
  let client: RestClient;
  const ns = 'informer-test';
  const ref = { ...configmaps, namespace: ns };
  const logs: string[] = [];
  const log = (m: string) => logs.push(m);

  before(async () => {
    cluster = await startCluster();
    client = new RestClient(loadKubeconfig(cluster.kubeconfig));
    await client.create({ group: '', version: 'v1', resource: 'namespaces' }, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
  });
  after(async () => {
    client?.close();
    await cluster?.stop();
  });

  it('sees adds, updates and deletes, and keeps watching across watches the server ends', async () => {
    await client.create(ref, { metadata: { name: 'before' }, data: { a: '0' } });
    // Not the namespace's kube-root-ca.crt, which the controller manager publishes at a time of its own.
    const lw = new Instrumented(listerWatcher(client, { ...configmaps, namespace: ns, fieldSelector: 'metadata.name!=kube-root-ca.crt' }));
    const informer = new SharedIndexInformer(lw, { minWatchTimeoutSeconds: 1, log });
    const { seen, handler } = recorder();
    informer.addEventHandler(handler);
    informer.start();
    try {
      assert.equal(await informer.waitForSync(), true);
      assert.deepEqual(seen, ['add before {"a":"0"}']);
      await client.create(ref, { metadata: { name: 'a' }, data: { k: '1' } });
      await client.patch({ ...ref, name: 'a' }, { data: { k: '2' } }, { type: 'merge' });
      await until(() => seen.length === 3, 'add and update of a');
      assert.deepEqual(seen.slice(1), ['add a {"k":"1"}', 'update a {"k":"1"}->{"k":"2"}']);
      assert.deepEqual(informer.lister.namespace(ns).get('a')?.data, { k: '2' });

      // Each watch asks the server to end it after 1 s: wait for two of them to end.
      await until(() => lw.watches.length >= 3, 'the server to end two watches', 15_000);
      await client.delete({ ...ref, name: 'a' });
      await client.create(ref, { metadata: { name: 'b' }, data: {} });
      await until(() => seen.length === 5, 'delete of a and add of b');
      assert.deepEqual(seen.slice(3), ['delete a', 'add b {}']);
      assert.equal(lw.lists, 1, 'resumed every watch without a re-list');
      assert.ok(lw.watches.slice(1).every((rv) => rv !== '' && rv !== '0'), 'each watch resumed from a version');
      assert.deepEqual(informer.indexer.listKeys().sort(), [`${ns}/b`, `${ns}/before`]);
    } finally {
      await informer.stop();
    }
  });

  it('re-lists after a real 410 Gone and reports what changed while it was not watching', async () => {
    for (const name of ['kept', 'doomed']) await client.create(ref, { metadata: { name, labels: { set: 'relist' } }, data: { v: '1' } });
    const lw = new Instrumented(listerWatcher(client, { ...configmaps, namespace: ns, labelSelector: 'set=relist' }));
    const informer = new SharedIndexInformer(lw, { minWatchTimeoutSeconds: 1, log });
    const { seen, handler } = recorder();
    informer.addEventHandler(handler);
    informer.start();
    try {
      await informer.waitForSync();
      let release!: () => void;
      const stale = { release: new Promise<void>((r) => (release = r)), waiting: false };
      lw.stale = stale;
      await until(() => stale.waiting, 'the next watch to be held');
      // Nobody is watching now: these changes are only visible to a re-list.
      await client.delete({ ...ref, name: 'doomed' });
      await client.patch({ ...ref, name: 'kept' }, { data: { v: '2' } }, { type: 'merge' });
      release();
      await until(() => lw.lists === 2, 're-list after 410');
      await until(() => seen.length === 4, 'the re-list to be delivered');
      assert.deepEqual(seen.slice(2).sort(), [`tombstone ${ns}/doomed`, 'update kept {"v":"1"}->{"v":"2"}']);
      assert.ok(logs.some((m) => /too old resource version/.test(m)), logs.join('\n'));
      assert.deepEqual(informer.indexer.listKeys(), [`${ns}/kept`]);
      await client.create(ref, { metadata: { name: 'after', labels: { set: 'relist' } } });
      await until(() => seen.length === 5, 'events after the re-list');
    } finally {
      await informer.stop();
    }
  });

  it('the factory hands out one informer per collection and selectors, shared by many handlers', async () => {
    const factory = new SharedInformerFactory(client, { log });
    const a = factory.informerFor(configmaps);
    assert.equal(factory.informerFor({ ...configmaps }), a);
    assert.notEqual(factory.informerFor({ ...configmaps, namespace: ns }), a);
    assert.notEqual(factory.informerFor({ ...configmaps, labelSelector: 'x=y' }), a);
    const one = recorder();
    const two = recorder();
    a.addEventHandler(one.handler);
    a.addEventHandler(two.handler);
    const abort = new AbortController();
    factory.start(abort.signal);
    try {
      assert.equal(await factory.waitForCacheSync(), true);
      assert.ok(a.lister.namespace('kube-system').list().length >= 0);
      assert.ok(a.lister.namespace(ns).get('before'), 'all namespaces are cached');
      await client.create(ref, { metadata: { name: 'shared' } });
      await until(() => one.seen.includes('add shared {}') && two.seen.includes('add shared {}'), 'both handlers');
      const late = factory.informerFor({ group: '', version: 'v1', resource: 'namespaces' });
      factory.start();
      assert.equal(await factory.waitForCacheSync(), true);
      assert.ok(late.lister.get(ns));
    } finally {
      abort.abort();
      await factory.shutdown();
    }
  });
});
