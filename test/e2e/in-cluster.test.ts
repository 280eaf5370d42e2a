// Pods reach the API server as their service account, on `k8ts up` (process runtime): the
// ServiceAccount admission mounts the kube-api-access volume, the root CA publisher puts
// kube-root-ca.crt in every namespace, and the kubelet projects a bound token, ca.crt and the
// namespace at /var/run/secrets/kubernetes.io/serviceaccount. The token read out of the pod
// authenticates as system:serviceaccount:default:default, over TLS verified with the pod's ca.crt;
// as root, the `kubernetes` Service's ClusterIP:443 answers through kube-proxy (its EndpointSlice).

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { busyboxSkipReason } from '../support/busybox.ts';
import { startCluster, type Cluster } from '../support/k8ts-cluster.ts';
import { until } from '../support/until.ts';

const dir = '/var/run/secrets/kubernetes.io/serviceaccount';
const isRoot = process.getuid?.() === 0;

function call(url: string, options: { method?: string; ca: string; token?: string; body?: unknown }): Promise<{ status: number; body: any }> {
  return new Promise((resolve, reject) => {
    const payload = options.body === undefined ? undefined : JSON.stringify(options.body);
    const req = request(
      url,
      {
        method: options.method ?? 'GET',
        ca: options.ca,
        agent: false,
        timeout: 10_000,
        headers: { accept: 'application/json', ...(options.token && { authorization: `Bearer ${options.token}` }), ...(payload && { 'content-type': 'application/json' }) },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8').on('data', (c: string) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : undefined }));
      },
    );
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', reject);
    req.end(payload);
  });
}

describe('in-cluster access with the service account (process runtime)', { skip: busyboxSkipReason() }, () => {
  let cluster: Cluster;
  let clusterCA: string;
  before(async () => {
    cluster = await startCluster();
    clusterCA = readFileSync(join(cluster.dataDir, 'pki', 'ca.crt'), 'utf8');
  });
  after(async () => {
    await cluster?.stop();
  });

  test('every namespace gets kube-root-ca.crt with the cluster CA, recreated when deleted', async () => {
    const published = await until('kube-root-ca.crt in default', async () => (await cluster.kubectl(['get', 'configmap', 'kube-root-ca.crt', '-o', 'json'])).stdout || undefined);
    const cm = JSON.parse(published);
    assert.equal(cm.data['ca.crt'], clusterCA);
    assert.match(cm.metadata.annotations['kubernetes.io/description'], /^Contains a CA bundle that can be used to verify the kube-apiserver/);

    await cluster.ok(['create', 'namespace', 'team-a']);
    await until('kube-root-ca.crt in team-a', async () => (await cluster.kubectl(['get', 'configmap', 'kube-root-ca.crt', '-n', 'team-a'])).code === 0);
    const uid = cm.metadata.uid;
    await cluster.ok(['delete', 'configmap', 'kube-root-ca.crt']);
    await until('kube-root-ca.crt recreated', async () => {
      const r = await cluster.kubectl(['get', 'configmap', 'kube-root-ca.crt', '-o', 'json']);
      return r.code === 0 && JSON.parse(r.stdout).metadata.uid !== uid;
    });
  });

  test("a pod's token, ca.crt and namespace are mounted, and the token authenticates as its service account", async () => {
    await cluster.ok(
      ['apply', '-f', '-'],
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'client' },
        spec: { containers: [{ name: 'main', image: 'busybox', command: ['sleep', '3600'] }], terminationGracePeriodSeconds: 0 },
      }),
    );
    const pod = await cluster.json(['get', 'pod', 'client']);
    const volume = pod.spec.volumes.find((v: { name: string }) => v.name.startsWith('kube-api-access-'));
    assert.match(volume.name, /^kube-api-access-[a-z0-9]{5}$/);
    assert.deepEqual(pod.spec.containers[0].volumeMounts, [{ name: volume.name, mountPath: dir, readOnly: true }]);
    await cluster.ok(['wait', '--for=condition=Ready', 'pod/client', '--timeout=60s']);

    const token = (await cluster.ok(['exec', 'client', '--', 'cat', `${dir}/token`])).trim();
    const ca = await cluster.ok(['exec', 'client', '--', 'cat', `${dir}/ca.crt`]);
    const namespace = await cluster.ok(['exec', 'client', '--', 'cat', `${dir}/namespace`]);
    assert.match(token, /^[\w-]+\.[\w-]+\.[\w-]+$/);
    assert.equal(ca, clusterCA);
    assert.equal(namespace, 'default');

    // `kubectl auth whoami` with the pod's credentials, verifying the server with the pod's ca.crt.
    const review = await call(`${cluster.url}/apis/authentication.k8s.io/v1/selfsubjectreviews`, {
      method: 'POST',
      ca,
      token,
      body: { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' },
    });
    assert.equal(review.status, 201, JSON.stringify(review.body));
    assert.equal(review.body.status.userInfo.username, 'system:serviceaccount:default:default');
    assert.ok(review.body.status.userInfo.groups.includes('system:serviceaccounts:default'), JSON.stringify(review.body.status.userInfo));
  });

  test('automountServiceAccountToken: false leaves the pod without the volume', async () => {
    await cluster.ok(
      ['apply', '-f', '-'],
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'no-token' },
        spec: { automountServiceAccountToken: false, containers: [{ name: 'main', image: 'busybox', command: ['sleep', '3600'] }], terminationGracePeriodSeconds: 0 },
      }),
    );
    const pod = await cluster.json(['get', 'pod', 'no-token']);
    assert.equal(pod.spec.volumes, undefined);
    assert.equal(pod.spec.containers[0].volumeMounts, undefined);
  });

  test('the kubernetes Service has an EndpointSlice to the API server; as root its ClusterIP:443 answers through kube-proxy', async () => {
    const port = Number(new URL(cluster.url).port);
    const slice = await cluster.json(['get', 'endpointslice', 'kubernetes']);
    assert.equal(slice.metadata.labels['kubernetes.io/service-name'], 'kubernetes');
    assert.equal(slice.addressType, 'IPv4');
    assert.deepEqual(slice.endpoints.map((e: { addresses: string[] }) => e.addresses), [['127.0.0.1']]);
    assert.deepEqual(slice.ports, [{ name: 'https', port, protocol: 'TCP' }]);
    if (!isRoot) return;
    const svc = await cluster.json(['get', 'service', 'kubernetes']);
    const version = await until('ClusterIP:443 through kube-proxy', async () => {
      const r = await call(`https://${svc.spec.clusterIP}:443/version`, { ca: clusterCA });
      return r.status === 200 ? r.body : undefined;
    });
    assert.match(version.gitVersion, /^v1\./);
  });
});
