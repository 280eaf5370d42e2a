// kube-controller-manager inside a real `k8ts up`, driven by the real kubectl: a Deployment
// rolls out, scales, updates, rolls back and is deleted in foreground; a namespace with
// objects in it goes away; every namespace gets a default ServiceAccount. No kubelet runs
// yet, so a stand-in marks pods Running and Ready through pods/<name>/status.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { loadKubeconfig } from '../../src/client/kubeconfig.ts';
import { RestClient } from '../../src/client/rest-client.ts';
import { startCluster, type Cluster } from '../support/k8ts-cluster.ts';
import { until } from '../support/until.ts';

let cluster: Cluster;
let client: RestClient;
before(async () => {
  cluster = await startCluster(['--disable-agent']);
  client = new RestClient(loadKubeconfig(cluster.kubeconfig));
});
after(async () => {
  client?.close();
  await cluster?.stop();
});

const ok = (args: string[], input?: string) => cluster.ok(args, input);

const json = (args: string[]) => cluster.json(args);


const pods = { group: '', version: 'v1', resource: 'pods' };

/** What a kubelet would report for a started pod: Running, Ready, containers ready. */
async function markPodsReady(namespace: string): Promise<number> {
  const list = await client.list<any>({ ...pods, namespace });
  let marked = 0;
  for (const pod of list.items) {
    if (pod.status?.phase === 'Running' || pod.metadata.deletionTimestamp) continue;
    const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    const status = {
      phase: 'Running',
      conditions: [
        { type: 'Ready', status: 'True', lastTransitionTime: now },
        { type: 'ContainersReady', status: 'True', lastTransitionTime: now },
      ],
      containerStatuses: pod.spec.containers.map((c: any) => ({ name: c.name, image: c.image, imageID: '', ready: true, started: true, restartCount: 0, state: { running: { startedAt: now } } })),
      startTime: now,
    };
    await client.patch({ ...pods, namespace, name: pod.metadata.name, subresource: 'status' }, { status }, { type: 'merge' }).catch(() => undefined);
    marked++;
  }
  return marked;
}

/** Marks pods ready as they appear, until stopped. */
function standInKubelet(namespace: string): { stop(): Promise<void> } {
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      await markPodsReady(namespace).catch(() => undefined);
      await new Promise((r) => setTimeout(r, 100));
    }
  })();
  return {
    async stop() {
      stopped = true;
      await loop;
    },
  };
}

const deployment = (image: string) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: apps
spec:
  replicas: 3
  selector:
    matchLabels: {app: web}
  strategy:
    rollingUpdate: {maxSurge: 1, maxUnavailable: 0}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: web
        image: ${image}
