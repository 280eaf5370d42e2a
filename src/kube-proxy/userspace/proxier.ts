// The userspace proxier: Services made real by sockets in this process, no root needed. For each
// TCP or UDP service port it listens on ClusterIP:port (served with the internal traffic
// policy's endpoints), on nodePortAddress:nodePort when the port has a node port, and on each
// external and load-balancer IP:port (both served with the external policy's endpoints).
// syncService(key, ...) is level-triggered and touches only that Service's listeners: it keeps
// those still wanted (their balancers get the new endpoints, affinities to endpoints still
// listed survive), closes the ones no longer wanted (connections in flight carry on, as
// conntrack keeps established flows) and opens new ones. A listener that cannot bind (address
// not local, port taken, privileged port) is logged and retried at the next sync of its Service.

import type { Logger } from '../../component-base/logging.ts';
import type { Clock } from '../../machinery/clock.ts';
import { endpointsFromSlices, endpointString, portKey, type Endpoint } from '../endpoints.ts';
import { RoundRobin } from '../load-balancer.ts';
import { servicePortKey, servicePortNameString, servicePortsOf, type ServicePortInfo } from '../service-port.ts';
import { categorizeEndpoints } from '../topology.ts';
import type { EndpointSlice, IPFamily, Service } from '../types.ts';
import type { ProxySocket } from './proxy-socket.ts';
import { TCPProxySocket } from './tcp-proxy.ts';
import { UDPProxySocket } from './udp-proxy.ts';

export interface ProxierOptions {
  nodeName: string;
  ipFamily: IPFamily;
  /** Where node ports listen (the node's address). */
  nodePortAddress: string;
  clock: Clock;
  log: Logger;
  /** Idle time after which a UDP client association ends (default 250 ms). */
  udpIdleTimeoutMs?: number;
  /** Dial timeouts of successive TCP attempts (default 250 ms, 500 ms, 1 s, 2 s). */
  dialTimeoutsMs?: readonly number[];
}

interface PortState {
  info: ServicePortInfo;
  /** Endpoints for ClusterIP traffic (internalTrafficPolicy). */
  internal: RoundRobin;
  /** Endpoints for node port, external and load-balancer IP traffic (externalTrafficPolicy). */
  external: RoundRobin;
}

interface WantedListener {
  protocol: 'TCP' | 'UDP';
  address: string;
  port: number;
  balancer: RoundRobin;
  name: string;
}

interface ServiceState {
  ports: Map<string, PortState>;
  /** Listeners by listenerKey, open ones only. */
  listeners: Map<string, ProxySocket>;
}

export function listenerKey(protocol: string, address: string, port: number): string {
  return `${protocol}/${address.includes(':') ? `[${address}]` : address}:${port}`;
}

const sameEndpoints = (a: readonly Endpoint[], b: readonly Endpoint[]) => a.length === b.length && a.every((e, i) => endpointString(e) === endpointString(b[i]));

export class Proxier {
  readonly #options: ProxierOptions;
  readonly #log: Logger;
  readonly #services = new Map<string, ServiceState>();
  /** Every open listener, by listenerKey, with the Service that owns it. */
  readonly #owners = new Map<string, string>();

  constructor(options: ProxierOptions) {
    this.#options = options;
    this.#log = options.log;
  }

