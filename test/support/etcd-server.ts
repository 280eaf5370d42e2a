// Starts a real single-member etcd for tests and benchmarks.
//
// Each server gets its own temp data dir and free loopback ports, is ready (its /health
// answers) when startEtcd resolves, and is stopped by PID: SIGTERM, then SIGKILL after a
// deadline. stop() also removes the data dir. Should the test process exit without
// stopping one, an exit hook kills it and removes its dir; should it be killed, the
// kernel kills etcd (parent-death signal), so no etcd outlives its test.

import { type ChildProcess, spawn } from 'node:child_process';
import { accessSync, constants, existsSync, rmSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { TestContext } from 'node:test';

export interface EtcdTlsFiles {
  /** CA that signed client certificates; when set, etcd requires one (--client-cert-auth). */
  ca?: string;
  /** Server certificate; with `ca` it must allow clientAuth too (the readiness probe presents it). */
  cert: string;
  key: string;
}

export interface StartEtcdOptions {
  /** The etcd binary; default findEtcd(). */
  bin?: string;
  /** Serve clients over HTTPS with this server certificate. */
  tls?: EtcdTlsFiles;
  /** How long to wait for etcd to become healthy (default 20 s). */
  readyTimeoutMs?: number;
  /** More etcd flags, e.g. ['--auto-compaction-retention=1']. */
  args?: string[];
}

export interface EtcdServer {
  /** `etcd://127.0.0.1:P` or `etcds://...` for the store. */
  url: string;
  /** Client URLs, `http(s)://127.0.0.1:P`. */
  endpoints: string[];
  clientPort: number;
  peerPort: number;
  /** PID of the running etcd (changes on restart). */
  pid: number;
  dataDir: string;
  /** Stops etcd (SIGTERM, SIGKILL after a deadline) and removes its data dir. */
  stop(): Promise<void>;
  /** Stops etcd by PID and starts it again on the same data dir and ports. */
  restart(): Promise<void>;
  /** Stops etcd but keeps its data dir for a later start(). */
  kill(): Promise<void>;
  /** Starts a killed etcd again on the same data dir and ports. */
  start(): Promise<void>;
}

function onPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export function findEtcd(): string | undefined {
  // An ETCD_BIN that is not there means "no etcd", which is how to try a machine without it.
  if (process.env.ETCD_BIN) return isExecutable(process.env.ETCD_BIN) ? process.env.ETCD_BIN : undefined;
  return onPath('etcd') ?? (existsSync('/usr/bin/etcd') ? '/usr/bin/etcd' : undefined);
}

/** The etcd binary for a test, or undefined after skipping it; in CI a missing etcd fails. */
export function requireEtcd(t: TestContext): string | undefined {
  const bin = findEtcd();
  if (bin) return bin;
  if (process.env.CI === 'true') {
    throw new Error('etcd is required in CI: install the Debian package etcd-server (or set ETCD_BIN)');
  }
  t.skip('etcd not found: install Debian package etcd-server or set ETCD_BIN');
  return undefined;
}

/** Servers not yet stopped, for the exit hook. */
const running = new Set<{ dir: string; child?: ChildProcess }>();
let exitHook = false;

function killLeftovers(): void {
  for (const { dir, child } of running) {
    try {
      if (child?.pid !== undefined && child.exitCode === null && child.signalCode === null) process.kill(child.pid, 'SIGKILL');
    } catch {
      // already gone
    }
    rmSync(dir, { recursive: true, force: true });
  }
  running.clear();
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export async function startEtcd(options: StartEtcdOptions = {}): Promise<EtcdServer> {
  const bin = options.bin ?? findEtcd();
  if (!bin) throw new Error('etcd not found: install Debian package etcd-server or set ETCD_BIN');
  if (!exitHook) {
    process.on('exit', killLeftovers);
    exitHook = true;
  }
  const dir = await mkdtemp(path.join(os.tmpdir(), 'k8ts-etcd-'));
  const dataDir = path.join(dir, 'data');
  const entry: { dir: string; child?: ChildProcess } = { dir };
  running.add(entry);
  const scheme = options.tls ? 'https' : 'http';
  let child: ChildProcess | undefined;
  let clientPort = 0;
  let peerPort = 0;

  const launch = async (): Promise<void> => {
    const clientUrl = `${scheme}://127.0.0.1:${clientPort}`;
    const peerUrl = `http://127.0.0.1:${peerPort}`;
    const args = [
      '--name', 'default',
      '--data-dir', dataDir,
      '--listen-client-urls', clientUrl,
      '--advertise-client-urls', clientUrl,
      '--listen-peer-urls', peerUrl,
      '--initial-advertise-peer-urls', peerUrl,
      '--initial-cluster', `default=${peerUrl}`,
      '--logger', 'zap',
      '--log-outputs', 'stderr',
      '--log-level', 'error',
      ...(options.tls
        ? [
            '--cert-file', options.tls.cert,
            '--key-file', options.tls.key,
            ...(options.tls.ca ? ['--client-cert-auth', '--trusted-ca-file', options.tls.ca] : []),
          ]
        : []),
      ...(options.args ?? []),
    ];
    // setpriv (util-linux) makes the kernel kill etcd should this process die unannounced
    // (SIGKILL, a signal without handler), where the exit hook cannot run; it execs etcd,
    // so the PID is etcd's.
    const setpriv = onPath('setpriv');
    const proc = setpriv
      ? spawn(setpriv, ['--pdeathsig', 'KILL', bin, ...args], { stdio: ['ignore', 'ignore', 'pipe'] })
      : spawn(bin, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    entry.child = proc;
    let stderr = '';
    proc.stderr!.setEncoding('utf8');
    proc.stderr!.on('data', (chunk: string) => {
      stderr = (stderr + chunk).slice(-4000);
    });
    const exited = new Promise<never>((_, reject) => {
      proc.once('exit', (code, signal) => reject(new Error(`etcd exited (${signal ?? code}) before it was ready:\n${stderr}`)));
      proc.once('error', reject);
    });
    exited.catch(() => {});
    try {
      await Promise.race([waitHealthy(clientUrl, options, options.readyTimeoutMs ?? 60_000), exited]);
    } catch (err) {
      await terminate(proc);
      throw err;
    }
    child = proc;
  };

  const cleanup = async () => {
    await rm(dir, { recursive: true, force: true });
    running.delete(entry);
  };

  // Another process may take a port between our probe and etcd's bind: try fresh ones.
  for (let attempt = 1; ; attempt++) {
    clientPort = await freePort();
    peerPort = await freePort();
    if (peerPort === clientPort) continue;
    try {
      await launch();
      break;
    } catch (err) {
      await rm(dataDir, { recursive: true, force: true });
      const conflict = err instanceof Error && /address already in use/.test(err.message);
      if (!conflict || attempt >= 3) {
        await cleanup();
        throw err;
      }
    }
  }

  const kill = async () => {
    if (child) await terminate(child);
    child = undefined;
  };
  const server: EtcdServer = {
    url: `${options.tls ? 'etcds' : 'etcd'}://127.0.0.1:${clientPort}`,
    endpoints: [`${scheme}://127.0.0.1:${clientPort}`],
    clientPort,
    peerPort,
    pid: child!.pid!,
    dataDir,
    kill,
    async start() {
      if (child) return;
      await launch();
      server.pid = child!.pid!;
    },
    async restart() {
      await kill();
      await server.start();
    },
    async stop() {
      await kill();
      await cleanup();
    },
  };
  return server;
}

/** SIGTERM by PID, SIGKILL after 10 s; resolves once the process has exited. */
async function terminate(proc: ChildProcess): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  process.kill(proc.pid!, 'SIGTERM');
  const timer = setTimeout(() => {
    try {
      process.kill(proc.pid!, 'SIGKILL');
    } catch {
      // exited meanwhile
    }
  }, 10_000);
  await exited;
  clearTimeout(timer);
}

async function waitHealthy(clientUrl: string, options: StartEtcdOptions, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  // Under --client-cert-auth etcd wants a client certificate even for /health: the probe
  // presents the server's own, which therefore needs extendedKeyUsage clientAuth too.
  const tls = options.tls
    ? { cert: await readFile(options.tls.cert), key: await readFile(options.tls.key) }
    : undefined;
  for (;;) {
    if (await healthy(`${clientUrl}/health`, tls)) return;
    if (Date.now() > deadline) throw new Error(`etcd at ${clientUrl} not healthy after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function healthy(url: string, tls: { cert: Buffer; key: Buffer } | undefined): Promise<boolean> {
  return new Promise((resolve) => {
    const onResponse = (res: http.IncomingMessage) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve(res.statusCode === 200 && /"health"\s*:\s*"true"/.test(body)));
      res.on('error', () => resolve(false));
    };
    const req = tls
      ? https.get(url, { ...tls, agent: false, rejectUnauthorized: false }, onResponse)
      : http.get(url, { agent: false }, onResponse);
    req.setTimeout(1000, () => req.destroy());
    req.on('error', () => resolve(false));
  });
}
