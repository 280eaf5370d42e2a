// The downward API: the pod's own fields and its containers' resources as strings, the way the
// kubelet puts them into env vars (fieldRef, resourceFieldRef) and downwardAPI volume files.
// Field paths, `metadata.labels['k']` subscripts, map formatting, divisors and rounding (always up,
// to whole units of the divisor) follow upstream's fieldpath and resource helpers.

import { isIPv4, isIPv6 } from 'node:net';
import { parseQuantity, type Quantity } from '../../machinery/quantity.ts';
import { goQuote, isQualifiedName } from '../../machinery/validation.ts';
import { ownValue } from './records.ts';
import type { Container, ObjectFieldSelector, Pod, ResourceFieldSelector, ResourceList } from './types.ts';

/** `metadata.labels['k']` → path and subscript; undefined when the path has no subscript. */
export function splitMaybeSubscriptedPath(fieldPath: string): { path: string; subscript: string } | undefined {
  if (!fieldPath.endsWith("']")) return undefined;
  const s = fieldPath.slice(0, -2);
  const at = s.indexOf("['");
  if (at <= 0) return undefined;
  return { path: s.slice(0, at), subscript: s.slice(at + 2) };
}

/** A label or annotation map as downward API files show it: sorted `key="value"` lines. */
export function formatMap(m: Readonly<Record<string, string>> | undefined): string {
  const keys = Object.keys(m ?? {}).sort(byteOrder);
  return keys.map((k) => `${k}=${goQuote(m![k]!)}`).join('\n');
}

function byteOrder(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

/** The metadata fields a downwardAPI volume may project (fieldpath.ExtractFieldPathAsString). */
export function extractFieldPathAsString(pod: Pod, fieldPath: string): string {
  const meta = pod.metadata ?? {};
  const sub = splitMaybeSubscriptedPath(fieldPath);
  if (sub) {
    switch (sub.path) {
      case 'metadata.annotations': {
        const errs = isQualifiedName(sub.subscript.toLowerCase());
        if (errs.length) throw new Error(`invalid key subscript in ${fieldPath}: ${errs.join(';')}`);
        return ownValue(meta.annotations, sub.subscript) ?? '';
      }
      case 'metadata.labels': {
        const errs = isQualifiedName(sub.subscript);
        if (errs.length) throw new Error(`invalid key subscript in ${fieldPath}: ${errs.join(';')}`);
        return ownValue(meta.labels, sub.subscript) ?? '';
      }
      default:
        throw new Error(`fieldPath ${goQuote(fieldPath)} does not support subscript`);
    }
  }
  switch (fieldPath) {
    case 'metadata.annotations':
      return formatMap(meta.annotations);
    case 'metadata.labels':
      return formatMap(meta.labels);
    case 'metadata.name':
      return meta.name ?? '';
    case 'metadata.namespace':
      return meta.namespace ?? '';
    case 'metadata.uid':
      return meta.uid ?? '';
  }
  throw new Error(`unsupported fieldPath: ${fieldPath}`);
}

const podFieldLabels = new Set([
  'metadata.annotations',
  'metadata.labels',
  'metadata.name',
  'metadata.namespace',
  'metadata.uid',
  'spec.nodeName',
  'spec.restartPolicy',
  'spec.serviceAccountName',
  'spec.schedulerName',
  'status.phase',
  'status.hostIP',
  'status.hostIPs',
  'status.podIP',
  'status.podIPs',
]);

/** The internal field path a v1 downward API field label names (ConvertDownwardAPIFieldLabel). */
export function convertDownwardAPIFieldLabel(version: string, label: string): string {
  if (version !== 'v1') throw new Error(`unsupported pod version: ${version}`);
  const sub = splitMaybeSubscriptedPath(label);
  if (sub) {
    if (sub.path === 'metadata.annotations' || sub.path === 'metadata.labels') return label;
    throw new Error(`field label does not support subscript: ${label}`);
  }
  if (podFieldLabels.has(label)) return label;
  if (label === 'spec.host') return 'spec.nodeName';
  throw new Error(`field label not supported: ${label}`);
}

/** What the kubelet knows about addresses when it resolves fieldRefs. */
export interface PodAddresses {
  /** The pod's IPs (from the sandbox); at most one per family is used, the node's family first. */
  podIPs: readonly string[];
  /** The node's IPs, primary first. */
  hostIPs: readonly string[];
}

/** The pod's IPs ordered as upstream's sortPodIPs: one of the node's primary family, then one of the other. */
export function sortPodIPs(podIPs: readonly string[], hostIPs: readonly string[]): string[] {
  const v6First = hostIPs.length > 0 && isIPv6(hostIPs[0]!);
  const [primary, secondary] = v6First ? [isIPv6, isIPv4] : [isIPv4, isIPv6];
  const out: string[] = [];
  const p = podIPs.find((ip) => primary(ip));
  if (p !== undefined) out.push(p);
  const s = podIPs.find((ip) => secondary(ip));
  if (s !== undefined) out.push(s);
  return out;
}

/** An env var's fieldRef value (podFieldSelectorRuntimeValue). Throws with upstream's message. */
export function podFieldSelectorRuntimeValue(fs: ObjectFieldSelector, pod: Pod, addresses: PodAddresses): string {
  const path = convertDownwardAPIFieldLabel(fs.apiVersion || 'v1', fs.fieldPath);
  const podIPs = sortPodIPs(addresses.podIPs, addresses.hostIPs);
  switch (path) {
    case 'spec.nodeName':
      return pod.spec?.nodeName ?? '';
    case 'spec.serviceAccountName':
      return pod.spec?.serviceAccountName ?? '';
    case 'status.hostIP':
      return requireHostIPs(addresses.hostIPs)[0]!;
    case 'status.hostIPs':
      return requireHostIPs(addresses.hostIPs).join(',');
    case 'status.podIP':
      return podIPs[0] ?? '';
    case 'status.podIPs':
      return podIPs.join(',');
  }
  return extractFieldPathAsString(pod, path);
}

function requireHostIPs(hostIPs: readonly string[]): readonly string[] {
  if (hostIPs.length === 0) throw new Error('host IP unknown; known addresses: []');
  return hostIPs;
}

/** A container of the pod by name: app containers first, then init containers. */
export function findContainerInPod(pod: Pod, name: string): Container {
  const found = (pod.spec?.containers ?? []).find((c) => c.name === name) ?? (pod.spec?.initContainers ?? []).find((c) => c.name === name);
  if (!found) throw new Error(`container ${name} not found`);
  return found;
}

const defaultedLimits = ['cpu', 'memory', 'ephemeral-storage'];

/** The container with unset (or zero) cpu, memory and ephemeral-storage limits taken from node allocatable. */
export function withAllocatableLimits(container: Container, allocatable: ResourceList): Container {
  const limits: Record<string, string | number> = { ...container.resources?.limits };
  for (const name of defaultedLimits) {
    const current = limits[name];
    if ((current === undefined || parseQuantity(current).isZero()) && allocatable[name] !== undefined) limits[name] = allocatable[name]!;
  }
  return { ...container, resources: { ...container.resources, limits } };
}

const zero = parseQuantity('0');

function quantityOf(list: ResourceList | undefined, name: string): Quantity {
  const v = ownValue(list, name);
  return v === undefined ? zero : parseQuantity(v);
}

// A non-zero divisor's scaled value is never 0: scaledValue rounds away from zero.
function ceilDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b !== 0n && a > 0n === b > 0n ? q + 1n : q;
}

