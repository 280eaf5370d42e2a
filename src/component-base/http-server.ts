// The small HTTP servers components run beside their main work (health, metrics, a local API):
// start() binds the address and port (0 picks a free one) and reports the port and URL it bound;
// close() stops accepting and ends idle keep-alive connections, or every connection when asked
// to, and resolves once the server is closed. Starting twice or closing an unstarted server does
// nothing. Also the plain-text reply such endpoints answer with.

import { createServer, type RequestListener, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface HTTPServerOptions {
  address: string;
  /** 0 picks a free one. */
  port: number;
  handler: RequestListener;
  /** close() also ends connections with a request in flight (default: only idle ones). */
  closeAllConnections?: boolean;
}

export interface HTTPServer {
  /** Binds; rejects with the bind error. */
  start(): Promise<void>;
  /** The bound port, once started. */
  readonly port: number;
  /** http://address:port (the address bracketed when IPv6). */
  readonly url: string;
  close(): Promise<void>;
}

export function createHTTPServer(options: HTTPServerOptions): HTTPServer {
  const { address } = options;
  let server: Server | undefined;
  let port = 0;
  return {
    async start() {
      if (server) return;
      const s = createServer(options.handler);
      server = s;
      await new Promise<void>((resolve, reject) => {
        s.once('error', reject);
        s.listen(options.port, address, () => {
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
      return `http://${address.includes(':') ? `[${address}]` : address}:${port}`;
    },
    async close() {
      const s = server;
      if (!s) return;
      server = undefined;
      await new Promise<void>((resolve) => {
        s.close(() => resolve());
        if (options.closeAllConnections) s.closeAllConnections();
        else s.closeIdleConnections();
      });
    },
  };
}

/** A plain-text answer, as upstream's health and error pages. */
export function replyText(res: ServerResponse, code: number, body: string): void {
  res.writeHead(code, { 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff' });
  res.end(body);
}
