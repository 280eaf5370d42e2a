// The kubelet's own HTTPS server (upstream port 10250), which the API server proxies pods/log,
// pods/exec, pods/attach and pods/portforward to:
//   GET  /healthz                                  ok
//   GET  /metrics                                  Prometheus text
//   GET  /pods                                     the pods this kubelet runs (PodList)
//   GET  /stats/summary                            node and pod summary (cpu/memory of this host)
//   GET  /containerLogs/{ns}/{pod}/{container}     follow, previous, tailLines, timestamps, sinceSeconds, sinceTime, limitBytes
//   *    /exec/{ns}/{pod}/{container}?command=...&input=1&output=1&error=1&tty=1   (upgrade: WebSocket or SPDY)
//   *    /attach/{ns}/{pod}/{container}?input=1&output=1&error=1&tty=1
//   *    /portForward/{ns}/{pod}
// Every path but /healthz needs a client certificate signed by clientCA (when one is configured),
// as upstream's x509 authentication of the kubelet API.

import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import type { TLSSocket } from 'node:tls';
import type { Registry } from '../../component-base/metrics.ts';
import { textContentType } from '../../component-base/metrics.ts';
import { readContainerLog } from '../container-logs.ts';
import type { StreamIO } from '../runtime/runtime.ts';
import type { Pod } from '../types.ts';
import { servePortForward } from './streaming/port-forward.ts';
import { serveRemoteCommand } from './streaming/remote-command.ts';

/** A container the server may stream from, as the kubelet resolves it. */
export interface ContainerTarget {
  pod: Pod;
  containerName: string;
  containerId: string;
  running: boolean;
  logPath: string;
}

export interface KubeletServerHost {
  pods(): Pod[];
  /** The newest (or, with previous, the one before) instance of a container; undefined: not found. */
  container(namespace: string, podName: string, containerName: string | undefined, previous: boolean): Promise<ContainerTarget | undefined>;
  /** The sandbox id of a pod, for port-forward. */
  sandbox(namespace: string, podName: string): Promise<string | undefined>;
  isRunning(containerId: string): Promise<boolean>;
  exec(containerId: string, cmd: string[], io: StreamIO): Promise<number>;
  attach(containerId: string, io: StreamIO): Promise<void>;
  portForward(sandboxId: string, port: number): Promise<Duplex>;
  summary(): Promise<unknown>;
}

export interface KubeletServerOptions {
  bindAddress: string;
  /** 0 picks a free one. */
  port: number;
  certPem: string;
  keyPem: string;
  /** CA whose client certificates may use the API; undefined: any client (tests only). */
  clientCaPem?: string;
  registry?: Registry;
  host: KubeletServerHost;
  log?: (message: string, fields?: Record<string, unknown>) => void;
}

export interface KubeletServer {
  start(): Promise<void>;
  readonly port: number;
  close(): Promise<void>;
}

function status(res: ServerResponse, code: number, reason: string, message: string): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  res.writeHead(code, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code }));
}

function rejectUpgrade(socket: Duplex, code: number, message: string): void {
  const body = JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason: code === 404 ? 'NotFound' : code === 401 ? 'Unauthorized' : 'BadRequest', code });
  socket.end(`HTTP/1.1 ${code} ${code === 404 ? 'Not Found' : code === 401 ? 'Unauthorized' : 'Bad Request'}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`);
}

function flag(q: URLSearchParams, name: string): boolean {
  const v = q.get(name);
  return v !== null && v !== '' && v !== '0' && v !== 'false';
}

