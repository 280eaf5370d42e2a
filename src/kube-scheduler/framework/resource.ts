// Resource vectors and pod requests as upstream computes them (resourcehelper.PodRequests and
// framework.Resource): cpu in millicores, memory and ephemeral-storage in bytes, every other
// resource (extended, hugepages-*) in whole units. A pod requests the sum of its containers,
// or more if an init container (plus the sidecars started before it) needs more; sidecars
// (init containers with restartPolicy Always) add to the sum; pod-level requests of cpu and
// memory replace the containers' aggregate; spec.overhead is added on top.

import { parseQuantity, type Quantity } from '../../machinery/quantity.ts';
import type { Container, Pod, ResourceList } from '../types.ts';

export interface Resource {
  milliCPU: number;
  memory: number;
  ephemeralStorage: number;
  /** Node allocatable only: how many pods fit (status.allocatable.pods). */
  allowedPodNumber: number;
  /** Extended resources and hugepages, by name. */
  scalar: Map<string, number>;
}

export function emptyResource(): Resource {
  return { milliCPU: 0, memory: 0, ephemeralStorage: 0, allowedPodNumber: 0, scalar: new Map() };
}

export function cloneResource(r: Resource): Resource {
  return { ...r, scalar: new Map(r.scalar) };
}

// Quantities repeat (every pod of a deployment asks the same), so parsed values are memoized.
const parsed = new Map<string, Quantity>();

function quantity(v: string | number): Quantity {
  const key = String(v);
  let q = parsed.get(key);
  if (!q) {
    q = parseQuantity(v);
    if (parsed.size > 10_000) parsed.clear();
    parsed.set(key, q);
  }
  return q;
}

/** The value of one resource in the units a Resource keeps it in. */
export function resourceValue(name: string, v: string | number): number {
  const q = quantity(v);
  return name === 'cpu' ? q.milliValue() : q.value();
}

/** Resources the scheduler tracks as scalars: everything but cpu, memory, ephemeral-storage and pods. */
export function isScalarResourceName(name: string): boolean {
  return name !== 'cpu' && name !== 'memory' && name !== 'ephemeral-storage' && name !== 'pods';
}

/** An extended resource: a domain-qualified name outside kubernetes.io (e.g. example.com/gpu). */
export function isExtendedResourceName(name: string): boolean {
  if (!name.includes('/')) return false;
  const domain = name.slice(0, name.indexOf('/'));
  return domain !== 'kubernetes.io' && !domain.endsWith('.kubernetes.io') && !name.startsWith('requests.');
}

export function addList(r: Resource, list: ResourceList | undefined): void {
  if (!list) return;
  for (const [name, v] of Object.entries(list)) setOrAdd(r, name, resourceValue(name, v), 'add');
}

function setOrAdd(r: Resource, name: string, value: number, how: 'add' | 'max'): void {
  const combine = (a: number) => (how === 'add' ? a + value : Math.max(a, value));
  switch (name) {
    case 'cpu':
      r.milliCPU = combine(r.milliCPU);
      break;
    case 'memory':
      r.memory = combine(r.memory);
      break;
    case 'ephemeral-storage':
      r.ephemeralStorage = combine(r.ephemeralStorage);
      break;
    case 'pods':
      r.allowedPodNumber = combine(r.allowedPodNumber);
      break;
    default:
      r.scalar.set(name, combine(r.scalar.get(name) ?? 0));
  }
}

export function addResource(into: Resource, r: Resource): void {
  into.milliCPU += r.milliCPU;
  into.memory += r.memory;
  into.ephemeralStorage += r.ephemeralStorage;
  for (const [k, v] of r.scalar) into.scalar.set(k, (into.scalar.get(k) ?? 0) + v);
}

function maxResource(into: Resource, r: Resource): void {
  into.milliCPU = Math.max(into.milliCPU, r.milliCPU);
  into.memory = Math.max(into.memory, r.memory);
  into.ephemeralStorage = Math.max(into.ephemeralStorage, r.ephemeralStorage);
  for (const [k, v] of r.scalar) into.scalar.set(k, Math.max(into.scalar.get(k) ?? 0, v));
}

/** Subtracts r (used when a pod leaves a node). */
export function subtractResource(into: Resource, r: Resource): void {
  into.milliCPU -= r.milliCPU;
  into.memory -= r.memory;
  into.ephemeralStorage -= r.ephemeralStorage;
  for (const [k, v] of r.scalar) {
    const left = (into.scalar.get(k) ?? 0) - v;
    if (left === 0) into.scalar.delete(k);
    else into.scalar.set(k, left);
  }
}

/** Node allocatable (falls back to capacity, as the kubelet reports both). */
export function allocatableOf(list: ResourceList | undefined): Resource {
  const r = emptyResource();
  addList(r, list);
  return r;
}

/** Requests a container without cpu/memory requests counts as, for scoring (non-zero requests). */
export const defaultMilliCPURequest = 100;
export const defaultMemoryRequest = 200 * 1024 * 1024;

function containerRequests(c: Container, nonZero: boolean): Resource {
  const r = emptyResource();
  addList(r, c.resources?.requests);
  if (nonZero) {
    const req = c.resources?.requests ?? {};
    if (req.cpu === undefined) r.milliCPU = defaultMilliCPURequest;
    if (req.memory === undefined) r.memory = defaultMemoryRequest;
  }
  return r;
}

/**
 * What a pod asks of a node. With nonZero, containers that do not request cpu or memory
 * count as 100m / 200Mi (upstream's NonMissingContainerRequests), which scoring uses so that
 * best-effort pods do not all pile onto one node.
 */
export function podRequests(pod: Pod, nonZero = false): Resource {
  const spec = pod.spec ?? {};
  const reqs = emptyResource();
  for (const c of spec.containers ?? []) addResource(reqs, containerRequests(c, nonZero));

  const sidecars = emptyResource();
  const initMax = emptyResource();
  for (const c of spec.initContainers ?? []) {
    const r = containerRequests(c, nonZero);
    if (c.restartPolicy === 'Always') {
      addResource(reqs, r);
      addResource(sidecars, r);
      maxResource(initMax, sidecars);
    } else {
      addResource(r, sidecars);
      maxResource(initMax, r);
    }
  }
  maxResource(reqs, initMax);

  const podLevel = spec.resources?.requests;
  if (podLevel) {
    if (podLevel.cpu !== undefined) reqs.milliCPU = resourceValue('cpu', podLevel.cpu);
    if (podLevel.memory !== undefined) reqs.memory = resourceValue('memory', podLevel.memory);
  }
  if (spec.overhead) addList(reqs, spec.overhead);
  return reqs;
}
