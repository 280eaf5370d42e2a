// The local cloud's load balancers: real TCP and UDP listeners in this process. A Service's load
// balancer gets one address from the pool (its spec.loadBalancerIP when given, else the address it
// had before, so restarts keep it, else the lowest free one) and one listener per service port on
// <address>:<port>, spreading connections round-robin over the NodePorts of its backend nodes
// (<InternalIP>:<nodePort>, ExternalIP when a node has no InternalIP). A backend is used when its
// node is Ready, its health check has not failed (see health-checker.ts) and, for
// externalTrafficPolicy Local, the node runs a ready endpoint of the Service (what upstream's
// healthCheckNodePort tells a cloud). loadBalancerSourceRanges are enforced. The status names the
// address with ipMode Proxy: traffic must go through the load balancer. Deleting closes the
// listeners, ends their connections and frees the address.

import { platform } from 'node:os';
import { metaNamespaceKey, splitMetaNamespaceKey } from '../../../client/indexer.ts';
import type { Lister } from '../../../client/lister.ts';
import type { Logger } from '../../../component-base/logging.ts';
import type { Clock } from '../../../machinery/clock.ts';
import { cidrContains } from '../../cidr.ts';
import { defaultLoadBalancerName, type LoadBalancer } from '../../cloudprovider/cloud.ts';
import { labelServiceName } from '../../cloudprovider/well-known.ts';
import { nodeAddress, readyStatus, type EndpointSlice, type LoadBalancerStatus, type Node, type Service } from '../../types.ts';
import type { AddressPool } from './address-pool.ts';
import type { HealthChecker, Target } from './health-checker.ts';
import { createListener, type Balancer, type Listener } from './listener.ts';

export interface LoadBalancersOptions {
  pool: AddressPool;
  health: HealthChecker;
  clock: Clock;
  log: Logger;
  /** The cloud's live view of nodes, when it has one (otherwise the node objects last given are used). */
  nodes?: () => Lister<Node> | undefined;
  /** EndpointSlices, for externalTrafficPolicy Local. */
  endpointSlices?: () => Lister<EndpointSlice> | undefined;
  udpIdleTimeoutMs?: number;
}

interface PortState {
  protocol: 'TCP' | 'UDP';
  port: number;
  nodePort: number;
  listener: Listener;
  next: number;
}

interface LocalLoadBalancer {
  name: string;
  service: string;
  address: string;
  externalLocal: boolean;
  sourceRanges: string[];
  nodes: Node[];
  ports: Map<string, PortState>;
}

export interface LoadBalancerView {
  name: string;
  service: string;
  address: string;
  ports: { protocol: string; port: number; nodePort: number; connections: number; backends: { node: string; ip: string; port: number; health: string; eligible: boolean }[] }[];
}

interface WantedPort {
  protocol: 'TCP' | 'UDP';
  port: number;
  nodePort: number;
}

/** Addresses tried when the wanted ports are taken by other programs before giving up. */
const maxAddressAttempts = 16;

const portKey = (protocol: string, port: number) => `${protocol}/${port}`;
const plainIP = (ip: string) => (ip.startsWith('::ffff:') ? ip.slice(7) : ip);

function bindError(err: NodeJS.ErrnoException, address: string, port: number): Error {
  if (err.code === 'EADDRNOTAVAIL')
    return new Error(`${address} is not an address of this machine${platform() === 'darwin' ? ` (add it with: sudo ifconfig lo0 alias ${address})` : ''}`);
  if (err.code === 'EACCES') return new Error(`listening on ${address}:${port} needs privileges (on Linux: sysctl net.ipv4.ip_unprivileged_port_start=0, or CAP_NET_BIND_SERVICE)`);
  if (err.code === 'EADDRINUSE') return Object.assign(new Error(`${address}:${port} is already in use`), { code: err.code });
  return err;
}

export class LocalLoadBalancers implements LoadBalancer {
  readonly #o: LoadBalancersOptions;
  readonly #lbs = new Map<string, LocalLoadBalancer>();

  constructor(options: LoadBalancersOptions) {
    this.#o = options;
  }

  getLoadBalancerName(_clusterName: string, service: Service): string {
    return defaultLoadBalancerName(service);
  }

  async getLoadBalancer(_clusterName: string, service: Service): Promise<{ exists: boolean; status?: LoadBalancerStatus }> {
    const lb = this.#lbs.get(defaultLoadBalancerName(service));
    return lb ? { exists: true, status: statusOf(lb) } : { exists: false };
  }

