// Pod admission on the node, as upstream's kubelet resource-fit admit handler: a pod is run only if
// its requests fit beside the pods already admitted (requests of each resource ≤ allocatable, and
// no more pods than allocatable pods). A rejected pod fails with reason OutOf<resource> and
// upstream's message "Node didn't have enough resource: <name>, requested: R, used: U, capacity: C".

import { parseQuantity } from '../machinery/quantity.ts';
import type { Container, Pod } from './types.ts';

export type AdmitResult = { admit: true } | { admit: false; reason: string; message: string };

function quantity(v: string | number | undefined): bigint {
  if (v === undefined) return 0n;
  try {
    return BigInt(parseQuantity(v).milliValue());
  } catch {
    return 0n;
  }
}

/**
 * Effective requests in milli-units, as upstream's PodRequests: the larger of (app containers +
 * sidecars) and, for each init container, itself plus the sidecars started before it; plus overhead.
 */
export function podRequests(pod: Pod): Map<string, bigint> {
  const add = (into: Map<string, bigint>, c: Container) => {
    for (const [name, v] of Object.entries(c.resources?.requests ?? {})) into.set(name, (into.get(name) ?? 0n) + quantity(v));
  };
  const sum = new Map<string, bigint>();
  for (const c of pod.spec.containers) add(sum, c);
  const sidecars = new Map<string, bigint>();
  const initPeak = new Map<string, bigint>();
  for (const c of pod.spec.initContainers ?? []) {
    if (c.restartPolicy === 'Always') {
      add(sidecars, c);
      continue;
    }
    const single = new Map<string, bigint>();
    add(single, c);
    for (const [name, v] of single) {
      const withSidecars = v + (sidecars.get(name) ?? 0n);
      if (withSidecars > (initPeak.get(name) ?? 0n)) initPeak.set(name, withSidecars);
    }
  }
  for (const [name, v] of sidecars) sum.set(name, (sum.get(name) ?? 0n) + v);
  for (const [name, v] of initPeak) if (v > (sum.get(name) ?? 0n)) sum.set(name, v);
  for (const [name, v] of Object.entries((pod.spec.overhead as Record<string, string> | undefined) ?? {})) sum.set(name, (sum.get(name) ?? 0n) + quantity(v));
  return sum;
}

function show(name: string, milli: bigint): string {
  return name === 'cpu' ? String(milli) : String(milli / 1000n);
}

export function admitPod(pod: Pod, admitted: readonly Pod[], allocatable: Record<string, string>): AdmitResult {
  const maxPods = Number(allocatable.pods ?? 110);
  if (admitted.length + 1 > maxPods) {
    return { admit: false, reason: 'OutOfpods', message: `Node didn't have enough resource: pods, requested: 1, used: ${admitted.length}, capacity: ${maxPods}` };
  }
  const used = new Map<string, bigint>();
  for (const p of admitted) for (const [name, v] of podRequests(p)) used.set(name, (used.get(name) ?? 0n) + v);
  for (const [name, requested] of podRequests(pod)) {
    if (requested === 0n) continue;
    const capacity = allocatable[name] === undefined ? undefined : quantity(allocatable[name]);
    if (capacity === undefined) {
      if (name.includes('/')) return { admit: false, reason: `OutOf${name}`, message: `Node didn't have enough resource: ${name}, requested: ${show(name, requested)}, used: 0, capacity: 0` };
      continue;
    }
    const u = used.get(name) ?? 0n;
    if (requested + u > capacity) {
      return { admit: false, reason: `OutOf${name}`, message: `Node didn't have enough resource: ${name}, requested: ${show(name, requested)}, used: ${show(name, u)}, capacity: ${show(name, capacity)}` };
    }
  }
  return { admit: true };
}
