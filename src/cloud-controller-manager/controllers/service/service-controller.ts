// The service controller (upstream controllers/service, "service-lb-controller"). For each Service
// of type LoadBalancer (without a loadBalancerClass) it adds the service.kubernetes.io/load-balancer-cleanup
// finalizer, then ensures the cloud load balancer forwarding the service's ports to the backend
// nodes' NodePorts and writes what the cloud answered to status.loadBalancer (events
// EnsuringLoadBalancer, EnsuredLoadBalancer). When the Service is being deleted or is no longer of
// type LoadBalancer, the load balancer is deleted (DeletingLoadBalancer, DeletedLoadBalancer),
// then the finalizer is removed and status.loadBalancer cleared. A failed sync records
// SyncLoadBalancerFailed and retries with back-off (5 s doubling to 300 s, as upstream).
// A separate node queue follows the backend node set (see predicates.ts): when it changes, every
// load balancer is updated (UpdatedLoadBalancer; UnAvailableLoadBalancer when no node is left); a
// load balancer whose update fails gets a full sync of its Service.
// Writes are updates carrying the resourceVersion read; a conflict requeues the Service.

import { isNotFound } from '../../../client/api-errors.ts';
import type { EventRecorder, EventType } from '../../../client/event-recorder.ts';
import { metaNamespaceKey, splitMetaNamespaceKey } from '../../../client/indexer.ts';
import { DeletedFinalStateUnknown, type SharedIndexInformer } from '../../../client/informer.ts';
import { ItemExponentialFailureRateLimiter } from '../../../client/rate-limiter.ts';
import { WorkQueue } from '../../../client/workqueue.ts';
import type { Logger } from '../../../component-base/logging.ts';
import type { Clock } from '../../../machinery/clock.ts';
import { isImplementedElsewhere, type LoadBalancer } from '../../cloudprovider/cloud.ts';
import { loadBalancerCleanupFinalizer } from '../../cloudprovider/well-known.ts';
import type { ApiClient, Controller } from '../../context.ts';
import type { CloudMetrics } from '../../metrics.ts';
import { names } from '../../names.ts';
import type { LoadBalancerStatus, Node, Service } from '../../types.ts';
import { runWorkers } from '../../../component-base/controller-worker.ts';
import {
  hasLoadBalancerFinalizer,
  isLoadBalancerBackend,
  loadBalancerStatusEqual,
  needsCleanup,
  needsUpdate,
  nodesSufficientlyEqual,
  shouldSyncUpdatedNode,
  wantsLoadBalancer,
} from './predicates.ts';

const servicesRef = (namespace: string, name: string) => ({ group: '', version: 'v1', resource: 'services', namespace, name });
const minRetryDelayMs = 5_000;
const maxRetryDelayMs = 300_000;
const nodesKey = 'nodes';

export interface ServiceControllerOptions {
  client: ApiClient;
  services: SharedIndexInformer<Service>;
  nodes: SharedIndexInformer<Node>;
  balancer: LoadBalancer;
  clusterName: string;
  recorder: EventRecorder;
  clock: Clock;
  log: Logger;
  metrics?: CloudMetrics;
  workers?: number;
  /** Back-off of failed syncs (default 5 s doubling up to 300 s). */
  retryDelayMs?: { min: number; max: number };
}

const errText = (err: unknown) => (err instanceof Error ? err.message : String(err));

export class ServiceController implements Controller {
  readonly name = names.serviceLB;
  readonly #o: ServiceControllerOptions;
  readonly #serviceQueue: WorkQueue<string>;
  readonly #nodeQueue: WorkQueue<string>;
  /** The last version of each Service this controller acted on: what to clean up if it vanishes. */
  readonly #cache = new Map<string, Service>();
  readonly #lastSyncedNodes = new Map<string, Node[]>();

