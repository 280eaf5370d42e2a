// NodeInfo: what the scheduler knows about one node — the Node object, the pods assigned to it
// (bound or assumed), their summed requests (exact and non-zero), the host ports they use and
// the images the node holds. addPod/removePod keep the sums exact, so a pod counts on a node
// from the moment it is assumed until it is deleted.

import type { Node, Pod, Taint } from '../types.ts';
import { podKey } from '../types.ts';
import { addResource, allocatableOf, emptyResource, podRequests, subtractResource, type Resource } from './resource.ts';

export interface PodInfo {
  readonly pod: Pod;
  readonly requests: Resource;
  readonly nonZeroRequests: Resource;
  /** Has podAffinity or podAntiAffinity (upstream's PodsWithAffinity). */
  readonly hasAffinity: boolean;
  /** Has required podAntiAffinity terms (upstream's PodsWithRequiredAntiAffinity). */
  readonly hasRequiredAntiAffinity: boolean;
}

export function podInfoOf(pod: Pod): PodInfo {
  const a = pod.spec?.affinity;
  return {
    pod,
    requests: podRequests(pod, false),
    nonZeroRequests: podRequests(pod, true),
    hasAffinity: !!(a?.podAffinity || a?.podAntiAffinity),
    hasRequiredAntiAffinity: (a?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.length ?? 0) > 0,
  };
}

export interface ImageState {
  /** Size in bytes as the node reports it. */
  size: number;
  /** How many nodes hold the image (shared across NodeInfos, kept by the cache). */
  numNodes: number;
}

/**
 * The image states of every node without images: one shared (read-only) map, so asking a
 * node for its images reads memory that is already cached.
 */
export const noImages: ReadonlyMap<string, ImageState> = new Map();

const noTaints: readonly Taint[] = Object.freeze([]);

/** Host ports in use: protocol/port by host IP ("0.0.0.0" meaning every address). */
export class HostPorts {
  readonly #byIP = new Map<string, Map<string, number>>();

  static key(protocol: string | undefined, port: number): string {
    return `${protocol || 'TCP'}/${port}`;
  }

  add(ip: string | undefined, protocol: string | undefined, port: number): void {
    const addr = ip || '0.0.0.0';
    let ports = this.#byIP.get(addr);
    if (!ports) this.#byIP.set(addr, (ports = new Map()));
    const k = HostPorts.key(protocol, port);
    ports.set(k, (ports.get(k) ?? 0) + 1);
  }

  remove(ip: string | undefined, protocol: string | undefined, port: number): void {
    const addr = ip || '0.0.0.0';
    const ports = this.#byIP.get(addr);
    const k = HostPorts.key(protocol, port);
    const n = ports?.get(k);
    if (!ports || n === undefined) return;
    if (n > 1) ports.set(k, n - 1);
    else ports.delete(k);
    if (ports.size === 0) this.#byIP.delete(addr);
  }

  /** 0.0.0.0 conflicts with the same protocol/port on any address, and any address with 0.0.0.0. */
  conflicts(ip: string | undefined, protocol: string | undefined, port: number): boolean {
    const addr = ip || '0.0.0.0';
    const k = HostPorts.key(protocol, port);
    if (addr === '0.0.0.0') {
      for (const ports of this.#byIP.values()) if (ports.has(k)) return true;
      return false;
    }
    return (this.#byIP.get(addr)?.has(k) ?? false) || (this.#byIP.get('0.0.0.0')?.has(k) ?? false);
  }

  get size(): number {
    return this.#byIP.size;
  }
}

/** Calls fn for every container host port of a pod (hostPort > 0). */
export function forEachHostPort(pod: Pod, fn: (ip: string | undefined, protocol: string | undefined, port: number) => void): void {
  for (const list of [pod.spec?.initContainers, pod.spec?.containers]) {
    for (const c of list ?? []) for (const p of c.ports ?? []) if (p.hostPort && p.hostPort > 0) fn(p.hostIP, p.protocol, p.hostPort);
  }
}

export class NodeInfo {
  #node: Node;
  readonly name: string;
  readonly pods = new Map<string, PodInfo>();
  /**
   * pods.size, kept beside the sums: Filter reads it for every node of every cycle, and the
   * Map itself lives elsewhere in memory.
   */
  podCount = 0;
  readonly requested: Resource = emptyResource();
  readonly nonZeroRequested: Resource = emptyResource();
  allocatable: Resource;
  readonly usedPorts = new HostPorts();
  /** How many of the pods have pod (anti-)affinity, and required anti-affinity. */
  podsWithAffinity = 0;
  podsWithRequiredAntiAffinity = 0;
  /** Normalized image name → state, for images on this node. */
  imageStates: ReadonlyMap<string, ImageState> = noImages;
  /**
   * node.spec.unschedulable and node.spec.taints, which filters read for every node of every
   * cycle: kept here, beside the counts, rather than a few objects away in the Node.
   */
  unschedulable = false;
  taints: readonly Taint[] = noTaints;

  constructor(node: Node) {
    this.#node = node;
    this.name = node.metadata?.name ?? '';
    this.allocatable = allocatableOf(node.status?.allocatable ?? node.status?.capacity);
    this.#spec(node);
  }

  /** The Node object; replaced only through setNode, which keeps the fields derived from it. */
  get node(): Node {
    return this.#node;
  }

  setNode(node: Node): void {
    this.#node = node;
    this.allocatable = allocatableOf(node.status?.allocatable ?? node.status?.capacity);
    this.#spec(node);
  }

  #spec(node: Node): void {
    this.unschedulable = node.spec?.unschedulable === true;
    this.taints = node.spec?.taints?.length ? node.spec.taints : noTaints;
  }

  addPod(info: PodInfo): void {
    const key = podKey(info.pod);
    if (this.pods.has(key)) this.removePod(key);
    this.pods.set(key, info);
    this.podCount = this.pods.size;
    addResource(this.requested, info.requests);
    addResource(this.nonZeroRequested, info.nonZeroRequests);
    if (info.hasAffinity) this.podsWithAffinity++;
    if (info.hasRequiredAntiAffinity) this.podsWithRequiredAntiAffinity++;
    forEachHostPort(info.pod, (ip, protocol, port) => this.usedPorts.add(ip, protocol, port));
  }

  removePod(key: string): boolean {
    const info = this.pods.get(key);
    if (!info) return false;
    this.pods.delete(key);
    this.podCount = this.pods.size;
    subtractResource(this.requested, info.requests);
    subtractResource(this.nonZeroRequested, info.nonZeroRequests);
    if (info.hasAffinity) this.podsWithAffinity--;
    if (info.hasRequiredAntiAffinity) this.podsWithRequiredAntiAffinity--;
    forEachHostPort(info.pod, (ip, protocol, port) => this.usedPorts.remove(ip, protocol, port));
    return true;
  }

  /** A copy whose pod set can be changed without touching this one (preemption dry runs). */
  clone(): NodeInfo {
    const c = new NodeInfo(this.node);
    for (const info of this.pods.values()) c.addPod(info);
    c.imageStates = this.imageStates;
    return c;
  }
}
