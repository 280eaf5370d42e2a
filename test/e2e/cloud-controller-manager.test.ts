// The cloud-controller-manager with the local provider, driven with the real kubectl against
// `k8ts up` (process runtime, plus one hollow node): `kubectl expose --type=LoadBalancer` gets an
// EXTERNAL-IP from 127.200.0.0/24 within seconds and requests to it reach every pod (the hollow
// node's refusing NodePort is skipped); deleting the Service frees the address for the next one;
// a kubelet started with --cloud-provider=external (its own process) registers a node that the
// cloud node controller initializes (providerID, labels, taint removed); once that kubelet dies,
// its NotReady node is tainted shut down, and once its instance is removed through the local
// cloud API the node is deleted and its pods run elsewhere.
//
// Until `k8ts up` runs the cloud-controller-manager itself, startCloudCluster runs it in-process
// against the cluster, and with it a kube-controller-manager with a 20 s node-monitor grace period
// (up's own is disabled) so a dead kubelet's node turns NotReady sooner than after 40 s (kubelets
// renew their Lease every 10 s, so the grace period must stay well above that).

import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { get, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { busyboxSkipReason } from '../support/busybox.ts';
import { startCluster, type Cluster } from '../support/k8ts-cluster.ts';
import { deployment } from '../support/manifests.ts';
import { until } from '../support/until.ts';

const bin = fileURLToPath(new URL('../../bin/k8ts.js', import.meta.url));

const skip = busyboxSkipReason();

/** One request on a fresh connection: the body, or the error code. */
function fetchText(host: string, port: number, path = '/'): Promise<string> {
  return new Promise((resolve) => {
    const req = get({ host, port, path, agent: false, timeout: 5_000 }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (c: string) => (body += c));
      res.on('end', () => resolve(body.trim()));
    });
    req.on('timeout', () => req.destroy(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' })));
    req.on('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? String(err)));
  });
}

function cloudAPI(url: string, method: string, path: string): Promise<any> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}${path}`, { method }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (c: string) => (text += c));
      res.on('end', () => (res.statusCode === 200 ? resolve(JSON.parse(text)) : reject(new Error(`${method} ${path}: ${res.statusCode} ${text}`))));
    });
    req.on('error', reject);
    req.end();
  });
}

interface Taint {
  key: string;
  effect: string;
}

/** A cluster with a cloud-controller-manager (local provider): where its cloud API, health port and log are. */
interface CloudCluster {
  cluster: Cluster;
  cloudAPIURL: string;
  healthPort: number;
  log(): string;
  stop(): Promise<void>;
}

async function startCloudCluster(): Promise<CloudCluster> {
  const cluster = await startCluster(['--fake-nodes', '1', '--node-monitor-grace-period', '20s']);
  const out = cluster.output();
  return {
    cluster,
    cloudAPIURL: /local cloud API on (http:\/\/[\d.:]+)/.exec(out)![1],
    healthPort: Number(/cloud-controller-manager: .*health and metrics on http:\/\/127\.0\.0\.1:(\d+)/.exec(out)![1]),
    log: () => readFileSync(join(cluster.dataDir, 'logs', 'cloud-controller-manager.log'), 'utf8'),
    stop: () => cluster.stop(),
  };
}

describe('cloud-controller-manager (local provider)', { skip }, () => {
  let cloud: CloudCluster;
  let cluster: Cluster;
  let mainNode = '';
  let extra: ChildProcess | undefined;
  const extraDir = mkdtempSync(join(tmpdir(), 'k8ts-e2e-ccm-kubelet-'));
  let externalIP = '';

  const apiURL = () => cloud.cloudAPIURL;
  const svcIP = async (name: string) => (await cluster.json(['get', 'service', name])).status?.loadBalancer?.ingress?.[0]?.ip as string | undefined;

  before(async () => {
    cloud = await startCloudCluster();
    cluster = cloud.cluster;
    const nodes = (await cluster.json(['get', 'nodes'])).items as { metadata: { name: string } }[];
    mainNode = nodes.map((n) => n.metadata.name).find((n) => !n.startsWith('fake-node-'))!;
  });

  after(async () => {
    if (extra && extra.exitCode === null && extra.signalCode === null) {
      extra.kill('SIGKILL');
      await new Promise((r) => extra!.once('exit', r));
    }
    await cloud?.stop();
    rmSync(extraDir, { recursive: true, force: true });
  });

  test('serves health and metrics, and runs the controllers the local cloud supports', async () => {
    assert.match(cloud.log(), /started controllers controllers=cloud-node-controller,cloud-node-lifecycle-controller,service-lb-controller cloudProvider=local/);
    assert.match(cloud.log(), /Skipping controller controller=node-route-controller reason="the cloud provider does not support routes"/);
    assert.equal(await fetchText('127.0.0.1', cloud.healthPort, '/healthz'), 'ok');
    assert.equal(await fetchText('127.0.0.1', cloud.healthPort, '/readyz'), 'ok');
    assert.match(await fetchText('127.0.0.1', cloud.healthPort, '/metrics'), /service_controller_loadbalancer_sync_total/);
    const lease = await cluster.json(['get', 'lease', '-n', 'kube-system', 'cloud-controller-manager']);
    assert.ok(lease.spec.holderIdentity, 'it leads through the Lease kube-system/cloud-controller-manager');
  });

  test('kubectl expose --type=LoadBalancer gets an EXTERNAL-IP within seconds; requests reach every pod', async () => {
    await cluster.ok(
      ['apply', '-f', '-'],
      deployment('web', 2, {
        // The hollow node runs nothing: the pods must be where they really serve.
        nodeSelector: { 'kubernetes.io/hostname': mainNode },
        containers: [
          {
            name: 'httpd',
            image: 'busybox',
            command: ['sh', '-c', 'echo $(POD_NAME) > /www/index.html && exec httpd -f -p $(POD_IP):8080 -h /www'],
            env: [
              { name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
              { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
            ],
            volumeMounts: [{ name: 'www', mountPath: '/www' }],
            readinessProbe: { httpGet: { path: '/', port: 8080 }, periodSeconds: 1 },
          },
        ],
        volumes: [{ name: 'www', emptyDir: {} }],
      }),
    );
    await cluster.ok(['rollout', 'status', 'deployment/web', '--timeout=60s']);
    const pods = ((await cluster.json(['get', 'pods', '-l', 'app=web'])).items as { metadata: { name: string } }[]).map((p) => p.metadata.name).sort();
    assert.equal(pods.length, 2);

    const exposed = Date.now();
    await cluster.ok(['expose', 'deployment', 'web', '--type=LoadBalancer', '--port', '80', '--target-port', '8080']);
    externalIP = await until('an EXTERNAL-IP', async () => {
      const row = (await cluster.ok(['get', 'service', 'web', '--no-headers'])).trim().split(/\s+/);
      return row[3] !== '<pending>' && row[3];
    });
    assert.ok(Date.now() - exposed < 10_000, `EXTERNAL-IP after ${Date.now() - exposed} ms`);
    assert.match(externalIP, /^127\.200\.0\.\d+$/);
    const svc = await cluster.json(['get', 'service', 'web']);
    assert.deepEqual(svc.metadata.finalizers, ['service.kubernetes.io/load-balancer-cleanup']);
    assert.equal(svc.status.loadBalancer.ingress[0].ipMode, 'Proxy');

    const seen = new Set<string>();
    await until('requests through the load balancer to reach every pod', async () => {
      const answer = await fetchText(externalIP, 80);
      if (pods.includes(answer)) seen.add(answer);
      return seen.size === pods.length;
    });

    const events = await cluster.ok(['get', 'events', '--field-selector', 'involvedObject.name=web,involvedObject.kind=Service']);
    assert.match(events, /EnsuringLoadBalancer\s+service\/web\s+Ensuring load balancer/);
    assert.match(events, /EnsuredLoadBalancer\s+service\/web\s+Ensured load balancer/);

    const lb = await until('the hollow node marked unhealthy at the cloud', async () => {
      const item = (await cloudAPI(apiURL(), 'GET', '/loadbalancers')).items.find((l: { service: string }) => l.service === 'default/web');
      const backend = (name: string) => item?.ports[0].backends.find((b: { node: string }) => b.node === name);
      return backend('fake-node-0')?.health === 'down' && backend(mainNode)?.health === 'up' ? item : undefined;
    });
    assert.equal(lb.address, externalIP);
  });

  test('deleting the Service deletes its load balancer and frees the address', async () => {
    await cluster.ok(['expose', 'deployment', 'web', '--name', 'web2', '--type=LoadBalancer', '--port', '80', '--target-port', '8080']);
    const second = await until('web2 EXTERNAL-IP', () => svcIP('web2'));
    assert.notEqual(second, externalIP, 'no address is handed out twice');
    await cluster.ok(['delete', 'service', 'web', '--timeout=30s']);
    assert.equal(await fetchText(externalIP, 80), 'ECONNREFUSED');
    await cluster.ok(['expose', 'deployment', 'web', '--name', 'web3', '--type=LoadBalancer', '--port', '80', '--target-port', '8080']);
    assert.equal(await until('web3 EXTERNAL-IP', () => svcIP('web3')), externalIP, 'the freed address is used again');
    await cluster.ok(['delete', 'service', 'web2', 'web3', '--timeout=30s']);
    assert.deepEqual((await cloudAPI(apiURL(), 'GET', '/loadbalancers')).items, []);
  });

  test('a node registered with --cloud-provider=external is initialized and its taint removed', async () => {
    extra = spawn(
      process.execPath,
      [bin, 'kubelet', '--kubeconfig', cluster.kubeconfig, '--node-name', 'extra', '--node-ip', '127.1.1.1', '--runtime', 'fake', '--port', '0', '--root-dir', extraDir, '--cloud-provider', 'external'],
      { stdio: 'ignore' },
    );
    const node = await until('node extra initialized', async () => {
      const r = await cluster.kubectl(['get', 'node', 'extra', '-o', 'json']);
      if (r.code !== 0) return undefined;
      const n = JSON.parse(r.stdout);
      return n.spec.providerID ? n : undefined;
    });
    assert.equal(node.spec.providerID, 'local://extra');
    assert.equal(node.metadata.labels['node.kubernetes.io/instance-type'], 'k8ts.local');
    assert.equal(node.metadata.labels['topology.kubernetes.io/zone'], 'local-a');
    assert.equal(node.metadata.labels['topology.kubernetes.io/region'], 'local');
    assert.ok(!(node.spec.taints ?? []).some((t: Taint) => t.key === 'node.cloudprovider.kubernetes.io/uninitialized'));
    assert.deepEqual(node.status.addresses.find((a: { type: string }) => a.type === 'InternalIP'), { type: 'InternalIP', address: '127.1.1.1' });
    const events = await cluster.ok(['get', 'events', '--field-selector', 'involvedObject.name=extra,reason=Synced']);
    assert.match(events, /Node synced successfully/);
    const instance = await cloudAPI(apiURL(), 'GET', '/instances/extra');
    assert.equal(instance.state, 'running');
  });

  test('a node whose instance is removed at the cloud is deleted and its pods run elsewhere', async () => {
    // Put both replicas on the extra node: the others are cordoned while they are scheduled.
    await cluster.ok(['cordon', mainNode, 'fake-node-0']);
    await cluster.ok(['create', 'deployment', 'spread', '--image=busybox', '--replicas=2', '--', 'sleep', '3600']);
    await until('both spread pods on extra', async () => {
      const pods = (await cluster.json(['get', 'pods', '-l', 'app=spread'])).items as { spec: { nodeName?: string }; status: { phase?: string } }[];
      return pods.length === 2 && pods.every((p) => p.spec.nodeName === 'extra' && p.status.phase === 'Running');
    });
    await cluster.ok(['uncordon', mainNode, 'fake-node-0']);

    // The machine dies: its kubelet stops answering and heartbeating.
    extra!.kill('SIGKILL');
    await new Promise((r) => extra!.once('exit', r));
    const taints = await until('the NotReady node tainted as shut down', async () => {
      const n = await cluster.json(['get', 'node', 'extra']);
      const ready = n.status.conditions.find((c: { type: string }) => c.type === 'Ready')?.status;
      const t = (n.spec.taints ?? []) as Taint[];
      return ready !== 'True' && t.some((x) => x.key === 'node.cloudprovider.kubernetes.io/shutdown' && x.effect === 'NoSchedule') ? t : undefined;
    });
    assert.ok(taints.length >= 1);

    assert.equal((await cloudAPI(apiURL(), 'DELETE', '/instances/extra')).state, 'terminated');
    await until('node extra deleted', async () => (await cluster.kubectl(['get', 'node', 'extra'])).code !== 0);
    assert.match(await cluster.ok(['get', 'events', '--field-selector', 'involvedObject.name=extra,reason=DeletingNode']), /Deleting node extra because it does not exist in the cloud provider/);

    // The pod garbage collector removes pods of a deleted node after its 40 s quarantine.
    await until(
      'spread running elsewhere',
      async () => {
        const pods = (await cluster.json(['get', 'pods', '-l', 'app=spread'])).items as { spec: { nodeName?: string }; status: { phase?: string } }[];
        return pods.length === 2 && pods.every((p) => p.spec.nodeName && p.spec.nodeName !== 'extra' && p.status.phase === 'Running');
      },
      120_000,
    );
  });
});
