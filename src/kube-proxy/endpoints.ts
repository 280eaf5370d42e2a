// Endpoint tracking: the endpoints of one Service, merged from all its EndpointSlices (upstream
// pkg/proxy/endpointslicecache.go). Guarantees: only slices of the proxier's address type count;
// an endpoint is its first address plus the slice port's number, deduplicated across slices (a
// local copy wins); conditions default as upstream (ready and serving unless false, terminating
// only if true); endpoints are grouped by (port name, protocol) and sorted, so equal inputs give
// equal outputs whatever the slice order.

import { lastChangeTriggerTimeAnnotation, type EndpointSlice, type IPFamily, type Protocol } from './types.ts';
import { ipFamilyOf } from './service-port.ts';

export interface Endpoint {
  ip: string;
  port: number;
  nodeName: string;
  zone: string;
  /** On this proxy's node. */
  isLocal: boolean;
  ready: boolean;
  serving: boolean;
  terminating: boolean;
}

export function endpointString(e: Pick<Endpoint, 'ip' | 'port'>): string {
  return e.ip.includes(':') ? `[${e.ip}]:${e.port}` : `${e.ip}:${e.port}`;
}

/** Key of a slice port, to match a Service port: "name/protocol". */
export function portKey(portName: string, protocol: Protocol): string {
  return `${portName}/${protocol}`;
}

export interface EndpointsOptions {
  /** This proxy's node: endpoints with this nodeName are local. */
  nodeName: string;
  ipFamily: IPFamily;
}

/** The endpoints of a Service by portKey, from all its slices. */
export function endpointsFromSlices(slices: readonly EndpointSlice[], options: EndpointsOptions): Map<string, Endpoint[]> {
  const byPort = new Map<string, Map<string, Endpoint>>();
  for (const slice of slices) {
    if (slice.addressType !== options.ipFamily) continue;
    for (const port of slice.ports ?? []) {
      if (port.name === null || port.name === undefined || !port.port) continue;
      const key = portKey(port.name, port.protocol ?? 'TCP');
      let set = byPort.get(key);
      if (!set) byPort.set(key, (set = new Map()));
      for (const ep of slice.endpoints ?? []) {
        const ip = ep.addresses?.[0];
        if (!ip || ipFamilyOf(ip) !== options.ipFamily) continue;
        const isLocal = options.nodeName !== '' && ep.nodeName === options.nodeName;
        const endpoint: Endpoint = {
          ip,
          port: port.port,
          nodeName: ep.nodeName ?? '',
          zone: ep.zone ?? '',
          isLocal,
          ready: ep.conditions?.ready !== false,
          serving: ep.conditions?.serving !== false,
          terminating: ep.conditions?.terminating === true,
        };
        const id = endpointString(endpoint);
        if (!set.has(id) || isLocal) set.set(id, endpoint);
      }
    }
  }
  const out = new Map<string, Endpoint[]>();
  for (const [key, set] of byPort) {
    if (set.size === 0) continue;
    out.set(key, [...set.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, e]) => e));
  }
  return out;
}

/** The slice's last-change-trigger-time in ms, or undefined when absent or unparsable. */
export function lastChangeTriggerTime(slice: EndpointSlice): number | undefined {
  const value = slice.metadata.annotations?.[lastChangeTriggerTimeAnnotation];
  if (!value) return undefined;
  const t = Date.parse(value);
  return Number.isNaN(t) ? undefined : t;
}
