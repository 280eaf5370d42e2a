// The ResourceQuota controller (upstream pkg/controller/resourcequota). Guarantees:
// - every quota reports status.hard = spec.hard and status.used for each hard resource, counted
//   from informer caches by the evaluators (api/core/v1/quota/evaluators.ts) over the quota's scopes;
// - a quota is recalculated when it is created or its spec changes, when an object it may
//   count is deleted or changes in a way that changes usage (a pod becoming terminal, a
//   service changing type, a claim's allocated storage changing), and for every quota once
//   per resync period (upstream --resource-quota-sync-period, 5 min). Creations are charged by
//   the API server's quota admission when they are admitted, so they need no recalculation;
// - it counts every namespaced resource discovery lists with create, list, watch and delete
//   (events excepted), rediscovering every 30 s so new kinds can be counted (count/<r>.<g>);
// - status is written through /status with the cached quota's resourceVersion; a conflict
//   (say, with admission charging usage meanwhile) requeues with back-off and recalculates.

import { isNotFound } from '../../../client/api-errors.ts';
import { deletionHandlingKey, DeletedFinalStateUnknown, type SharedIndexInformer } from '../../../client/informer.ts';
import type { SharedInformerFactory } from '../../../client/informer-factory.ts';
import { metaNamespaceKey, splitMetaNamespaceKey } from '../../../client/indexer.ts';
import { sleep } from '../../../client/wait.ts';
import { WorkQueue } from '../../../client/workqueue.ts';
import type { Logger } from '../../../component-base/logging.ts';
import type { Clock } from '../../../machinery/clock.ts';
import type { KubeObject } from '../../../api/kind.ts';
import { evaluatorFor, type Evaluator } from '../../../api/core/v1/quota/evaluators.ts';
import type { ApiClient, Controller } from '../../context.ts';
import type { ApiResourceInfo, DiscoveryResult } from '../../discovery.ts';
import type { ControllerMetrics } from '../../../component-base/controller-metrics.ts';
import { runWorkers, type ReconcileResult } from '../../../component-base/controller-worker.ts';
import { quotaStatus, type UsageSource } from './usage.ts';

export const controllerName = 'resourcequota-controller';
const resourceQuotas = { group: '', version: 'v1', resource: 'resourcequotas' };
const ignored = new Set(['/events', 'events.k8s.io/events']);

export interface ResourceQuotaControllerOptions {
  client: ApiClient;
  quotas: SharedIndexInformer<KubeObject>;
  /** Where the informers of counted resources come from (shared with other controllers). */
  informers: Pick<SharedInformerFactory, 'informerFor' | 'start'>;
  discover(): Promise<DiscoveryResult>;
  clock: Clock;
  log: Logger;
  workers?: number;
  metrics?: ControllerMetrics;
  /** Full recalculation of every quota this often (default 5 min). */
  resyncPeriodMs?: number;
  /** Discovery is read again this often for new resources (default 30 s). */
  discoveryPeriodMs?: number;
}

interface Monitor {
  evaluator: Evaluator;
  informer: SharedIndexInformer<KubeObject>;
}

export class ResourceQuotaController implements Controller {
  readonly name = controllerName;
  readonly queue: WorkQueue<string>;
  readonly #o: ResourceQuotaControllerOptions;
  readonly #monitors = new Map<string, Monitor>();

  constructor(options: ResourceQuotaControllerOptions) {
    this.#o = options;
    this.queue = new WorkQueue<string>({ name: 'resourcequota_primary', clock: options.clock });
    options.quotas.addEventHandler({
      onAdd: (q) => this.queue.add(metaNamespaceKey(q)),
      // Status changes are this controller's and admission's own: only a new spec needs a recalculation.
      onUpdate: (old, cur) => {
        if (JSON.stringify(old.spec ?? {}) !== JSON.stringify(cur.spec ?? {})) this.queue.add(metaNamespaceKey(cur));
      },
      onDelete: (q) => this.queue.add(deletionHandlingKey(q)),
    });
  }

