// The garbage collector (upstream pkg/controller/garbagecollector). It watches every resource
// that discovery lists with list, watch and delete (except events), rediscovering every 30 s
// so new kinds (custom resources) are covered, and keeps a graph of owner references. Then:
// - background: an object none of whose owners exists any more (by uid, checked against the
//   API, not only the cache) is deleted, with the propagation its own finalizers ask for;
//   references to owners that are gone are removed from objects that still have other owners;
// - foreground: an owner marked for deletion with the foregroundDeletion finalizer has its
//   dependents deleted (those with dependents of their own in foreground too); the finalizer
//   is removed once no dependent with blockOwnerDeletion is left;
// - orphan: an owner marked for deletion with the orphan finalizer has its references removed
//   from every dependent, then the finalizer removed.
// Every write carries a uid or resourceVersion precondition; conflicts requeue with back-off.

import { isConflict, isNotFound } from '../../../client/api-errors.ts';
import type { SharedInformerFactory } from '../../../client/informer-factory.ts';
import { DeletedFinalStateUnknown, type SharedIndexInformer } from '../../../client/informer.ts';
import { WorkQueue } from '../../../client/workqueue.ts';
import type { Logger } from '../../../component-base/logging.ts';
import type { Clock } from '../../../machinery/clock.ts';
import type { ApiClient, Controller } from '../../context.ts';
import type { ApiResourceInfo, DiscoveryResult } from '../../discovery.ts';
import type { ControllerMetrics } from '../../../component-base/controller-metrics.ts';
import type { KubeObject, OwnerReference } from '../../types.ts';
import { runWorkers, type ReconcileResult } from '../../../component-base/controller-worker.ts';
import { sleep } from '../../../client/wait.ts';
import { Graph, hasFinalizer, type GraphChanges, type GraphNode } from './graph.ts';

export const controllerName = 'garbage-collector-controller';

export interface GarbageCollectorOptions {
  client: ApiClient;
  informers: SharedInformerFactory;
  discover(): Promise<DiscoveryResult>;
  clock: Clock;
  log: Logger;
  workers?: number;
  metrics?: ControllerMetrics;
  /** How often discovery is read again for new resources (default 30 s). */
  resyncPeriodMs?: number;
}

const ignored = new Set(['/events', 'events.k8s.io/events']);

function resourceKey(r: { group: string; resource: string }): string {
  return `${r.group}/${r.resource}`;
}

function groupOf(apiVersion: string): string {
  return apiVersion.includes('/') ? apiVersion.split('/')[0] : '';
}

export class GarbageCollector implements Controller {
  readonly name = controllerName;
  readonly graph = new Graph();
  readonly attemptToDelete: WorkQueue<string>;
  readonly attemptToOrphan: WorkQueue<string>;
  readonly #o: GarbageCollectorOptions;
  readonly #monitors = new Map<string, SharedIndexInformer>();
  /** group/kind -> resource, for looking owners up. */
  readonly #kinds = new Map<string, ApiResourceInfo>();

  constructor(options: GarbageCollectorOptions) {
    this.#o = options;
    this.attemptToDelete = new WorkQueue<string>({ name: 'garbage_collector_attempt_to_delete', clock: options.clock });
    this.attemptToOrphan = new WorkQueue<string>({ name: 'garbage_collector_attempt_to_orphan', clock: options.clock });
  }

