// The namespace controller (upstream pkg/controller/namespace): for a namespace marked for
// deletion whose spec.finalizers still holds "kubernetes", it sets phase Terminating, deletes
// everything in it (see namespaced-resources-deleter.ts), reports progress in the namespace's
// status conditions, looks again after the estimated wait while content remains, and then
// removes "kubernetes" through namespaces/<name>/finalize (the API server deletes the
// namespace once no finalizer is left). Discovery is read afresh for every reconcile, so
// custom resources are deleted too.

import { isConflict, isNotFound } from '../../../client/api-errors.ts';
import type { SharedIndexInformer } from '../../../client/informer.ts';
import { WorkQueue } from '../../../client/workqueue.ts';
import type { Logger } from '../../../component-base/logging.ts';
import type { Clock } from '../../../machinery/clock.ts';
import type { ApiClient, Controller } from '../../context.ts';
import type { DiscoveryResult } from '../../discovery.ts';
import type { ControllerMetrics } from '../../../component-base/controller-metrics.ts';
import { rfc3339, type Namespace } from '../../types.ts';
import { runWorkers, type ReconcileResult } from '../../../component-base/controller-worker.ts';
import { deleteAllContent, mergeConditions } from './namespaced-resources-deleter.ts';

export const controllerName = 'namespace-controller';
const namespaces = { group: '', version: 'v1', resource: 'namespaces' };
const kubernetesFinalizer = 'kubernetes';

export interface NamespaceControllerOptions {
  client: ApiClient;
  namespaces: SharedIndexInformer<Namespace>;
  discover(): Promise<DiscoveryResult>;
  clock: Clock;
  log: Logger;
  workers?: number;
  metrics?: ControllerMetrics;
}

export class NamespaceController implements Controller {
  readonly name = controllerName;
  readonly queue: WorkQueue<string>;
  readonly #o: NamespaceControllerOptions;

  constructor(options: NamespaceControllerOptions) {
    this.#o = options;
    this.queue = new WorkQueue<string>({ name: 'namespace', clock: options.clock });
    const enqueue = (ns: Namespace) => {
      if (ns.metadata.deletionTimestamp) this.queue.add(ns.metadata.name!);
    };
    options.namespaces.addEventHandler({
      onAdd: enqueue,
      onUpdate: (_old, cur) => enqueue(cur),
    });
  }

  async run(signal: AbortSignal): Promise<void> {
    if (!(await this.#o.namespaces.waitForSync(signal))) {
      this.queue.shutDown();
      return;
    }
    await runWorkers({ name: this.name, queue: this.queue, workers: this.#o.workers ?? 10, reconcile: (k) => this.reconcile(k), log: this.#o.log, metrics: this.#o.metrics }, signal);
  }

  async reconcile(name: string): Promise<ReconcileResult | void> {
    let ns: Namespace;
    try {
      ns = await this.#o.client.get<Namespace>({ ...namespaces, name });
    } catch (err) {
      if (isNotFound(err)) return;
      throw err;
    }
    if (!ns.metadata.deletionTimestamp) return;
    if (ns.status?.phase !== 'Terminating') {
      ns = await this.#o.client.update<Namespace>({ ...namespaces, name, subresource: 'status' }, { ...ns, status: { ...ns.status, phase: 'Terminating' } });
    }
    if (!(ns.spec?.finalizers ?? []).includes(kubernetesFinalizer)) return;

    const discovery = await this.#o.discover();
    const result = await deleteAllContent(this.#o.client, name, discovery);
    const conditions = mergeConditions(ns, result.conditions, rfc3339(this.#o.clock.now()));
    if (conditions) {
      try {
        ns = await this.#o.client.update<Namespace>({ ...namespaces, name, subresource: 'status' }, { ...ns, status: { ...ns.status, conditions } });
      } catch (err) {
        this.#o.log.warn("couldn't update status condition for namespace", { namespace: name, err: err instanceof Error ? err.message : String(err) });
      }
    }
    if (result.errors.length > 0) throw new Error(`failed to delete all content of namespace ${name}: ${result.errors.join('; ')}`);
    if (result.estimate > 0) return { requeueAfterMs: result.estimate * 1000 };
    await this.#finalize(name, ns);
  }

  /** PUT namespaces/<name>/finalize without "kubernetes", re-reading on conflict. */
  async #finalize(name: string, ns: Namespace): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      const finalizers = (ns.spec?.finalizers ?? []).filter((f) => f !== kubernetesFinalizer);
      try {
        await this.#o.client.update({ ...namespaces, name, subresource: 'finalize' }, { ...ns, spec: { ...ns.spec, finalizers } });
        return;
      } catch (err) {
        if (isNotFound(err)) return;
        if (!isConflict(err) || attempt >= 3) throw err;
        ns = await this.#o.client.get<Namespace>({ ...namespaces, name });
      }
    }
  }
}
