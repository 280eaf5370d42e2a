// kube-controller-manager benchmark: `k8ts up` (kube-apiserver + kube-scheduler +
// kube-controller-manager) as a child process, driven over HTTPS with the admin kubeconfig.
// It runs no kubelet (--disable-agent): this program plays a fake one for a few hundred hollow Node
// objects (4 cpu, 32Gi, 110 pods, Ready, with their Leases renewed every 10 s): a watch on
// all pods, and for every pod bound to a node and not yet running, a PATCH of pods/<name>/status
// to Running + Ready with a podIP (16 requests in flight); a bound pod marked for graceful
// deletion is deleted for good (grace 0), as the kubelet would once its containers stopped.
// Measured:
//   (1) a Deployment of 1,000 replicas (--quick: 100) from its creation to all pods created,
//       all bound, all ready (as the watch saw them), and the rollout complete as
//       `kubectl rollout status` judges it (observedGeneration ≥ generation,
//       updated = replicas = available = ready = spec.replicas);
//   (2) a rolling update of it (a new image, default 25% surge / 25% unavailable) until the
//       rollout is complete, and until the old pods are gone from the store.
// pods/s is pods created over the time to the milestone. Figures only, nothing is judged.
// Usage: npm run bench -- controllers [--quick]

import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadKubeconfig } from '../src/client/kubeconfig.ts';
import { RestClient, type ResourceRef } from '../src/client/rest-client.ts';
import { memory, parallel } from './support/measure.ts';
import { printTable } from './support/table.ts';
import { startK8ts, type K8tsProcess } from './support/k8ts-process.ts';


interface Sizes {
  nodes: number;
  replicas: number;
}

interface Row {
  metric: string;
  value: string;
}

interface Meta {
  name?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  deletionTimestamp?: string;
}

interface Pod {
  metadata?: Meta;
  spec?: { nodeName?: string; containers?: { name: string; image?: string }[] };
  status?: { phase?: string; conditions?: { type: string; status: string }[] };
}

interface Deployment {
  metadata?: Meta;
  spec?: { replicas?: number };
  status?: { observedGeneration?: number; replicas?: number; updatedReplicas?: number; readyReplicas?: number; availableReplicas?: number };
}

// ---- the cluster process ----



/** VmRSS and VmHWM of a process, in MiB. */

// ---- helpers ----

const podsRef = (namespace?: string): ResourceRef => ({ group: '', version: 'v1', resource: 'pods', namespace });
const nodesRef: ResourceRef = { group: '', version: 'v1', resource: 'nodes' };
const leasesRef: ResourceRef = { group: 'coordination.k8s.io', version: 'v1', resource: 'leases', namespace: 'kube-node-lease' };
const deploymentsRef = (namespace: string): ResourceRef => ({ group: 'apps', version: 'v1', resource: 'deployments', namespace });

/** Runs `fn(i)` for i in [0, total) with `width` in flight. */

const now = () => new Date().toISOString();
const microTime = () => new Date().toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
const hostIP = (i: number) => `172.16.${(i >> 8) & 255}.${i & 255}`;

