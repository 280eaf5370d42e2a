// kube-apiserver benchmark: the API server on its embedded sqlite store, in its own process,
// driven over HTTPS with the admin client certificate from its kubeconfig.
//   pod creates/s and create latency p50/p99 with 1 and with 32 concurrent clients, each
//   client creating ~1.5 KB pods in sequence;
//   LIST of 10,000 pods (ms, median of repeated reads) as JSON and as a Table, both consistent
//   (no resourceVersion: read from the store) and resourceVersion=0 (from the watch cache);
//   timed from sending the request to its last byte (the client's JSON parse is not counted);
//   watch event latency p50/p99 with 100 watchers, from the create's acknowledgement (an
//   event parsed before the writer has its acknowledgement counts as 0) and from its sending,
//   to each watcher having parsed the event;
//   server RSS at start, with the pods stored, and after the LISTs and watches (plus its peak).
// Keep-alive agents are warmed up before each timed part, so TLS handshakes are not measured.
// The pods' watch cache is started first, as the informers of a real cluster would have it.
// Figures only: the anchors (upstream SLOs, our targets) are printed beside them, never judged.
// Usage: npm run bench -- apiserver [--quick]

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { Agent, request } from 'node:https';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { parse as parseYaml } from 'yaml';
import { memory, percentile } from './support/measure.ts';
import { printTable } from './support/table.ts';
import { startK8ts, type K8tsProcess } from './support/k8ts-process.ts';


interface Sizes {
  /** Pods created by 32 clients before anything is timed. */
  warmupCreates: number;
  /** Pods created by the single client; the 32 clients create the rest of `listPods`. */
  singleCreates: number;
  listPods: number;
  listReads: number;
  watchers: number;
  watchCreates: number;
}

interface Row {
  metric: string;
  value: string;
  target: string;
  slo: string;
}

interface Credentials {
  ca: string;
  cert: string;
  key: string;
}

interface Response {
  status: number;
  body: Buffer;
}

const jsonAccept = 'application/json';
const tableAccept = 'application/json;as=Table;v=v1;g=meta.k8s.io';

/** A pod as a user's manifest has it (~1.5 KB of JSON): labels, annotations, env, ports, resources, probes. */
function podBody(name: string): string {
  return JSON.stringify({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      labels: { run: name, app: 'bench-web', tier: 'frontend', 'app.kubernetes.io/part-of': 'k8ts-bench' },
      annotations: {
        'kubernetes.io/description': 'A pod created by the k8ts apiserver benchmark, shaped like a typical web workload.',
        'prometheus.io/scrape': 'true',
        'prometheus.io/port': '9090',
      },
    },
    spec: {
      containers: [
        {
          name: 'web',
          image: 'registry.example.com/team/web-frontend:1.27.3',
          args: ['--listen=:8080', '--metrics=:9090', '--log-level=info'],
          ports: [
            { name: 'http', containerPort: 8080, protocol: 'TCP' },
            { name: 'metrics', containerPort: 9090, protocol: 'TCP' },
          ],
          env: [
            { name: 'APP_ENV', value: 'production' },
            { name: 'APP_REGION', value: 'eu-west-1' },
            { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
            { name: 'POD_NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
          ],
          resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '500m', memory: '256Mi' } },
          readinessProbe: { httpGet: { path: '/healthz', port: 8080 }, initialDelaySeconds: 2, periodSeconds: 5 },
          livenessProbe: { httpGet: { path: '/livez', port: 8080 }, initialDelaySeconds: 10, periodSeconds: 10 },
          volumeMounts: [{ name: 'cache', mountPath: '/var/cache/web' }],
          imagePullPolicy: 'IfNotPresent',
        },
      ],
      volumes: [{ name: 'cache', emptyDir: {} }],
      restartPolicy: 'Always',
      dnsPolicy: 'ClusterFirst',
      terminationGracePeriodSeconds: 30,
      tolerations: [{ key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 }],
    },
  });
}

// ---- the server process ----

interface ServerProcess extends K8tsProcess {
  credentials: Credentials;
}

async function startServer(dataDir: string): Promise<ServerProcess> {
  const server = await startK8ts('apiserver', dataDir);
  return { ...server, credentials: readKubeconfig(server.kubeconfig) };
}


