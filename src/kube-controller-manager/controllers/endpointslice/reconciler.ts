// The EndpointSlice reconciler (upstream pkg/controller/endpointslice reconciler, reduced):
// given a Service, its pods and the slices this controller already manages for it, the
// slices to create, update and delete. Guarantees:
// - one endpoint per pod IP (IPv4 or IPv6 per slice addressType), with conditions
//   ready (serving and not terminating, or always with publishNotReadyAddresses), serving (the
//   pod's Ready condition), terminating (deletionTimestamp), nodeName, zone (from the node's
//   topology.kubernetes.io/zone label), hostname and a Pod targetRef;
// - endpoints are grouped by their resolved port set; a slice holds at most maxEndpointsPerSlice;
// - changes are minimal: endpoints stay in the slice they are in, a slice is rewritten only
//   when its content or labels differ, new endpoints fill the slices being rewritten first,
//   then slices with room, then new slices; emptied slices are deleted;
// - a Service with no endpoints keeps one empty placeholder slice, as upstream.

import { isIPv6 } from 'node:net';
import { isPodReady } from '../../pod-conditions.ts';
import type { KubeObject, ObjectMeta, Pod } from '../../types.ts';
import { findPort, hasSelector, podIP, podReference, podSpec, selectedPods, shouldPodBeInEndpoints, type Service } from '../endpoints/service-pods.ts';

export const serviceNameLabel = 'kubernetes.io/service-name';
export const managedByLabel = 'endpointslice.kubernetes.io/managed-by';
export const managedByValue = 'endpointslice-controller.k8s.io';
const headlessLabel = 'service.kubernetes.io/headless';
const zoneLabel = 'topology.kubernetes.io/zone';

export interface SlicePort {
  name?: string;
  port: number;
  protocol: string;
  appProtocol?: string;
}

export interface SliceEndpoint {
  addresses: string[];
  conditions: { ready: boolean; serving: boolean; terminating: boolean };
  hostname?: string;
  nodeName?: string;
  zone?: string;
  targetRef?: { kind: string; namespace: string; name: string; uid: string };
}

export interface EndpointSlice extends KubeObject {
  metadata: ObjectMeta;
  addressType: 'IPv4' | 'IPv6' | 'FQDN';
  endpoints: SliceEndpoint[];
  ports?: SlicePort[];
}

export interface SliceChanges {
  create: EndpointSlice[];
  update: EndpointSlice[];
  delete: EndpointSlice[];
}

export interface ReconcileInput {
  service: Service;
  pods: readonly Pod[];
  /** Labels of a node by name (for the zone). */
  nodeLabels(name: string): Record<string, string> | undefined;
  existing: readonly EndpointSlice[];
  maxEndpointsPerSlice?: number;
}

function canonical(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1))) : v,
  );
}

/** The labels every slice of a Service carries. */
export function sliceLabels(svc: Service): Record<string, string> {
  const labels: Record<string, string> = { ...(svc.metadata.labels ?? {}), [serviceNameLabel]: svc.metadata.name ?? '', [managedByLabel]: managedByValue };
  if (svc.spec?.clusterIP === 'None') labels[headlessLabel] = '';
  else delete labels[headlessLabel];
  return labels;
}

function addressTypeOf(svc: Service): 'IPv4' | 'IPv6' {
  return svc.spec?.ipFamilies?.[0] === 'IPv6' ? 'IPv6' : 'IPv4';
}

interface Desired {
  endpoint: SliceEndpoint;
  ports: SlicePort[];
}

function desiredEndpoints(input: ReconcileInput, addressType: 'IPv4' | 'IPv6'): Map<string, Desired[]> {
  const svc = input.service;
  const byPorts = new Map<string, Desired[]>();
  if (!hasSelector(svc)) return byPorts;
  const publishNotReady = svc.spec.publishNotReadyAddresses === true;
  for (const pod of selectedPods(svc, input.pods)) {
    if (!shouldPodBeInEndpoints(pod, true)) continue;
    const ip = podIP(pod)!;
    if ((addressType === 'IPv6') !== isIPv6(ip)) continue;
    const ports: SlicePort[] = [];
    for (const sp of svc.spec.ports ?? []) {
      const port = findPort(pod, sp);
      if (port === undefined) continue;
      const p: SlicePort = { name: sp.name ?? '', port, protocol: sp.protocol ?? 'TCP' };
      if (sp.appProtocol) p.appProtocol = sp.appProtocol;
      ports.push(p);
    }
    const spec = podSpec(pod);
    const serving = isPodReady(pod);
    const terminating = !!pod.metadata.deletionTimestamp;
    const endpoint: SliceEndpoint = { addresses: [ip], conditions: { ready: publishNotReady || (serving && !terminating), serving, terminating } };
    if (spec.hostname && spec.subdomain === svc.metadata.name) endpoint.hostname = spec.hostname;
    if (spec.nodeName) {
      endpoint.nodeName = spec.nodeName;
      const zone = input.nodeLabels(spec.nodeName)?.[zoneLabel];
      if (zone) endpoint.zone = zone;
    }
    endpoint.targetRef = podReference(pod);
    const key = canonical(ports);
    const list = byPorts.get(key) ?? [];
    list.push({ endpoint, ports });
    byPorts.set(key, list);
  }
  return byPorts;
}