/** A promise resolved the first time `check()` holds, re-checked by `poke()` after each event. */
class Milestones {
  #waiters: { check: () => boolean; resolve: (t: number) => void }[] = [];
  until(check: () => boolean, timeoutMs: number, what: () => string): Promise<number> {
    if (check()) return Promise.resolve(performance.now());
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiters = this.#waiters.filter((w) => w !== waiter);
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what()}`));
      }, timeoutMs);
      const waiter = {
        check,
        resolve: (t: number) => {
          clearTimeout(timer);
          resolve(t);
        },
      };
      this.#waiters.push(waiter);
    });
  }
  poke(): void {
    if (this.#waiters.length === 0) return;
    const t = performance.now();
    this.#waiters = this.#waiters.filter((w) => {
      if (!w.check()) return true;
      w.resolve(t);
      return false;
    });
  }
}

/** Lists then watches `ref` until `signal` aborts, re-watching (or re-listing) when a watch ends. */
async function informer<T extends { metadata?: Meta }>(
  client: RestClient,
  ref: ResourceRef,
  signal: AbortSignal,
  handle: (type: 'ADDED' | 'MODIFIED' | 'DELETED', obj: T) => void,
  onError: (err: unknown) => void,
): Promise<void> {
  let rv: string | undefined;
  while (!signal.aborted) {
    try {
      if (rv === undefined) {
        const list = await client.list<T>(ref, { signal });
        for (const obj of list.items) handle('ADDED', obj);
        rv = list.metadata?.resourceVersion;
      }
      const stream = await client.watch<T>(ref, { resourceVersion: rv, allowWatchBookmarks: true, signal });
      for await (const ev of stream) {
        if (ev.type === 'ERROR') {
          rv = undefined; // expired: list again
          break;
        }
        rv = ev.object.metadata?.resourceVersion ?? rv;
        if (ev.type !== 'BOOKMARK') handle(ev.type, ev.object);
      }
    } catch (err) {
      if (signal.aborted) return;
      onError(err);
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

// ---- the fake kubelet ----

class FakeKubelet {
  readonly #client: RestClient;
  readonly #width: number;
  readonly #nodeIndex = new Map<string, number>();
  readonly #queue: Pod[] = [];
  readonly #queued = new Set<string>();
  readonly #started = new Set<string>();
  readonly #finished = new Set<string>();
  #wake: (() => void) | undefined;
  #closed = false;
  #ips = 0;
  errors = 0;
  lastError = '';
  statusPatches = 0;
  finalDeletes = 0;

  constructor(client: RestClient, width: number, nodes: number) {
    this.#client = client;
    this.#width = width;
    for (let i = 0; i < nodes; i++) this.#nodeIndex.set(`node-${i}`, i);
  }

  /** Called for each pod event of the cluster-wide watch. */
  observe(type: string, pod: Pod): void {
    const uid = pod.metadata?.uid ?? '';
    if (type === 'DELETED') {
      this.#started.delete(uid);
      this.#finished.delete(uid);
      return;
    }
    if (!pod.spec?.nodeName || !this.#nodeIndex.has(pod.spec.nodeName)) return;
    const deleting = pod.metadata?.deletionTimestamp !== undefined;
    if (deleting ? this.#finished.has(uid) : this.#started.has(uid) || pod.status?.phase === 'Running') return;
    if (this.#queued.has(uid)) return;
    this.#queued.add(uid);
    this.#queue.push(pod);
    this.#wake?.();
  }

  run(): Promise<void> {
    return Promise.all(Array.from({ length: this.#width }, () => this.#worker())).then(() => {});
  }

  close(): void {
    this.#closed = true;
    this.#wake?.();
  }

  async #worker(): Promise<void> {
    while (!this.#closed) {
      const pod = this.#queue.shift();
      if (!pod) {
        await new Promise<void>((resolve) => {
          const previous = this.#wake;
          this.#wake = () => {
            this.#wake = undefined;
            previous?.();
            resolve();
          };
        });
        continue;
      }
      const uid = pod.metadata!.uid!;
      this.#queued.delete(uid);
      try {
        if (pod.metadata?.deletionTimestamp !== undefined) {
          this.#finished.add(uid);
          await this.#client.delete({ ...podsRef(pod.metadata.namespace), name: pod.metadata.name }, { gracePeriodSeconds: 0, preconditions: { uid } });
          this.finalDeletes++;
        } else {
          this.#started.add(uid);
          await this.#client.patch({ ...podsRef(pod.metadata!.namespace), name: pod.metadata!.name, subresource: 'status' }, { status: this.#status(pod) }, { type: 'merge' });
          this.statusPatches++;
        }
      } catch (err) {
        const code = (err as { code?: number }).code;
        if (code !== 404 && code !== 409) {
          this.errors++;
          this.lastError = String(err);
        }
      }
    }
  }

  #status(pod: Pod): Record<string, unknown> {
    const t = now();
    const n = this.#ips++;
    const podIP = `10.${64 + ((n >> 16) & 63)}.${(n >> 8) & 255}.${n & 255}`;
    const host = hostIP(this.#nodeIndex.get(pod.spec!.nodeName!)!);
    const condition = (type: string) => ({ type, status: 'True', lastProbeTime: null, lastTransitionTime: t });
    return {
      phase: 'Running',
      hostIP: host,
      hostIPs: [{ ip: host }],
      podIP,
      podIPs: [{ ip: podIP }],
      startTime: t,
      conditions: ['PodReadyToStartContainers', 'Initialized', 'Ready', 'ContainersReady', 'PodScheduled'].map(condition),
      containerStatuses: (pod.spec?.containers ?? []).map((c, i) => ({
        name: c.name,
        image: c.image,
        imageID: `${c.image}@sha256:${'0'.repeat(64)}`,
        containerID: `containerd://${pod.metadata!.uid!.replace(/-/g, '')}${i}`,
        ready: true,
        started: true,
        restartCount: 0,
        state: { running: { startedAt: t } },
      })),
    };
  }
}

