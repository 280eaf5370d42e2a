// Cluster IPs and node ports for Services, as upstream's service REST storage allocates
// them: a free address of the service CIDR (10.96.0.0/12 by default; its first address is
// the `kubernetes` service's) and free ports of the node-port range (30000-32767). What is
// in use is read from the services themselves, plus what this server handed out and has
// not yet seen stored, so concurrent creates never get the same address.

import type { KubeObject } from '../../api/kind.ts';
import { invalid } from '../../machinery/status.ts';

export interface ServiceAllocatorOptions {
  /** CIDR of cluster IPs, e.g. "10.96.0.0/12". */
  serviceCidr?: string;
  /** "30000-32767" */
  nodePortRange?: string;
}

interface Port {
  name?: string;
  port?: number;
  nodePort?: number;
  protocol?: string;
}

interface ServiceSpec {
  type?: string;
  clusterIP?: string;
  clusterIPs?: string[];
  ports?: Port[];
  ipFamilies?: string[];
  ipFamilyPolicy?: string;
}

function parseIPv4(ip: string): number | undefined {
  const parts = ip.split('.');
  if (parts.length !== 4 || parts.some((p) => !/^\d{1,3}$/.test(p) || Number(p) > 255)) return undefined;
  return parts.reduce((n, p) => n * 256 + Number(p), 0);
}