  async ensureLoadBalancer(_clusterName: string, service: Service, nodes: readonly Node[]): Promise<LoadBalancerStatus> {
    const name = defaultLoadBalancerName(service);
    const spec = service.spec ?? {};
    const wantedPorts = new Map<string, WantedPort>();
    for (const p of spec.ports ?? []) {
      const protocol = p.protocol ?? 'TCP';
      if (protocol !== 'TCP' && protocol !== 'UDP') throw new Error(`the local load balancer does not support protocol ${protocol} (port ${p.port})`);
      if (!p.nodePort) throw new Error(`port ${p.port}/${protocol} has no nodePort: the local load balancer forwards to node ports (allocateLoadBalancerNodePorts must not be false)`);
      wantedPorts.set(portKey(protocol, p.port), { protocol, port: p.port, nodePort: p.nodePort });
    }
    const requested = spec.loadBalancerIP || undefined;
    let lb = this.#lbs.get(name);
    if (lb && requested && lb.address !== requested) {
      await this.#delete(lb);
      lb = undefined;
    }
    if (!lb) {
      if (requested && (!this.#o.pool.contains(requested) || (this.#o.pool.ownerOf(requested) ?? name) !== name))
        throw new Error(`requested loadBalancerIP ${requested} is not a free address of the load balancer pool`);
      const previous = (service.status?.loadBalancer?.ingress ?? []).map((i) => i.ip ?? '').filter(Boolean);
      lb = await this.#create(name, service, requested ? [requested] : previous, !requested, wantedPorts);
    }
    lb.service = metaNamespaceKey(service);
    lb.externalLocal = spec.externalTrafficPolicy === 'Local';
    lb.sourceRanges = spec.loadBalancerSourceRanges ?? [];
    lb.nodes = [...nodes];
    for (const [key, state] of lb.ports) {
      if (wantedPorts.has(key)) continue;
      lb.ports.delete(key);
      await state.listener.close();
    }
    for (const [key, want] of wantedPorts) {
      const existing = lb.ports.get(key);
      if (existing) existing.nodePort = want.nodePort;
      else lb.ports.set(key, await this.#open(lb, want));
    }
    return statusOf(lb);
  }

  async updateLoadBalancer(_clusterName: string, service: Service, nodes: readonly Node[]): Promise<void> {
    const lb = this.#lbs.get(defaultLoadBalancerName(service));
    if (!lb) throw new Error(`load balancer ${defaultLoadBalancerName(service)} of ${metaNamespaceKey(service)} does not exist`);
    lb.nodes = [...nodes];
  }

  async ensureLoadBalancerDeleted(_clusterName: string, service: Service): Promise<void> {
    const lb = this.#lbs.get(defaultLoadBalancerName(service));
    if (lb) await this.#delete(lb);
  }

  /** Every backend the health checker should look at (TCP ones; UDP is checked passively). */
  *targets(): Iterable<Target> {
    for (const lb of this.#lbs.values()) {
      for (const p of lb.ports.values()) {
        if (p.protocol !== 'TCP') continue;
        for (const n of lb.nodes) {
          const ip = this.#addressOf(n);
          if (ip) yield { ip, port: p.nodePort };
        }
      }
    }
  }

  list(): LoadBalancerView[] {
    return [...this.#lbs.values()].map((lb) => ({
      name: lb.name,
      service: lb.service,
      address: lb.address,
      ports: [...lb.ports.values()].map((p) => {
        const eligible = new Set(this.#eligible(lb, p).map((t) => `${t.ip}:${t.port}`));
        return {
          protocol: p.protocol,
          port: p.port,
          nodePort: p.nodePort,
          connections: p.listener.connections,
          backends: lb.nodes.map((n) => {
            const ip = this.#addressOf(n) ?? '';
            return { node: n.metadata.name ?? '', ip, port: p.nodePort, health: this.#o.health.state({ ip, port: p.nodePort }), eligible: eligible.has(`${ip}:${p.nodePort}`) };
          }),
        };
      }),
    }));
  }

  async close(): Promise<void> {
    await Promise.all([...this.#lbs.values()].map((lb) => this.#delete(lb)));
  }

  async #delete(lb: LocalLoadBalancer): Promise<void> {
    const registered = this.#lbs.get(lb.name) === lb;
    if (registered) this.#lbs.delete(lb.name);
    const ports = [...lb.ports.values()];
    lb.ports.clear();
    await Promise.all(ports.map((p) => p.listener.close()));
    if (this.#o.pool.ownerOf(lb.address) === lb.name) this.#o.pool.release(lb.address);
    if (registered) this.#o.log.info('load balancer deleted', { service: lb.service, address: lb.address });
  }

  /**
   * A new load balancer listening on every wanted port of one address. An address whose port is
   * taken by another program is passed over for the next free one, unless it was asked for.
   */
  async #create(name: string, service: Service, candidates: string[], mayMove: boolean, ports: Map<string, WantedPort>): Promise<LocalLoadBalancer> {
    const busy = new Set<string>();
    for (;;) {
      const address = this.#o.pool.allocate(name, candidates, busy);
      if (!address) throw new Error(`no free address left in the load balancer pool (${this.#o.pool.size} addresses${busy.size ? `, ${busy.size} in use by other programs` : ''})`);
      const lb: LocalLoadBalancer = { name, service: metaNamespaceKey(service), address, externalLocal: false, sourceRanges: [], nodes: [], ports: new Map() };
      try {
        for (const [key, want] of ports) lb.ports.set(key, await this.#open(lb, want));
        this.#lbs.set(name, lb);
        return lb;
      } catch (err) {
        await this.#delete(lb);
        if (!mayMove || (err as { code?: string }).code !== 'EADDRINUSE' || busy.size >= maxAddressAttempts) throw err;
        busy.add(address);
      }
    }
  }

  async #open(lb: LocalLoadBalancer, want: WantedPort): Promise<PortState> {
    const state = { protocol: want.protocol, port: want.port, nodePort: want.nodePort, next: 0 } as PortState;
    state.listener = createListener({
      protocol: want.protocol,
      address: lb.address,
      port: want.port,
      balancer: this.#balancer(lb, state),
      clock: this.#o.clock,
      log: this.#o.log,
      name: `${lb.service}:${want.port}/${want.protocol}`,
      idleTimeoutMs: this.#o.udpIdleTimeoutMs,
    });
    try {
      await state.listener.listen();
    } catch (err) {
      await state.listener.close();
      throw bindError(err as NodeJS.ErrnoException, lb.address, want.port);
    }
    this.#o.log.info('load balancer listening', { service: lb.service, listener: `${lb.address}:${want.port}/${want.protocol}`, nodePort: want.nodePort });
    return state;
  }

  #balancer(lb: LocalLoadBalancer, state: PortState): Balancer {
    return {
      candidates: () => {
        const eligible = this.#eligible(lb, state);
        if (eligible.length === 0) return [];
        const start = state.next++ % eligible.length;
        return [...eligible.slice(start), ...eligible.slice(0, start)];
      },
      failed: (target) => this.#o.health.markDown(target),
      allows: (clientIP) => lb.sourceRanges.length === 0 || lb.sourceRanges.some((r) => cidrContains(r, plainIP(clientIP))),
    };
  }

  /** The node as the cloud sees it now (its own view when it has one). */
  #live(node: Node): Node | undefined {
    const lister = this.#o.nodes?.();
    return lister ? lister.get(node.metadata.name ?? '') : node;
  }

  #addressOf(node: Node): string | undefined {
    const live = this.#live(node) ?? node;
    return nodeAddress(live, 'InternalIP') ?? nodeAddress(live, 'ExternalIP');
  }

  #nodesWithLocalEndpoints(service: string): Set<string> {
    const { namespace, name } = splitMetaNamespaceKey(service);
    const out = new Set<string>();
    const slices = this.#o.endpointSlices?.();
    if (!slices) return out;
    for (const s of slices.namespace(namespace).list()) {
      if (s.metadata.labels?.[labelServiceName] !== name) continue;
      for (const e of s.endpoints ?? []) if (e.nodeName && e.conditions?.ready !== false) out.add(e.nodeName);
    }
    return out;
  }

  /** Backends of one port that may take a new connection now, in node order, without duplicates. */
  #eligible(lb: LocalLoadBalancer, state: PortState): Target[] {
    const local = lb.externalLocal ? this.#nodesWithLocalEndpoints(lb.service) : undefined;
    const seen = new Set<string>();
    const out: Target[] = [];
    for (const n of lb.nodes) {
      const live = this.#live(n);
      if (!live || readyStatus(live) !== 'True') continue;
      if (local && !local.has(live.metadata.name ?? '')) continue;
      const ip = this.#addressOf(live);
      if (!ip) continue;
      const target = { ip, port: state.nodePort };
      const key = `${ip}:${state.nodePort}`;
      if (seen.has(key) || this.#o.health.state(target) === 'down') continue;
      seen.add(key);
      out.push(target);
    }
    return out;
  }
}

function statusOf(lb: LocalLoadBalancer): LoadBalancerStatus {
  return { ingress: [{ ip: lb.address, ipMode: 'Proxy' }] };
}