`;

describe('kube-controller-manager', () => {
  it('gives every new namespace a default ServiceAccount', async () => {
    await ok(['create', 'namespace', 'apps']);
    const sa = await until('default ServiceAccount', async () => (await cluster.kubectl(['-n', 'apps', 'get', 'serviceaccount', 'default', '-o', 'name'])).stdout.trim() || undefined);
    assert.equal(sa, 'serviceaccount/default');
    const all = await json(['get', 'serviceaccounts', '-A', '--field-selector', 'metadata.name=default']);
    const namespaces = all.items.map((s: any) => s.metadata.namespace).sort();
    for (const ns of ['apps', 'default', 'kube-system']) assert.ok(namespaces.includes(ns), `default ServiceAccount in ${ns}`);
  });

  it('rolls a Deployment out, scales it, updates it, rolls it back and deletes it in foreground', async () => {
    await ok(['apply', '-f', '-'], deployment('nginx:1'));
    const [rs] = await until('a ReplicaSet', async () => (await json(['-n', 'apps', 'get', 'rs'])).items.length === 1 && (await json(['-n', 'apps', 'get', 'rs'])).items);
    assert.match(rs.metadata.name, /^web-[bcdfghjklmnpqrstvwxz2456789]+$/);
    assert.equal(rs.metadata.labels['pod-template-hash'], rs.metadata.name.slice(4));
    assert.equal(rs.metadata.annotations['deployment.kubernetes.io/revision'], '1');
    assert.deepEqual(rs.metadata.ownerReferences.map((r: any) => [r.kind, r.name, r.controller, r.blockOwnerDeletion]), [['Deployment', 'web', true, true]]);
    const created = await until('3 pods', async () => {
      const list = (await json(['-n', 'apps', 'get', 'pods'])).items;
      return list.length === 3 && list;
    });
    for (const pod of created) {
      assert.deepEqual(pod.metadata.ownerReferences.map((r: any) => [r.kind, r.name, r.uid, r.controller]), [['ReplicaSet', rs.metadata.name, rs.metadata.uid, true]]);
      assert.ok(pod.metadata.name.startsWith(`${rs.metadata.name}-`));
    }

    const kubelet = standInKubelet('apps');
    try {
      const status = await ok(['-n', 'apps', 'rollout', 'status', 'deployment/web', '--timeout=60s']);
      assert.match(status, /deployment "web" successfully rolled out/);
      const d = await json(['-n', 'apps', 'get', 'deployment', 'web']);
      assert.deepEqual([d.status.replicas, d.status.updatedReplicas, d.status.readyReplicas, d.status.availableReplicas], [3, 3, 3, 3]);
      assert.deepEqual(
        d.status.conditions.map((c: any) => [c.type, c.status, c.reason]).sort(),
        [['Available', 'True', 'MinimumReplicasAvailable'], ['Progressing', 'True', 'NewReplicaSetAvailable']],
      );
      assert.equal(d.status.observedGeneration, d.metadata.generation);

      await ok(['-n', 'apps', 'scale', 'deployment/web', '--replicas=5']);
      await ok(['-n', 'apps', 'rollout', 'status', 'deployment/web', '--timeout=60s']);
      assert.equal((await json(['-n', 'apps', 'get', 'pods'])).items.length, 5);

      await ok(['-n', 'apps', 'set', 'image', 'deployment/web', 'web=nginx:2']);
      await ok(['-n', 'apps', 'rollout', 'status', 'deployment/web', '--timeout=60s']);
      const sets = (await json(['-n', 'apps', 'get', 'rs'])).items;
      assert.equal(sets.length, 2);
      const byRevision = Object.fromEntries(sets.map((s: any) => [s.metadata.annotations['deployment.kubernetes.io/revision'], s]));
      assert.equal(byRevision['1'].spec.replicas, 0);
      assert.equal(byRevision['2'].spec.replicas, 5);
      assert.equal(byRevision['2'].spec.template.spec.containers[0].image, 'nginx:2');
      const running = await until('old pods gone', async () => {
        const list = (await json(['-n', 'apps', 'get', 'pods'])).items;
        return list.length === 5 && list.every((p: any) => p.spec.containers[0].image === 'nginx:2') && list;
      });
      assert.equal(running.length, 5);

      const history = await ok(['-n', 'apps', 'rollout', 'history', 'deployment/web']);
      assert.match(history, /REVISION\s+CHANGE-CAUSE\n1\s+<none>\n2\s+<none>/);

      await ok(['-n', 'apps', 'rollout', 'undo', 'deployment/web']);
      await until('the rollback to start', async () => (await json(['-n', 'apps', 'get', 'deployment', 'web'])).spec.template.spec.containers[0].image === 'nginx:1');
      await ok(['-n', 'apps', 'rollout', 'status', 'deployment/web', '--timeout=60s']);
      const after = (await json(['-n', 'apps', 'get', 'rs'])).items;
      assert.equal(after.length, 2, 'the first ReplicaSet is reused');
      const back = after.find((s: any) => s.metadata.name === rs.metadata.name);
      assert.equal(back.metadata.annotations['deployment.kubernetes.io/revision'], '3');
      assert.equal(back.spec.replicas, 5);
      assert.match(await ok(['-n', 'apps', 'rollout', 'history', 'deployment/web']), /\n2\s+<none>\n3\s+<none>/);
    } finally {
      await kubelet.stop();
    }

    const events = await json(['-n', 'apps', 'get', 'events']);
    const reasons = new Set(events.items.map((e: any) => e.reason));
    for (const r of ['ScalingReplicaSet', 'SuccessfulCreate', 'SuccessfulDelete']) assert.ok(reasons.has(r), `event ${r}`);

    await ok(['-n', 'apps', 'delete', 'deployment', 'web', '--cascade=foreground', '--timeout=60s']);
    assert.equal((await json(['-n', 'apps', 'get', 'deployments'])).items.length, 0);
    assert.equal((await json(['-n', 'apps', 'get', 'rs'])).items.length, 0);
    assert.equal((await json(['-n', 'apps', 'get', 'pods'])).items.length, 0);
  });

  it('deletes a namespace with objects in it', async () => {
    await ok(['create', 'namespace', 'doomed']);
    await ok(['-n', 'doomed', 'create', 'deployment', 'app', '--image=nginx', '--replicas=2']);
    await ok(['-n', 'doomed', 'create', 'configmap', 'settings', '--from-literal=a=b']);
    await until('pods', async () => (await json(['-n', 'doomed', 'get', 'pods'])).items.length === 2);
    await ok(['delete', 'namespace', 'doomed', '--timeout=60s']);
    const r = await cluster.kubectl(['get', 'namespace', 'doomed']);
    assert.match(r.stderr, /namespaces "doomed" not found/);
  });

  it('serves health and metrics', async () => {
    const url = /kube-controller-manager: health and metrics on (http:\/\/\S+)/.exec(cluster.output())?.[1];
    assert.ok(url, cluster.output());
    assert.equal(await (await fetch(`${url}/readyz`)).text(), 'ok');
    assert.match(await (await fetch(`${url}/metrics`)).text(), /controller_reconcile_total\{controller="deployment-controller",result="success"\} \d+/);
  });
});
