// ResourceQuota admission on updates: the rule (checkRequest charges what an update adds, and
// refuses what would exceed a quota in upstream's words), then the same through a real API
// server: a refused update is a 403 that changes neither the object nor the quota.

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { KubeObject } from '../../api/kind.ts';
import { evaluatorFor } from '../../api/core/v1/quota/evaluators.ts';
import { loadKubeconfig } from '../../client/kubeconfig.ts';
import { RestClient } from '../../client/rest-client.ts';
import { StatusError } from '../../machinery/status.ts';
import { createKubeApiServer, type KubeApiServer } from '../server.ts';
import { checkRequest } from './resource-quota.ts';

const now = Date.UTC(2025, 0, 1, 12);
const refuse = (message: string) => new StatusError(403, 'Forbidden', message);

function quota(hard: Record<string, string>, used: Record<string, string>): KubeObject {
  return { metadata: { name: 'q', namespace: 'ns', resourceVersion: '7' }, spec: { hard }, status: { hard, used } };
}

const ports = [{ port: 80 }, { port: 443 }];
const service = (type: string, rv = '5'): KubeObject => ({ metadata: { name: 's', namespace: 'ns', resourceVersion: rv }, spec: { type, ports } });
const claim = (storage: string): KubeObject => ({
  metadata: { name: 'c', namespace: 'ns', resourceVersion: '5' },
  spec: { accessModes: ['ReadWriteOnce'], storageClassName: 'gold', resources: { requests: { storage } } },
  status: { phase: 'Bound', capacity: { storage: '1Gi' } },
});
const pod = (cpu: string, labels?: Record<string, string>): KubeObject => ({
  metadata: { name: 'p', namespace: 'ns', resourceVersion: '5', labels },
  spec: { containers: [{ name: 'c', image: 'i', resources: { requests: { cpu } } }] },
});

describe('checkRequest on update', () => {
  const cases: { name: string; resource: string; hard: Record<string, string>; used: Record<string, string>; old: KubeObject; obj: KubeObject; used2?: Record<string, string>; error?: string }[] = [
    {
      name: 'ClusterIP → NodePort charges its node ports',
      resource: 'services',
      hard: { services: '5', 'services.nodeports': '4' },
      used: { services: '1', 'services.nodeports': '0' },
      old: service('ClusterIP'),
      obj: service('NodePort'),
      used2: { services: '1', 'services.nodeports': '2' },
    },
    {
      name: 'ClusterIP → NodePort beyond services.nodeports is refused',
      resource: 'services',
      hard: { 'services.nodeports': '2' },
      used: { 'services.nodeports': '1' },
      old: service('ClusterIP'),
      obj: service('NodePort'),
      error: 'exceeded quota: q, requested: services.nodeports=2, used: services.nodeports=1, limited: services.nodeports=2',
    },
    {
      name: 'NodePort → LoadBalancer adds a load balancer, not node ports',
      resource: 'services',
      hard: { 'services.loadbalancers': '0', 'services.nodeports': '2' },
      used: { 'services.loadbalancers': '0', 'services.nodeports': '2' },
      old: service('NodePort'),
      obj: service('LoadBalancer'),
      error: 'exceeded quota: q, requested: services.loadbalancers=1, used: services.loadbalancers=0, limited: services.loadbalancers=0',
    },
    {
      name: 'LoadBalancer → ClusterIP adds nothing: admitted, nothing charged (the controller gives usage back)',
      resource: 'services',
      hard: { 'services.loadbalancers': '1', 'services.nodeports': '2' },
      used: { 'services.loadbalancers': '1', 'services.nodeports': '2' },
      old: service('LoadBalancer'),
      obj: service('ClusterIP'),
    },
    {
      name: 'an update of a service at its count limit is not another service',
      resource: 'services',
      hard: { services: '1', 'count/services': '1' },
      used: { services: '1', 'count/services': '1' },
      old: service('ClusterIP'),
      obj: { ...service('ClusterIP'), metadata: { ...service('ClusterIP').metadata, labels: { a: 'b' } } },
    },
    {
      name: 'an old object never stored (no resourceVersion) is charged in full',
      resource: 'services',
      hard: { services: '1' },
      used: { services: '1' },
      old: service('ClusterIP', ''),
      obj: service('ClusterIP'),
      error: 'exceeded quota: q, requested: services=1, used: services=1, limited: services=1',
    },
    {
      name: 'a claim growing from 1Gi to 3Gi charges 2Gi, also per storage class',
      resource: 'persistentvolumeclaims',
      hard: { 'requests.storage': '10Gi', 'gold.storageclass.storage.k8s.io/requests.storage': '5Gi', persistentvolumeclaims: '3' },
      used: { 'requests.storage': '1Gi', 'gold.storageclass.storage.k8s.io/requests.storage': '1Gi', persistentvolumeclaims: '1' },
      old: claim('1Gi'),
      obj: claim('3Gi'),
      used2: { 'gold.storageclass.storage.k8s.io/requests.storage': '3Gi', persistentvolumeclaims: '1', 'requests.storage': '3Gi' },
    },
    {
      name: 'a claim growing beyond requests.storage is refused',
      resource: 'persistentvolumeclaims',
      hard: { 'requests.storage': '2Gi' },
      used: { 'requests.storage': '1Gi' },
      old: claim('1Gi'),
      obj: claim('3Gi'),
      error: 'exceeded quota: q, requested: requests.storage=2Gi, used: requests.storage=1Gi, limited: requests.storage=2Gi',
    },
    {
      name: 'a pod update that adds no usage passes a full quota',
      resource: 'pods',
      hard: { pods: '1', 'requests.cpu': '1' },
      used: { pods: '1', 'requests.cpu': '1' },
      old: pod('1'),
      obj: pod('1', { tier: 'web' }),
    },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const run = () => checkRequest([quota(c.hard, c.used)], evaluatorFor('', c.resource), c.obj, c.old, now, refuse);
      if (c.error) {
        assert.throws(run, (err: unknown) => err instanceof StatusError && err.code === 403 && err.message === c.error);
        return;
      }
      const charges = run();
      if (c.used2) assert.deepEqual(charges.map((x) => x.used), [c.used2]);
      else assert.deepEqual(charges, []);
    });
  }
});

