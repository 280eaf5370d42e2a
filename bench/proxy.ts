// kube-proxy userspace data plane benchmark: the same backend reached directly and through the
// userspace proxier, side by side in one run. Three processes: the backend (a node:http server
// answering "ok" and a TCP sink, on 127.0.0.2), the proxier (kube-proxy's userspace Proxier
// serving one Service at ClusterIP 127.100.200.1 with both ports as endpoints; the control
// plane is not in the data path, so no API server runs) and this load generator.
// Cases: HTTP GET over 32 keep-alive connections; HTTP GET with a new connection per request,
// 32 in flight (accept, endpoint choice and dial per request); one TCP stream of bulk bytes.
// Figures: requests/s (or MiB/s), p50/p99 latency, and the proxied/direct ratio.
// Usage: npm run bench -- proxy [--quick]

import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { Agent, createServer as createHttpServer, get } from 'node:http';
import { connect, createServer, type AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { percentile } from './support/measure.ts';
import { printTable } from './support/table.ts';

const backendIP = '127.0.0.2';
const clusterIP = '127.100.200.1';
const servicePorts = { http: 18080, sink: 18081 };

interface Target {
  host: string;
  http: number;
  sink: number;
}

interface Figures {
  perSecond: number;
  p50: number;
  p99: number;
}

async function httpLoad(target: Target, keepAlive: boolean, width: number, durationMs: number): Promise<Figures> {
  const agent = keepAlive ? new Agent({ keepAlive: true, maxSockets: width }) : false;
  const latencies: number[] = [];
  const deadline = performance.now() + durationMs;
  const one = () =>
    new Promise<void>((resolve, reject) => {
      const started = performance.now();
      get({ host: target.host, port: target.http, path: '/', agent }, (res) => {
        res.resume();
        res.on('end', () => {
          latencies.push(performance.now() - started);
          resolve();
        });
      }).on('error', reject);
    });
  const started = performance.now();
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (performance.now() < deadline) await one();
    }),
  );
  const elapsed = performance.now() - started;
  if (agent) agent.destroy();
  return { perSecond: latencies.length / (elapsed / 1000), p50: percentile(latencies, 50), p99: percentile(latencies, 99) };
}

async function stream(target: Target, bytes: number): Promise<Figures> {
  const chunk = Buffer.alloc(64 * 1024, 0x61);
  const socket = connect(target.sink, target.host);
  await once(socket, 'connect');
  const started = performance.now();
  let reply = '';
  socket.setEncoding('utf8').on('data', (c: string) => (reply += c));
  const closed = once(socket, 'close');
  for (let sent = 0; sent < bytes; sent += chunk.length) if (!socket.write(chunk)) await once(socket, 'drain');
  socket.end();
  await closed;
  const seconds = (performance.now() - started) / 1000;
  if (Number(reply) !== bytes) throw new Error(`the sink counted ${reply} bytes, wanted ${bytes}`);
  return { perSecond: bytes / 2 ** 20 / seconds, p50: NaN, p99: NaN };
}