  /** Watches every quotable resource not yet watched. */
  async syncMonitors(signal: AbortSignal): Promise<void> {
    const { resources } = await this.#o.discover();
    let added = false;
    for (const r of resources) {
      const key = `${r.group}/${r.resource}`;
      if (!quotable(r) || ignored.has(key) || this.#monitors.has(key)) continue;
      const evaluator = evaluatorFor(r.group, r.resource);
      const informer = this.#o.informers.informerFor<KubeObject>({ group: r.group, version: r.version, resource: r.resource });
      informer.addEventHandler({
        onUpdate: (old, cur) => {
          if (evaluator.changesUsage(old, cur, this.#o.clock.now())) this.#replenish(evaluator, cur);
        },
        onDelete: (obj) => this.#replenish(evaluator, obj instanceof DeletedFinalStateUnknown ? obj.obj : obj),
      });
      this.#monitors.set(key, { evaluator, informer });
      added = true;
    }
    if (added) this.#o.informers.start(signal);
  }

  /** Queues the quotas of the object's namespace that track something the evaluator counts. */
  #replenish(evaluator: Evaluator, obj: KubeObject): void {
    for (const quota of this.#o.quotas.lister.namespace(obj.metadata?.namespace ?? '').list()) {
      const hard = Object.keys((quota.status as { hard?: object } | undefined)?.hard ?? {});
      if (evaluator.matchingResources(hard).length > 0) this.queue.add(metaNamespaceKey(quota));
    }
  }

  #enqueueAll(): void {
    for (const quota of this.#o.quotas.lister.list()) this.queue.add(metaNamespaceKey(quota));
  }

  async run(signal: AbortSignal): Promise<void> {
    const { clock, log } = this.#o;
    for (;;) {
      try {
        await this.syncMonitors(signal);
        break;
      } catch (err) {
        log.warn('resource quota: discovery failed', { err: err instanceof Error ? err.message : String(err) });
        if (!(await sleep(clock, 1000, signal))) return this.queue.shutDown();
      }
    }
    const synced = await Promise.all([this.#o.quotas.waitForSync(signal), ...[...this.#monitors.values()].map((m) => m.informer.waitForSync(signal))]);
    if (!synced.every(Boolean)) return this.queue.shutDown();
    const resync = (async () => {
      while (await sleep(clock, this.#o.resyncPeriodMs ?? 5 * 60_000, signal)) this.#enqueueAll();
    })();
    const rediscover = (async () => {
      while (await sleep(clock, this.#o.discoveryPeriodMs ?? 30_000, signal)) {
        await this.syncMonitors(signal).catch((err: unknown) => log.warn('resource quota: rediscovery failed', { err: err instanceof Error ? err.message : String(err) }));
      }
    })();
    await Promise.all([
      runWorkers({ name: this.name, queue: this.queue, workers: this.#o.workers ?? 5, reconcile: (k) => this.reconcile(k), log, metrics: this.#o.metrics }, signal),
      resync,
      rediscover,
    ]);
  }

  #sources(): UsageSource[] {
    return [...this.#monitors.values()].map(({ evaluator, informer }) => ({
      evaluator,
      list: (namespace) => (informer.hasSynced() ? informer.lister.namespace(namespace).list() : undefined),
    }));
  }

  async reconcile(key: string): Promise<ReconcileResult | void> {
    const { namespace, name } = splitMetaNamespaceKey(key);
    const quota = this.#o.quotas.lister.namespace(namespace).get(name);
    if (!quota) return;
    const { status, failed } = quotaStatus(quota, this.#sources(), this.#o.clock.now());
    if (status) {
      try {
        await this.#o.client.update({ ...resourceQuotas, namespace, name, subresource: 'status' }, { ...structuredClone(quota), status });
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
    }
    if (failed.length > 0) throw new Error(`cannot count ${failed.join(', ')} yet`);
  }
}

function quotable(r: ApiResourceInfo): boolean {
  return r.namespaced && ['create', 'list', 'watch', 'delete'].every((v) => r.verbs.includes(v));
}
