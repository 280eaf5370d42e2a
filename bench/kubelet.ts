// kubelet benchmark: pod startup latency as upstream's SLI defines it (from pod creation to the
// pod Running with all its containers started, as seen through a watch; no image pulls here), for
// 100 pods (--quick: 20) on `k8ts up` with each runtime: process (a host process per container),
// fake (hollow: nothing runs) and cri (containerd, when asked for). Two loads, as ClusterLoader2's
// pod-startup test has: "steady", pods created at a fixed rate (--qps, default 10/s, below
// saturation: the latency a pod sees), and "burst", all created as fast as 5 clients can (the
// whole pipeline saturated: scheduler, API server and kubelet share 2 cores). Each run gets a
// fresh cluster. The creation time is taken on the client just before the POST
// (creationTimestamp has only second precision). Figures only, nothing is judged.
// Usage: npm run bench -- kubelet [--quick] [--runtime process,fake,cri] [--qps N]

import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadKubeconfig } from '../src/client/kubeconfig.ts';
import { RestClient } from '../src/client/rest-client.ts';
import { parallel, percentile } from './support/measure.ts';
import { printTable } from './support/table.ts';
import { startK8ts } from './support/k8ts-process.ts';
import { qosCgroups, removeClusterSandboxes } from '../test/support/cri-sandboxes.ts';

interface Pod {
  metadata?: { name?: string };
  status?: { phase?: string; containerStatuses?: { state?: { running?: unknown } }[] };
}

const pods = { group: '', version: 'v1', resource: 'pods', namespace: 'default' };

async function measure(runtime: string, count: number, qps: number | undefined): Promise<string[]> {
  const dir = mkdtempSync(join(tmpdir(), `k8ts-bench-kubelet-${runtime}-`));
  const qosBefore = runtime === 'cri' ? qosCgroups() : new Set<string>();
  const cluster = await startK8ts('up', dir, ['--runtime', runtime, '--kubelet-port', '0', '--disable-kube-proxy']);
  const client = new RestClient(loadKubeconfig(cluster.kubeconfig));
  try {
    // Wait for the node to be Ready so node start-up does not count.
    for (;;) {
      const nodes = await client.list<{ status?: { conditions?: { type: string; status: string }[] } }>({ group: '', version: 'v1', resource: 'nodes' });
      if (nodes.items.some((n) => n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'))) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const created = new Map<string, number>();
    const running = new Map<string, number>();
    let done!: () => void;
    const allRunning = new Promise<void>((r) => (done = r));
    const watch = await client.watch<Pod>(pods, { labelSelector: 'bench=kubelet' });
    void (async () => {
      for await (const e of watch) {
        if (e.type !== 'ADDED' && e.type !== 'MODIFIED') continue;
        const name = e.object.metadata?.name ?? '';
        const statuses = e.object.status?.containerStatuses ?? [];
        if (!running.has(name) && e.object.status?.phase === 'Running' && statuses.length > 0 && statuses.every((s) => s.state?.running)) {
          running.set(name, performance.now());
          if (running.size === count) done();
        }
      }
    })();
    const started = performance.now();
    const create = async (i: number) => {
      const name = `p${i}`;
      created.set(name, performance.now());
      await client.create(pods, {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name, labels: { bench: 'kubelet' } },
        spec: { containers: [{ name: 'c', image: 'busybox', command: ['sleep', '3600'] }], terminationGracePeriodSeconds: 0 },
      });
    };
    if (qps === undefined) await parallel(count, 5, create);
    else {
      const inFlight: Promise<void>[] = [];
      for (let i = 0; i < count; i++) {
        const due = started + (i * 1000) / qps;
        const wait = due - performance.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        inFlight.push(create(i));
      }
      await Promise.all(inFlight);
    }
    await Promise.race([allRunning, new Promise((_, reject) => setTimeout(() => reject(new Error(`only ${running.size}/${count} pods running after 120 s`)), 120_000))]);
    const total = (performance.now() - started) / 1000;
    watch.close();
    const latencies = [...created].map(([name, t]) => running.get(name)! - t);
    return [runtime, qps === undefined ? 'burst (5 clients)' : `steady ${qps}/s`, String(count), percentile(latencies, 50).toFixed(0), percentile(latencies, 99).toFixed(0), Math.max(...latencies).toFixed(0), (count / total).toFixed(1)];
  } finally {
    client.close();
    await cluster.stop();
    // A cri kubelet leaves its containers running when it stops (as upstream's): remove the run's.
    if (runtime === 'cri') await removeClusterSandboxes(dir, qosBefore);
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function run(args: string[]): Promise<void> {
  const { values } = parseArgs({ args, options: { quick: { type: 'boolean', default: false }, runtime: { type: 'string', default: 'process,fake' }, qps: { type: 'string', default: '10' } }, strict: true });
  const qps = Number(values.qps);
  if (!(qps > 0)) throw new Error(`--qps: want a positive rate, got ${values.qps}`);
  const count = values.quick ? 20 : 100;
  console.log(`kubelet pod startup latency: ${count} pods per run; ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, Node ${process.versions.node}`);
  const rows: string[][] = [];
  for (const runtime of values.runtime.split(',')) {
    rows.push(await measure(runtime, count, qps));
    rows.push(await measure(runtime, count, undefined));
  }
  printTable(['runtime', 'load', 'pods', 'p50 ms', 'p99 ms', 'max ms', 'pods/s'], rows, [0, 1]);
}
