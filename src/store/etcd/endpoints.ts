// Parses the etcd driver's URL and turns its endpoints into one gRPC target.
//
// `etcd://host[:port][,host[:port]...]` speaks plain HTTP/2, `etcds://...` TLS; the port
// defaults to 2379; `?ca=&cert=&key=` name PEM files for TLS. The target lists every
// endpoint so that one channel can fail over between members: IP literals go straight
// into an `ipv4:`/`ipv6:` target, a single host name into a `dns:` target (re-resolved by
// gRPC), and several host names are resolved once here.

import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';

export interface Endpoint {
  host: string;
  port: number;
}

export interface EtcdUrl {
  tls: boolean;
  endpoints: Endpoint[];
  /** TLS file paths from the query string. */
  ca?: string;
  cert?: string;
  key?: string;
}

const DEFAULT_PORT = 2379;

export function parseEtcdUrl(url: string): EtcdUrl {
  const match = /^(etcds?):\/\/([^/?#]*)[^?#]*(?:\?([^#]*))?/.exec(url);
  if (!match) throw new Error(`not an etcd URL (etcd://host:port or etcds://host:port): ${url}`);
  const [, scheme, authority, query] = match;
  const endpoints = authority.split(',').filter((s) => s !== '').map((s) => parseEndpoint(s, url));
  if (endpoints.length === 0) throw new Error(`etcd URL names no endpoint: ${url}`);
  const params = new URLSearchParams(query ?? '');
  return {
    tls: scheme === 'etcds',
    endpoints,
    ca: params.get('ca') ?? undefined,
    cert: params.get('cert') ?? undefined,
    key: params.get('key') ?? undefined,
  };
}

function parseEndpoint(s: string, url: string): Endpoint {
  const match = /^(?:\[([^\]]+)\]|([^:]+))(?::(\d+))?$/.exec(s);
  if (!match) throw new Error(`bad etcd endpoint "${s}" in ${url}`);
  const host = match[1] ?? match[2];
  if (match[1] !== undefined && isIP(host) !== 6) throw new Error(`bad IPv6 address "${host}" in ${url}`);
  const port = match[3] === undefined ? DEFAULT_PORT : Number(match[3]);
  if (!(port > 0 && port < 65536)) throw new Error(`bad port in etcd endpoint "${s}" of ${url}`);
  return { host, port };
}

function hostPort(e: Endpoint): string {
  return isIP(e.host) === 6 ? `[${e.host}]:${e.port}` : `${e.host}:${e.port}`;
}

/** The gRPC target naming every endpoint. */
export async function grpcTarget(endpoints: Endpoint[]): Promise<string> {
  if (endpoints.length === 1 && isIP(endpoints[0].host) === 0) return `dns:${hostPort(endpoints[0])}`;
  const resolved = await Promise.all(
    endpoints.map(async (e) => (isIP(e.host) ? e : { host: (await lookup(e.host)).address, port: e.port })),
  );
  if (resolved.every((e) => isIP(e.host) === 4)) return `ipv4:${resolved.map(hostPort).join(',')}`;
  // A mix of families: IPv4 addresses as IPv4-mapped IPv6 ones (dual-stack sockets).
  const v6 = resolved.map((e) => (isIP(e.host) === 4 ? { host: `::ffff:${e.host}`, port: e.port } : e));
  return `ipv6:${v6.map(hostPort).join(',')}`;
}
