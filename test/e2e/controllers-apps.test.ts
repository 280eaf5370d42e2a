// The DaemonSet and StatefulSet controllers inside a real `k8ts up`, driven by the real
// kubectl: two plain Nodes reported Ready through nodes/<name>/status; a DaemonSet gets one pod
// per node (the controller pins each pod by node affinity and the scheduler binds it), `kubectl
// get ds` shows the counts, and a template change rolls the pods; a StatefulSet of 3
// OrderedReady creates web-0, web-1, web-2 only as each previous one turns Ready. No kubelet
// runs: the test marks pods Running and Ready through pods/<name>/status.

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


const pods = { group: '', version: 'v1', resource: 'pods' };
const now = () => new Date().toISOString().replace(/\.\d+Z$/, 'Z');

async function createReadyNode(name: string): Promise<void> {
  await ok(['apply', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'Node', metadata: { name, labels: { 'kubernetes.io/hostname': name } } }));
  const resources = { cpu: '4', memory: '8Gi', pods: '110' };
  const conditions = [{ type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'ready', lastHeartbeatTime: now(), lastTransitionTime: now() }];
  await ok(['patch', 'node', name, '--subresource=status', '--type=merge', '-p', JSON.stringify({ status: { capacity: resources, allocatable: resources, conditions } })]);
}

/** What a kubelet would report for a started pod: Running and Ready. */
async function markReady(namespace: string, pod: any): Promise<void> {
  const t = now();
  const status = {
    phase: 'Running',
    conditions: [
      { type: 'Ready', status: 'True', lastTransitionTime: t },
      { type: 'ContainersReady', status: 'True', lastTransitionTime: t },
    ],
    containerStatuses: pod.spec.containers.map((c: any) => ({ name: c.name, image: c.image, imageID: '', ready: true, started: true, restartCount: 0, state: { running: { startedAt: t } } })),
    startTime: t,
  };
  await client.patch({ ...pods, namespace, name: pod.metadata.name, subresource: 'status' }, { status }, { type: 'merge' });
}

async function markBoundPodsReady(namespace: string): Promise<void> {
  const list = await client.list<any>({ ...pods, namespace });
  for (const pod of list.items) {
    if (!pod.spec.nodeName || pod.status?.phase === 'Running' || pod.metadata.deletionTimestamp) continue;
    await markReady(namespace, pod).catch(() => undefined);
  }
}

