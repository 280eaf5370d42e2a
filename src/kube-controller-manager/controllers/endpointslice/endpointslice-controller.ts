// The EndpointSlice controller (upstream pkg/controller/endpointslice). Guarantees, per
// Service key: the slices labelled kubernetes.io/service-name=<service> and managed by
// endpointslice-controller.k8s.io are brought to what reconciler.ts computes from the cached
// pods and nodes, with creates (generateName "<service>-", a controller reference to the
// Service), updates (carrying resourceVersion) and deletes; Services without a selector are
// left alone, and their slices, like those of a deleted Service, are deleted. Like upstream's
// endpointSliceTracker, after writing it does not reconcile a Service again until its
// informer has seen those writes (or a few seconds passed), so a stale cache never makes it
// create the same slice twice.

import { isNotFound } from '../../../client/api-errors.ts';
import { splitMetaNamespaceKey } from '../../../client/indexer.ts';
import { DeletedFinalStateUnknown, type SharedIndexInformer } from '../../../client/informer.ts';
import { WorkQueue } from '../../../client/workqueue.ts';
import type { Logger } from '../../../component-base/logging.ts';
import type { Clock } from '../../../machinery/clock.ts';
import type { ApiClient, Controller } from '../../context.ts';
import type { ControllerMetrics } from '../../../component-base/controller-metrics.ts';
import type { KubeObject, Pod } from '../../types.ts';
import { runWorkers, type ReconcileResult } from '../../../component-base/controller-worker.ts';
import { hasSelector, queueServicesAndTheirPods, type Service } from '../endpoints/service-pods.ts';
import { managedByLabel, managedByValue, reconcileSlices, serviceNameLabel, type EndpointSlice } from './reconciler.ts';

const slicesRef = { group: 'discovery.k8s.io', version: 'v1', resource: 'endpointslices' };
const staleAfterMs = 5_000;

export interface EndpointSliceControllerOptions {
  client: ApiClient;
  services: SharedIndexInformer<Service>;
  pods: SharedIndexInformer<Pod>;
  nodes: SharedIndexInformer<KubeObject>;
  endpointSlices: SharedIndexInformer<EndpointSlice>;
  clock: Clock;
  log: Logger;
  workers?: number;
  metrics?: ControllerMetrics;
  maxEndpointsPerSlice?: number;
}

/** Whether resourceVersion `seen` is at least `want` (numeric where both are). */
function atLeast(seen: string | undefined, want: string): boolean {
  if (seen === undefined) return false;
  if (/^\d+$/.test(seen) && /^\d+$/.test(want)) return BigInt(seen) >= BigInt(want);
  return seen === want;
}

const serviceKeyOf = (slice: KubeObject) => `${slice.metadata?.namespace ?? ''}/${slice.metadata?.labels?.[serviceNameLabel] ?? ''}`;

export class EndpointSliceController implements Controller {
  readonly name = 'endpointslice-controller';
  readonly queue: WorkQueue<string>;
  readonly #o: EndpointSliceControllerOptions;
  /** Service key → slice name → the resourceVersion written (undefined: deleted), and when. */
  readonly #written = new Map<string, Map<string, { rv: string | undefined; at: number }>>();

  constructor(options: EndpointSliceControllerOptions) {
    this.#o = options;
    this.queue = new WorkQueue<string>({ name: 'endpoint_slice', clock: options.clock });
    queueServicesAndTheirPods(options.services, options.pods, this.queue);
    const sliceSeen = (slice: EndpointSlice, deleted: boolean) => {
      if (slice.metadata.labels?.[managedByLabel] !== managedByValue) return;
      const key = serviceKeyOf(slice);
      const tracked = this.#written.get(key);
      const entry = tracked?.get(slice.metadata.name ?? '');
      if (entry && (deleted || (entry.rv !== undefined && atLeast(slice.metadata.resourceVersion, entry.rv)))) tracked!.delete(slice.metadata.name ?? '');
      if (tracked?.size === 0) this.#written.delete(key);
      this.queue.add(key);
    };
    options.endpointSlices.addEventHandler({
      onAdd: (s) => sliceSeen(s, false),
      onUpdate: (_o, s) => sliceSeen(s, false),
      onDelete: (obj) => sliceSeen(obj instanceof DeletedFinalStateUnknown ? obj.obj : obj, true),
    });
  }


  async run(signal: AbortSignal): Promise<void> {
    const informers = [this.#o.services, this.#o.pods, this.#o.nodes, this.#o.endpointSlices];
    const synced = await Promise.all(informers.map((i) => i.waitForSync(signal)));
    if (!synced.every(Boolean)) {
      this.queue.shutDown();
      return;
    }
    await runWorkers({ name: this.name, queue: this.queue, workers: this.#o.workers ?? 5, reconcile: (k) => this.reconcile(k), log: this.#o.log, metrics: this.#o.metrics }, signal);
  }

  /** Whether writes to this Service's slices are still unseen by the informer. */
  #stale(key: string): boolean {
    const tracked = this.#written.get(key);
    if (!tracked) return false;
    const now = this.#o.clock.now();
    for (const [name, e] of tracked) if (now - e.at > staleAfterMs) tracked.delete(name);
    if (tracked.size === 0) this.#written.delete(key);
    return tracked.size > 0;
  }

  #track(key: string, name: string, rv: string | undefined): void {
    let tracked = this.#written.get(key);
    if (!tracked) this.#written.set(key, (tracked = new Map()));
    tracked.set(name, { rv, at: this.#o.clock.now() });
  }

  async reconcile(key: string): Promise<ReconcileResult | void> {
    if (this.#stale(key)) return { requeueAfterMs: 100 };
    const { namespace, name } = splitMetaNamespaceKey(key);
    const svc = this.#o.services.lister.namespace(namespace).get(name);
    const existing = this.#o.endpointSlices.lister
      .namespace(namespace)
      .list()
      .filter((s) => s.metadata.labels?.[serviceNameLabel] === name && s.metadata.labels?.[managedByLabel] === managedByValue);
    const changes =
      svc && hasSelector(svc) && !svc.metadata.deletionTimestamp
        ? reconcileSlices({
            service: svc,
            pods: this.#o.pods.lister.namespace(namespace).list(),
            nodeLabels: (node) => this.#o.nodes.lister.get(node)?.metadata?.labels,
            existing,
            maxEndpointsPerSlice: this.#o.maxEndpointsPerSlice,
          })
        : { create: [], update: [], delete: existing };
    // Creates and updates before deletes, so endpoints never vanish while they move.
    for (const slice of changes.create) {
      const created = await this.#o.client.create<EndpointSlice>({ ...slicesRef, namespace }, slice);
      if (created.metadata?.name) this.#track(key, created.metadata.name, created.metadata.resourceVersion ?? '');
    }
    for (const slice of changes.update) {
      const updated = await this.#o.client.update<EndpointSlice>({ ...slicesRef, namespace, name: slice.metadata.name }, slice);
      this.#track(key, slice.metadata.name!, updated.metadata?.resourceVersion ?? '');
    }
    for (const slice of changes.delete) {
      try {
        await this.#o.client.delete({ ...slicesRef, namespace, name: slice.metadata.name }, { preconditions: { uid: slice.metadata.uid } });
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
      this.#track(key, slice.metadata.name!, undefined);
    }
  }
}
