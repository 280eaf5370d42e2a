// kube-proxy's health and metrics endpoint (upstream pkg/proxy/healthcheck/proxy_health.go plus
// the metrics server, here on one port). /healthz and /livez answer JSON
// {"lastUpdated", "currentTime"[, "nodeEligible"]} with 200 while healthy and 503 once a queued
// change has waited longer than the health timeout without a sync (healthy while starting up,
// as upstream); lastUpdated is the current time when healthy, as upstream reports it. /readyz
// says "ok" once the informers have synced and the first sync is done. /metrics is the
// Prometheus text. Times are RFC 3339 on the injected clock.

import type { IncomingMessage, ServerResponse } from 'node:http';
import { createHTTPServer, replyText, type HTTPServer } from '../component-base/http-server.ts';
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

export type ProxyHealthServer = HTTPServer;

export function createProxyHealthServer(options: ProxyHealthServerOptions): ProxyHealthServer {
  const { health, metrics, clock } = options;

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
    if (req.method !== 'GET' && req.method !== 'HEAD') return replyText(res, 405, 'method not allowed\n');
    switch (path) {
      case '/healthz':
        return state(res, 'proxyHealthzTotal', true);
      case '/livez':
        return state(res, 'proxyLivezTotal', false);
      case '/readyz':
        return options.ready() ? replyText(res, 200, 'ok') : replyText(res, 500, '[-]proxier-synced failed: reason withheld\nreadyz check failed\n');
      case '/metrics':
        res.writeHead(200, { 'Content-Type': textContentType });
        res.end(metrics.registry.render());
        return;
      default:
        replyText(res, 404, '404 page not found\n');
    }
  }

  return createHTTPServer({ address: options.bindAddress, port: options.port, handler: handle, closeAllConnections: true });
}