function readKubeconfig(path: string): Credentials {
  const config = parseYaml(readFileSync(path, 'utf8')) as {
    clusters: { cluster: Record<string, string> }[];
    users: { user: Record<string, string> }[];
  };
  const pem = (b64: string | undefined, what: string) => {
    if (!b64) throw new Error(`${path}: no ${what}`);
    return Buffer.from(b64, 'base64').toString('utf8');
  };
  return {
    ca: pem(config.clusters[0]?.cluster['certificate-authority-data'], 'certificate-authority-data'),
    cert: pem(config.users[0]?.user['client-certificate-data'], 'client-certificate-data'),
    key: pem(config.users[0]?.user['client-key-data'], 'client-key-data'),
  };
}

/** VmRSS and VmHWM of a process, in MiB. */

// ---- the client ----

class Client {
  readonly #base: URL;
  readonly #credentials: Credentials;
  readonly agent: Agent;

  constructor(url: string, credentials: Credentials, maxSockets: number) {
    this.#base = new URL(url);
    this.#credentials = credentials;
    this.agent = new Agent({ keepAlive: true, maxSockets, ca: credentials.ca, cert: credentials.cert, key: credentials.key });
  }

  /** Starts a request; the caller reads (or streams) the response. */
  open(method: string, path: string, headers: Record<string, string | number>, body?: string): Promise<IncomingMessage> {
    return new Promise((resolve, reject) => {
      const req = request(
        {
          agent: this.agent,
          host: this.#base.hostname,
          port: this.#base.port,
          method,
          path,
          headers,
          ca: this.#credentials.ca,
          cert: this.#credentials.cert,
          key: this.#credentials.key,
        },
        resolve,
      );
      req.on('error', reject);
      req.end(body);
    });
  }

  async call(method: string, path: string, options: { body?: string; accept?: string } = {}): Promise<Response> {
    const headers: Record<string, string | number> = { Accept: options.accept ?? jsonAccept };
    if (options.body !== undefined) {
      headers['Content-Type'] = 'application/json';
      headers['Content-Length'] = Buffer.byteLength(options.body);
    }
    const res = await this.open(method, path, headers, options.body);
    // 'data' events rather than async iteration, which costs a promise per chunk (thousands in a LIST).
    const chunks: Buffer[] = [];
    res.on('data', (c: Buffer) => chunks.push(c));
    await new Promise<void>((resolve, reject) => {
      res.once('end', resolve);
      res.once('error', reject);
    });
    return { status: res.statusCode ?? 0, body: Buffer.concat(chunks) };
  }

  async expect(status: number, method: string, path: string, options: { body?: string; accept?: string } = {}): Promise<Response> {
    const r = await this.call(method, path, options);
    if (r.status !== status) throw new Error(`${method} ${path}: HTTP ${r.status}, wanted ${status}: ${r.body.toString('utf8').slice(0, 500)}`);
    return r;
  }

  /** Opens `sockets` connections (TLS handshakes included) so that timed requests reuse them. */
  async warm(sockets: number): Promise<void> {
    await Promise.all(Array.from({ length: sockets }, () => this.expect(200, 'GET', '/api/v1/namespaces/default')));
  }

  close(): void {
    this.agent.destroy();
  }
}

// ---- measurements ----


async function createNamespace(client: Client, name: string): Promise<void> {
  await client.expect(201, 'POST', '/api/v1/namespaces', { body: JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } }) });
}

/** `clients` clients, each creating pods in sequence, `total` pods in all. */
async function creates(client: Client, clients: number, namespace: string, prefix: string, total: number): Promise<{ perSecond: number; latencies: number[] }> {
  const path = `/api/v1/namespaces/${namespace}/pods`;
  const latencies: number[] = [];
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < total; i = next++) {
      const body = podBody(`${prefix}-${i}`);
      const sent = performance.now();
      await client.expect(201, 'POST', path, { body });
      latencies.push(performance.now() - sent);
    }
  };
  const start = performance.now();
  await Promise.all(Array.from({ length: clients }, worker));
  return { perSecond: total / ((performance.now() - start) / 1000), latencies };
}

/**
 * Median time of `reads` LISTs (after an untimed one) and the response size; the last is checked
 * to hold `count` items. Parsing 47 MB of JSON between timed reads would leave its garbage, and a
 * large live heap, to the next one: the bench would measure its own garbage collector.
 */
async function listMs(client: Client, path: string, accept: string, count: number, reads: number): Promise<{ ms: number; bytes: number }> {
  const bytes = (await client.expect(200, 'GET', path, { accept })).body.length;
  const times: number[] = [];
  for (let i = 0; i < reads; i++) {
    const start = performance.now();
    const r = await client.expect(200, 'GET', path, { accept });
    times.push(performance.now() - start);
    // Checked after the timed reads' clock stops, and let go before the next one starts.
    if (i === reads - 1) checkCount(path, accept, r.body, count);
  }
  return { ms: percentile(times, 50), bytes };
}

