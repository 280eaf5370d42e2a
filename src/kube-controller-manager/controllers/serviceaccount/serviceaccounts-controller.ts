// The service account controller (upstream pkg/controller/serviceaccount): every active
// namespace has a "default" ServiceAccount; it is created when a namespace appears and
// recreated when deleted. Namespaces being deleted are left alone.

import { isAlreadyExists, isForbidden, isNotFound } from '../../../client/api-errors.ts';
import { DeletedFinalStateUnknown, type SharedIndexInformer } from '../../../client/informer.ts';
import { WorkQueue } from '../../../client/workqueue.ts';
import type { Logger } from '../../../component-base/logging.ts';
import type { Clock } from '../../../machinery/clock.ts';
import type { ApiClient, Controller } from '../../context.ts';
import type { ControllerMetrics } from '../../../component-base/controller-metrics.ts';
import type { KubeObject, Namespace } from '../../types.ts';
import { runWorkers, type ReconcileResult } from '../../../component-base/controller-worker.ts';

export const controllerName = 'serviceaccount-controller';
const defaultServiceAccount = 'default';
const serviceAccounts = { group: '', version: 'v1', resource: 'serviceaccounts' };

export interface ServiceAccountsControllerOptions {
  client: ApiClient;
  namespaces: SharedIndexInformer<Namespace>;
  serviceAccounts: SharedIndexInformer<KubeObject>;
  clock: Clock;
  log: Logger;
  workers?: number;
  metrics?: ControllerMetrics;
}

export class ServiceAccountsController implements Controller {
  readonly name = controllerName;
  readonly queue: WorkQueue<string>;
  readonly #o: ServiceAccountsControllerOptions;

  constructor(options: ServiceAccountsControllerOptions) {
    this.#o = options;
    this.queue = new WorkQueue<string>({ name: 'serviceaccount', clock: options.clock });
    options.namespaces.addEventHandler({
      onAdd: (ns) => this.queue.add(ns.metadata.name!),
      onUpdate: (_old, ns) => this.queue.add(ns.metadata.name!),
    });
    options.serviceAccounts.addEventHandler({
      onDelete: (obj) => {
        const sa = obj instanceof DeletedFinalStateUnknown ? obj.obj : obj;
        if (sa.metadata?.name === defaultServiceAccount && sa.metadata.namespace) this.queue.add(sa.metadata.namespace);
      },
    });
  }

  async run(signal: AbortSignal): Promise<void> {
    const synced = await Promise.all([this.#o.namespaces.waitForSync(signal), this.#o.serviceAccounts.waitForSync(signal)]);
    if (!synced.every(Boolean)) {
      this.queue.shutDown();
      return;
    }
    await runWorkers({ name: this.name, queue: this.queue, workers: this.#o.workers ?? 1, reconcile: (k) => this.reconcile(k), log: this.#o.log, metrics: this.#o.metrics }, signal);
  }

  async reconcile(namespace: string): Promise<ReconcileResult | void> {
    const ns = this.#o.namespaces.lister.get(namespace);
    if (!ns || ns.metadata.deletionTimestamp || (ns.status?.phase ?? 'Active') !== 'Active') return;
    if (this.#o.serviceAccounts.lister.namespace(namespace).get(defaultServiceAccount)) return;
    try {
      await this.#o.client.create({ ...serviceAccounts, namespace }, { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: defaultServiceAccount, namespace } });
    } catch (err) {
      // Already there (the cache lags), or the namespace went away or started terminating.
      if (isAlreadyExists(err) || isNotFound(err) || isForbidden(err)) return;
      throw err;
    }
  }
}