/** Starts this file in a role; resolves with the first line it prints. */
async function startRole(role: string, args: string[]): Promise<{ child: ChildProcess; line: string }> {
  const child = spawn(process.execPath, [fileURLToPath(import.meta.url), role, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout!.setEncoding('utf8');
  for await (const c of child.stdout!) {
    out += c;
    if (out.includes('\n')) break;
  }
  if (!out.includes('\n')) throw new Error(`${role} did not start`);
  return { child, line: out.split('\n')[0] };
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  await exited;
}

export async function run(args: string[]): Promise<void> {
  const { values } = parseArgs({ args, options: { quick: { type: 'boolean', default: false } }, strict: true });
  const durationMs = values.quick ? 1_000 : 5_000;
  const streamBytes = (values.quick ? 64 : 1024) * 2 ** 20;
  const backend = await startRole('backend', []);
  const ports = JSON.parse(backend.line) as { http: number; sink: number };
  const proxier = await startRole('proxier', [String(ports.http), String(ports.sink)]);
  try {
    const direct: Target = { host: backendIP, ...ports };
    const proxied: Target = { host: clusterIP, ...servicePorts };
    const cases: [string, string, (t: Target) => Promise<Figures>][] = [
      ['HTTP GET, 32 keep-alive connections', 'req/s', (t) => httpLoad(t, true, 32, durationMs)],
      ['HTTP GET, new connection each, 32 in flight', 'req/s', (t) => httpLoad(t, false, 32, durationMs)],
      [`TCP stream, ${streamBytes / 2 ** 20} MiB`, 'MiB/s', (t) => stream(t, streamBytes)],
    ];
    const rows: string[][] = [];
    const ms = (v: number) => (Number.isNaN(v) ? '-' : v.toFixed(2));
    for (const [name, unit, measure] of cases) {
      await measure(direct); // warm-up
      const d = await measure(direct);
      const p = await measure(proxied);
      rows.push([name, unit, d.perSecond.toFixed(0), p.perSecond.toFixed(0), (p.perSecond / d.perSecond).toFixed(2), ms(d.p50), ms(p.p50), ms(d.p99), ms(p.p99)]);
    }
    console.log(`kube-proxy userspace: direct to ${backendIP} vs through ClusterIP ${clusterIP} (proxier in its own process)`);
    printTable(['case', 'unit', 'direct', 'proxied', 'ratio', 'p50 ms direct', 'p50 ms proxied', 'p99 ms direct', 'p99 ms proxied'], rows, [0, 1]);
  } finally {
    await stop(proxier.child);
    await stop(backend.child);
  }
}

async function serveBackend(): Promise<void> {
  const http = createHttpServer((_req, res) => res.end('ok'));
  http.keepAliveTimeout = 60_000;
  const sink = createServer({ allowHalfOpen: true }, (s) => {
    let n = 0;
    s.on('data', (c: Buffer) => (n += c.length));
    s.on('end', () => s.end(String(n)));
    s.on('error', () => {});
  });
  http.listen(0, backendIP);
  sink.listen(0, backendIP);
  await Promise.all([once(http, 'listening'), once(sink, 'listening')]);
  process.stdout.write(`${JSON.stringify({ http: (http.address() as AddressInfo).port, sink: (sink.address() as AddressInfo).port })}\n`);
  await once(process, 'SIGTERM');
  http.closeAllConnections();
  http.close();
  sink.close();
}

async function serveProxier(httpPort: number, sinkPort: number): Promise<void> {
  const { Proxier } = await import('../src/kube-proxy/userspace/proxier.ts');
  const { createLogger } = await import('../src/component-base/logging.ts');
  const { realClock } = await import('../src/machinery/clock.ts');
  const proxier = new Proxier({ nodeName: 'bench', ipFamily: 'IPv4', nodePortAddress: '127.0.0.1', clock: realClock, log: createLogger('kube-proxy', { sink: () => {} }) });
  const endpoint = { addresses: [backendIP], conditions: { ready: true } };
  await proxier.syncService(
    'default/bench',
    { metadata: { name: 'bench', namespace: 'default' }, spec: { clusterIP, ports: [{ name: 'http', port: servicePorts.http }, { name: 'sink', port: servicePorts.sink }] } },
    [
      {
        metadata: { name: 'bench-1', namespace: 'default', labels: { 'kubernetes.io/service-name': 'bench' } },
        addressType: 'IPv4',
        endpoints: [endpoint],
        ports: [
          { name: 'http', port: httpPort, protocol: 'TCP' },
          { name: 'sink', port: sinkPort, protocol: 'TCP' },
        ],
      },
    ],
  );
  if (proxier.listeners().length !== 2) throw new Error(`proxier listens on ${proxier.listeners().join(', ')}`);
  process.stdout.write('ready\n');
  await once(process, 'SIGTERM');
  await proxier.close();
}

if (import.meta.main) {
  const [role, ...rest] = process.argv.slice(2);
  if (role === 'backend') await serveBackend();
  else if (role === 'proxier') await serveProxier(Number(rest[0]), Number(rest[1]));
}
