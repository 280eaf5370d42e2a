// kube-scheduler inside `k8ts up`, driven by the real kubectl: plain Node objects with
// capacity set through the status subresource (one a tainted control-plane node), pods with
// requests, nodeSelector and node affinity. Checks where they land (kubectl get -o wide),
// what `kubectl describe` says of a pod no node can take (upstream's FailedScheduling message
// and PodScheduled=False), the Scheduled events, that a new node lets the waiting pod in,
// that pods of another schedulerName are left alone, placement by pod (anti-)affinity and
// topology spread, preemption of a lower-priority pod (with a PriorityClass) by a
// higher-priority one, and a PodDisruptionBudget steering preemption to another node;
// and `k8ts scheduler --leader-elect` holding and releasing the
// kube-system/kube-scheduler Lease.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { startCluster, type Cluster } from '../support/k8ts-cluster.ts';

let cluster: Cluster;
before(async () => {
  cluster = await startCluster(['--disable-agent']);
});
after(async () => {
  await cluster?.stop();
});

async function ok(args: string[], input?: string): Promise<string> {
  const r = await cluster.kubectl(args, input === undefined ? {} : { input });
  assert.equal(r.code, 0, `kubectl ${args.join(' ')} failed (${r.code}):\n${r.stderr}`);
  return r.stdout;
}

async function eventually<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}\n${cluster.output().slice(-3000)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const node = (name: string, labels: Record<string, string>, taints: unknown[] = []) => ({
  apiVersion: 'v1',
  kind: 'Node',
  metadata: { name, labels: { 'kubernetes.io/hostname': name, ...labels } },
  spec: { taints },
});

async function createNode(name: string, cpu: string, labels: Record<string, string>, taints: unknown[] = []): Promise<void> {
  await ok(['apply', '-f', '-'], JSON.stringify(node(name, labels, taints)));
  const resources = { cpu, memory: '8Gi', pods: '110' };
  await ok(['patch', 'node', name, '--subresource=status', '--type=merge', '-p', JSON.stringify({ status: { capacity: resources, allocatable: resources } })]);
}

const pod = (name: string, spec: Record<string, unknown>, cpu: string) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name },
  spec: { ...spec, containers: [{ name: 'main', image: 'busybox', resources: { requests: { cpu } } }] },
});

/** NAME → NODE from `kubectl get pods -o wide`. */
async function placements(): Promise<Record<string, string>> {
  const lines = (await ok(['get', 'pods', '-o', 'wide'])).trim().split('\n');
  const header = lines[0];
  const nodeAt = header.indexOf('NODE ');
  assert.ok(nodeAt > 0, header);
  return Object.fromEntries(lines.slice(1).map((l) => [l.split(/\s+/)[0], l.slice(nodeAt).split(/\s+/)[0]]));
}

