// The Node kind (cluster-scoped): the kubelet registers nodes with their status, so status is
// kept on create and carried over on spec updates; taints are validated as upstream; pod CIDRs
// and the provider ID are immutable once set; and the STATUS (Ready/NotReady/Unknown,
// SchedulingDisabled), ROLES, VERSION ... table.

import type { StatusCause } from '../../../machinery/status.ts';
import type { ColumnDefinition, KindDefinition, KubeObject } from '../../kind.ts';
import { kindSchema } from '../../meta.ts';
import { age, ageColumn } from '../../printing.ts';
import { child, duplicate, forbidden, index, invalid, oneOf } from './field-errors.ts';
import { isRecord, rec, records, str, stringsOf } from './json.ts';
import { isIP, isValidLabelValue, nameIsDNSSubdomain } from './names.ts';
import { validateLabelName, validateObjectMeta, validateObjectMetaUpdate } from './object-meta.ts';
import { nodeSpec, nodeStatus } from './node-schema.ts';
import { parseQuantity } from './quantity.ts';

export const nodeSchema = kindSchema('Node is a worker node in Kubernetes. Each node will have a unique identifier in the cache (i.e. in etcd).', {
  spec: { ...nodeSpec, description: 'Spec defines the behavior of a node.' },
  status: { ...nodeStatus, description: 'Most recently observed status of the node.' },
});

export const nodeColumns: ColumnDefinition[] = [
  { name: 'Status', type: 'string', priority: 0, description: "The status of the node" },
  { name: 'Roles', type: 'string', priority: 0, description: "The roles of the node" },
  ageColumn,
  { name: 'Version', type: 'string', priority: 0, description: "Kubelet Version reported by the node." },
  { name: 'Internal-IP', type: 'string', priority: 1, description: "List of addresses reachable to the node. Queried from cloud provider, if available. More info: https://kubernetes.io/docs/reference/node/node-status/#addresses Note: This field is declared as mergeable, but the merge key is not sufficiently unique, which can cause data corruption when it is merged. Callers should instead use a full-replacement patch. See https://pr.k8s.io/79391 for an example. Consumers should assume that addresses can change during the lifetime of a Node. However, there are some exceptions where this may not be possible, such as Pods that inherit a Node's address in its own status or consumers of the downward API (status.hostIP)." },
  { name: 'External-IP', type: 'string', priority: 1, description: "List of addresses reachable to the node. Queried from cloud provider, if available. More info: https://kubernetes.io/docs/reference/node/node-status/#addresses Note: This field is declared as mergeable, but the merge key is not sufficiently unique, which can cause data corruption when it is merged. Callers should instead use a full-replacement patch. See https://pr.k8s.io/79391 for an example. Consumers should assume that addresses can change during the lifetime of a Node. However, there are some exceptions where this may not be possible, such as Pods that inherit a Node's address in its own status or consumers of the downward API (status.hostIP)." },
  { name: 'OS-Image', type: 'string', priority: 1, description: "OS Image reported by the node from /etc/os-release (e.g. Debian GNU/Linux 7 (wheezy))." },
  { name: 'Kernel-Version', type: 'string', priority: 1, description: "Kernel Version reported by the node from 'uname -r' (e.g. 3.16.0-0.bpo.4-amd64)." },
  { name: 'Container-Runtime', type: 'string', priority: 1, description: "ContainerRuntime Version reported by the node through runtime remote API (e.g. containerd://1.4.2)." },
];

/** Ready, NotReady or Unknown from the Ready condition, then SchedulingDisabled when cordoned. */
export function nodeStatusCell(node: KubeObject): string {
  const status: string[] = [];
  const ready = records(rec(node.status).conditions).filter((c) => c.type === 'Ready').pop();
  if (ready) status.push(ready.status === 'True' ? 'Ready' : 'NotReady');
  if (status.length === 0) status.push('Unknown');
  if (rec(node.spec).unschedulable === true) status.push('SchedulingDisabled');
  return status.join(',');
}

/** findNodeRoles: node-role.kubernetes.io/<role> labels and the kubernetes.io/role label. */
export function nodeRoles(node: KubeObject): string {
  const roles = new Set<string>();
  for (const [k, v] of Object.entries(rec(node.metadata?.labels))) {
    if (k.startsWith('node-role.kubernetes.io/')) {
      const role = k.slice('node-role.kubernetes.io/'.length);
      if (role) roles.add(role);
    } else if (k === 'kubernetes.io/role' && v) {
      roles.add(String(v));
    }
  }
  return [...roles].sort().join(',') || '<none>';
}

function address(node: KubeObject, type: string): string {
  return str(records(rec(node.status).addresses).find((a) => a.type === type)?.address) || '<none>';
}

function nodeCells(node: KubeObject, now: number): unknown[] {
  const info = rec(rec(node.status).nodeInfo);
  return [
    nodeStatusCell(node),
    nodeRoles(node),
    age(node, now),
    str(info.kubeletVersion),
    address(node, 'InternalIP'),
    address(node, 'ExternalIP'),
    str(info.osImage) || '<unknown>',
    str(info.kernelVersion) || '<unknown>',
    str(info.containerRuntimeVersion) || '<unknown>',
  ];
}

