// kube-proxy inside `k8ts up` (userspace data plane, process runtime), driven with the real kubectl:
// a Deployment of 3 busybox httpd replicas, exposed as a NodePort Service, answers on its
// ClusterIP (from 127.100.0.0/16, on loopback) and on the node's NodePort from all three pods;
// scaled to 0 it refuses connections at once; scaled back it serves again.

import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, describe, test } from 'node:test';
import { busyboxSkipReason } from '../support/busybox.ts';
import { startCluster, type Cluster } from '../support/k8ts-cluster.ts';
import { until } from '../support/until.ts';

const skip = busyboxSkipReason();

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

describe('kube-proxy in k8ts up (userspace)', { skip }, () => {
  let cluster: Cluster;
  before(async () => {
    cluster = await startCluster();
  });
  after(async () => {
    await cluster?.stop();
  });

  test('a Service reaches all replicas on its ClusterIP and NodePort, refuses at 0, serves again', async () => {
    await cluster.ok(
      ['apply', '-f', '-'],
      JSON.stringify({
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'web' },
        spec: {
          replicas: 3,
          selector: { matchLabels: { app: 'web' } },
          template: {
            metadata: { labels: { app: 'web' } },
            spec: {
              containers: [
                {
                  name: 'httpd',
                  image: 'busybox',
                  command: ['sh', '-c', 'echo $POD_NAME > /www/index.html && exec httpd -f -p $POD_IP:8080 -h /www'],
                  env: [
                    { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
                    { name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
                  ],
                  readinessProbe: { tcpSocket: { port: 8080 }, periodSeconds: 1 },
                  volumeMounts: [{ name: 'www', mountPath: '/www' }],
                },
              ],
              volumes: [{ name: 'www', emptyDir: {} }],
            },
          },
        },
      }),
    );
    await cluster.ok(['rollout', 'status', 'deployment/web', '--timeout=60s']);
    await cluster.ok(['expose', 'deployment', 'web', '--port=8080', '--target-port=8080', '--type=NodePort']);
    const svc = await cluster.json(['get', 'svc', 'web']);
    const clusterIP: string = svc.spec.clusterIP;
    const nodePort: number = svc.spec.ports[0].nodePort;
    assert.match(clusterIP, /^127\.100\./);
    const pods = new Set<string>((await cluster.json(['get', 'pods', '-l', 'app=web'])).items.map((p: { metadata: { name: string } }) => p.metadata.name));
    assert.equal(pods.size, 3);

    for (const [host, port] of [[clusterIP, 8080], ['127.0.0.1', nodePort]] as const) {
      const seen = await until(`all three pods answering on ${host}:${port}`, async () => {
        const answers = new Set<string>();
        for (let i = 0; i < 30; i++) {
          const r = await hit(host, port);
          if (r.body) answers.add(r.body);
        }
        return answers.size === 3 ? answers : undefined;
      });
      assert.deepEqual([...seen].sort(), [...pods].sort());
    }

    await cluster.ok(['scale', 'deployment/web', '--replicas=0']);
    const refused = await until('connections refused with no endpoint', async () => {
      const r = await hit(clusterIP, 8080);
      return r.error ? r : undefined;
    });
    assert.ok(refused.ms < 1_000, `refused after ${refused.ms} ms`);

    await cluster.ok(['scale', 'deployment/web', '--replicas=3']);
    await cluster.ok(['rollout', 'status', 'deployment/web', '--timeout=60s']);
    await until('served again after scaling back', async () => (await hit(clusterIP, 8080)).body);
  });
});
