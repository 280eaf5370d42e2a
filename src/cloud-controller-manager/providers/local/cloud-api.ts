// The local cloud's own API, what a cloud console is to a real cloud: JSON over HTTP on its own
// address (127.0.0.1 by default), for operators and tests.
//   GET    /instances                   {"items": [instance...]}
//   GET    /instances/<name>            one instance (404 when unknown)
//   POST   /instances/<name>/stop       shut the instance down (it counts as shut down until started)
//   POST   /instances/<name>/start      start it again
//   DELETE /instances/<name>            remove it: a NotReady node of it is then deleted from the cluster
//   GET    /loadbalancers               {"items": [load balancer with its listeners and backends...]}
// An instance is {"name", "providerID", "state": "running"|"stopped"|"terminated", "nodeUID",
// "addresses", "kubeletPort", "instanceType", "zone", "region"}. Errors are {"error": message}
// with 404 (unknown instance or path), 405 (method) or 409 (a removed instance cannot be started
// or stopped). Port 0 picks a free port.

import type { IncomingMessage, ServerResponse } from 'node:http';
import { createHTTPServer } from '../../../component-base/http-server.ts';
import type { LocalInstances } from './instances.ts';
import type { LocalLoadBalancers } from './load-balancers.ts';

export interface CloudAPIOptions {
  address: string;
  port: number;
  instances: LocalInstances;
  loadBalancers: LocalLoadBalancers;
}

export interface CloudAPI {
  start(): Promise<void>;
  /** http://address:port once started. */
  readonly url: string;
  close(): Promise<void>;
}

function reply(res: ServerResponse, code: number, body: unknown): void {
  const text = `${JSON.stringify(body)}\n`;
  res.writeHead(code, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

export function createCloudAPI(options: CloudAPIOptions): CloudAPI {
  const { instances, loadBalancers } = options;

  function handle(req: IncomingMessage, res: ServerResponse): void {
    req.resume();
    const path = new URL(req.url ?? '/', 'http://cloud').pathname.split('/').filter(Boolean).map(decodeURIComponent);
    const method = req.method ?? 'GET';
    const allow = (...methods: string[]) => methods.includes(method) || (reply(res, 405, { error: `method ${method} not allowed` }), false);
    if (path[0] === 'loadbalancers' && path.length === 1) {
      if (allow('GET')) reply(res, 200, { items: loadBalancers.list() });
      return;
    }
    if (path[0] !== 'instances' || path.length > 3) return reply(res, 404, { error: 'not found' });
    if (path.length === 1) {
      if (allow('GET')) reply(res, 200, { items: instances.list() });
      return;
    }
    const name = path[1];
    const found = () => instances.get(name) ?? (reply(res, 404, { error: `instance ${name} not found` }), undefined);
    if (path.length === 2) {
      if (!allow('GET', 'DELETE')) return;
      const instance = found();
      if (!instance) return;
      if (method === 'DELETE') instances.setState(name, 'terminated');
      return reply(res, 200, instance);
    }
    const action = path[2];
    if (action !== 'stop' && action !== 'start') return reply(res, 404, { error: 'not found' });
    if (!allow('POST')) return;
    const instance = found();
    if (!instance) return;
    if (!instances.setState(name, action === 'stop' ? 'stopped' : 'running')) return reply(res, 409, { error: `instance ${name} was removed` });
    reply(res, 200, instance);
  }

  const server = createHTTPServer({ address: options.address, port: options.port, handler: handle, closeAllConnections: true });
  return {
    start: () => server.start(),
    get url() {
      return server.port === 0 ? '' : server.url;
    },
    close: () => server.close(),
  };
}
