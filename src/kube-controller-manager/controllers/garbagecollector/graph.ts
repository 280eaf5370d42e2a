// The garbage collector's dependency graph, as upstream's GraphBuilder keeps it: one node per
// object seen by any monitor (uid, where it lives, its owner references, whether it is being
// deleted and whether it waits for its dependents), and for every owner uid the set of
// dependents that reference it. It is changed only through observe()/forget(), which report
// what the collector must look at next (upstream's processTransitions).

import type { ApiResourceInfo } from '../../discovery.ts';
import type { KubeObject, OwnerReference } from '../../types.ts';

export interface GraphNode {
  uid: string;
  resource: ApiResourceInfo;
  apiVersion: string;
  kind: string;
  namespace: string;
  name: string;
  owners: OwnerReference[];
  beingDeleted: boolean;
  /** Marked for deletion with the foregroundDeletion finalizer: waits for blocking dependents. */
  deletingDependents: boolean;
  /** Marked for deletion with the orphan finalizer. */
  orphaning: boolean;
}

export interface GraphChanges {
  /** uids to check with attemptToDelete. */
  attemptToDelete: string[];
  /** uids whose dependents must be orphaned. */
  attemptToOrphan: string[];
}

export function hasFinalizer(obj: KubeObject, finalizer: string): boolean {
  return (obj.metadata?.finalizers ?? []).includes(finalizer);
}

export class Graph {
  readonly nodes = new Map<string, GraphNode>();
  readonly #dependents = new Map<string, Set<string>>();

  dependents(uid: string): GraphNode[] {
    return [...(this.#dependents.get(uid) ?? [])].map((d) => this.nodes.get(d)).filter((n): n is GraphNode => n !== undefined);
  }

  /** Dependents whose reference to `uid` has blockOwnerDeletion. */
  blockingDependents(uid: string): GraphNode[] {
    return this.dependents(uid).filter((d) => d.owners.some((r) => r.uid === uid && r.blockOwnerDeletion === true));
  }

  /** An add or update of an object. */
  observe(obj: KubeObject, resource: ApiResourceInfo): GraphChanges {
    const changes: GraphChanges = { attemptToDelete: [], attemptToOrphan: [] };
    const meta = obj.metadata ?? {};
    const uid = meta.uid;
    if (!uid) return changes;
    const old = this.nodes.get(uid);
    const beingDeleted = Boolean(meta.deletionTimestamp);
    const node: GraphNode = {
      uid,
      resource,
      apiVersion: obj.apiVersion ?? (resource.group ? `${resource.group}/${resource.version}` : resource.version),
      kind: obj.kind ?? resource.kind,
      namespace: meta.namespace ?? '',
      name: meta.name ?? '',
      owners: [...(meta.ownerReferences ?? [])],
      beingDeleted,
      deletingDependents: beingDeleted && hasFinalizer(obj, 'foregroundDeletion'),
      orphaning: beingDeleted && hasFinalizer(obj, 'orphan'),
    };
    for (const r of old?.owners ?? []) this.#dependents.get(r.uid)?.delete(uid);
    for (const r of node.owners) {
      let set = this.#dependents.get(r.uid);
      if (!set) this.#dependents.set(r.uid, (set = new Set()));
      set.add(uid);
    }
    this.nodes.set(uid, node);

    // Owners no longer blocked by this object (reference removed or unblocked) may finish.
    for (const r of old?.owners ?? []) {
      const now = node.owners.find((n) => n.uid === r.uid);
      if (r.blockOwnerDeletion && !now?.blockOwnerDeletion && this.nodes.get(r.uid)?.deletingDependents) changes.attemptToDelete.push(r.uid);
    }
    // A new owner reference to an object not (yet) seen: check whether it exists.
    const oldOwners = new Set((old?.owners ?? []).map((r) => r.uid));
    if (node.owners.some((r) => !oldOwners.has(r.uid) && (!this.nodes.has(r.uid) || this.nodes.get(r.uid)!.beingDeleted))) changes.attemptToDelete.push(uid);
    if (node.orphaning && !old?.orphaning) changes.attemptToOrphan.push(uid);
    if (node.deletingDependents && !old?.deletingDependents) {
      changes.attemptToDelete.push(uid);
      for (const d of this.dependents(uid)) changes.attemptToDelete.push(d.uid);
    }
    return changes;
  }

  /** A deletion: the object's dependents lost an owner; owners waiting on it may finish. */
  forget(uid: string): GraphChanges {
    const changes: GraphChanges = { attemptToDelete: [], attemptToOrphan: [] };
    const node = this.nodes.get(uid);
    if (!node) return changes;
    this.nodes.delete(uid);
    for (const r of node.owners) {
      this.#dependents.get(r.uid)?.delete(uid);
      if (this.#dependents.get(r.uid)?.size === 0 && !this.nodes.has(r.uid)) this.#dependents.delete(r.uid);
      if (this.nodes.get(r.uid)?.deletingDependents) changes.attemptToDelete.push(r.uid);
    }
    for (const d of this.dependents(uid)) changes.attemptToDelete.push(d.uid);
    return changes;
  }
}
