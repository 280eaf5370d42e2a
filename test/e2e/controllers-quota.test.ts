// ResourceQuota and ReplicationController inside a real `k8ts up`, driven by the real kubectl:
// `kubectl create quota` gets its usage filled in by the resourcequota controller, the API
// server refuses creates beyond it (and pods that leave out what it tracks) with upstream's
// messages, charges usage so that concurrent creates cannot overrun it, and deleting a pod
// frees what it used; a ReplicationController of 3 gets 3 pods and `kubectl scale rc` to 1
// deletes 2. No kubelet runs: the test marks pods Running and Ready through pods/<name>/status.

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

function podManifest(name: string, cpu?: string): string {
  const resources = cpu ? `\n    resources: {requests: {cpu: ${cpu}}}` : '';
  return `apiVersion: v1
kind: Pod
metadata: {name: ${name}}
spec:
  containers:
  - name: c
    image: busybox${resources}
`;
}

/** The quota's status.used once the controller has reported every hard resource. */
async function usedOf(namespace: string, name: string): Promise<Record<string, string>> {
  return until(`usage of ${namespace}/${name}`, async () => {
    const q = await json(['-n', namespace, 'get', 'quota', name]);
    const hard = Object.keys(q.spec.hard);
    return hard.every((k) => q.status?.used?.[k] !== undefined) && q.status.used;
  });
}

async function markPodsReady(namespace: string): Promise<void> {
  const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  for (const pod of (await client.list<any>({ ...pods, namespace })).items) {
    if (pod.status?.phase === 'Running' || pod.metadata.deletionTimestamp) continue;
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
  }
}

describe('resource quota', () => {
  it('reports usage, refuses pods beyond it in upstream’s words, and frees usage when a pod goes', async () => {
    await ok(['create', 'namespace', 'quota']);
    assert.match(await ok(['-n', 'quota', 'create', 'quota', 'q', '--hard=pods=2,requests.cpu=1']), /resourcequota\/q created/);
    assert.deepEqual(await usedOf('quota', 'q'), { pods: '0', 'requests.cpu': '0' });
    const q = await json(['-n', 'quota', 'get', 'quota', 'q']);
    assert.deepEqual(q.status.hard, { pods: '2', 'requests.cpu': '1' });

    await ok(['-n', 'quota', 'create', '-f', '-'], podManifest('p1', '100m'));
    await ok(['-n', 'quota', 'create', '-f', '-'], podManifest('p2', '300m'));
    const refused = await cluster.kubectl(['-n', 'quota', 'create', '-f', '-'], { input: podManifest('p3', '100m') });
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr, /Error from server \(Forbidden\): .*pods "p3" is forbidden: exceeded quota: q, requested: pods=1, used: pods=2, limited: pods=2/);
    const unstated = await cluster.kubectl(['-n', 'quota', 'create', '-f', '-'], { input: podManifest('p4') });
    assert.match(unstated.stderr, /pods "p4" is forbidden: failed quota: q: must specify requests.cpu for: c/);

    assert.deepEqual(await usedOf('quota', 'q'), { pods: '2', 'requests.cpu': '400m' });
    const table = await ok(['-n', 'quota', 'get', 'quota']);
    assert.match(table, /^NAME\s+REQUEST\s+LIMIT\s+AGE\n/);
    assert.match(table, /\nq\s+pods: 2\/2, requests.cpu: 400m\/1\s+\d+s\n/);
    const described = await ok(['-n', 'quota', 'describe', 'quota', 'q']);
    assert.match(described, /Resource\s+Used\s+Hard\n\s*-+\s+-+\s+-+\n\s*pods\s+2\s+2\n\s*requests.cpu\s+400m\s+1\n/);

    await ok(['-n', 'quota', 'delete', 'pod', 'p2']);
    await until('p2’s usage freed', async () => (await json(['-n', 'quota', 'get', 'quota', 'q'])).status.used.pods === '1');
    assert.deepEqual((await json(['-n', 'quota', 'get', 'quota', 'q'])).status.used, { pods: '1', 'requests.cpu': '100m' });
    await ok(['-n', 'quota', 'create', '-f', '-'], podManifest('p3', '100m'));
    assert.deepEqual(await usedOf('quota', 'q'), { pods: '2', 'requests.cpu': '200m' });

    // A dry run is checked but charges nothing.
    const dry = await cluster.kubectl(['-n', 'quota', 'create', '--dry-run=server', '-f', '-'], { input: podManifest('p5', '100m') });
    assert.match(dry.stderr, /exceeded quota: q/);
  });

  it('charges each admitted create, so concurrent creates cannot overrun the quota', async () => {
    await ok(['create', 'namespace', 'race']);
    await ok(['-n', 'race', 'create', 'quota', 'count', '--hard=count/configmaps=3']);
    await usedOf('race', 'count');
    const results = await Promise.allSettled(
      Array.from({ length: 8 }, (_, i) => client.create({ group: '', version: 'v1', resource: 'configmaps', namespace: 'race' }, { metadata: { name: `c${i}` }, data: { i: String(i) } })),
    );
    const created = results.filter((r) => r.status === 'fulfilled').length;
    const errors = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected').map((r) => (r.reason as Error).message);
    const stored = (await json(['-n', 'race', 'get', 'configmaps'])).items.map((c: any) => c.metadata.name);
    assert.equal(stored.length, 3);
    // Configmaps made for every namespace (a root CA bundle) count too.
    assert.equal(created, stored.filter((n: string) => /^c\d$/.test(n)).length);
    for (const m of errors) assert.match(m, /configmaps "c\d" is forbidden: exceeded quota: count, requested: count\/configmaps=1, used: count\/configmaps=3, limited: count\/configmaps=3/);
    assert.deepEqual(await usedOf('race', 'count'), { 'count/configmaps': '3' });
  });

  it('counts objects of any kind as count/<resource>.<group>', async () => {
    await ok(['create', 'namespace', 'counts']);
    await ok(['-n', 'counts', 'create', 'quota', 'objects', '--hard=count/deployments.apps=1,secrets=5']);
    await usedOf('counts', 'objects');
    await ok(['-n', 'counts', 'create', 'deployment', 'one', '--image=busybox', '--replicas=0']);
    const second = await cluster.kubectl(['-n', 'counts', 'create', 'deployment', 'two', '--image=busybox', '--replicas=0']);
    assert.match(second.stderr, /deployments.apps "two" is forbidden: exceeded quota: objects, requested: count\/deployments.apps=1, used: count\/deployments.apps=1, limited: count\/deployments.apps=1/);
    await ok(['-n', 'counts', 'delete', 'deployment', 'one']);
    await until('the deployment’s count freed', async () => (await json(['-n', 'counts', 'get', 'quota', 'objects'])).status.used['count/deployments.apps'] === '0');
    await ok(['-n', 'counts', 'create', 'deployment', 'two', '--image=busybox', '--replicas=0']);
  });
});

