// Test fixtures for the streaming protocols: a plain-HTTP stand-in for the API server that answers what
// kubectl asks before it streams (discovery, one Running pod "p" with container "c") and hands its
// exec/attach/portforward upgrades to this package, an executor that runs host processes, and a
// kubectl runner isolated in a temp dir. Everything started here is stopped by close().

import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { type IncomingMessage, type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import type { Duplex } from 'node:stream';
import type { StreamIO } from '../../runtime/runtime.ts';
import { rejectStreamingRequest, upgradeRequired } from './handshake.ts';
import { type PortForwarder, servePortForward } from './port-forward.ts';
import { type RemoteCommandRunner, remoteCommandOptionsFromQuery, serveRemoteCommand } from './remote-command.ts';

/** The kubectl binary for a version ("1.27"…"1.33"), beside the one on PATH. */
export function kubectlPath(version: string): string {
  const base = (process.env.PATH ?? '').split(delimiter).map((d) => join(d, 'kubectl')).find((p) => existsSync(p));
  if (!base) throw new Error('kubectl not found on PATH');
  const path = join(dirname(realpathSync(base)), `kubectl.${version}`);
  if (!existsSync(path)) throw new Error(`kubectl ${version} not found beside ${base}`);
  return path;
}

export const pod = {
  kind: 'Pod',
  apiVersion: 'v1',
  metadata: { name: 'p', namespace: 'default', uid: '6f1f7c4e-5a43-4c0a-9d7e-0c9f1c2b3a4d', resourceVersion: '1', creationTimestamp: '2024-01-01T00:00:00Z' },
  spec: { containers: [{ name: 'c', image: 'busybox', stdin: true }] },
  status: {
    phase: 'Running',
    containerStatuses: [{ name: 'c', ready: true, restartCount: 0, image: 'busybox', imageID: '', state: { running: { startedAt: '2024-01-01T00:00:00Z' } } }],
  },
};

const discovery: Record<string, unknown> = {
  '/api': { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: '127.0.0.1' }] },
  '/apis': { kind: 'APIGroupList', apiVersion: 'v1', groups: [] },
  '/api/v1': {
    kind: 'APIResourceList',
    groupVersion: 'v1',
    resources: [
      { name: 'pods', singularName: 'pod', namespaced: true, kind: 'Pod', verbs: ['get', 'list'], shortNames: ['po'] },
      { name: 'pods/attach', singularName: '', namespaced: true, kind: 'PodAttachOptions', verbs: ['create', 'get'] },
      { name: 'pods/exec', singularName: '', namespaced: true, kind: 'PodExecOptions', verbs: ['create', 'get'] },
      { name: 'pods/portforward', singularName: '', namespaced: true, kind: 'PodPortForwardOptions', verbs: ['create', 'get'] },
    ],
  },
};

export interface FakeApiServerOptions {
  /** The runner for an exec of `command`. */
  exec?: (command: string[]) => RemoteCommandRunner;
  attach?: RemoteCommandRunner;
  forward?: PortForwarder;
  /** Answers WebSocket upgrades with 400, so clients fall back to SPDY. */
  refuseWebSockets?: boolean;
}

export interface KubectlResult {
  code: number | null;
  stdout: Buffer;
  stderr: string;
}

export interface FakeApiServer {
  url: string;
  kubeconfig: string;
  /** A temp dir that close() removes. */
  dir: string;
  /** Upgrade requests seen, as "METHOD path" with the negotiated kind (websocket or spdy). */
  upgrades: string[];
  kubectl(version: string, args: string[], options?: { input?: Buffer | string; env?: Record<string, string> }): Promise<KubectlResult>;
  /** Starts a long-running kubectl (port-forward); close() kills it if still running. */
  spawnKubectl(version: string, args: string[], env?: Record<string, string>): ChildProcess;
  close(): Promise<void>;
}