function formatIPv4(n: number): string {
  return [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join('.');
}

export class ServiceAllocator {
  readonly cidr: string;
  readonly #base: number;
  readonly #size: number;
  readonly #portMin: number;
  readonly #portMax: number;
  readonly #pendingIPs = new Set<string>();
  readonly #pendingPorts = new Set<number>();

  constructor(options: ServiceAllocatorOptions = {}) {
    this.cidr = options.serviceCidr ?? '10.96.0.0/12';
    const [addr, bits] = this.cidr.split('/');
    const base = parseIPv4(addr);
    const prefix = Number(bits);
    if (base === undefined || !Number.isInteger(prefix) || prefix < 8 || prefix > 30) throw new Error(`invalid service CIDR ${this.cidr}: an IPv4 CIDR from /8 to /30 is needed`);
    this.#size = 2 ** (32 - prefix);
    this.#base = base - (base % this.#size);
    const [min, max] = (options.nodePortRange ?? '30000-32767').split('-').map(Number);
    if (!(min > 0 && max >= min && max < 65536)) throw new Error(`invalid node port range ${options.nodePortRange}`);
    this.#portMin = min;
    this.#portMax = max;
  }

  /** The first usable address: the `kubernetes` service's. */
  get firstIP(): string {
    return formatIPv4(this.#base + 1);
  }

  contains(ip: string): boolean {
    const n = parseIPv4(ip);
    return n !== undefined && n > this.#base && n < this.#base + this.#size - 1;
  }

  /** Fills spec.clusterIP(s) and node ports of a new service; refuses taken or foreign values. */
  allocate(service: KubeObject, existing: KubeObject[]): void {
    const spec = (service.spec ??= {}) as ServiceSpec;
    const name = service.metadata?.name ?? '';
    const usedIPs = new Set(this.#pendingIPs);
    const usedPorts = new Set(this.#pendingPorts);
    for (const s of existing) {
      const sp = (s.spec ?? {}) as ServiceSpec;
      for (const ip of sp.clusterIPs ?? (sp.clusterIP ? [sp.clusterIP] : [])) usedIPs.add(ip);
      for (const p of sp.ports ?? []) if (p.nodePort) usedPorts.add(p.nodePort);
    }
    if (spec.type !== 'ExternalName' && spec.clusterIP !== 'None') {
      const requested = spec.clusterIP || spec.clusterIPs?.[0];
      let ip: string;
      if (requested) {
        if (!this.contains(requested)) {
          throw invalid('', 'Service', name, [{ reason: 'FieldValueInvalid', field: 'spec.clusterIPs', message: `Invalid value: []string{"${requested}"}: failed to allocate IP ${requested}: the provided IP (${requested}) is not in the valid range. The range of valid IPs is ${this.cidr}` }]);
        }
        if (usedIPs.has(requested)) {
          throw invalid('', 'Service', name, [{ reason: 'FieldValueInvalid', field: 'spec.clusterIPs', message: `Invalid value: []string{"${requested}"}: failed to allocate IP ${requested}: provided IP is already allocated` }]);
        }
        ip = requested;
      } else {
        ip = this.#freeIP(usedIPs, name);
      }
      spec.clusterIP = ip;
      spec.clusterIPs = [ip];
      spec.ipFamilies ??= ['IPv4'];
      spec.ipFamilyPolicy ??= 'SingleStack';
      this.#hold(this.#pendingIPs, ip);
    }
    if (spec.type === 'NodePort' || spec.type === 'LoadBalancer') {
      for (const [i, port] of (spec.ports ?? []).entries()) {
        if (port.nodePort) {
          if (port.nodePort < this.#portMin || port.nodePort > this.#portMax) {
            throw invalid('', 'Service', name, [{ reason: 'FieldValueInvalid', field: `spec.ports[${i}].nodePort`, message: `Invalid value: ${port.nodePort}: provided port is not in the valid range. The range of valid ports is ${this.#portMin}-${this.#portMax}` }]);
          }
          if (usedPorts.has(port.nodePort)) {
            throw invalid('', 'Service', name, [{ reason: 'FieldValueInvalid', field: `spec.ports[${i}].nodePort`, message: `Invalid value: ${port.nodePort}: provided port is already allocated` }]);
          }
        } else {
          port.nodePort = this.#freePort(usedPorts, name);
        }
        usedPorts.add(port.nodePort);
        this.#hold(this.#pendingPorts, port.nodePort);
      }
    }
  }

  /** Node ports for ports that lack one after an update to NodePort/LoadBalancer. */
  allocateNodePorts(service: KubeObject, existing: KubeObject[]): void {
    const spec = (service.spec ?? {}) as ServiceSpec;
    if (spec.type !== 'NodePort' && spec.type !== 'LoadBalancer') return;
    const others = existing.filter((s) => s.metadata?.uid !== service.metadata?.uid);
    const usedPorts = new Set(this.#pendingPorts);
    for (const s of others) for (const p of ((s.spec ?? {}) as ServiceSpec).ports ?? []) if (p.nodePort) usedPorts.add(p.nodePort);
    for (const port of spec.ports ?? []) {
      if (port.nodePort) continue;
      port.nodePort = this.#freePort(usedPorts, service.metadata?.name ?? '');
      usedPorts.add(port.nodePort);
      this.#hold(this.#pendingPorts, port.nodePort);
    }
  }

  #freeIP(used: Set<string>, name: string): string {
    // Random probing, as upstream; the first address is reserved for `kubernetes`.
    const span = this.#size - 3;
    const start = Math.floor(Math.random() * span);
    for (let i = 0; i < span; i++) {
      const ip = formatIPv4(this.#base + 2 + ((start + i) % span));
      if (!used.has(ip)) return ip;
    }
    throw invalid('', 'Service', name, [{ reason: 'FieldValueInvalid', field: 'spec.clusterIPs', message: `Internal error: failed to allocate a serviceIP: range is full` }]);
  }

  #freePort(used: Set<number>, name: string): number {
    const span = this.#portMax - this.#portMin + 1;
    const start = Math.floor(Math.random() * span);
    for (let i = 0; i < span; i++) {
      const port = this.#portMin + ((start + i) % span);
      if (!used.has(port)) return port;
    }
    throw invalid('', 'Service', name, [{ reason: 'FieldValueInvalid', field: 'spec.ports', message: 'Internal error: failed to allocate a nodePort: range is full' }]);
  }

  /** Keeps a value reserved until the store (and so the cache) surely has it. */
  #hold<T>(set: Set<T>, value: T): void {
    set.add(value);
    setTimeout(() => set.delete(value), 10_000).unref();
  }
}