/** A resourceFieldRef's value for a container (ExtractContainerResourceValue). */
export function containerResourceValue(fs: ResourceFieldSelector, container: Container): string {
  const divisor = fs.divisor === undefined || parseQuantity(fs.divisor).isZero() ? parseQuantity('1') : parseQuantity(fs.divisor);
  const dot = fs.resource.indexOf('.');
  const kind = fs.resource.slice(0, dot);
  const name = fs.resource.slice(dot + 1);
  if (dot > 0 && (kind === 'limits' || kind === 'requests')) {
    const list = container.resources?.[kind];
    if (name === 'cpu') return ceilDiv(quantityOf(list, name).scaledValue(-3), divisor.scaledValue(-3)).toString();
    if (name === 'memory' || name === 'ephemeral-storage' || name.startsWith('hugepages-')) {
      return ceilDiv(quantityOf(list, name).scaledValue(0), divisor.scaledValue(0)).toString();
    }
  }
  throw new Error(`unsupported container resource : ${fs.resource}`);
}

/**
 * A resourceFieldRef's value with limits defaulted to node allocatable: the named container (any
 * of the pod's) or, without a name, `self`.
 */
export function resourceFieldValue(fs: ResourceFieldSelector, pod: Pod, self: Container | undefined, allocatable: ResourceList): string {
  const container = fs.containerName ? findContainerInPod(pod, fs.containerName) : self;
  if (!container) throw new Error(`container ${fs.containerName ?? ''} not found`);
  return containerResourceValue(fs, withAllocatableLimits(container, allocatable));
}