export async function startFakeApiServer(options: FakeApiServerOptions): Promise<FakeApiServer> {
  const dir = mkdtempSync(join(tmpdir(), 'k8ts-streaming-'));
  const sockets = new Set<Duplex>();
  const serving = new Set<Promise<void>>();
  const children = new Set<ChildProcess>();
  const upgrades: string[] = [];

  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const body = discovery[path] ?? (path === '/api/v1/namespaces/default/pods/p' ? pod : undefined);
    if (body) {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(body));
    } else if (/\/pods\/p\/(exec|attach|portforward)$/.test(path)) {
      rejectStreamingRequest(res, upgradeRequired());
    } else {
      res.writeHead(404, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'the server could not find the requested resource', reason: 'NotFound', code: 404 }));
    }
  });
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    const url = new URL(req.url ?? '/', 'http://localhost');
    const kind = (req.headers.upgrade ?? '').toLowerCase() === 'websocket' ? 'websocket' : 'spdy';
    upgrades.push(`${req.method} ${url.pathname} ${kind}`);
    if (kind === 'websocket' && options.refuseWebSockets) {
      socket.end('HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
      return;
    }
    const sub = url.pathname.match(/^\/api\/v1\/namespaces\/default\/pods\/p\/(exec|attach|portforward)$/)?.[1];
    let done: Promise<void>;
    if (sub === 'exec' && options.exec) {
      const { command, container: _container, ...flags } = remoteCommandOptionsFromQuery(url.searchParams);
      done = serveRemoteCommand(req, socket, head, { ...flags, command }, options.exec(command));
    } else if (sub === 'attach' && options.attach) {
      const { command: _command, container: _container, ...flags } = remoteCommandOptionsFromQuery(url.searchParams);
      done = serveRemoteCommand(req, socket, head, { ...flags, operation: 'attach' }, options.attach);
    } else if (sub === 'portforward' && options.forward) {
      done = servePortForward(req, socket, head, options.forward, { pod: 'p', uid: pod.metadata.uid });
    } else {
      socket.end('HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
      return;
    }
    const tracked = done.catch(() => undefined).finally(() => serving.delete(tracked));
    serving.add(tracked);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const kubeconfig = join(dir, 'kubeconfig');
  writeFileSync(
    kubeconfig,
    [
      'apiVersion: v1',
      'kind: Config',
      'clusters:',
      '- name: fake',
      '  cluster:',
      `    server: ${url}`,
      'contexts:',
      '- name: fake',
      '  context: {cluster: fake, user: nobody, namespace: default}',
      'users:',
      '- name: nobody',
      '  user: {}',
      'current-context: fake',
      '',
    ].join('\n'),
  );

  const spawnKubectl = (version: string, args: string[], env: Record<string, string> = {}): ChildProcess => {
    const child = spawn(kubectlPath(version), ['--kubeconfig', kubeconfig, ...args], {
      env: { PATH: process.env.PATH ?? '', HOME: dir, KUBECACHEDIR: join(dir, 'cache'), ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    children.add(child);
    child.on('exit', () => children.delete(child));
    return child;
  };

  return {
    url,
    kubeconfig,
    dir,
    upgrades,
    spawnKubectl,
    kubectl(version, args, { input, env } = {}) {
      return new Promise((resolve, reject) => {
        const child = spawnKubectl(version, args, env);
        const out: Buffer[] = [];
        const err: Buffer[] = [];
        child.stdout?.on('data', (c: Buffer) => out.push(c));
        child.stderr?.on('data', (c: Buffer) => err.push(c));
        child.on('error', reject);
        child.on('close', (code) => resolve({ code, stdout: Buffer.concat(out), stderr: Buffer.concat(err).toString() }));
        child.stdin?.on('error', () => undefined);
        child.stdin?.end(input);
      });
    },
    async close() {
      for (const child of children) child.kill('SIGKILL');
      await new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await Promise.all(serving);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Runs `command` as a host process (in `cwd`) wired to the session's streams; a tty merges stderr. */
export function hostExec(command: string[], cwd?: string): RemoteCommandRunner {
  return (io: StreamIO, signal: AbortSignal) =>
    new Promise<number>((resolve, reject) => {
      const child = spawn(command[0], command.slice(1), { cwd, stdio: 'pipe' });
      const onAbort = (): void => {
        child.kill('SIGKILL');
      };
      signal.addEventListener('abort', onAbort, { once: true });
      child.on('error', (err) => {
        signal.removeEventListener('abort', onAbort);
        reject(err);
      });
      child.stdin.on('error', () => undefined);
      if (io.stdin) io.stdin.pipe(child.stdin);
      else child.stdin.end();
      if (io.stdout) child.stdout.pipe(io.stdout, { end: false });
      else child.stdout.resume();
      const errTarget = io.tty ? io.stdout : io.stderr;
      if (errTarget) child.stderr.pipe(errTarget, { end: false });
      else child.stderr.resume();
      child.on('close', (code, sig) => {
        signal.removeEventListener('abort', onAbort);
        io.stdin?.unpipe(child.stdin);
        resolve(code ?? (sig ? 128 + 9 : 1));
      });
    });
}
