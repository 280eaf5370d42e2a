// A ReplicationController seen as a ReplicaSet and back, as upstream's replication manager
// converts (pkg/controller/replication/conversion.go): the map selector becomes matchLabels,
// every other field keeps its name. Owner references are translated the same way, so that the
// ReplicaSet logic reads "apps/v1 ReplicaSet" where the cluster stores "v1
// ReplicationController" and every write carries the real kind. The conversions are lossless
// for what the ReplicaSet logic reads and writes (spec, status, metadata).

import type { KubeObject, ObjectMeta, OwnerReference, Pod, PodTemplateSpec, ReplicaSet } from '../../types.ts';

export interface ReplicationController extends KubeObject {
  metadata: ObjectMeta;
  spec: {
    replicas?: number;
    minReadySeconds?: number;
    selector?: Record<string, string>;
    template?: PodTemplateSpec;
  };
  status?: ReplicaSet['status'];
}

const rsApiVersion = 'apps/v1';
const rcApiVersion = 'v1';

export function toReplicaSet(rc: ReplicationController): ReplicaSet {
  const { selector, ...spec } = rc.spec ?? {};
  const rs: ReplicaSet = { apiVersion: rsApiVersion, kind: 'ReplicaSet', metadata: rc.metadata, spec: { ...spec } };
  if (selector) rs.spec.selector = { matchLabels: selector };
  if (rc.status) rs.status = rc.status;
  return rs;
}

export function toReplicationController(rs: ReplicaSet): ReplicationController {
  const { selector, ...spec } = rs.spec ?? {};
  const rc: ReplicationController = { apiVersion: rcApiVersion, kind: 'ReplicationController', metadata: rs.metadata, spec: { ...spec } };
  if (selector?.matchLabels) rc.spec.selector = selector.matchLabels;
  if (rs.status) rc.status = rs.status;
  return rc;
}

function isRCRef(r: OwnerReference): boolean {
  return r.kind === 'ReplicationController' && r.apiVersion === rcApiVersion;
}

function isRSRef(r: OwnerReference): boolean {
  return r.kind === 'ReplicaSet' && r.apiVersion === rsApiVersion;
}

/** The pod with its ReplicationController references shown as ReplicaSet ones; unchanged (same object) when it has none. */
export function podAsSeenByReplicaSets(pod: Pod): Pod {
  const refs = pod.metadata?.ownerReferences;
  if (!refs?.some(isRCRef)) return pod;
  const ownerReferences = refs.map((r) => (isRCRef(r) ? { ...r, apiVersion: rsApiVersion, kind: 'ReplicaSet' } : r));
  return { ...pod, metadata: { ...pod.metadata, ownerReferences } };
}

/** Owner references written by the ReplicaSet logic, back to the ReplicationController kind. */
export function ownerReferencesToRC(refs: readonly OwnerReference[]): OwnerReference[] {
  return refs.map((r) => (isRSRef(r) ? { ...r, apiVersion: rcApiVersion, kind: 'ReplicationController' } : r));
}
