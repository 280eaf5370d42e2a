// kube-proxy inside `k8ts up`, driven with the real kubectl, run by kube-proxy-up.test.ts
// (userspace data plane, process runtime) and kube-proxy-up-nftables.test.ts (nftables, cri):
// a Deployment of 3 busybox httpd replicas, exposed as a NodePort Service, answers on its
// ClusterIP and on the node's NodePort (127.0.0.1) from all three pods, from the host and from
// inside a pod (and from a replica itself: hairpin); scaled to 0 it refuses connections at
// once; scaled back it serves again.

import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, test } from 'node:test';
import { startCluster, type Cluster } from '../support/k8ts-cluster.ts';
import { deployment } from '../support/manifests.ts';
import { until } from '../support/until.ts';

export interface ProxyScenarioOptions {
  upArgs: string[];
  /** What ClusterIPs look like in this mode. */
  clusterIP: RegExp;
  setUp?(): Promise<void> | void;
  /** After the cluster stopped (or failed to start), with its data dir. */
  cleanUp?(dataDir: string | undefined): Promise<void> | void;
}

/** GET / on a fresh connection: the body, or the connection error's code. */
function hit(host: string, port: number): Promise<{ body?: string; error?: string; ms: number }> {
  const started = performance.now();
  return new Promise((resolve) => {
    const req = request({ host, port, path: '/', agent: false, timeout: 5_000 }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ body: body.trim(), ms: performance.now() - started }));
    });
    req.on('timeout', () => req.destroy(new Error('ETIMEDOUT')));
    req.on('error', (err: NodeJS.ErrnoException) => resolve({ error: err.code ?? err.message, ms: performance.now() - started }));
    req.end();
  });
}

// The pod's httpd, on the pod's IP (host-process pods share the host's ports); the shell exits at
// once on SIGTERM (as PID 1 in a container it would ignore it and serve, terminating, for the
// whole grace period).
const serve = 'echo $POD_NAME > /www/index.html; trap "exit 0" TERM; httpd -f -p $POD_IP:8080 -h /www & wait';

/** `count` GETs from inside `pod` (busybox nc: its static wget cannot resolve here); the bodies. */
async function getsFromPod(cluster: Cluster, pod: string, host: string, port: number, count: number): Promise<string[]> {
  const script = `for i in $(seq ${count}); do printf 'GET / HTTP/1.0\\r\\n\\r\\n' | nc -w 2 ${host} ${port} | tail -n 1; echo; done`;
  const out = await cluster.ok(['exec', pod, '--', 'sh', '-c', script]);
  return out.split('\n').map((l) => l.trim()).filter(Boolean);
}

export function kubeProxyUpScenario(options: ProxyScenarioOptions): void {
  let cluster: Cluster | undefined;
  before(async () => {
    await options.setUp?.();
    cluster = await startCluster(options.upArgs);
  });
  after(async () => {
    const dataDir = cluster?.dataDir;
    await cluster?.stop();
    await options.cleanUp?.(dataDir);
  });

  test('a Service reaches all replicas on its ClusterIP and NodePort, from the host and from pods; refuses at 0, serves again', async () => {
    const c = cluster!;
    await c.ok(
      ['apply', '-f', '-'],
      deployment('web', 3, {
        containers: [
          {
            name: 'httpd',
            image: 'busybox',
            command: ['sh', '-c', serve],
            env: [
              { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
              { name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
            ],
            readinessProbe: { tcpSocket: { port: 8080 }, periodSeconds: 1 },
            volumeMounts: [{ name: 'www', mountPath: '/www' }],
          },
        ],
        volumes: [{ name: 'www', emptyDir: {} }],
      }),
    );
    await c.ok(['run', 'client', '--image=busybox', '--restart=Never', '--', 'sleep', '3600']);
    await c.ok(['rollout', 'status', 'deployment/web', '--timeout=60s']);
    await c.ok(['wait', '--for=condition=Ready', 'pod/client', '--timeout=60s']);
    await c.ok(['expose', 'deployment', 'web', '--port=80', '--target-port=8080', '--type=NodePort']);
    const svc = await c.json(['get', 'svc', 'web']);
    const clusterIP: string = svc.spec.clusterIP;
    const nodePort: number = svc.spec.ports[0].nodePort;
    assert.match(clusterIP, options.clusterIP);
    const pods = [...new Set<string>((await c.json(['get', 'pods', '-l', 'app=web'])).items.map((p: { metadata: { name: string } }) => p.metadata.name))].sort();
    assert.equal(pods.length, 3);

    for (const [host, port] of [[clusterIP, 80], ['127.0.0.1', nodePort]] as const) {
      const seen = await until(`all three pods answering on ${host}:${port} from the host`, async () => {
        const answers = new Set<string>();
        for (let i = 0; i < 30; i++) {
          const r = await hit(host, port);
          if (r.body) answers.add(r.body);
        }
        return answers.size === 3 ? answers : undefined;
      });
      assert.deepEqual([...seen].sort(), pods);
    }
    // From another pod, and from a replica itself (whose connections are sometimes sent back to it).
    for (const from of ['client', pods[0]]) {
      const answers = await getsFromPod(c, from, clusterIP, 80, 30);
      assert.equal(answers.length, 30, `every request from ${from} answered: ${answers.join(', ')}`);
      assert.deepEqual([...new Set(answers)].sort(), pods, `requests from ${from} reach all three pods`);
    }

    await c.ok(['scale', 'deployment/web', '--replicas=0']);
    const refused = await until('connections refused with no endpoint', async () => {
      const r = await hit(clusterIP, 80);
      return r.error ? r : undefined;
    });
    // Rejected by the data plane (nftables), or accepted and reset by a proxy that found no endpoint (userspace).
    assert.ok(['ECONNREFUSED', 'ECONNRESET'].includes(refused.error!), `refused, not ${refused.error}`);
    assert.ok(refused.ms < 1_000, `refused after ${refused.ms} ms`);
    assert.deepEqual(await getsFromPod(c, 'client', clusterIP, 80, 3), [], 'no answer from a pod either');

    await c.ok(['scale', 'deployment/web', '--replicas=3']);
    await c.ok(['rollout', 'status', 'deployment/web', '--timeout=60s']);
    await until('served again after scaling back', async () => (await hit(clusterIP, 80)).body);
  });
}
