// The disruption controller inside a real `k8ts up` (process runtime: real busybox pods), driven
// by the real kubectl: a Deployment of 3 with a PodDisruptionBudget of minAvailable 2 shows
// ALLOWED DISRUPTIONS 1 in `kubectl get pdb`; with the node cordoned (as `kubectl drain` does,
// so the replacement cannot start), one pod is evicted through pods/<name>/eviction and a second
// is refused with 429 in upstream's words; once the node is uncordoned the replacement runs and
// the budget allows one disruption again.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { busyboxSkipReason } from '../support/busybox.ts';
import { startCluster, type Cluster } from '../support/k8ts-cluster.ts';
import { until } from '../support/until.ts';

const deployment = `apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: pdb}
spec:
  replicas: 3
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      terminationGracePeriodSeconds: 1
      containers:
      - name: main
        image: busybox
        command: [sleep, '3600']
`;

const eviction = (name: string) => JSON.stringify({ apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name, namespace: 'pdb' } });

describe('disruption controller (process runtime)', { skip: busyboxSkipReason() }, () => {
  let cluster: Cluster;
  before(async () => {
    cluster = await startCluster();
  });
  after(async () => {
    await cluster?.stop();
  });

  const ok = (args: string[], input?: string) => cluster.ok(args, input);

  /** The row of `kubectl get pdb web` once ALLOWED DISRUPTIONS reads `allowed`. */
  const pdbRow = (allowed: number) =>
    until(`ALLOWED DISRUPTIONS ${allowed}`, async () => {
      const lines = (await ok(['-n', 'pdb', 'get', 'pdb', 'web'])).trim().split('\n');
      return new RegExp(`^web\\s+2\\s+N/A\\s+${allowed}\\s+\\S+$`).test(lines[1] ?? '') && lines;
    });

  it('reports allowed disruptions, evicts within the budget and refuses beyond it with 429', async () => {
    await ok(['create', 'namespace', 'pdb']);
    await ok(['apply', '-f', '-'], deployment);
    assert.match(await ok(['-n', 'pdb', 'create', 'poddisruptionbudget', 'web', '--selector=app=web', '--min-available=2']), /poddisruptionbudget.policy\/web created/);

    const header = await pdbRow(1);
    assert.match(header[0], /^NAME\s+MIN AVAILABLE\s+MAX UNAVAILABLE\s+ALLOWED DISRUPTIONS\s+AGE$/);
    const pdb = await cluster.json(['-n', 'pdb', 'get', 'pdb', 'web']);
    assert.equal(pdb.status.expectedPods, 3);
    assert.equal(pdb.status.currentHealthy, 3);
    assert.equal(pdb.status.desiredHealthy, 2);
    assert.equal(pdb.status.observedGeneration, pdb.metadata.generation);
    assert.deepEqual(
      pdb.status.conditions.map((c: any) => [c.type, c.status, c.reason]),
      [['DisruptionAllowed', 'True', 'SufficientPods']],
    );

    const pods = (await cluster.json(['-n', 'pdb', 'get', 'pods', '-l', 'app=web'])).items.map((p: any) => p.metadata.name) as string[];
    assert.equal(pods.length, 3);
    const node = (await ok(['get', 'nodes', '-o', 'name'])).trim().split('\n')[0];
    await ok(['cordon', node]);

    const first = await cluster.kubectl(['create', '--raw', `/api/v1/namespaces/pdb/pods/${pods[0]}/eviction`, '-f', '-'], { input: eviction(pods[0]) });
    assert.equal(first.code, 0, first.stderr);
    assert.equal(JSON.parse(first.stdout).status, 'Success');

    const second = await cluster.kubectl(['create', '--raw', `/api/v1/namespaces/pdb/pods/${pods[1]}/eviction`, '-f', '-'], { input: eviction(pods[1]) });
    assert.notEqual(second.code, 0);
    assert.match(second.stderr, /Error from server \(TooManyRequests\): Cannot evict pod as it would violate the pod's disruption budget\./);

    // The evicted pod goes; its replacement waits on the cordoned node.
    await until('the evicted pod gone', async () => !(await ok(['-n', 'pdb', 'get', 'pods', '-o', 'name'])).includes(pods[0]));
    const status = await until('the eviction confirmed by the controller', async () => {
      const s = (await cluster.json(['-n', 'pdb', 'get', 'pdb', 'web'])).status;
      return s.disruptedPods === undefined && s;
    });
    assert.deepEqual([status.currentHealthy, status.disruptionsAllowed, status.conditions[0].reason], [2, 0, 'InsufficientPods']);

    await ok(['uncordon', node]);
    await pdbRow(1);
  });
});