// ---- the run ----

interface Tracked {
  added: number;
  bound?: number;
  ready?: number;
  gone?: number;
  image: string;
}

const secs = (ms: number) => (ms / 1000).toFixed(2);
const rate = (n: number, ms: number) => ((n * 1000) / ms).toFixed(0);

async function measure(cluster: K8tsProcess, sizes: Sizes, rows: Row[]): Promise<void> {
  const add = (metric: string, value: string) => rows.push({ metric, value });
  const restConfig = loadKubeconfig(cluster.kubeconfig, { userAgent: 'bench-controllers' });
  const client = new RestClient(restConfig);
  const kubeletClient = new RestClient({ ...restConfig, userAgent: 'bench-controllers-kubelet' });
  const watchClient = new RestClient({ ...restConfig, userAgent: 'bench-controllers-watch' });
  const abort = new AbortController();
  const kubelet = new FakeKubelet(kubeletClient, 16, sizes.nodes);
  let watchErrors = 0;
  let lastWatchError = '';
  const onError = (err: unknown) => {
    watchErrors++;
    lastWatchError = String(err);
  };
  const background: Promise<void>[] = [];
  let leaseTimer: NodeJS.Timeout | undefined;
  try {
    add('hollow nodes', String(sizes.nodes));
    const rss0 = memory(cluster.pid).rss;
    console.log(`creating ${sizes.nodes} hollow nodes and their leases ...`);
    const resources = { cpu: '4', memory: '32Gi', pods: '110' };
    await parallel(sizes.nodes, 16, async (i) => {
      const name = `node-${i}`;
      const labels = { 'kubernetes.io/hostname': name, 'kubernetes.io/os': 'linux', 'topology.kubernetes.io/zone': `zone-${i % 10}` };
      await client.create(nodesRef, { apiVersion: 'v1', kind: 'Node', metadata: { name, labels }, spec: {} });
      const t = now();
      await client.patch(
        { ...nodesRef, name, subresource: 'status' },
        {
          status: {
            capacity: resources,
            allocatable: resources,
            addresses: [
              { type: 'InternalIP', address: hostIP(i) },
              { type: 'Hostname', address: name },
            ],
            conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'hollow node', lastHeartbeatTime: t, lastTransitionTime: t }],
            nodeInfo: { kubeletVersion: 'v1.33.0-k8ts-bench', containerRuntimeVersion: 'fake://0', operatingSystem: 'linux', architecture: 'amd64' },
          },
        },
        { type: 'merge' },
      );
      await client.create(leasesRef, {
        apiVersion: 'coordination.k8s.io/v1',
        kind: 'Lease',
        metadata: { name },
        spec: { holderIdentity: name, leaseDurationSeconds: 40, renewTime: microTime() },
      });
    });
    // Renew the leases every 10 s, as kubelets do, so the node lifecycle controller keeps them Ready.
    let renewing = false;
    leaseTimer = setInterval(() => {
      if (renewing) return;
      renewing = true;
      const renewTime = microTime();
      void parallel(sizes.nodes, 4, (i) => kubeletClient.patch({ ...leasesRef, name: `node-${i}` }, { spec: { renewTime } }, { type: 'merge' }).then(() => {}))
        .catch(onError)
        .finally(() => (renewing = false));
    }, 10_000);

    const ns = 'bench';
    await client.create({ group: '', version: 'v1', resource: 'namespaces' }, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });

    // One cluster-wide pod watch feeds the fake kubelet and the figures; one watch on deployments.
    const milestones = new Milestones();
    const pods = new Map<string, Tracked>();
    let deployment: Deployment | undefined;
    background.push(
      informer<Pod>(
        watchClient,
        podsRef(),
        abort.signal,
        (type, pod) => {
          kubelet.observe(type, pod);
          if (pod.metadata?.namespace !== ns) return;
          const uid = pod.metadata.uid!;
          const t = performance.now();
          let p = pods.get(uid);
          if (!p) pods.set(uid, (p = { added: t, image: pod.spec?.containers?.[0]?.image ?? '' }));
          if (p.bound === undefined && pod.spec?.nodeName) p.bound = t;
          if (p.ready === undefined && pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')) p.ready = t;
          if (type === 'DELETED') p.gone = t;
          milestones.poke();
        },
        onError,
      ),
    );
    background.push(
      informer<Deployment>(
        watchClient,
        deploymentsRef(ns),
        abort.signal,
        (_type, d) => {
          deployment = d;
          milestones.poke();
        },
        onError,
      ),
    );
    background.push(kubelet.run());

    const n = sizes.replicas;
    const count = (image: string, what: 'added' | 'bound' | 'ready') => {
      let c = 0;
      for (const p of pods.values()) if (p.image === image && p[what] !== undefined) c++;
      return c;
    };
    const complete = () => {
      const d = deployment;
      const s = d?.status;
      return (
        d !== undefined &&
        s !== undefined &&
        (s.observedGeneration ?? 0) >= (d.metadata?.generation ?? 1) &&
        s.updatedReplicas === n &&
        s.replicas === n &&
        s.availableReplicas === n &&
        s.readyReplicas === n
      );
    };
    const describe = (image: string) => () =>
      `${image}: ${count(image, 'added')} created, ${count(image, 'bound')} bound, ${count(image, 'ready')} ready; deployment status ${JSON.stringify(deployment?.status ?? {})}, ` +
      `generation ${deployment?.metadata?.generation}; fake kubelet: ${kubelet.statusPatches} status patches, ${kubelet.finalDeletes} final deletes, ${kubelet.errors} errors ${kubelet.lastError}; ` +
      `watch errors ${watchErrors} ${lastWatchError}`;
    const timeoutMs = Math.max(120_000, n * 600);

    // (1) creation
    const image1 = 'registry.k8s.io/pause:3.10';
    const image2 = 'registry.k8s.io/pause:3.9';
    console.log(`creating a Deployment of ${n} replicas ...`);
    const t0 = performance.now();
    await client.create(deploymentsRef(ns), {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web', labels: { app: 'web' } },
      spec: {
        replicas: n,
        selector: { matchLabels: { app: 'web' } },
        template: {
          metadata: { labels: { app: 'web' } },
          spec: { containers: [{ name: 'pause', image: image1, resources: { requests: { cpu: '10m', memory: '16Mi' } } }] },
        },
      },
    });
    const [created1, bound1, ready1, complete1] = await Promise.all([
      milestones.until(() => count(image1, 'added') >= n, timeoutMs, describe(image1)),
      milestones.until(() => count(image1, 'bound') >= n, timeoutMs, describe(image1)),
      milestones.until(() => count(image1, 'ready') >= n, timeoutMs, describe(image1)),
      milestones.until(() => count(image1, 'ready') >= n && complete(), timeoutMs, describe(image1)),
    ]);
    add(`create: replicas`, String(n));
    add(`create: all pods created, s`, secs(created1 - t0));
    add(`create: pods created/s`, rate(n, created1 - t0));
    add(`create: all pods bound, s`, secs(bound1 - t0));
    add(`create: all pods ready (fake kubelet), s`, secs(ready1 - t0));
    add(`create: rollout complete (readyReplicas = ${n}), s`, secs(complete1 - t0));
    add(`create: pods/s to rollout complete`, rate(n, complete1 - t0));

    // (2) rolling update
    console.log(`rolling update to a new image ...`);
    const t1 = performance.now();
    await client.patch({ ...deploymentsRef(ns), name: 'web' }, { spec: { template: { spec: { containers: [{ name: 'pause', image: image2 }] } } } }, { type: 'strategic' });
    const oldGone = () => {
      for (const p of pods.values()) if (p.image === image1 && p.gone === undefined) return false;
      return true;
    };
    const [created2, complete2, gone2] = await Promise.all([
      milestones.until(() => count(image2, 'added') >= n, timeoutMs, describe(image2)),
      milestones.until(() => count(image2, 'ready') >= n && complete(), timeoutMs, describe(image2)),
      milestones.until(oldGone, timeoutMs, describe(image2)),
    ]);
    add(`rolling update: all new pods created, s`, secs(created2 - t1));
    add(`rolling update: rollout complete, s`, secs(complete2 - t1));
    add(`rolling update: pods/s (new pods to rollout complete)`, rate(n, complete2 - t1));
    add(`rolling update: all old pods gone, s`, secs(gone2 - t1));

    const mem = memory(cluster.pid);
    add('k8ts up RSS at start / end / peak, MiB', `${rss0.toFixed(0)} / ${mem.rss.toFixed(0)} / ${mem.peak.toFixed(0)}`);
    add('fake kubelet: status patches / final deletes / errors', `${kubelet.statusPatches} / ${kubelet.finalDeletes} / ${kubelet.errors}`);
    if (watchErrors) add('watch errors (re-watched)', String(watchErrors));
  } finally {
    if (leaseTimer) clearInterval(leaseTimer);
    abort.abort();
    kubelet.close();
    await Promise.allSettled(background);
    for (const c of [client, kubeletClient, watchClient]) c.close();
  }
}