  constructor(options: ServiceControllerOptions) {
    this.#o = options;
    const retry = options.retryDelayMs ?? { min: minRetryDelayMs, max: maxRetryDelayMs };
    const limiter = () => new ItemExponentialFailureRateLimiter<string>(retry.min, retry.max);
    this.#serviceQueue = new WorkQueue<string>({ name: 'service', clock: options.clock, rateLimiter: limiter() });
    this.#nodeQueue = new WorkQueue<string>({ name: 'node', clock: options.clock, rateLimiter: limiter() });
    options.services.addEventHandler({
      onAdd: (s) => {
        if (wantsLoadBalancer(s) || needsCleanup(s)) this.#serviceQueue.add(metaNamespaceKey(s));
      },
      onUpdate: (old, cur) => {
        if (needsUpdate(old, cur) || needsCleanup(cur)) this.#serviceQueue.add(metaNamespaceKey(cur));
      },
      onDelete: (s) => {
        const key = s instanceof DeletedFinalStateUnknown ? s.key : metaNamespaceKey(s);
        if (this.#cache.has(key)) this.#serviceQueue.add(key);
      },
    });
    options.nodes.addEventHandler({
      onAdd: () => this.#nodeQueue.add(nodesKey),
      onUpdate: (old, cur) => {
        if (shouldSyncUpdatedNode(old, cur)) this.#nodeQueue.add(nodesKey);
      },
      onDelete: () => this.#nodeQueue.add(nodesKey),
    });
  }

  async run(signal: AbortSignal): Promise<void> {
    const synced = await Promise.all([this.#o.services.waitForSync(signal), this.#o.nodes.waitForSync(signal)]);
    if (!synced.every(Boolean)) return;
    const { log, metrics } = this.#o;
    await Promise.all([
      runWorkers({ name: this.name, queue: this.#serviceQueue, workers: this.#o.workers ?? 1, reconcile: (k) => this.syncService(k), log, metrics }, signal),
      runWorkers({ name: `${this.name}/nodes`, queue: this.#nodeQueue, workers: 1, reconcile: () => this.syncNodes(), log, metrics }, signal),
    ]);
  }

  #event(service: Service, type: EventType, reason: string, message: string): void {
    this.#o.recorder.event({ ...service, apiVersion: 'v1', kind: 'Service' }, type, reason, message);
  }

  #backends(): Node[] {
    return this.#o.nodes.lister.list().filter(isLoadBalancerBackend);
  }

  async syncService(key: string): Promise<void> {
    const { namespace, name } = splitMetaNamespaceKey(key);
    const cached = this.#o.services.lister.namespace(namespace).get(name);
    if (!cached) {
      // Gone without us seeing it deleted (its finalizer was removed by someone else).
      const last = this.#cache.get(key);
      if (!last) return;
      this.#o.log.info('Service has been deleted; cleaning up its load balancer', { service: key });
      await this.#deleteLoadBalancer(last);
      this.#cache.delete(key);
      this.#lastSyncedNodes.delete(key);
      return;
    }
    const previous = this.#cache.get(key);
    if (previous && previous.metadata.uid !== cached.metadata.uid) await this.#deleteLoadBalancer(previous);
    const service = structuredClone(cached) as Service;
    this.#cache.set(key, service);
    try {
      const op = await this.#syncLoadBalancerIfNeeded(service, key);
      if (op === 'delete') {
        this.#cache.delete(key);
        this.#lastSyncedNodes.delete(key);
      }
    } catch (err) {
      this.#event(service, 'Warning', 'SyncLoadBalancerFailed', `Error syncing load balancer: ${errText(err)}`);
      throw err;
    }
  }

  async #syncLoadBalancerIfNeeded(original: Service, key: string): Promise<'ensure' | 'delete' | 'none'> {
    const { balancer, clusterName } = this.#o;
    const previousStatus = original.status?.loadBalancer;
    let service = original;
    let status: LoadBalancerStatus;
    let op: 'ensure' | 'delete';
    if (!wantsLoadBalancer(service) || needsCleanup(service)) {
      op = 'delete';
      status = {};
      const { exists } = await balancer.getLoadBalancer(clusterName, service);
      if (!exists && !hasLoadBalancerFinalizer(service) && !previousStatus?.ingress?.length) return 'none';
      if (exists) {
        this.#o.log.info('Deleting existing load balancer', { service: key });
        this.#event(service, 'Normal', 'DeletingLoadBalancer', 'Deleting load balancer');
        try {
          await balancer.ensureLoadBalancerDeleted(clusterName, service);
        } catch (err) {
          if (!isImplementedElsewhere(err)) throw new Error(`failed to delete load balancer: ${errText(err)}`);
        }
      }
      // Only once the load balancer is gone may the Service go.
      service = await this.#setFinalizer(service, false);
      this.#event(service, 'Normal', 'DeletedLoadBalancer', 'Deleted load balancer');
      if (service.metadata.deletionTimestamp) return op;
    } else {
      op = 'ensure';
      this.#o.log.info('Ensuring load balancer', { service: key });
      this.#event(service, 'Normal', 'EnsuringLoadBalancer', 'Ensuring load balancer');
      // Before the cloud has anything, so the Service cannot go without its load balancer going too.
      service = await this.#setFinalizer(service, true);
      try {
        status = await this.#ensureLoadBalancer(service, key);
      } catch (err) {
        if (isImplementedElsewhere(err)) return op;
        throw new Error(`failed to ensure load balancer: ${errText(err)}`);
      }
      this.#event(service, 'Normal', 'EnsuredLoadBalancer', 'Ensured load balancer');
    }
    if (!loadBalancerStatusEqual(previousStatus, status)) {
      const next = structuredClone(service) as Service;
      next.status = { ...(next.status ?? {}), loadBalancer: status };
      try {
        await this.#o.client.update<Service>({ ...servicesRef(service.metadata.namespace!, service.metadata.name!), subresource: 'status' }, next);
      } catch (err) {
        if (!isNotFound(err)) throw new Error(`failed to update load balancer status: ${errText(err)}`);
      }
    }
    return op;
  }

  async #ensureLoadBalancer(service: Service, key: string): Promise<LoadBalancerStatus> {
    const nodes = this.#backends();
    if (nodes.length === 0) this.#event(service, 'Warning', 'UnAvailableLoadBalancer', 'There are no available nodes for LoadBalancer');
    this.#lastSyncedNodes.set(key, nodes);
    this.#o.metrics?.loadBalancerSynced();
    return this.#o.balancer.ensureLoadBalancer(this.#o.clusterName, service, nodes);
  }

  /** Adds or removes our finalizer; returns the Service as written (or unchanged). */
  async #setFinalizer(service: Service, present: boolean): Promise<Service> {
    if (hasLoadBalancerFinalizer(service) === present) return service;
    const next = structuredClone(service) as Service;
    const others = (next.metadata.finalizers ?? []).filter((f) => f !== loadBalancerCleanupFinalizer);
    next.metadata.finalizers = present ? [...others, loadBalancerCleanupFinalizer] : others;
    this.#o.log.info(present ? 'Adding finalizer to service' : 'Removing finalizer from service', { service: metaNamespaceKey(service) });
    try {
      return await this.#o.client.update<Service>(servicesRef(service.metadata.namespace!, service.metadata.name!), next);
    } catch (err) {
      if (!present && isNotFound(err)) return next;
      throw new Error(`failed to ${present ? 'add' : 'remove'} load balancer cleanup finalizer: ${errText(err)}`);
    }
  }

  /** Deletes the load balancer of a Service that is gone (upstream processLoadBalancerDelete). */
  async #deleteLoadBalancer(service: Service): Promise<void> {
    if (!wantsLoadBalancer(service)) return;
    this.#event(service, 'Normal', 'DeletingLoadBalancer', 'Deleting load balancer');
    try {
      await this.#o.balancer.ensureLoadBalancerDeleted(this.#o.clusterName, service);
    } catch (err) {
      this.#event(service, 'Warning', 'DeleteLoadBalancerFailed', `Error deleting load balancer: ${errText(err)}`);
      throw err;
    }
    this.#event(service, 'Normal', 'DeletedLoadBalancer', 'Deleted load balancer');
  }

  /** Brings every load balancer's node set in line with the backend nodes; failures get a full Service sync. */
  async syncNodes(): Promise<void> {
    const nodes = this.#backends();
    for (const [key, last] of [...this.#cache]) {
      const { namespace, name } = splitMetaNamespaceKey(key);
      const service = this.#o.services.lister.namespace(namespace).get(name) ?? last;
      if (!wantsLoadBalancer(service)) continue;
      const old = (this.#lastSyncedNodes.get(key) ?? []).filter(isLoadBalancerBackend);
      this.#lastSyncedNodes.set(key, nodes);
      if (nodesSufficientlyEqual(old, nodes)) continue;
      if (!(await this.#updateHosts(service, nodes))) {
        this.#o.metrics?.nodeSyncFailed();
        this.#serviceQueue.add(key);
      }
    }
  }

  async #updateHosts(service: Service, nodes: Node[]): Promise<boolean> {
    const { balancer, clusterName } = this.#o;
    this.#o.log.info('Updating backends for load balancer', { service: metaNamespaceKey(service), nodes: nodes.length });
    this.#o.metrics?.loadBalancerSynced();
    try {
      await balancer.updateLoadBalancer(clusterName, service, nodes);
    } catch (err) {
      if (isImplementedElsewhere(err)) return true;
      try {
        if (!(await balancer.getLoadBalancer(clusterName, service)).exists) return true;
      } catch (getErr) {
        this.#o.log.warn('failed to check if load balancer exists', { service: metaNamespaceKey(service), err: errText(getErr) });
      }
      const listed = nodes.slice(0, 20).map((n) => n.metadata.name);
      this.#event(service, 'Warning', 'UpdateLoadBalancerFailed', `Error updating load balancer with new hosts [${listed.join(' ')}] [node names limited, total number of nodes: ${nodes.length}], error: ${errText(err)}`);
      return false;
    }
    if (nodes.length === 0) this.#event(service, 'Warning', 'UnAvailableLoadBalancer', 'There are no available nodes for LoadBalancer');
    else this.#event(service, 'Normal', 'UpdatedLoadBalancer', 'Updated load balancer with new hosts');
    return true;
  }
}