function newSlice(svc: Service, addressType: 'IPv4' | 'IPv6', ports: SlicePort[] | undefined, labels: Record<string, string>): EndpointSlice {
  const slice: EndpointSlice = {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: {
      generateName: `${svc.metadata.name}-`,
      namespace: svc.metadata.namespace,
      labels: { ...labels },
      ownerReferences: [{ apiVersion: 'v1', kind: 'Service', name: svc.metadata.name!, uid: svc.metadata.uid!, controller: true, blockOwnerDeletion: true }],
    },
    addressType,
    endpoints: [],
  };
  if (ports) slice.ports = ports;
  return slice;
}

export function reconcileSlices(input: ReconcileInput): SliceChanges {
  const max = input.maxEndpointsPerSlice ?? 100;
  const svc = input.service;
  const addressType = addressTypeOf(svc);
  const labels = sliceLabels(svc);
  const desired = desiredEndpoints(input, addressType);
  const changes: SliceChanges = { create: [], update: [], delete: [] };
  const byPorts = new Map<string, EndpointSlice[]>();
  for (const slice of input.existing) {
    if (slice.addressType !== addressType) {
      changes.delete.push(slice);
      continue;
    }
    const key = canonical(slice.ports ?? []);
    byPorts.set(key, [...(byPorts.get(key) ?? []), slice]);
  }
  const total = [...desired.values()].reduce((n, l) => n + l.length, 0);
  if (total === 0) {
    // Keep (or make) exactly one empty placeholder.
    const all = [...byPorts.values()].flat();
    const keep = all.find((s) => s.endpoints.length === 0 && !s.ports?.length) ?? all[0];
    for (const s of all) if (s !== keep) changes.delete.push(s);
    if (!keep) changes.create.push(newSlice(svc, addressType, [], labels));
    else if (keep.endpoints.length > 0 || keep.ports?.length || canonical(keep.metadata.labels ?? {}) !== canonical(labels)) {
      const next = structuredClone(keep) as EndpointSlice;
      next.endpoints = [];
      next.ports = [];
      next.metadata.labels = labels;
      changes.update.push(next);
    }
    return changes;
  }
  for (const [key, slices] of byPorts) if (!desired.has(key)) changes.delete.push(...slices);
  for (const [key, wanted] of desired) {
    const ports = wanted[0].ports;
    const remaining = new Map(wanted.map((d) => [d.endpoint.addresses[0], d.endpoint]));
    const rewritten: EndpointSlice[] = [];
    const untouched: EndpointSlice[] = [];
    for (const slice of byPorts.get(key) ?? []) {
      const kept: SliceEndpoint[] = [];
      for (const ep of slice.endpoints) {
        const want = remaining.get(ep.addresses[0]);
        if (!want) continue;
        remaining.delete(ep.addresses[0]);
        if (kept.length < max) kept.push(want);
      }
      if (kept.length === 0) {
        changes.delete.push(slice);
        continue;
      }
      const next = structuredClone(slice) as EndpointSlice;
      next.endpoints = kept;
      next.metadata.labels = labels;
      if (canonical(next.endpoints) !== canonical(slice.endpoints) || canonical(labels) !== canonical(slice.metadata.labels ?? {})) rewritten.push(next);
      else untouched.push(next);
    }
    const left = [...remaining.values()];
    for (const slice of [...rewritten, ...untouched]) {
      if (left.length === 0) break;
      if (slice.endpoints.length >= max) continue;
      slice.endpoints.push(...left.splice(0, max - slice.endpoints.length));
      if (!rewritten.includes(slice)) rewritten.push(slice);
    }
    changes.update.push(...rewritten);
    while (left.length > 0) {
      const slice = newSlice(svc, addressType, ports, labels);
      slice.endpoints = left.splice(0, max);
      changes.create.push(slice);
    }
  }
  return changes;
}