export function createKubeletServer(options: KubeletServerOptions): KubeletServer {
  let server: Server | undefined;
  let port = 0;
  const host = options.host;
  const sockets = new Set<Duplex>();

  const authorized = (socket: TLSSocket) => !options.clientCaPem || socket.authorized;

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'https://kubelet');
    const parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
    if (url.pathname === '/healthz') {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('ok');
      return;
    }
    if (!authorized(req.socket as TLSSocket)) return status(res, 401, 'Unauthorized', 'Unauthorized');
    if (url.pathname === '/metrics') {
      res.writeHead(200, { 'content-type': textContentType });
      res.end(options.registry?.render() ?? '');
      return;
    }
    if (url.pathname === '/pods') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ kind: 'PodList', apiVersion: 'v1', metadata: {}, items: host.pods() }));
      return;
    }
    if (url.pathname === '/stats/summary') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(await host.summary()));
      return;
    }
    if (parts[0] === 'containerLogs' && parts.length >= 3 && parts.length <= 4) {
      const q = url.searchParams;
      const previous = flag(q, 'previous');
      const target = await host.container(parts[1], parts[2], parts[3], previous);
      if (!target) {
        return status(res, 404, 'NotFound', previous ? `previous terminated container "${parts[3] ?? ''}" in pod "${parts[2]}" not found` : `container "${parts[3] ?? ''}" in pod "${parts[2]}" not found`);
      }
      const num = (name: string) => (q.get(name) !== null && q.get(name) !== '' ? Number(q.get(name)) : undefined);
      const sinceSeconds = num('sinceSeconds');
      const sinceTime = q.get('sinceTime');
      res.writeHead(200, { 'content-type': 'text/plain', 'transfer-encoding': 'chunked' });
      const abort = new AbortController();
      res.on('close', () => abort.abort());
      await readContainerLog(target.logPath, res, {
        follow: flag(q, 'follow') && !previous,
        tailLines: num('tailLines'),
        timestamps: flag(q, 'timestamps'),
        limitBytes: num('limitBytes'),
        sinceMs: sinceSeconds !== undefined ? Date.now() - sinceSeconds * 1000 : sinceTime ? Date.parse(sinceTime) : undefined,
        running: () => host.isRunning(target.containerId),
        signal: abort.signal,
      });
      res.end();
      return;
    }
    return status(res, 404, 'NotFound', `the server could not find the requested resource (${url.pathname})`);
  }

  async function upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const url = new URL(req.url ?? '/', 'https://kubelet');
    const parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
    if (!authorized(socket as TLSSocket)) return rejectUpgrade(socket, 401, 'Unauthorized');
    const q = url.searchParams;
    if ((parts[0] === 'exec' || parts[0] === 'attach') && parts.length >= 3 && parts.length <= 4) {
      const target = await host.container(parts[1], parts[2], parts[3], false);
      if (!target) return rejectUpgrade(socket, 404, `container "${parts[3] ?? ''}" in pod "${parts[2]}" not found`);
      if (!target.running) return rejectUpgrade(socket, 400, `container ${target.containerName} is not running`);
      const command = q.getAll('command');
      if (parts[0] === 'exec' && command.length === 0) return rejectUpgrade(socket, 400, 'you must specify at least 1 command');
      const streams = { stdin: flag(q, 'input') || flag(q, 'stdin'), stdout: flag(q, 'output') || flag(q, 'stdout'), stderr: flag(q, 'error') || flag(q, 'stderr'), tty: flag(q, 'tty') };
      await serveRemoteCommand(req, socket, head, streams, async (io) => {
        if (parts[0] === 'exec') return host.exec(target.containerId, command, io);
        await host.attach(target.containerId, io);
        return 0;
      });
      return;
    }
    if (parts[0] === 'portForward' && parts.length === 3) {
      const sandbox = await host.sandbox(parts[1], parts[2]);
      if (!sandbox) return rejectUpgrade(socket, 404, `pod "${parts[2]}" not found`);
      await servePortForward(req, socket, head, (p) => host.portForward(sandbox, p));
      return;
    }
    rejectUpgrade(socket, 404, `the server could not find the requested resource (${url.pathname})`);
  }

  return {
    get port() {
      return port;
    },
    async start() {
      server = createServer(
        { cert: options.certPem, key: options.keyPem, requestCert: true, rejectUnauthorized: false, ...(options.clientCaPem ? { ca: options.clientCaPem } : {}) },
        (req, res) => {
          handle(req, res).catch((err: unknown) => {
            options.log?.('kubelet server request failed', { path: req.url, err: String(err) });
            status(res, 500, 'InternalError', String(err));
          });
        },
      );
      server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
        sockets.add(socket);
        socket.on('close', () => sockets.delete(socket));
        socket.on('error', () => undefined);
        upgrade(req, socket, head).catch((err: unknown) => {
          options.log?.('kubelet streaming request failed', { path: req.url, err: String(err) });
          socket.destroy();
        });
      });
      server.on('connection', (s: Duplex) => {
        sockets.add(s);
        s.on('close', () => sockets.delete(s));
      });
      await new Promise<void>((resolve, reject) => {
        server!.once('error', reject);
        server!.listen(options.port, options.bindAddress, () => resolve());
      });
      port = (server.address() as AddressInfo).port;
    },
    async close() {
      if (!server) return;
      const s = server;
      server = undefined;
      const closed = new Promise<void>((resolve) => s.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      s.closeAllConnections();
      await closed;
    },
  };
}
