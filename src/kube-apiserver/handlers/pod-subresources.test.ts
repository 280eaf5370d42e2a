// pods/eviction against a real API server (memory store): budgets are read from the status the
// disruption controller writes, spent one disruption at a time, and unready pods follow the
// budget's unhealthyPodEvictionPolicy.

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { loadKubeconfig } from '../../client/kubeconfig.ts';
import { RestClient } from '../../client/rest-client.ts';
import { StatusError } from '../../machinery/status.ts';
import { createKubeApiServer, type KubeApiServer } from '../server.ts';

const dataDir = mkdtempSync(join(tmpdir(), 'k8ts-eviction-'));
let apiserver: KubeApiServer;
let client: RestClient;
const pods = { group: '', version: 'v1', resource: 'pods' };
const pdbs = { group: 'policy', version: 'v1', resource: 'poddisruptionbudgets' };

before(async () => {
  apiserver = createKubeApiServer({ dataDir, storeUrl: 'memory://', port: 0 });
  await apiserver.start();
  client = new RestClient(loadKubeconfig(apiserver.kubeconfigPath));
});

after(async () => {
  client?.close();
  await apiserver?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

let seq = 0;

async function namespace(): Promise<string> {
  const name = `ev-${seq++}`;
  await client.create({ ...pods, resource: 'namespaces' }, { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  return name;
}

/** A pod in the given phase (Running and Ready unless told), as a kubelet would report it. */
async function pod(ns: string, name: string, o: { ready?: boolean; phase?: string; app?: string } = {}): Promise<void> {
  await client.create({ ...pods, namespace: ns }, { apiVersion: 'v1', kind: 'Pod', metadata: { name, labels: { app: o.app ?? 'web' } }, spec: { containers: [{ name: 'c', image: 'busybox' }] } });
  const status = { phase: o.phase ?? 'Running', conditions: [{ type: 'Ready', status: o.ready === false ? 'False' : 'True', lastTransitionTime: '2025-01-01T00:00:00Z' }] };
  await client.patch({ ...pods, namespace: ns, name, subresource: 'status' }, { status }, { type: 'merge' });
}

/** A budget with the status the disruption controller would have written. */
async function budget(ns: string, name: string, status: Record<string, unknown>, spec: Record<string, unknown> = {}): Promise<void> {
  const created = await client.create<any>({ ...pdbs, namespace: ns }, { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name }, spec: { minAvailable: 2, selector: { matchLabels: { app: 'web' } }, ...spec } });
  await client.update({ ...pdbs, namespace: ns, name, subresource: 'status' }, { ...created, status: { observedGeneration: created.metadata.generation, ...status } });
}

const evict = (ns: string, name: string, deleteOptions?: Record<string, unknown>) =>
  client.create({ ...pods, namespace: ns, name, subresource: 'eviction' }, { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name }, ...(deleteOptions && { deleteOptions }) });

async function refused(p: Promise<unknown>): Promise<StatusError['status']> {
  try {
    await p;
  } catch (err) {
    return (err as StatusError).status;
  }
  assert.fail('the eviction was not refused');
}

async function getPod(ns: string, name: string): Promise<any | undefined> {
  try {
    return await client.get<any>({ ...pods, namespace: ns, name });
  } catch {
    return undefined;
  }
}

const gone = async (ns: string, name: string) => {
  const p = await getPod(ns, name);
  return p === undefined || p.metadata.deletionTimestamp !== undefined;
};

describe('pods/eviction', () => {
  test('spends one disruption per eviction, records the pod in disruptedPods, then refuses with 429', async () => {
    const ns = await namespace();
    for (const n of ['a', 'b', 'c']) await pod(ns, n);
    await budget(ns, 'web', { disruptionsAllowed: 1, currentHealthy: 3, desiredHealthy: 2, expectedPods: 3, conditions: [{ type: 'DisruptionAllowed', status: 'True', reason: 'SufficientPods', message: '', lastTransitionTime: '2025-01-01T00:00:00Z' }] });

    const ok = await evict(ns, 'a');
    assert.deepEqual(ok, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 });
    assert.ok(await gone(ns, 'a'));
    const pdb = await client.get<any>({ ...pdbs, namespace: ns, name: 'web' });
    assert.equal(pdb.status.disruptionsAllowed, 0);
    assert.deepEqual(Object.keys(pdb.status.disruptedPods), ['a']);
    assert.equal(pdb.status.conditions[0].status, 'False');
    assert.equal(pdb.status.conditions[0].reason, 'InsufficientPods');

    const status = await refused(evict(ns, 'b'));
    assert.equal(status.code, 429);
    assert.equal(status.reason, 'TooManyRequests');
    assert.equal(status.message, "Cannot evict pod as it would violate the pod's disruption budget.");
    assert.deepEqual(status.details?.causes, [{ reason: 'DisruptionBudget', message: 'The disruption budget web needs 2 healthy pods and has 3 currently' }]);
    assert.equal(await gone(ns, 'b'), false);
  });

  test('marks the evicted pod DisruptionTarget=True', async () => {
    const ns = await namespace();
    await pod(ns, 'a');
    await client.patch({ ...pods, namespace: ns, name: 'a' }, { metadata: { finalizers: ['example.com/hold'] } }, { type: 'merge' });
    await evict(ns, 'a');
    const p = await getPod(ns, 'a');
    assert.ok(p.metadata.deletionTimestamp);
    const c = p.status.conditions.find((x: any) => x.type === 'DisruptionTarget');
    assert.equal(c.status, 'True');
    assert.equal(c.reason, 'EvictionByEvictionAPI');
    assert.equal(c.message, 'Eviction API: evicting');
    await client.patch({ ...pods, namespace: ns, name: 'a' }, { metadata: { finalizers: null } }, { type: 'merge' });
  });

  test('a budget the controller has not observed yet refuses with 429', async () => {
    const ns = await namespace();
    await pod(ns, 'a');
    await client.create({ ...pdbs, namespace: ns }, { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'web' }, spec: { minAvailable: 0, selector: {} } });
    const status = await refused(evict(ns, 'a'));
    assert.equal(status.code, 429);
    assert.deepEqual(status.details?.causes, [{ reason: 'DisruptionBudget', message: 'The disruption budget web is still being processed by the server.' }]);
  });

  test('unready pods: IfHealthyBudget evicts them while the budget is met, without spending it', async () => {
    const ns = await namespace();
    await pod(ns, 'a');
    await pod(ns, 'b');
    await pod(ns, 'sick', { ready: false });
    await budget(ns, 'web', { disruptionsAllowed: 0, currentHealthy: 2, desiredHealthy: 2, expectedPods: 3 });
    await evict(ns, 'sick');
    assert.ok(await gone(ns, 'sick'));
    assert.equal((await client.get<any>({ ...pdbs, namespace: ns, name: 'web' })).status.disruptionsAllowed, 0);
  });

  test('unready pods: IfHealthyBudget refuses while the budget is not met, AlwaysAllow evicts anyway', async () => {
    for (const policy of ['IfHealthyBudget', undefined, 'AlwaysAllow']) {
      const ns = await namespace();
      await pod(ns, 'a');
      await pod(ns, 'sick', { ready: false });
      await budget(ns, 'web', { disruptionsAllowed: 0, currentHealthy: 1, desiredHealthy: 2, expectedPods: 2 }, policy ? { unhealthyPodEvictionPolicy: policy } : {});
      if (policy === 'AlwaysAllow') {
        await evict(ns, 'sick');
        assert.ok(await gone(ns, 'sick'));
      } else {
        assert.equal((await refused(evict(ns, 'sick'))).code, 429, String(policy));
        assert.equal(await gone(ns, 'sick'), false);
      }
    }
  });

  test('terminal and Pending pods are evicted without asking the budget', async () => {
    const ns = await namespace();
    await pod(ns, 'done', { phase: 'Succeeded', ready: false });
    await pod(ns, 'waiting', { phase: 'Pending', ready: false });
    await budget(ns, 'web', { disruptionsAllowed: 0, currentHealthy: 0, desiredHealthy: 2, expectedPods: 2 });
    await evict(ns, 'done');
    await evict(ns, 'waiting');
    assert.ok(await gone(ns, 'done'));
    assert.ok(await gone(ns, 'waiting'));
  });

  test('a pod selected by two budgets cannot be evicted (500)', async () => {
    const ns = await namespace();
    await pod(ns, 'a');
    await budget(ns, 'one', { disruptionsAllowed: 1, currentHealthy: 1, desiredHealthy: 0, expectedPods: 1 });
    await budget(ns, 'two', { disruptionsAllowed: 1, currentHealthy: 1, desiredHealthy: 0, expectedPods: 1 }, { selector: {} });
    const status = await refused(evict(ns, 'a'));
    assert.equal(status.code, 500);
    assert.equal(status.message, 'This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.');
  });

  test('a dry run checks the budget and changes nothing', async () => {
    const ns = await namespace();
    await pod(ns, 'a');
    await budget(ns, 'web', { disruptionsAllowed: 1, currentHealthy: 3, desiredHealthy: 2, expectedPods: 3 });
    await evict(ns, 'a', { dryRun: ['All'] });
    assert.equal(await gone(ns, 'a'), false);
    const pdb = await client.get<any>({ ...pdbs, namespace: ns, name: 'web' });
    assert.equal(pdb.status.disruptionsAllowed, 1);
    assert.equal(pdb.status.disruptedPods, undefined);
  });

  test('concurrent evictions never spend the same disruption twice', async () => {
    const ns = await namespace();
    const names = ['a', 'b', 'c', 'd', 'e'];
    for (const n of names) await pod(ns, n);
    await budget(ns, 'web', { disruptionsAllowed: 2, currentHealthy: 5, desiredHealthy: 3, expectedPods: 5 });
    const results = await Promise.allSettled(names.map((n) => evict(ns, n)));
    assert.equal(results.filter((r) => r.status === 'fulfilled').length, 2);
    const pdb = await client.get<any>({ ...pdbs, namespace: ns, name: 'web' });
    assert.equal(pdb.status.disruptionsAllowed, 0);
    assert.equal(Object.keys(pdb.status.disruptedPods).length, 2);
  });
});