/** validateNodeTaints. */
export function validateTaints(taints: unknown, field: string): StatusCause[] {
  const errs: StatusCause[] = [];
  const unique = new Map<string, Set<string>>();
  records(taints).forEach((t, i) => {
    const p = index(field, i);
    errs.push(...validateLabelName(str(t.key), child(p, 'key')));
    const msgs = isValidLabelValue(str(t.value));
    if (msgs.length) errs.push(invalid(child(p, 'value'), str(t.value), msgs.join(';')));
    errs.push(...oneOf(t.effect, ['NoSchedule', 'PreferNoSchedule', 'NoExecute'], child(p, 'effect')));
    const effect = str(t.effect);
    const keys = unique.get(effect) ?? new Set<string>();
    if (keys.has(str(t.key))) {
      // The internal core.Taint has no JSON tags, so upstream prints Go field names.
      const value = { Key: str(t.key), Value: str(t.value), Effect: effect, TimeAdded: t.timeAdded ?? null };
      errs.push({ ...duplicate(p, value), message: `${duplicate(p, value).message}: taints must be unique by key and effect pair` });
      return;
    }
    keys.add(str(t.key));
    unique.set(effect, keys);
  });
  return errs;
}

function validateResources(node: KubeObject): StatusCause[] {
  const errs: StatusCause[] = [];
  const status = rec(node.status);
  for (const f of ['capacity', 'allocatable']) {
    for (const [k, v] of Object.entries(rec(status[f]))) {
      const n = parseQuantity(v);
      if (n !== undefined && n < 0n) errs.push(invalid(`status.${f}.${k}`, String(v), 'must be greater than or equal to 0'));
    }
  }
  return errs;
}

function validateNode(node: KubeObject): StatusCause[] {
  const errs = validateObjectMeta(node, false, nameIsDNSSubdomain);
  const spec = rec(node.spec);
  // Upstream reports spec taint errors under metadata.taints.
  errs.push(...validateTaints(spec.taints, 'metadata.taints'));
  errs.push(...validateResources(node));
  const cidrs = stringsOf(spec.podCIDRs);
  cidrs.forEach((c, i) => {
    const [ip, bits] = c.split('/');
    if (!isIP(ip ?? '') || bits === undefined || !/^[0-9]+$/.test(bits))
      errs.push(invalid(`spec.podCIDRs[${i}]`, c, 'must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)'));
  });
  if (cidrs.length > 2 || (cidrs.length === 2 && cidrs[0].includes(':') === cidrs[1].includes(':')))
    errs.push(invalid('spec.podCIDRs', cidrs, 'may specify no more than one CIDR for each IP family'));
  return errs;
}

function validateNodeUpdate(node: KubeObject, old: KubeObject): StatusCause[] {
  const errs = validateObjectMetaUpdate(node, old);
  const spec = rec(node.spec);
  const oldSpec = rec(old.spec);
  const seen = new Set<string>();
  records(rec(node.status).addresses).forEach((a, i) => {
    const k = `${str(a.type)}/${str(a.address)}`;
    if (seen.has(k)) errs.push(duplicate(`status.addresses[${i}]`, { Type: str(a.type), Address: str(a.address) }));
    seen.add(k);
  });
  const oldCIDRs = stringsOf(oldSpec.podCIDRs);
  const cidrs = stringsOf(spec.podCIDRs);
  if (oldCIDRs.length > 0 && (oldCIDRs.length !== cidrs.length || oldCIDRs.some((c, i) => c !== cidrs[i])))
    errs.push(forbidden('spec.podCIDRs', 'node updates may not change podCIDR except from "" to valid'));
  if (str(oldSpec.providerID) && oldSpec.providerID !== spec.providerID)
    errs.push(forbidden('spec.providerID', 'node updates may not change providerID except from "" to valid'));
  if ((spec.externalID ?? '') !== (oldSpec.externalID ?? '')) errs.push(forbidden('spec.externalID', 'may not be updated'));
  return errs;
}

export const node: KindDefinition = {
  group: '',
  version: 'v1',
  kind: 'Node',
  resource: 'nodes',
  namespaced: false,
  shortNames: ['no'],
  schema: nodeSchema,
  status: true,
  fields: { 'spec.unschedulable': (o) => String(rec(o.spec).unschedulable === true) },
  table: { columns: nodeColumns, cells: nodeCells },
  strategy: {
    defaults: (o) => {
      const status = rec(o.status);
      if (isRecord(o.status) && isRecord(status.capacity) && status.allocatable === undefined) status.allocatable = structuredClone(status.capacity);
    },
    validate: validateNode,
    validateUpdate: validateNodeUpdate,
    prepareForUpdate: (o, old) => {
      o.status = structuredClone(old.status);
    },
  },
};
