// The taint eviction controller (upstream pkg/controller/tainteviction). Guarantees, per pod
// key: a pod bound to a node with NoExecute taints is deleted at once when some taint has no
// matching toleration, otherwise when the shortest tolerationSeconds among them runs out,
// counted from the taint's timeAdded (or from when the controller first saw it untimed);
// tolerations without tolerationSeconds tolerate for ever. Before deleting it adds a
// DisruptionTarget condition (reason DeletionByTaintManager) and records
// TaintManagerEviction, as upstream. A pod whose taints go away in time is left alone.

import { isNotFound } from '../../../client/api-errors.ts';
import { metaNamespaceKey, nodeNameIndexFunc, splitMetaNamespaceKey } from '../../../client/indexer.ts';
import { DeletedFinalStateUnknown, type SharedIndexInformer } from '../../../client/informer.ts';
import { WorkQueue } from '../../../client/workqueue.ts';
import type { Logger } from '../../../component-base/logging.ts';
import type { Clock } from '../../../machinery/clock.ts';
import type { ApiClient, Controller } from '../../context.ts';
import type { EventRecorder } from '../../../client/event-recorder.ts';
import type { ControllerMetrics } from '../../../component-base/controller-metrics.ts';
import { rfc3339, type Pod } from '../../types.ts';
import { runWorkers, type ReconcileResult } from '../../../component-base/controller-worker.ts';
import type { Node } from './node-lifecycle-controller.ts';
import { toleratesTaint, type Taint, type Toleration } from './taints.ts';

const podsRef = { group: '', version: 'v1', resource: 'pods' };
const nodeNameIndex = 'spec.nodeName';

export interface TaintEvictionControllerOptions {
  client: ApiClient;
  pods: SharedIndexInformer<Pod>;
  nodes: SharedIndexInformer<Node>;
  recorder: EventRecorder;
  clock: Clock;
  log: Logger;
  workers?: number;
  metrics?: ControllerMetrics;
}

/** When a pod on a node with these taints must go: 0 now, a time, or undefined never. */
export function evictionTime(tolerations: readonly Toleration[], taints: readonly Taint[], firstSeen: (taint: Taint) => number): number | undefined {
  let at: number | undefined;
  for (const taint of taints) {
    if (taint.effect !== 'NoExecute') continue;
    const matching = tolerations.filter((t) => toleratesTaint(t, taint));
    if (matching.length === 0) return 0;
    // The longest toleration of this taint applies; none limited means for ever.
    if (matching.some((t) => t.tolerationSeconds === undefined || t.tolerationSeconds === null)) continue;
    const seconds = Math.max(0, ...matching.map((t) => t.tolerationSeconds!));
    const added = taint.timeAdded ? Date.parse(taint.timeAdded) : firstSeen(taint);
    const deadline = added + seconds * 1000;
    at = at === undefined ? deadline : Math.min(at, deadline);
  }
  return at;
}

export class TaintEvictionController implements Controller {
  readonly name = 'taint-eviction-controller';
  readonly queue: WorkQueue<string>;
  readonly #o: TaintEvictionControllerOptions;
  /** Untimed taints: "node/key" → when first seen. */
  readonly #seen = new Map<string, number>();

  constructor(options: TaintEvictionControllerOptions) {
    this.#o = options;
    this.queue = new WorkQueue<string>({ name: 'taint_eviction', clock: options.clock });
    options.pods.addIndexers({ [nodeNameIndex]: nodeNameIndexFunc });
    options.pods.addEventHandler({
      onAdd: (pod) => this.queue.add(metaNamespaceKey(pod)),
      onUpdate: (_o, pod) => this.queue.add(metaNamespaceKey(pod)),
    });
    const nodeChanged = (node: Node) => {
      for (const pod of this.#o.pods.indexer.byIndex(nodeNameIndex, node.metadata.name ?? '')) this.queue.add(metaNamespaceKey(pod));
    };
    options.nodes.addEventHandler({
      onAdd: nodeChanged,
      onUpdate: (old, cur) => {
        if (JSON.stringify(old.spec?.taints ?? []) !== JSON.stringify(cur.spec?.taints ?? [])) nodeChanged(cur);
      },
      onDelete: (obj) => {
        const node = obj instanceof DeletedFinalStateUnknown ? obj.obj : obj;
        for (const k of this.#seen.keys()) if (k.startsWith(`${node.metadata.name}/`)) this.#seen.delete(k);
      },
    });
  }

  async run(signal: AbortSignal): Promise<void> {
    const synced = await Promise.all([this.#o.pods.waitForSync(signal), this.#o.nodes.waitForSync(signal)]);
    if (!synced.every(Boolean)) {
      this.queue.shutDown();
      return;
    }
    await runWorkers({ name: this.name, queue: this.queue, workers: this.#o.workers ?? 8, reconcile: (k) => this.reconcile(k), log: this.#o.log, metrics: this.#o.metrics }, signal);
  }

  async reconcile(key: string): Promise<ReconcileResult | void> {
    const { namespace, name } = splitMetaNamespaceKey(key);
    const pod = this.#o.pods.lister.namespace(namespace).get(name);
    const nodeName = pod?.spec?.nodeName;
    if (!pod || !nodeName || pod.metadata.deletionTimestamp) return;
    const node = this.#o.nodes.lister.get(nodeName);
    const taints = (node?.spec?.taints ?? []).filter((t) => t.effect === 'NoExecute');
    if (taints.length === 0) return;
    const now = this.#o.clock.now();
    const firstSeen = (taint: Taint) => {
      const k = `${nodeName}/${taint.key}`;
      if (!this.#seen.has(k)) this.#seen.set(k, now);
      return this.#seen.get(k)!;
    };
    const at = evictionTime((pod.spec?.tolerations ?? []) as Toleration[], taints, firstSeen);
    if (at === undefined) return;
    if (at > now) return { requeueAfterMs: at - now };
    this.#o.recorder.event(pod, 'Normal', 'TaintManagerEviction', `Marking for deletion Pod ${key}`);
    const ref = { ...podsRef, namespace, name };
    const condition = { type: 'DisruptionTarget', status: 'True', reason: 'DeletionByTaintManager', message: 'Taint manager: deleting due to NoExecute taint', lastTransitionTime: rfc3339(now) };
    try {
      await this.#o.client.patch({ ...ref, subresource: 'status' }, { status: { conditions: [condition] } }, { type: 'strategic' });
      await this.#o.client.delete(ref, { preconditions: { uid: pod.metadata.uid } });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }
}