  #apply(changes: GraphChanges): void {
    for (const uid of changes.attemptToDelete) this.attemptToDelete.add(uid);
    for (const uid of changes.attemptToOrphan) this.attemptToOrphan.add(uid);
  }

  /** Starts a monitor for every deletable resource not yet watched; true if any was added. */
  async #syncMonitors(signal: AbortSignal): Promise<boolean> {
    const { resources } = await this.#o.discover();
    let added = false;
    for (const r of resources) {
      this.#kinds.set(`${r.group}/${r.kind}`, r);
      if (!['list', 'watch', 'delete'].every((v) => r.verbs.includes(v)) || ignored.has(resourceKey(r)) || this.#monitors.has(resourceKey(r))) continue;
      const informer = this.#o.informers.informerFor({ group: r.group, version: r.version, resource: r.resource });
      informer.addEventHandler({
        onAdd: (obj) => this.#apply(this.graph.observe(obj, r)),
        onUpdate: (_old, obj) => this.#apply(this.graph.observe(obj, r)),
        onDelete: (obj) => {
          const o = obj instanceof DeletedFinalStateUnknown ? obj.obj : obj;
          if (o.metadata?.uid) this.#apply(this.graph.forget(o.metadata.uid));
        },
      });
      this.#monitors.set(resourceKey(r), informer);
      added = true;
    }
    if (added) this.#o.informers.start(signal);
    return added;
  }

  async run(signal: AbortSignal): Promise<void> {
    for (;;) {
      try {
        await this.#syncMonitors(signal);
        break;
      } catch (err) {
        this.#o.log.warn('garbage collector: discovery failed', { err: err instanceof Error ? err.message : String(err) });
        if (!(await sleep(this.#o.clock, 1000, signal))) return this.#shutDown();
      }
    }
    const synced = await Promise.all([...this.#monitors.values()].map((i) => i.waitForSync(signal)));
    if (!synced.every(Boolean)) return this.#shutDown();
    // Objects whose owners are not (or no longer) in the graph get checked once; the rest arrives as events.
    for (const node of this.graph.nodes.values()) {
      const ownerMissing = node.owners.some((r) => !this.graph.nodes.has(r.uid) || this.graph.nodes.get(r.uid)!.beingDeleted);
      if (ownerMissing || node.deletingDependents) this.attemptToDelete.add(node.uid);
      if (node.orphaning) this.attemptToOrphan.add(node.uid);
    }
    const resync = (async () => {
      while (await sleep(this.#o.clock, this.#o.resyncPeriodMs ?? 30_000, signal)) {
        await this.#syncMonitors(signal).catch((err: unknown) => this.#o.log.warn('garbage collector: rediscovery failed', { err: String(err) }));
      }
    })();
    const common = { log: this.#o.log, metrics: this.#o.metrics };
    await Promise.all([
      runWorkers({ ...common, name: 'garbage-collector-attempt-to-delete', queue: this.attemptToDelete, workers: this.#o.workers ?? 20, reconcile: (uid) => this.attemptToDeleteItem(uid) }, signal),
      runWorkers({ ...common, name: 'garbage-collector-attempt-to-orphan', queue: this.attemptToOrphan, workers: 1, reconcile: (uid) => this.attemptToOrphanItem(uid) }, signal),
      resync,
    ]);
  }

  #shutDown(): void {
    this.attemptToDelete.shutDown();
    this.attemptToOrphan.shutDown();
  }

  #ref(node: { resource: ApiResourceInfo; namespace: string; name: string }) {
    const r = node.resource;
    return { group: r.group, version: r.version, resource: r.resource, namespace: r.namespaced ? node.namespace : undefined, name: node.name };
  }

  async #getLive(node: GraphNode): Promise<KubeObject | undefined> {
    try {
      const obj = await this.#o.client.get(this.#ref(node));
      return obj.metadata?.uid === node.uid ? obj : undefined;
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  /** The owner as the API has it now: undefined when absent (or replaced by another uid). */
  async #owner(ref: OwnerReference, namespace: string): Promise<KubeObject | undefined | 'unknown'> {
    const resource = this.#kinds.get(`${groupOf(ref.apiVersion)}/${ref.kind}`);
    if (!resource) return 'unknown';
    try {
      const owner = await this.#o.client.get({ group: resource.group, version: resource.version, resource: resource.resource, namespace: resource.namespaced ? namespace : undefined, name: ref.name });
      return owner.metadata?.uid === ref.uid ? owner : undefined;
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  async attemptToDeleteItem(uid: string): Promise<ReconcileResult | void> {
    const node = this.graph.nodes.get(uid);
    if (!node) return;
    const latest = await this.#getLive(node);
    if (!latest) return;
    if (latest.metadata?.deletionTimestamp && !hasFinalizer(latest, 'foregroundDeletion')) return;
    if (latest.metadata?.deletionTimestamp && hasFinalizer(latest, 'foregroundDeletion')) return this.#processDeletingDependents(node, latest);

    const refs = latest.metadata?.ownerReferences ?? [];
    if (refs.length === 0) return;
    const solid: OwnerReference[] = [];
    const dangling: OwnerReference[] = [];
    const waiting: OwnerReference[] = [];
    for (const ref of refs) {
      const owner = await this.#owner(ref, node.namespace);
      if (owner === 'unknown') {
        // A kind discovery does not list: never delete on a guess.
        solid.push(ref);
      } else if (!owner) {
        dangling.push(ref);
      } else if (owner.metadata?.deletionTimestamp && hasFinalizer(owner, 'foregroundDeletion')) {
        waiting.push(ref);
      } else {
        solid.push(ref);
      }
    }
    if (solid.length > 0) {
      const gone = new Set([...dangling, ...waiting].map((r) => r.uid));
      if (gone.size === 0) return;
      await this.#patchOwnerReferences(latest, node, refs.filter((r) => !gone.has(r.uid)));
      return;
    }
    if (waiting.length > 0 && this.graph.dependents(uid).length > 0) {
      // Our owner waits for us while we have dependents: delete in foreground so they go first,
      // and stop blocking the owner meanwhile (upstream's unblockOwnerReferences).
      const waitingUids = new Set(waiting.map((r) => r.uid));
      if (refs.some((r) => waitingUids.has(r.uid) && r.blockOwnerDeletion)) {
        await this.#patchOwnerReferences(latest, node, refs.map((r) => (waitingUids.has(r.uid) ? { ...r, blockOwnerDeletion: false } : r)));
      }
      await this.#delete(node, 'Foreground');
      return;
    }
    const policy = hasFinalizer(latest, 'orphan') ? 'Orphan' : hasFinalizer(latest, 'foregroundDeletion') ? 'Foreground' : 'Background';
    await this.#delete(node, policy);
  }

  async #processDeletingDependents(node: GraphNode, latest: KubeObject): Promise<void> {
    const blocking = this.graph.blockingDependents(node.uid);
    if (blocking.length === 0) {
      await this.#removeFinalizer(node, latest, 'foregroundDeletion');
      return;
    }
    for (const dep of blocking) if (!dep.deletingDependents) this.attemptToDelete.add(dep.uid);
  }

  async attemptToOrphanItem(uid: string): Promise<ReconcileResult | void> {
    const node = this.graph.nodes.get(uid);
    if (!node) return;
    for (const dep of this.graph.dependents(uid)) {
      const live = await this.#getLive(dep);
      if (!live) continue;
      const refs = live.metadata?.ownerReferences ?? [];
      if (!refs.some((r) => r.uid === uid)) continue;
      await this.#patchOwnerReferences(live, dep, refs.filter((r) => r.uid !== uid));
    }
    const latest = await this.#getLive(node);
    if (latest) await this.#removeFinalizer(node, latest, 'orphan');
  }

  async #delete(node: GraphNode, policy: 'Orphan' | 'Foreground' | 'Background'): Promise<void> {
    try {
      await this.#o.client.delete(this.#ref(node), { propagationPolicy: policy, preconditions: { uid: node.uid } });
    } catch (err) {
      if (isNotFound(err)) return;
      throw err;
    }
  }

  /** A merge patch of ownerReferences guarded by resourceVersion (a conflict requeues). */
  async #patchOwnerReferences(latest: KubeObject, node: GraphNode, refs: OwnerReference[]): Promise<void> {
    const body = { metadata: { ownerReferences: refs.length > 0 ? refs : null, resourceVersion: latest.metadata?.resourceVersion, uid: node.uid } };
    try {
      await this.#o.client.patch(this.#ref(node), body, { type: 'merge' });
    } catch (err) {
      if (isNotFound(err)) return;
      throw err;
    }
  }

  async #removeFinalizer(node: GraphNode, latest: KubeObject, finalizer: string): Promise<void> {
    let current: KubeObject | undefined = latest;
    for (let attempt = 0; current && hasFinalizer(current, finalizer); attempt++) {
      const finalizers = (current.metadata?.finalizers ?? []).filter((f) => f !== finalizer);
      try {
        await this.#o.client.patch(this.#ref(node), { metadata: { finalizers: finalizers.length > 0 ? finalizers : null, resourceVersion: current.metadata?.resourceVersion } }, { type: 'merge' });
        return;
      } catch (err) {
        if (isNotFound(err)) return;
        if (!isConflict(err) || attempt >= 3) throw err;
        current = await this.#getLive(node);
      }
    }
  }
}
