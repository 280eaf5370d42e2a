// kube-proxy's health and metrics endpoint (upstream pkg/proxy/healthcheck/proxy_health.go plus
// the metrics server, here on one port). /healthz and /livez answer JSON
// {"lastUpdated", "currentTime"[, "nodeEligible"]} with 200 while healthy and 503 once a queued
// change has waited longer than the health timeout without a sync (healthy while starting up,
// as upstream); lastUpdated is the current time when healthy, as upstream reports it. /readyz
// says "ok" once the informers have synced and the first sync is done. /metrics is the
// Prometheus text. Times are RFC 3339 on the injected clock.

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { textContentType } from '../component-base/metrics.ts';
import type { Clock } from '../machinery/clock.ts';
import type { ProxyMetrics } from './metrics.ts';

/** The proxier's side of health: QueuedUpdate and Updated, as upstream's ProxyHealthServer. */
export class ProxyHealth {
  readonly #clock: Clock;
  readonly #timeoutMs: number;
  #lastUpdated: number | undefined;
  #oldestPendingQueued: number | undefined;

  constructor(clock: Clock, healthTimeoutMs: number) {
    this.#clock = clock;
    this.#timeoutMs = healthTimeoutMs;
  }

  /** A change arrived that a sync has not applied yet. */
  queuedUpdate(): void {
    this.#oldestPendingQueued ??= this.#clock.now();
  }

  /** A sync applied everything queued before it started. */
  updated(): void {
    this.#oldestPendingQueued = undefined;
    this.#lastUpdated = this.#clock.now();
  }

  get lastUpdated(): number | undefined {
    return this.#lastUpdated;
  }

  isHealthy(): boolean {
    if (this.#lastUpdated === undefined || this.#oldestPendingQueued === undefined) return true;
    return this.#clock.now() - this.#oldestPendingQueued < this.#timeoutMs;
  }
}

export interface ProxyHealthServerOptions {
  bindAddress: string;
  /** 0 picks a free one. */
  port: number;
  health: ProxyHealth;
  metrics: ProxyMetrics;
  clock: Clock;
  ready: () => boolean;
}

export interface ProxyHealthServer {
  start(): Promise<void>;
  readonly port: number;
  readonly url: string;
  close(): Promise<void>;
}

export function createProxyHealthServer(options: ProxyHealthServerOptions): ProxyHealthServer {
  const { health, metrics, clock } = options;
  let server: Server | undefined;
  let port = 0;

  function state(res: ServerResponse, counter: 'proxyHealthzTotal' | 'proxyLivezTotal', withNode: boolean): void {
    const healthy = health.isHealthy();
    const now = clock.now();
    const lastUpdated = healthy ? now : (health.lastUpdated ?? 0);
    const code = healthy ? 200 : 503;
    metrics[counter].inc({ code: String(code) });
    const body: Record<string, unknown> = { lastUpdated: new Date(lastUpdated).toISOString(), currentTime: new Date(now).toISOString() };
    if (withNode) body.nodeEligible = true;
    res.writeHead(code, { 'Content-Type': 'application/json', 'X-Content-Type-Options': 'nosniff' });
    res.end(JSON.stringify(body));
  }

  function handle(req: IncomingMessage, res: ServerResponse): void {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (req.method !== 'GET' && req.method !== 'HEAD') return text(res, 405, 'method not allowed\n');
    switch (path) {
      case '/healthz':
        return state(res, 'proxyHealthzTotal', true);
      case '/livez':
        return state(res, 'proxyLivezTotal', false);
      case '/readyz':
        return options.ready() ? text(res, 200, 'ok') : text(res, 500, '[-]proxier-synced failed: reason withheld\nreadyz check failed\n');
      case '/metrics':
        res.writeHead(200, { 'Content-Type': textContentType });
        res.end(metrics.registry.render());
        return;
      default:
        text(res, 404, '404 page not found\n');
    }
  }

  return {
    async start() {
      if (server) return;
      const s = createServer(handle);
      server = s;
      await new Promise<void>((resolve, reject) => {
        s.once('error', reject);
        s.listen(options.port, options.bindAddress, () => {
          s.off('error', reject);
          resolve();
        });
      });
      port = (s.address() as AddressInfo).port;
    },
    get port() {
      return port;
    },
    get url() {
      const host = options.bindAddress.includes(':') ? `[${options.bindAddress}]` : options.bindAddress;
      return `http://${host}:${port}`;
    },
    async close() {
      const s = server;
      if (!s) return;
      server = undefined;
      await new Promise<void>((resolve) => {
        s.close(() => resolve());
        s.closeAllConnections();
      });
    },
  };
}

function text(res: ServerResponse, code: number, body: string): void {
  res.writeHead(code, { 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff' });
  res.end(body);
}