function checkCount(path: string, accept: string, body: Buffer, count: number): void {
  const parsed = JSON.parse(body.toString('utf8')) as { items?: unknown[]; rows?: unknown[] };
  const got = (accept === tableAccept ? parsed.rows : parsed.items)?.length;
  if (got !== count) throw new Error(`GET ${path} (${accept}) returned ${got} items, wanted ${count}`);
}

/** Watchers on `namespace` from `resourceVersion`; one writer creates `count` pods in sequence. */
async function watchLatency(
  writer: Client,
  watchClient: Client,
  namespace: string,
  watchers: number,
  count: number,
): Promise<{ ack: number[]; send: number[] }> {
  const listed = JSON.parse((await writer.expect(200, 'GET', `/api/v1/namespaces/${namespace}/pods`)).body.toString('utf8')) as {
    metadata: { resourceVersion: string };
  };
  const rv = listed.metadata.resourceVersion;
  const received = new Map<string, number[]>();
  const streams = await Promise.all(
    Array.from({ length: watchers }, () =>
      watchClient.open('GET', `/api/v1/namespaces/${namespace}/pods?watch=true&resourceVersion=${rv}`, { Accept: jsonAccept }),
    ),
  );
  const done = streams.map(async (res) => {
    if (res.statusCode !== 200) throw new Error(`watch: HTTP ${res.statusCode}`);
    res.setEncoding('utf8');
    let buffered = '';
    let seen = 0;
    for await (const chunk of res) {
      buffered += chunk as string;
      let nl: number;
      while ((nl = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, nl);
        buffered = buffered.slice(nl + 1);
        const event = JSON.parse(line) as { type: string; object: { metadata?: { name?: string } } };
        const at = performance.now();
        if (event.type !== 'ADDED') throw new Error(`watch: unexpected ${event.type} event: ${line.slice(0, 300)}`);
        const name = event.object.metadata!.name!;
        let list = received.get(name);
        if (!list) received.set(name, (list = []));
        list.push(at);
        seen++;
      }
      if (seen >= count) break;
    }
    res.destroy();
  });
  // The streams are open (their headers arrived); let the server register every watcher.
  await new Promise((r) => setTimeout(r, 200));
  const writes: { name: string; sent: number; acked: number }[] = [];
  for (let i = 0; i < count; i++) {
    const name = `watched-${i}`;
    const body = podBody(name);
    const sent = performance.now();
    await writer.expect(201, 'POST', `/api/v1/namespaces/${namespace}/pods`, { body });
    writes.push({ name, sent, acked: performance.now() });
  }
  await Promise.all(done);
  const ack: number[] = [];
  const send: number[] = [];
  for (const w of writes) {
    for (const at of received.get(w.name) ?? []) {
      ack.push(Math.max(0, at - w.acked));
      send.push(at - w.sent);
    }
  }
  if (ack.length !== count * watchers) throw new Error(`watchers saw ${ack.length} events, wanted ${count * watchers}`);
  return { ack, send };
}

// ---- the run ----

const ms = (n: number) => (n < 10 ? n.toFixed(2) : n.toFixed(1));
const mib = (n: number) => n.toFixed(1);
const count = (n: number) => Math.round(n).toLocaleString('en');

