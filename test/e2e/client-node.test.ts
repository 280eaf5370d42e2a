// @kubernetes/client-node, the official JavaScript client, against a real `k8ts up`:
// list, an informer (list + watch), create, patch and delete.

import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { ADD, CoreV1Api, DELETE, KubeConfig, makeInformer, PatchStrategy, setHeaderOptions, UPDATE, type V1ConfigMap } from '@kubernetes/client-node';
import { startCluster, type Cluster } from '../support/k8ts-cluster.ts';

let cluster: Cluster;
let core: CoreV1Api;
let kc: KubeConfig;
before(async () => {
  cluster = await startCluster();
  kc = new KubeConfig();
  kc.loadFromFile(cluster.kubeconfig);
  core = kc.makeApiClient(CoreV1Api);
});
after(async () => {
  await cluster?.stop();
});

it('lists, creates, patches and deletes', async () => {
  const namespaces = await core.listNamespace();
  assert.deepEqual(namespaces.items.map((n) => n.metadata?.name).sort(), ['default', 'kube-node-lease', 'kube-public', 'kube-system']);
  const created = await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'from-js' }, data: { a: '1' } } });
  assert.ok(created.metadata?.uid);
  const patched = await core.patchNamespacedConfigMap(
    { name: 'from-js', namespace: 'default', body: { data: { b: '2' } } },
    setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
  );
  assert.deepEqual(patched.data, { a: '1', b: '2' });
  await core.deleteNamespacedConfigMap({ name: 'from-js', namespace: 'default' });
  await assert.rejects(core.readNamespacedConfigMap({ name: 'from-js', namespace: 'default' }), (err: { code?: number }) => err.code === 404);
});

it('an informer sees adds, updates and deletes', async () => {
  const informer = makeInformer<V1ConfigMap>(kc, '/api/v1/namespaces/default/configmaps', () => core.listNamespacedConfigMap({ namespace: 'default' }));
  const seen: string[] = [];
  const waitFor = async (entry: string) => {
    const deadline = Date.now() + 15_000;
    while (!seen.includes(entry)) {
      assert.ok(Date.now() < deadline, `informer did not see ${entry}: ${seen.join(', ')}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  informer.on(ADD, (o) => seen.push(`add:${o.metadata?.name}`));
  informer.on(UPDATE, (o) => seen.push(`update:${o.metadata?.name}:${o.data?.v}`));
  informer.on(DELETE, (o) => seen.push(`delete:${o.metadata?.name}`));
  await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'before' } } });
  await informer.start();
  try {
    await waitFor('add:before');
    await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'during' }, data: { v: '1' } } });
    await waitFor('add:during');
    await core.replaceNamespacedConfigMap({ name: 'during', namespace: 'default', body: { metadata: { name: 'during' }, data: { v: '2' } } });
    await waitFor('update:during:2');
    await core.deleteNamespacedConfigMap({ name: 'during', namespace: 'default' });
    await waitFor('delete:during');
    assert.ok(informer.list().some((o) => o.metadata?.name === 'before'));
  } finally {
    await informer.stop();
  }
});