describe('ResourceQuota admission of updates through the API server', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'k8ts-quota-update-'));
  let apiserver: KubeApiServer;
  let client: RestClient;
  const ns = 'quota-update';
  const services = { group: '', version: 'v1', resource: 'services', namespace: ns };
  const claims = { group: '', version: 'v1', resource: 'persistentvolumeclaims', namespace: ns };
  const quotas = { group: '', version: 'v1', resource: 'resourcequotas', namespace: ns };

  /** A quota whose status the (absent) quota controller would have filled in. */
  async function setQuota(name: string, hard: Record<string, string>, used: Record<string, string>): Promise<void> {
    const q = await client.create<KubeObject>(quotas, { apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name }, spec: { hard } });
    await client.update({ ...quotas, name, subresource: 'status' }, { ...q, status: { hard, used } });
  }
  const usedOf = async (name: string) => (await client.get<{ status: { used: Record<string, string> } }>({ ...quotas, name })).status.used;

  before(async () => {
    apiserver = createKubeApiServer({ dataDir, storeUrl: 'memory://', port: 0 });
    await apiserver.start();
    client = new RestClient(loadKubeconfig(apiserver.kubeconfigPath));
    await client.create({ group: '', version: 'v1', resource: 'namespaces' }, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
  });

  after(async () => {
    client?.close();
    await apiserver?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  test('a service turning NodePort beyond services.nodeports is refused with 403 and nothing changes; within it, it is charged', async () => {
    await setQuota('ports', { 'services.nodeports': '2' }, { 'services.nodeports': '0' });
    const body = (name: string) => ({ apiVersion: 'v1', kind: 'Service', metadata: { name }, spec: { ports: [{ name: 'http', port: 80 }, { name: 'https', port: 443 }] } });
    await client.create(services, body('one'));
    await client.create(services, body('two'));

    await client.patch({ ...services, name: 'one' }, { spec: { type: 'NodePort' } }, { type: 'merge' });
    assert.deepEqual(await usedOf('ports'), { 'services.nodeports': '2' });

    const current = await client.get<KubeObject>({ ...services, name: 'two' });
    const refused = (err: unknown) =>
      err instanceof Error &&
      (err as { code?: number }).code === 403 &&
      /services "two" is forbidden: exceeded quota: ports, requested: services.nodeports=2, used: services.nodeports=2, limited: services.nodeports=2/.test(err.message);
    await assert.rejects(client.update({ ...services, name: 'two' }, { ...current, spec: { ...(current.spec as object), type: 'NodePort' } }), refused);
    await assert.rejects(client.patch({ ...services, name: 'two' }, { spec: { type: 'NodePort' } }, { type: 'merge' }), refused);
    const after = await client.get<KubeObject>({ ...services, name: 'two' });
    assert.equal((after.spec as { type: string }).type, 'ClusterIP');
    assert.equal(after.metadata?.resourceVersion, current.metadata?.resourceVersion);
    assert.deepEqual(await usedOf('ports'), { 'services.nodeports': '2' });

    // An update that adds nothing passes the full quota.
    await client.patch({ ...services, name: 'one' }, { metadata: { labels: { tier: 'web' } } }, { type: 'merge' });
    await client.delete({ ...quotas, name: 'ports' });
  });

  test('resizing a bound claim is charged the difference; beyond requests.storage it is refused', async () => {
    await setQuota('storage', { 'requests.storage': '5Gi' }, { 'requests.storage': '0' });
    const pvc = await client.create<KubeObject>(claims, {
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: { name: 'data' },
      spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
    });
    assert.deepEqual(await usedOf('storage'), { 'requests.storage': '1Gi' });
    await client.update({ ...claims, name: 'data', subresource: 'status' }, { ...pvc, status: { phase: 'Bound', capacity: { storage: '1Gi' } } });

    await client.patch({ ...claims, name: 'data' }, { spec: { resources: { requests: { storage: '4Gi' } } } }, { type: 'merge' });
    assert.deepEqual(await usedOf('storage'), { 'requests.storage': '4Gi' });
    await assert.rejects(
      client.patch({ ...claims, name: 'data' }, { spec: { resources: { requests: { storage: '6Gi' } } } }, { type: 'merge' }),
      (err: unknown) =>
        (err as { code?: number }).code === 403 &&
        /persistentvolumeclaims "data" is forbidden: exceeded quota: storage, requested: requests.storage=2Gi, used: requests.storage=4Gi, limited: requests.storage=5Gi/.test((err as Error).message),
    );
    const got = await client.get<{ spec: { resources: { requests: { storage: string } } } }>({ ...claims, name: 'data' });
    assert.equal(got.spec.resources.requests.storage, '4Gi');
    assert.deepEqual(await usedOf('storage'), { 'requests.storage': '4Gi' });
  });
});