async function measure(server: ServerProcess, sizes: Sizes, rows: Row[]): Promise<void> {
  const add = (metric: string, value: string, target = '', slo = '') => rows.push({ metric, value, target, slo });
  const mem0 = memory(server.pid);
  add('server RSS at start, MiB', mib(mem0.rss));

  const admin = new Client(server.url, server.credentials, 4);
  const clients1 = new Client(server.url, server.credentials, 1);
  const clients32 = new Client(server.url, server.credentials, 32);
  const watchClient = new Client(server.url, server.credentials, sizes.watchers);
  try {
    await createNamespace(admin, 'bench');
    await createNamespace(admin, 'bench-watch');
    // Start the pods' watch cache, as a cluster's informers would have it running.
    await admin.expect(200, 'GET', '/api/v1/pods?resourceVersion=0');
    await clients32.warm(32);
    await creates(clients32, 32, 'bench', 'warmup', sizes.warmupCreates);

    console.log(`creating ${count(sizes.singleCreates)} pods with 1 client ...`);
    await clients1.warm(1);
    const one = await creates(clients1, 1, 'bench', 'single', sizes.singleCreates);
    add('pod creates/s, 1 client', count(one.perSecond));
    add('create p50, ms, 1 client', ms(percentile(one.latencies, 50)));
    add('create p99, ms, 1 client', ms(percentile(one.latencies, 99)), '', '≤ 1000');

    const rest = sizes.listPods - sizes.warmupCreates - sizes.singleCreates;
    console.log(`creating ${count(rest)} pods with 32 clients ...`);
    await clients32.warm(32);
    const many = await creates(clients32, 32, 'bench', 'concurrent', rest);
    add('pod creates/s, 32 clients', count(many.perSecond));
    add('create p50, ms, 32 clients', ms(percentile(many.latencies, 50)));
    add('create p99, ms, 32 clients', ms(percentile(many.latencies, 99)), '≤ 50', '≤ 1000');

    const memStored = memory(server.pid);
    add(`server RSS with ${count(sizes.listPods)} pods stored, MiB`, mib(memStored.rss));

    console.log(`listing ${count(sizes.listPods)} pods, ${sizes.listReads} times each way ...`);
    const path = '/api/v1/namespaces/bench/pods';
    for (const [how, query] of [
      ['consistent', ''],
      ['resourceVersion=0', '?resourceVersion=0'],
    ] as const) {
      for (const [as, accept] of [
        ['JSON', jsonAccept],
        ['Table', tableAccept],
      ] as const) {
        const r = await listMs(admin, path + query, accept, sizes.listPods, sizes.listReads);
        const target = sizes.listPods === 10_000 ? '≤ 300' : '';
        add(`LIST ${count(sizes.listPods)} pods, ${as}, ${how}, ms (${mib(r.bytes / 1024 / 1024)} MiB)`, ms(r.ms), target, '≤ 30000');
      }
    }

    console.log(`watching with ${sizes.watchers} watchers while creating ${sizes.watchCreates} pods ...`);
    await watchClient.warm(sizes.watchers);
    const watch = await watchLatency(clients1, watchClient, 'bench-watch', sizes.watchers, sizes.watchCreates);
    add(`watch ack→event p50, ms, ${sizes.watchers} watchers`, ms(percentile(watch.ack, 50)));
    add(`watch ack→event p99, ms, ${sizes.watchers} watchers`, ms(percentile(watch.ack, 99)));
    add(`watch send→event p50, ms, ${sizes.watchers} watchers`, ms(percentile(watch.send, 50)));
    add(`watch send→event p99, ms, ${sizes.watchers} watchers`, ms(percentile(watch.send, 99)));

    const memEnd = memory(server.pid);
    add('server RSS after LISTs and watches, MiB', mib(memEnd.rss));
    add('server peak RSS (VmHWM), MiB', mib(memEnd.peak));
  } finally {
    for (const c of [admin, clients1, clients32, watchClient]) c.close();
  }
}

function print(rows: Row[]): void {
  printTable(['metric', 'k8ts', 'our target', 'upstream SLO'], rows.map((r) => [r.metric, r.value, r.target || '-', r.slo || '-']));
  console.log('');
  console.log('our targets: create p99 ≤ 50 ms at 32 clients, LIST of 10,000 pods ≤ 300 ms;');
  console.log('upstream SLOs: p99 ≤ 1 s for single-object mutating calls, ≤ 30 s for cluster-wide LIST.');
}

export async function run(args: string[]): Promise<void> {
  const { values } = parseArgs({ args, options: { quick: { type: 'boolean', default: false } } });
  const sizes: Sizes = values.quick
    ? { warmupCreates: 100, singleCreates: 200, listPods: 1000, listReads: 3, watchers: 100, watchCreates: 50 }
    : { warmupCreates: 500, singleCreates: 1000, listPods: 10_000, listReads: 7, watchers: 100, watchCreates: 300 };

  console.log(`kube-apiserver benchmark on ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, Node.js ${process.version}`);
  console.log(`pod body: ${podBody('concurrent-9999').length} bytes of JSON`);
  const started = performance.now();
  const dir = mkdtempSync(join(tmpdir(), 'k8ts-bench-apiserver-'));
  const rows: Row[] = [];
  try {
    const server = await startServer(dir);
    try {
      console.log(`kube-apiserver (pid ${server.pid}) at ${server.url}, sqlite store in ${dir}`);
      await measure(server, sizes, rows);
    } catch (err) {
      const tail = server.output().split('\n').slice(-20).join('\n');
      if (tail.trim()) console.error(`kube-apiserver output (last lines):\n${tail}`);
      throw err;
    } finally {
      await server.stop();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  print(rows);
  console.log(`(run took ${((performance.now() - started) / 1000).toFixed(1)} s)`);
}