const rcManifest = (namespace: string) => `apiVersion: v1
kind: ReplicationController
metadata: {name: web, namespace: ${namespace}}
spec:
  replicas: 3
  selector: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: web
        image: busybox
        resources: {requests: {cpu: 100m}}
`;

describe('replication controller', () => {
  it('keeps 3 pods for a ReplicationController of 3, and 1 after kubectl scale rc --replicas=1', async () => {
    await ok(['create', 'namespace', 'rc']);
    await ok(['apply', '-f', '-'], rcManifest('rc'));
    const rc = await json(['-n', 'rc', 'get', 'rc', 'web']);
    const created = await until('3 pods', async () => {
      const list = (await json(['-n', 'rc', 'get', 'pods'])).items;
      return list.length === 3 && list;
    });
    for (const pod of created) {
      assert.deepEqual(pod.metadata.ownerReferences, [{ apiVersion: 'v1', kind: 'ReplicationController', name: 'web', uid: rc.metadata.uid, controller: true, blockOwnerDeletion: true }]);
      assert.match(pod.metadata.name, /^web-[a-z0-9]{5}$/);
    }
    await until('3 ready', async () => {
      await markPodsReady('rc');
      const s = (await json(['-n', 'rc', 'get', 'rc', 'web'])).status;
      return s.readyReplicas === 3 && s;
    });
    const status = (await json(['-n', 'rc', 'get', 'rc', 'web'])).status;
    assert.deepEqual(status, { replicas: 3, fullyLabeledReplicas: 3, readyReplicas: 3, availableReplicas: 3, observedGeneration: 1 });
    assert.match(await ok(['-n', 'rc', 'get', 'rc']), /\nweb\s+3\s+3\s+3\s+\d+s\n/);

    assert.match(await ok(['-n', 'rc', 'scale', 'rc', 'web', '--replicas=1']), /replicationcontroller\/web scaled/);
    await until('1 pod left', async () => (await json(['-n', 'rc', 'get', 'pods'])).items.length === 1);
    const scaled = await until('status of 1', async () => {
      const s = await json(['-n', 'rc', 'get', 'rc', 'web']);
      return s.status.replicas === 1 && s;
    });
    assert.equal(scaled.status.observedGeneration, scaled.metadata.generation);

    const events = (await json(['-n', 'rc', 'get', 'events'])).items.filter((e: any) => e.involvedObject.kind === 'ReplicationController');
    const reasons = events.map((e: any) => `${e.source.component} ${e.reason}`);
    assert.ok(reasons.includes('replication-controller SuccessfulCreate'), reasons.join('\n'));
    assert.ok(reasons.includes('replication-controller SuccessfulDelete'), reasons.join('\n'));
  });

  it('reports ReplicaFailure while a quota holds its pods back', async () => {
    await ok(['create', 'namespace', 'rcquota']);
    await ok(['-n', 'rcquota', 'create', 'quota', 'q', '--hard=pods=2']);
    await usedOf('rcquota', 'q');
    await ok(['apply', '-f', '-'], rcManifest('rcquota'));
    const failure = await until('a ReplicaFailure condition', async () => {
      const rc = await json(['-n', 'rcquota', 'get', 'rc', 'web']);
      return rc.status?.conditions?.find((c: any) => c.type === 'ReplicaFailure');
    });
    assert.equal(failure.status, 'True');
    assert.equal(failure.reason, 'FailedCreate');
    assert.match(failure.message, /pods "web-[a-z0-9]{5}" is forbidden: exceeded quota: q, requested: pods=1, used: pods=2, limited: pods=2/);
    assert.equal((await json(['-n', 'rcquota', 'get', 'pods'])).items.length, 2);
    const describe = await ok(['-n', 'rcquota', 'describe', 'rc', 'web']);
    assert.match(describe, /Warning\s+FailedCreate\s+.*replication-controller\s+Error creating: pods "web-[a-z0-9]{5}" is forbidden: exceeded quota: q/);
  });
});