  /** Service keys ("namespace/name") with any state. */
  serviceKeys(): string[] {
    return [...this.#services.keys()];
  }

  /** Open listeners as "PROTO/address:port" (for tests and logs). */
  listeners(): string[] {
    return [...this.#owners.keys()].sort();
  }

  /** Brings the listeners and endpoints of one Service in line with its objects. */
  async syncService(key: string, service: Service | undefined, slices: readonly EndpointSlice[]): Promise<void> {
    const { ipFamily, nodeName } = this.#options;
    const infos = service ? servicePortsOf(service, ipFamily) : [];
    let state = this.#services.get(key);
    if (!state) {
      if (infos.length === 0) return;
      state = { ports: new Map(), listeners: new Map() };
      this.#services.set(key, state);
    }
    const byPort = endpointsFromSlices(slices, { nodeName, ipFamily });
    const ports = new Map<string, PortState>();
    const wanted = new Map<string, WantedListener>();
    for (const info of infos) {
      const spKey = servicePortKey(info.name);
      const port = state.ports.get(spKey) ?? { info, internal: new RoundRobin(this.#options.clock), external: new RoundRobin(this.#options.clock) };
      port.info = info;
      ports.set(spKey, port);
      const endpoints = byPort.get(portKey(info.name.port, info.protocol)) ?? [];
      const { clusterEndpoints, localEndpoints } = categorizeEndpoints(endpoints, info);
      this.#setEndpoints(info, port.internal, (info.internalPolicyLocal ? localEndpoints : clusterEndpoints) ?? [], 'internal');
      this.#setEndpoints(info, port.external, (info.externalPolicyLocal ? localEndpoints : clusterEndpoints) ?? [], 'external');
      const name = servicePortNameString(info.name);
      const protocol = info.protocol as 'TCP' | 'UDP';
      const want = (address: string, portNumber: number, balancer: RoundRobin) => {
        wanted.set(listenerKey(protocol, address, portNumber), { protocol, address, port: portNumber, balancer, name });
      };
      want(info.clusterIP, info.port, port.internal);
      if (info.nodePort) want(this.#options.nodePortAddress, info.nodePort, port.external);
      for (const ip of [...info.externalIPs, ...info.loadBalancerIPs]) want(ip, info.port, port.external);
    }
    state.ports = ports;

    const closing: Promise<void>[] = [];
    for (const [lk, socket] of state.listeners) {
      const w = wanted.get(lk);
      if (w) {
        socket.balancer = w.balancer;
        continue;
      }
      state.listeners.delete(lk);
      this.#owners.delete(lk);
      this.#log.info('Closed proxy port', { service: key, listener: lk });
      closing.push(socket.close());
    }
    await Promise.all(closing);
    const opening: Promise<void>[] = [];
    for (const [lk, w] of wanted) {
      if (state.listeners.has(lk)) continue;
      const owner = this.#owners.get(lk);
      if (owner !== undefined) {
        this.#log.warn('Proxy port is already used by another service', { service: key, listener: lk, owner });
        continue;
      }
      opening.push(this.#open(key, state, lk, w));
    }
    await Promise.all(opening);
    if (state.ports.size === 0 && state.listeners.size === 0) this.#services.delete(key);
  }

  /** Closes every listener and every connection. */
  async close(): Promise<void> {
    const all: Promise<void>[] = [];
    for (const state of this.#services.values()) for (const socket of state.listeners.values()) all.push(socket.close({ dropConnections: true }));
    this.#services.clear();
    this.#owners.clear();
    await Promise.all(all);
  }

  #setEndpoints(info: ServicePortInfo, balancer: RoundRobin, endpoints: readonly Endpoint[], traffic: string): void {
    balancer.setStickyMaxAgeSeconds(info.stickyMaxAgeSeconds);
    if (sameEndpoints(balancer.endpoints, endpoints)) return;
    balancer.setEndpoints(endpoints);
    this.#log.debug('Setting endpoints for service port', { servicePort: `${servicePortNameString(info.name)}/${info.protocol}`, traffic, endpoints: endpoints.map(endpointString).join(',') });
  }

  async #open(key: string, state: ServiceState, lk: string, w: WantedListener): Promise<void> {
    const common = { address: w.address, port: w.port, balancer: w.balancer, clock: this.#options.clock, log: this.#log, name: w.name };
    const socket: ProxySocket =
      w.protocol === 'TCP' ? new TCPProxySocket({ ...common, dialTimeoutsMs: this.#options.dialTimeoutsMs }) : new UDPProxySocket({ ...common, idleTimeoutMs: this.#options.udpIdleTimeoutMs });
    this.#owners.set(lk, key);
    try {
      await socket.listen();
    } catch (err) {
      this.#owners.delete(lk);
      this.#log.warn('Failed to open proxy port', { service: key, servicePort: w.name, listener: lk, err });
      await socket.close();
      return;
    }
    state.listeners.set(lk, socket);
    this.#log.info('Opened proxy port', { service: key, servicePort: w.name, listener: lk });
  }
}