function standInKubelet(namespace: string): { stop(): Promise<void> } {
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      await markBoundPodsReady(namespace).catch(() => undefined);
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

/** NAME → NODE from `kubectl get pods -o wide`. */
async function placements(namespace: string): Promise<Record<string, string>> {
  const lines = (await ok(['get', 'pods', '-n', namespace, '-o', 'wide'])).trim().split('\n');
  if (lines.length < 2) return {};
  const nodeAt = lines[0].indexOf('NODE ');
  assert.ok(nodeAt > 0, lines[0]);
  return Object.fromEntries(lines.slice(1).map((l) => [l.split(/\s+/)[0], l.slice(nodeAt).split(/\s+/)[0]]));
}

const daemonSet = (image: string) => ({
  apiVersion: 'apps/v1',
  kind: 'DaemonSet',
  metadata: { name: 'agent', namespace: 'apps-ds' },
  spec: {
    selector: { matchLabels: { app: 'agent' } },
    template: { metadata: { labels: { app: 'agent' } }, spec: { containers: [{ name: 'agent', image }] } },
  },
});

describe('DaemonSet controller', () => {
  it('runs one pod per Ready node, placed by the scheduler, and rolls a template change node by node', async () => {
    await createReadyNode('node-a');
    await createReadyNode('node-b');
    await ok(['create', 'namespace', 'apps-ds']);
    const kubelet = standInKubelet('apps-ds');
    try {
      await ok(['apply', '-f', '-'], JSON.stringify(daemonSet('busybox:1')));
      const placed = await until('one daemon pod bound to each node', async () => {
        const p = await placements('apps-ds');
        const nodes = Object.values(p).sort();
        return nodes.length === 2 && nodes[0] === 'node-a' && nodes[1] === 'node-b' ? p : undefined;
      });
      for (const name of Object.keys(placed)) assert.match(name, /^agent-[a-z0-9]{5}$/);

      const row = await until('kubectl get ds to report 2 ready', async () => {
        const lines = (await ok(['get', 'ds', '-n', 'apps-ds'])).trim().split('\n');
        return /^agent\s+2\s+2\s+2\s+2\s+2\s+<none>\s+/.test(lines[1]) ? lines : undefined;
      });
      assert.match(row[0], /^NAME\s+DESIRED\s+CURRENT\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+NODE SELECTOR\s+AGE$/);
      const revisions = await ok(['get', 'controllerrevisions', '-n', 'apps-ds']);
      assert.match(revisions, /agent-\S+\s+daemonset\.apps\/agent\s+1\s/);

      await ok(['apply', '-f', '-'], JSON.stringify(daemonSet('busybox:2')));
      await until('every daemon pod to run the new image', async () => {
        const ds = JSON.parse(await ok(['get', 'ds', 'agent', '-n', 'apps-ds', '-o', 'json']));
        const list = await client.list<any>({ ...pods, namespace: 'apps-ds' });
        const live = list.items.filter((p: any) => !p.metadata.deletionTimestamp);
        return ds.status.observedGeneration === 2 &&
          ds.status.updatedNumberScheduled === 2 &&
          ds.status.numberAvailable === 2 &&
          live.length === 2 &&
          live.every((p: any) => p.spec.containers[0].image === 'busybox:2' && p.spec.nodeName)
          ? ds
          : undefined;
      });
      // Old pods stay Terminating: no kubelet confirms their deletion.
      const live = (await client.list<any>({ ...pods, namespace: 'apps-ds' })).items.filter((p: any) => !p.metadata.deletionTimestamp);
      assert.deepEqual(live.map((p: any) => p.spec.nodeName).sort(), ['node-a', 'node-b']);
      assert.equal(live.filter((p: any) => p.metadata.name in placed).length, 0, 'every pod was replaced');
      assert.match(await ok(['get', 'controllerrevisions', '-n', 'apps-ds']), /daemonset\.apps\/agent\s+2\s/);
    } finally {
      await kubelet.stop();
    }
  });
});

describe('StatefulSet controller', () => {
  it('creates web-0, web-1, web-2 in order, each once the previous is Running and Ready', async () => {
    await ok(['create', 'namespace', 'apps-sts']);
    const set = {
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: { name: 'web', namespace: 'apps-sts' },
      spec: {
        replicas: 3,
        serviceName: 'nginx',
        selector: { matchLabels: { app: 'web' } },
        template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'busybox' }] } },
      },
    };
    await ok(['apply', '-f', '-'], JSON.stringify(set));
    const names = async () => (await client.list<any>({ ...pods, namespace: 'apps-sts' })).items.map((p: any) => p.metadata.name).sort();
    for (let i = 0; i < 3; i++) {
      const expected = Array.from({ length: i + 1 }, (_, k) => `web-${k}`);
      await until(`web-${i} to be created`, async () => JSON.stringify(await names()) === JSON.stringify(expected));
      // The next pod must not appear while this one is not Ready.
      await new Promise((r) => setTimeout(r, 300));
      assert.deepEqual(await names(), expected);
      const pod = await client.get<any>({ ...pods, namespace: 'apps-sts', name: `web-${i}` });
      assert.equal(pod.spec.hostname, `web-${i}`);
      assert.equal(pod.spec.subdomain, 'nginx');
      assert.equal(pod.metadata.labels['statefulset.kubernetes.io/pod-name'], `web-${i}`);
      await markReady('apps-sts', pod);
    }
    const status = await until('status to count 3 ready replicas', async () => {
      const s = JSON.parse(await ok(['get', 'sts', 'web', '-n', 'apps-sts', '-o', 'json'])).status;
      return s.readyReplicas === 3 && s.currentReplicas === 3 ? s : undefined;
    });
    assert.equal(status.currentRevision, status.updateRevision);
    assert.match(status.currentRevision, /^web-/);
    assert.match((await ok(['get', 'sts', '-n', 'apps-sts'])).trim().split('\n')[1], /^web\s+3\/3\s/);
  });
});