function print(rows: Row[]): void {
  printTable(['metric', 'k8ts'], rows.map((r) => [r.metric, r.value]));
  console.log('');
  console.log('times from the Deployment create (or the image patch) to the milestone as a watch saw it; pods/s: replicas over that time.');
  console.log('the fake kubelet (in this process, 16 requests in flight) marks bound pods Running + Ready and deletes terminating ones.');
}

export async function run(args: string[]): Promise<void> {
  const { values } = parseArgs({ args, options: { quick: { type: 'boolean', default: false } } });
  const sizes: Sizes = values.quick ? { nodes: 100, replicas: 100 } : { nodes: 300, replicas: 1000 };
  console.log(`kube-controller-manager benchmark on ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, Node.js ${process.version}`);
  const started = performance.now();
  const dir = mkdtempSync(join(tmpdir(), 'k8ts-bench-controllers-'));
  const rows: Row[] = [];
  try {
    // This program plays the kubelets of its hollow nodes itself: no real node.
    const cluster = await startK8ts('up', dir, ['--disable-agent']);
    try {
      console.log(`k8ts up (pid ${cluster.pid}), sqlite store in ${dir}`);
      await measure(cluster, sizes, rows);
    } catch (err) {
      const tail = cluster.output().split('\n').slice(-30).join('\n');
      if (tail.trim()) console.error(`k8ts up output (last lines):\n${tail}`);
      throw err;
    } finally {
      await cluster.stop();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  print(rows);
  console.log(`(run took ${((performance.now() - started) / 1000).toFixed(1)} s)`);
}
