// The endpoints, endpointslice and node lifecycle controllers of a real `k8ts controller-manager`
// (run beside `k8ts up --disable-controller-manager`, so its node grace period can be short),
// driven by the real kubectl: a Deployment of 3 exposed as a Service gets Endpoints and an
// EndpointSlice with the pods' IPs once a stand-in kubelet marks them Running and Ready through
// pods/<name>/status; a pod turning not ready moves to notReadyAddresses; scaling down removes
// one; a node whose Lease is not renewed becomes Unknown with the unreachable taints, and a pod
// there whose toleration runs out is evicted. A second node in another zone keeps renewing its
// Lease: with every node silent the controller would assume it lost them itself and stop
// evicting, as upstream does.

import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { loadKubeconfig } from '../../src/client/kubeconfig.ts';
import { RestClient } from '../../src/client/rest-client.ts';
import { startCluster, type Cluster } from '../support/k8ts-cluster.ts';
import { until } from '../support/until.ts';

const bin = fileURLToPath(new URL('../../bin/k8ts.js', import.meta.url));
let cluster: Cluster;
let kcm: ChildProcess | undefined;
let kcmOutput = '';

before(async () => {
  cluster = await startCluster(['--disable-controller-manager', '--disable-agent']);
  kcm = spawn(
    process.execPath,
    [bin, 'controller-manager', '--kubeconfig', cluster.kubeconfig, '--leader-elect=false', '--secure-port', '0', '--node-monitor-grace-period', '3s', '--node-monitor-period', '500ms'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  kcm.stdout!.setEncoding('utf8').on('data', (c: string) => (kcmOutput += c));
  kcm.stderr!.setEncoding('utf8').on('data', (c: string) => (kcmOutput += c));
});

after(async () => {
  if (kcm && kcm.exitCode === null) {
    const exited = new Promise((r) => kcm!.once('exit', r));
    kcm.kill('SIGTERM');
    const timer = setTimeout(() => kcm!.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  }
  await cluster?.stop();
});

const ok = (args: string[], input?: string) => cluster.ok(args, input);

const json = (args: string[]) => cluster.json(args);


const now = () => new Date().toISOString().replace(/\.\d+Z$/, 'Z');

/** What a kubelet would report: Running with an IP, Ready (or not). */
async function setPodStatus(name: string, ip: string, ready: boolean): Promise<void> {
  const status = {
    phase: 'Running',
    podIP: ip,
    podIPs: [{ ip }],
    conditions: [
      { type: 'Ready', status: ready ? 'True' : 'False', lastTransitionTime: now() },
      { type: 'ContainersReady', status: ready ? 'True' : 'False', lastTransitionTime: now() },
    ],
  };
  await ok(['patch', 'pod', name, '--subresource=status', '--type=merge', '-p', JSON.stringify({ status })]);
}

const sorted = (ips: string[]) => [...ips].sort();

describe('endpoints and endpointslices', () => {
  const ipOf = new Map<string, string>();

  it('list the IPs of the ready pods of an exposed Deployment', async () => {
    await ok(['create', 'deployment', 'web', '--image=busybox', '--replicas=3', '--port=8080']);
    await ok(['expose', 'deployment', 'web', '--port=80', '--target-port=8080']);
    const names = await until('3 pods', async () => {
      const pods = await json(['get', 'pods', '-l', 'app=web']);
      return pods.items.length === 3 && (pods.items.map((p: any) => p.metadata.name) as string[]);
    });
    names.forEach((n, i) => ipOf.set(n, `10.244.0.${i + 10}`));
    for (const [n, ip] of ipOf) await setPodStatus(n, ip, true);
    const want = sorted([...ipOf.values()]);
    await until('Endpoints with 3 ready addresses', async () => {
      const ep = await json(['get', 'endpoints', 'web']);
      const subset = ep.subsets?.[0];
      return JSON.stringify(sorted((subset?.addresses ?? []).map((a: any) => a.ip))) === JSON.stringify(want) && subset.ports[0].port === 8080 && ep;
    });
    const ep = await json(['get', 'endpoints', 'web']);
    assert.equal(ep.metadata.labels['endpoints.kubernetes.io/managed-by'], 'endpoint-controller');
    assert.deepEqual(ep.subsets[0].addresses[0].targetRef.kind, 'Pod');
    const text = await ok(['get', 'endpoints', 'web']);
    for (const ip of want) assert.match(text, new RegExp(`${ip.replace(/\./g, '\\.')}:8080`));

    const slice = await until('an EndpointSlice with 3 ready endpoints', async () => {
      const slices = await json(['get', 'endpointslices', '-l', 'kubernetes.io/service-name=web']);
      const s = slices.items[0];
      return (
        slices.items.length === 1 &&
        JSON.stringify(sorted(s.endpoints?.map((e: any) => e.addresses[0]) ?? [])) === JSON.stringify(want) &&
        s.endpoints.every((e: any) => e.conditions.ready === true) &&
        s
      );
    });
    assert.equal(slice.addressType, 'IPv4');
    assert.equal(slice.metadata.labels['endpointslice.kubernetes.io/managed-by'], 'endpointslice-controller.k8s.io');
    assert.equal(slice.metadata.ownerReferences[0].kind, 'Service');
    assert.deepEqual(slice.ports, [{ name: '', port: 8080, protocol: 'TCP' }]);
    const table = await ok(['get', 'endpointslices']);
    assert.match(table, /IPv4\s+8080\s+/);
    // Level-triggered but quiet: with nothing changing, neither object is written again.
    const epBefore = (await json(['get', 'endpoints', 'web'])).metadata.resourceVersion;
    await new Promise((r) => setTimeout(r, 1000));
    assert.equal((await json(['get', 'endpointslices', slice.metadata.name])).metadata.resourceVersion, slice.metadata.resourceVersion);
    assert.equal((await json(['get', 'endpoints', 'web'])).metadata.resourceVersion, epBefore);
  });

  it('move a pod that is not ready to notReadyAddresses', async () => {
    const [name, ip] = [...ipOf][0];
    await setPodStatus(name, ip, false);
    await until('the address under notReadyAddresses', async () => {
      const ep = await json(['get', 'endpoints', 'web']);
      const notReady = ep.subsets?.flatMap((s: any) => s.notReadyAddresses ?? []).map((a: any) => a.ip);
      const ready = ep.subsets?.flatMap((s: any) => s.addresses ?? []).map((a: any) => a.ip);
      return notReady?.includes(ip) && ready.length === 2;
    });
    await until('the slice endpoint not ready', async () => {
      const slices = await json(['get', 'endpointslices', '-l', 'kubernetes.io/service-name=web']);
      const e = slices.items.flatMap((s: any) => s.endpoints ?? []).find((x: any) => x.addresses[0] === ip);
      return e && e.conditions.ready === false && e.conditions.serving === false;
    });
  });

  it('drop the pod removed by scaling down', async () => {
    await ok(['scale', 'deployment', 'web', '--replicas=2']);
    const remaining = await until('2 pods left', async () => {
      const pods = await json(['get', 'pods', '-l', 'app=web']);
      const live = pods.items.filter((p: any) => !p.metadata.deletionTimestamp);
      return live.length === 2 && live.map((p: any) => p.status.podIP as string);
    });
    await until('Endpoints with the 2 remaining IPs', async () => {
      const ep = await json(['get', 'endpoints', 'web']);
      const all = (ep.subsets ?? []).flatMap((s: any) => [...(s.addresses ?? []), ...(s.notReadyAddresses ?? [])]).map((a: any) => a.ip);
      return JSON.stringify(sorted(all)) === JSON.stringify(sorted(remaining));
    });
    await until('EndpointSlices with the 2 remaining IPs', async () => {
      const slices = await json(['get', 'endpointslices', '-l', 'kubernetes.io/service-name=web']);
      // Pods being deleted stay in slices as terminating until they are gone.
      const live = slices.items.flatMap((s: any) => s.endpoints ?? []).filter((e: any) => !e.conditions.terminating).map((e: any) => e.addresses[0]);
      return JSON.stringify(sorted(live)) === JSON.stringify(sorted(remaining));
    });
  });

  it('delete the Endpoints with the Service', async () => {
    await ok(['delete', 'service', 'web']);
    await until('the Endpoints gone', async () => (await cluster.kubectl(['get', 'endpoints', 'web'])).code !== 0);
  });
});

describe('node lifecycle', () => {
  it('a node whose Lease is not renewed becomes Unknown with unreachable taints, and pods without a long enough toleration are evicted', async (t) => {
    const ready = { type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status', lastHeartbeatTime: now(), lastTransitionTime: now() };
    const renew = () => new Date().toISOString().replace('Z', '000Z');
    for (const [name, zone] of [['n1', 'a'], ['n2', 'b']]) {
      await ok(['create', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'Node', metadata: { name, labels: { 'topology.kubernetes.io/zone': zone } } }));
      await ok(['patch', 'node', name, '--subresource=status', '--type=merge', '-p', JSON.stringify({ status: { conditions: [ready] } })]);
      await ok(['create', '-f', '-'], JSON.stringify({ apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name, namespace: 'kube-node-lease' }, spec: { holderIdentity: name, leaseDurationSeconds: 40, renewTime: renew() } }));
    }
    // n2's kubelet stays alive.
    const client = new RestClient(loadKubeconfig(cluster.kubeconfig));
    const lease = { group: 'coordination.k8s.io', version: 'v1', resource: 'leases', namespace: 'kube-node-lease', name: 'n2' };
    const heartbeat = setInterval(() => void client.patch(lease, { spec: { renewTime: renew() } }, { type: 'merge' }).catch(() => undefined), 500);
    t.after(() => {
      clearInterval(heartbeat);
      client.close();
    });
    await ok(['create', '-f', '-'], JSON.stringify({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'short-toleration' },
      spec: {
        nodeName: 'n1',
        containers: [{ name: 'c', image: 'busybox' }],
        tolerations: [{ key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 2 }],
      },
    }));
    await ok(['create', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'default-toleration' }, spec: { nodeName: 'n1', containers: [{ name: 'c', image: 'busybox' }] } }));

    const node = await until('n1 Unknown with taints', async () => {
      const n = await json(['get', 'node', 'n1']);
      const c = n.status.conditions.find((x: any) => x.type === 'Ready');
      return c.status === 'Unknown' && (n.spec.taints ?? []).length === 2 && n;
    });
    const c = node.status.conditions.find((x: any) => x.type === 'Ready');
    assert.equal(c.reason, 'NodeStatusUnknown');
    assert.equal(c.message, 'Kubelet stopped posting node status.');
    assert.deepEqual(node.spec.taints.map((t: any) => `${t.key}:${t.effect}`).sort(), ['node.kubernetes.io/unreachable:NoExecute', 'node.kubernetes.io/unreachable:NoSchedule']);
    assert.match(await ok(['get', 'nodes']), /n1\s+NotReady/);

    await until('the pod with a 2 s toleration evicted', async () => {
      const r = await cluster.kubectl(['get', 'pod', 'short-toleration', '-o', 'json']);
      return r.code !== 0 || !!JSON.parse(r.stdout).metadata.deletionTimestamp;
    });
    const kept = await json(['get', 'pod', 'default-toleration']);
    assert.equal(kept.metadata.deletionTimestamp, undefined, 'the default 300 s toleration has not run out');

    // The kubelet comes back: Ready again, the taints go.
    const back = { ...ready, lastHeartbeatTime: now(), lastTransitionTime: now() };
    await ok(['patch', 'node', 'n1', '--subresource=status', '--type=merge', '-p', JSON.stringify({ status: { conditions: [back] } })]);
    await until('taints removed', async () => {
      const n = await json(['get', 'node', 'n1']);
      return (n.spec.taints ?? []).length === 0;
    });
  });
});
