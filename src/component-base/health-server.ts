// The HTTP endpoint every long-running component serves: /healthz, /livez and /readyz (each a
// list of named checks, as upstream's healthz package: 200 "ok" when all pass, 500 listing
// "[-]name failed" otherwise; ?verbose lists every check; /<endpoint>/<check> runs one) and
// /metrics in the Prometheus text format. Port 0 picks a free port; `port` reports the one bound.
// close() stops accepting and ends idle keep-alive connections.

import type { IncomingMessage, ServerResponse } from 'node:http';
import { createHTTPServer, replyText } from './http-server.ts';
import { textContentType, type Registry } from './metrics.ts';

/** A check passes by returning (or resolving) nothing/true; a string or false or a throw fails it. */
export type Check = () => void | boolean | string | Promise<void | boolean | string>;

export type Endpoint = 'healthz' | 'livez' | 'readyz';

export interface HealthServerOptions {
  bindAddress?: string;
  /** 0 picks a free one. */
  port: number;
  registry?: Registry;
  /** Checks per endpoint; "ping" (always ok) is added to each. */
  checks?: Partial<Record<Endpoint, Record<string, Check>>>;
}

export interface HealthServer {
  start(): Promise<void>;
  /** The bound port, once started. */
  readonly port: number;
  readonly url: string;
  /** Adds (or replaces) a check after creation, e.g. once leader election is configured. */
  addCheck(endpoint: Endpoint, name: string, check: Check): void;
  close(): Promise<void>;
}

async function runCheck(check: Check): Promise<string | undefined> {
  try {
    const r = await check();
    if (r === false) return 'check failed';
    if (typeof r === 'string') return r;
    return undefined;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
}

export function createHealthServer(options: HealthServerOptions): HealthServer {
  const checks: Record<Endpoint, Map<string, Check>> = { healthz: new Map(), livez: new Map(), readyz: new Map() };
  for (const endpoint of Object.keys(checks) as Endpoint[]) {
    checks[endpoint].set('ping', () => undefined);
    for (const [name, check] of Object.entries(options.checks?.[endpoint] ?? {})) checks[endpoint].set(name, check);
  }

  async function serveChecks(endpoint: Endpoint, only: string | undefined, verbose: boolean, res: ServerResponse): Promise<void> {
    const selected = only === undefined ? [...checks[endpoint]] : checks[endpoint].has(only) ? [[only, checks[endpoint].get(only)!] as const] : [];
    if (only !== undefined && selected.length === 0) return replyText(res, 404, '404 page not found\n');
    const results = await Promise.all(selected.map(async ([name, check]) => ({ name, failure: await runCheck(check) })));
    const failed = results.some((r) => r.failure !== undefined);
    if (!failed && !verbose) return replyText(res, 200, 'ok');
    const lines = results.map((r) => (r.failure === undefined ? `[+]${r.name} ok` : `[-]${r.name} failed: reason withheld`));
    lines.push(failed ? `${endpoint} check failed` : `${endpoint} check passed`);
    replyText(res, failed ? 500 : 200, `${lines.join('\n')}\n`);
  }

  function handle(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (req.method !== 'GET' && req.method !== 'HEAD') return replyText(res, 405, 'method not allowed\n');
    const [, first, second, ...rest] = url.pathname.split('/');
    if (first === 'metrics' && second === undefined) {
      res.writeHead(200, { 'Content-Type': textContentType });
      res.end(options.registry?.render() ?? '');
      return;
    }
    if ((first === 'healthz' || first === 'livez' || first === 'readyz') && rest.length === 0) {
      void serveChecks(first, second === undefined || second === '' ? undefined : second, url.searchParams.has('verbose'), res).catch(() => replyText(res, 500, 'internal error\n'));
      return;
    }
    replyText(res, 404, '404 page not found\n');
  }

  const server = createHTTPServer({ address: options.bindAddress ?? '127.0.0.1', port: options.port, handler: handle });
  return {
    start: () => server.start(),
    get port() {
      return server.port;
    },
    get url() {
      return server.url;
    },
    addCheck(endpoint, name, check) {
      checks[endpoint].set(name, check);
    },
    close: () => server.close(),
  };
}