describe('kube-scheduler', () => {
  it('places pods by taints, nodeSelector, affinity and requests', async () => {
    await createNode('control-plane', '4', { 'node-role.kubernetes.io/control-plane': '' }, [{ key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' }]);
    await createNode('worker-hdd', '2', { disk: 'hdd' });
    await createNode('worker-ssd', '4', { disk: 'ssd' });
    const affinity = { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'disk', operator: 'In', values: ['hdd'] }] }] } } };
    const pods = [pod('on-ssd', { nodeSelector: { disk: 'ssd' } }, '1'), pod('on-hdd', { affinity }, '1'), pod('too-big', {}, '5')];
    await ok(['apply', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'List', items: pods }));

    const placed = await eventually('two pods placed', async () => {
      const p = await placements();
      return p['on-ssd'] !== '<none>' && p['on-hdd'] !== '<none>' ? p : undefined;
    });
    assert.deepEqual(placed, { 'on-hdd': 'worker-hdd', 'on-ssd': 'worker-ssd', 'too-big': '<none>' });
    assert.match(await ok(['get', 'pod', 'too-big']), /too-big\s+0\/1\s+Pending/);

    for (const name of ['on-ssd', 'on-hdd']) {
      const target: string = (placed as Record<string, string>)[name];
      const events = await eventually(`Scheduled event of ${name}`, async () => {
        const out = await ok(['get', 'events', '--field-selector', `involvedObject.name=${name},reason=Scheduled`, '-o', 'json']);
        const items = JSON.parse(out).items as { message: string; type: string; source: { component: string }; reportingComponent: string }[];
        return items.length > 0 ? items : undefined;
      });
      assert.equal(events.length, 1);
      assert.equal(events[0].message, `Successfully assigned default/${name} to ${target}`);
      assert.equal(events[0].type, 'Normal');
      assert.equal(events[0].source.component, 'default-scheduler');
      assert.equal(events[0].reportingComponent, 'default-scheduler');
    }
    const describeOnSsd = await ok(['describe', 'pod', 'on-ssd']);
    assert.match(describeOnSsd, /Node:\s+worker-ssd/);
    assert.match(describeOnSsd, /Normal\s+Scheduled\s+\S+\s+default-scheduler\s+Successfully assigned default\/on-ssd to worker-ssd/);
  });

  it('says why a pod cannot be placed, as upstream does', async () => {
    const message =
      '0/3 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, 2 Insufficient cpu. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling..';
    const described = await eventually('FailedScheduling in describe', async () => {
      const out = await ok(['describe', 'pod', 'too-big']);
      return out.includes('FailedScheduling') ? out : undefined;
    });
    assert.match(described, /Status:\s+Pending/);
    assert.match(described, /Conditions:\n\s+Type\s+Status\n\s+PodScheduled\s+False/);
    const eventLine = described.split('\n').find((l) => l.includes('FailedScheduling'))!;
    assert.match(eventLine, /Warning\s+FailedScheduling\s+\S+\s+default-scheduler\s+/);
    assert.ok(eventLine.trimEnd().endsWith(message), eventLine);

    const condition = JSON.parse(await ok(['get', 'pod', 'too-big', '-o', 'jsonpath={.status.conditions[?(@.type=="PodScheduled")]}']));
    assert.equal(condition.status, 'False');
    assert.equal(condition.reason, 'Unschedulable');
    assert.equal(condition.message, message);
  });

  it('places the waiting pod once a node that fits it appears', async () => {
    await createNode('worker-large', '8', { disk: 'ssd' });
    const placed = await eventually('too-big placed', async () => {
      const p = await placements();
      return p['too-big'] !== '<none>' ? p : undefined;
    });
    assert.equal(placed['too-big'], 'worker-large');
    assert.match(await ok(['get', 'pod', 'too-big', '-o', 'jsonpath={.status.conditions[?(@.type=="PodScheduled")].status}']), /^True$/);
  });

  it('leaves pods of other schedulers alone', async () => {
    await ok(['apply', '-f', '-'], JSON.stringify(pod('elsewhere', { schedulerName: 'my-scheduler' }, '100m')));
    await ok(['apply', '-f', '-'], JSON.stringify(pod('canary', {}, '100m')));
    await eventually('canary placed', async () => ((await placements()).canary !== '<none>' ? true : undefined));
    assert.equal((await placements()).elsewhere, '<none>');
    assert.equal(JSON.parse(await ok(['get', 'events', '--field-selector', 'involvedObject.name=elsewhere', '-o', 'json'])).items.length, 0);
  });

  it('places pods by pod affinity, anti-affinity and topology spread', async () => {
    for (const [name, zone] of [['spread-a1', 'a'], ['spread-a2', 'a'], ['spread-b1', 'b']]) await createNode(name, '4', { pool: 'spread', 'topology.kubernetes.io/zone': zone });
    const labelled = (name: string, app: string, spec: Record<string, unknown>) => {
      const p = pod(name, { nodeSelector: { pool: 'spread' }, ...spec }, '100m');
      return { ...p, metadata: { name, labels: { app } } };
    };
    const term = (app: string, topologyKey: string) => ({ labelSelector: { matchLabels: { app } }, topologyKey });
    const antiCache = { affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term('cache', 'kubernetes.io/hostname')] } } };
    const spreadZones = { topologySpreadConstraints: [{ maxSkew: 1, topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'DoNotSchedule', labelSelector: { matchLabels: { app: 'spread' } } }] };
    await ok(['apply', '-f', '-'], JSON.stringify(labelled('db', 'db', { nodeSelector: { 'kubernetes.io/hostname': 'spread-b1' } })));
    await eventually('db placed', async () => ((await placements()).db === 'spread-b1' ? true : undefined));
    const items = [
      labelled('web', 'web', { affinity: { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term('db', 'topology.kubernetes.io/zone')] } } }),
      ...['cache-0', 'cache-1', 'cache-2'].map((n) => labelled(n, 'cache', antiCache)),
      ...['spread-0', 'spread-1', 'spread-2', 'spread-3'].map((n) => labelled(n, 'spread', spreadZones)),
    ];
    await ok(['apply', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'List', items }));
    const placed = await eventually('all placed', async () => {
      const p = await placements();
      return items.every((i) => p[i.metadata.name] !== '<none>') ? p : undefined;
    });
    assert.equal(placed.web, 'spread-b1', 'in the zone of the db pod');
    assert.equal(new Set(['cache-0', 'cache-1', 'cache-2'].map((n) => placed[n])).size, 3, 'one cache per host');
    const zoneOf = (node: string) => (node === 'spread-b1' ? 'b' : 'a');
    const perZone = ['spread-0', 'spread-1', 'spread-2', 'spread-3'].map((n) => zoneOf(placed[n])).sort();
    assert.deepEqual(perZone, ['a', 'a', 'b', 'b'], 'two per zone');

    await ok(['apply', '-f', '-'], JSON.stringify(labelled('cache-3', 'cache', antiCache)));
    const described = await eventually('FailedScheduling of cache-3', async () => {
      const out = await ok(['describe', 'pod', 'cache-3']);
      return out.includes('FailedScheduling') ? out : undefined;
    });
    assert.match(described, /3 node\(s\) didn't match pod anti-affinity rules/);
    await ok(['delete', 'pod', 'cache-3']);
  });

  it('preempts a lower-priority pod for a higher-priority one', async () => {
    await createNode('worker-preempt', '2', { pool: 'preempt' });
    await ok(['apply', '-f', '-'], JSON.stringify({ apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', metadata: { name: 'high' }, value: 1000 }));
    await ok(['apply', '-f', '-'], JSON.stringify(pod('victim', { nodeSelector: { pool: 'preempt' } }, '2')));
    await eventually('victim placed', async () => ((await placements()).victim === 'worker-preempt' ? true : undefined));
    await ok(['apply', '-f', '-'], JSON.stringify(pod('preemptor', { nodeSelector: { pool: 'preempt' }, priorityClassName: 'high' }, '2')));
    assert.equal(JSON.parse(await ok(['get', 'pod', 'preemptor', '-o', 'json'])).spec.priority, 1000, 'priority admission resolves the class');

    const victim = await eventually('victim terminating', async () => {
      const v = JSON.parse(await ok(['get', 'pod', 'victim', '-o', 'json']));
      return v.metadata.deletionTimestamp ? v : undefined;
    });
    assert.equal(victim.metadata.deletionGracePeriodSeconds, 30, 'deleted with its own grace period');
    const disruption = victim.status.conditions.find((c: { type: string }) => c.type === 'DisruptionTarget');
    assert.deepEqual([disruption.status, disruption.reason, disruption.message], ['True', 'PreemptionByScheduler', 'default-scheduler: preempting to accommodate a higher priority pod']);
    const preemptor = await eventually('preemptor nominated', async () => {
      const p = JSON.parse(await ok(['get', 'pod', 'preemptor', '-o', 'json']));
      return p.status.nominatedNodeName ? p : undefined;
    });
    assert.equal(preemptor.status.nominatedNodeName, 'worker-preempt');
    assert.equal(preemptor.spec.nodeName, undefined, 'not placed while the victim terminates');
    const preempted = JSON.parse(await ok(['get', 'events', '--field-selector', 'involvedObject.name=victim,reason=Preempted', '-o', 'json'])).items;
    assert.equal(preempted.length, 1);
    assert.equal(preempted[0].message, `Preempted by pod ${preemptor.metadata.uid} on node worker-preempt`);

    // No kubelet runs here: finish the graceful deletion as the node's kubelet would.
    await ok(['delete', 'pod', 'victim', '--grace-period=0', '--force']);
    await eventually('preemptor placed', async () => ((await placements()).preemptor === 'worker-preempt' ? true : undefined));
  });

  it('preempts where no PodDisruptionBudget is violated', async () => {
    await createNode('worker-pdb-a', '1', { pool: 'pdb' });
    await createNode('worker-pdb-b', '1', { pool: 'pdb' });
    await ok(['apply', '-f', '-'], JSON.stringify({ apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', metadata: { name: 'high' }, value: 1000 }));
    await ok(['apply', '-f', '-'], JSON.stringify({ apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', metadata: { name: 'medium' }, value: 100 }));
    // The lower-priority pod is the one preemption would take, but its budget allows no disruption.
    await ok(['apply', '-f', '-'], JSON.stringify({ apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'guarded' }, spec: { minAvailable: 1, selector: { matchLabels: { app: 'guarded' } } } }));
    await ok(['patch', 'pdb', 'guarded', '--subresource=status', '--type=merge', '-p', JSON.stringify({ status: { disruptionsAllowed: 0, currentHealthy: 1, desiredHealthy: 1, expectedPods: 1 } })]);
    const onNode = (name: string, app: string, node: string, priorityClassName?: string) => {
      const p = pod(name, { nodeSelector: { 'kubernetes.io/hostname': node }, ...(priorityClassName ? { priorityClassName } : {}) }, '1');
      return { ...p, metadata: { name, labels: { app } } };
    };
    await ok(['apply', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [onNode('guarded', 'guarded', 'worker-pdb-a'), onNode('unguarded', 'unguarded', 'worker-pdb-b', 'medium')] }));
    await eventually('both placed', async () => {
      const p = await placements();
      return p.guarded === 'worker-pdb-a' && p.unguarded === 'worker-pdb-b' ? true : undefined;
    });
    await ok(['apply', '-f', '-'], JSON.stringify(pod('pdb-preemptor', { nodeSelector: { pool: 'pdb' }, priorityClassName: 'high' }, '1')));

    const nominated = await eventually('pdb-preemptor nominated', async () => JSON.parse(await ok(['get', 'pod', 'pdb-preemptor', '-o', 'json'])).status.nominatedNodeName || undefined);
    assert.equal(nominated, 'worker-pdb-b', 'the node whose victim no budget protects');
    assert.ok(JSON.parse(await ok(['get', 'pod', 'unguarded', '-o', 'json'])).metadata.deletionTimestamp, 'unguarded is evicted');
    assert.equal(JSON.parse(await ok(['get', 'pod', 'guarded', '-o', 'json'])).metadata.deletionTimestamp, undefined, 'guarded is kept');

    await ok(['delete', 'pod', 'unguarded', '--grace-period=0', '--force']);
    await eventually('pdb-preemptor placed', async () => ((await placements())['pdb-preemptor'] === 'worker-pdb-b' ? true : undefined));
  });

  it('serves health and scheduler metrics', async () => {
    const port = /kube-scheduler: health and metrics on http:\/\/127\.0\.0\.1:(\d+)/.exec(cluster.output())![1];
    const base = `http://127.0.0.1:${port}`;
    assert.equal(await (await fetch(`${base}/healthz`)).text(), 'ok');
    assert.equal((await fetch(`${base}/readyz`)).status, 200);
    const metrics = await (await fetch(`${base}/metrics`)).text();
    const scheduled = Number(/^scheduler_schedule_attempts_total\{result="scheduled",profile="default-scheduler"\} (\d+)$/m.exec(metrics)?.[1]);
    assert.ok(scheduled >= 4, metrics);
    assert.match(metrics, /^scheduler_schedule_attempts_total\{result="unschedulable",profile="default-scheduler"\} [1-9]/m);
    assert.match(metrics, /^scheduler_scheduling_attempt_duration_seconds_count\{result="scheduled",profile="default-scheduler"\} \d+/m);
    assert.match(metrics, /^scheduler_pending_pods\{queue="unschedulable"\} 0$/m);
  });

  it('k8ts scheduler --leader-elect holds the Lease while it runs and releases it on SIGTERM', async () => {
    const bin = fileURLToPath(new URL('../../bin/k8ts.js', import.meta.url));
    const child = spawn(process.execPath, [bin, 'scheduler', '--kubeconfig', cluster.kubeconfig, '--leader-elect', '--health-port', '0', '--scheduler-name', 'lease-test'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (output += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (output += c));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      const holder = await eventually('the lease to be held', async () => {
        const out = await cluster.kubectl(['get', 'lease', '-n', 'kube-system', 'kube-scheduler', '-o', 'jsonpath={.spec.holderIdentity}']);
        return out.code === 0 && out.stdout ? out.stdout : undefined;
      });
      assert.match(holder, /_[0-9a-f-]{36}$/);
      const port = await eventually('the health port', async () => /Serving health and metrics address=http:\/\/127\.0\.0\.1:(\d+)/.exec(output)?.[1]);
      assert.equal((await fetch(`http://127.0.0.1:${port}/readyz`)).status, 200);
      assert.match(await (await fetch(`http://127.0.0.1:${port}/metrics`)).text(), /^leader_election_master_status\{name="kube-scheduler"\} 1$/m);
    } finally {
      child.kill('SIGTERM');
      assert.equal(await exited, 0, output);
    }
    assert.equal(await ok(['get', 'lease', '-n', 'kube-system', 'kube-scheduler', '-o', 'jsonpath={.spec.holderIdentity}']), '');
  });
});
