// The pod garbage collector (upstream pkg/controller/podgc). Every gcPeriod (20 s) it:
// - deletes terminated pods (phase Succeeded or Failed) beyond terminatedPodGCThreshold
//   (default 12500; 0 or less turns this off), oldest creationTimestamp first;
// - force-deletes (grace period 0) pods bound to a node that no longer exists, once the node
//   has been missing for a quarantine (40 s) and the API server confirms it is gone; pods not
//   yet terminal are first marked Failed with a DisruptionTarget condition, as upstream;
// - force-deletes terminating pods that were never scheduled, and terminating pods on a
//   NotReady node tainted node.kubernetes.io/out-of-service.
// Pods are read from the shared cache; every delete carries the pod's uid as a precondition.

import { isNotFound } from '../../../client/api-errors.ts';
import { metaNamespaceKey } from '../../../client/indexer.ts';
import type { SharedIndexInformer } from '../../../client/informer.ts';
import type { Logger } from '../../../component-base/logging.ts';
import type { Clock } from '../../../machinery/clock.ts';
import type { ApiClient, Controller } from '../../context.ts';
import type { ControllerMetrics } from '../../../component-base/controller-metrics.ts';
import { rfc3339, type Pod } from '../../types.ts';
import type { Node } from '../nodelifecycle/node-lifecycle-controller.ts';

const podsRef = { group: '', version: 'v1', resource: 'pods' };
const nodesRef = { group: '', version: 'v1', resource: 'nodes' };
const outOfServiceTaint = 'node.kubernetes.io/out-of-service';

export interface PodGCControllerOptions {
  client: ApiClient;
  pods: SharedIndexInformer<Pod>;
  nodes: SharedIndexInformer<Node>;
  clock: Clock;
  log: Logger;
  metrics?: ControllerMetrics;
  /** Terminated pods kept before the oldest are deleted (default 12500; <= 0: never). */
  terminatedPodGCThreshold?: number;
  gcPeriodMs?: number;
  quarantineMs?: number;
}

const isTerminated = (pod: Pod) => pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed';

export class PodGCController implements Controller {
  readonly name = 'pod-garbage-collector-controller';
  readonly #o: PodGCControllerOptions;
  /** Node name → when pods bound to it were first seen without the node. */
  readonly #missingSince = new Map<string, number>();

  constructor(options: PodGCControllerOptions) {
    this.#o = options;
  }

  async run(signal: AbortSignal): Promise<void> {
    const synced = await Promise.all([this.#o.pods.waitForSync(signal), this.#o.nodes.waitForSync(signal)]);
    if (!synced.every(Boolean)) return;
    const period = this.#o.gcPeriodMs ?? 20_000;
    while (!signal.aborted) {
      try {
        await this.gc();
      } catch (err) {
        this.#o.log.warn('pod garbage collection failed', { err: err instanceof Error ? err.message : String(err) });
      }
      await new Promise<void>((resolve) => {
        const timer = this.#o.clock.setTimeout(done, period);
        function done() {
          signal.removeEventListener('abort', abort);
          resolve();
        }
        const abort = () => {
          this.#o.clock.clearTimeout(timer);
          done();
        };
        signal.addEventListener('abort', abort, { once: true });
      });
    }
  }

  /** One pass of every collection; resolves when its deletes are done. */
  async gc(): Promise<void> {
    const pods = this.#o.pods.lister.list();
    await this.#gcTerminated(pods);
    await this.#gcTerminatingOutOfService(pods);
    await this.#gcOrphaned(pods);
    await this.#gcUnscheduledTerminating(pods);
  }

  async #gcTerminated(pods: readonly Pod[]): Promise<void> {
    const threshold = this.#o.terminatedPodGCThreshold ?? 12500;
    if (threshold <= 0) return;
    const terminated = pods.filter((p) => isTerminated(p) && !p.metadata.deletionTimestamp);
    const excess = terminated.length - threshold;
    if (excess <= 0) return;
    const created = (p: Pod) => Date.parse(p.metadata.creationTimestamp ?? '') || 0;
    terminated.sort((a, b) => created(a) - created(b) || metaNamespaceKey(a).localeCompare(metaNamespaceKey(b)));
    this.#o.log.info('garbage collecting terminated pods', { count: excess, threshold });
    await Promise.all(terminated.slice(0, excess).map((p) => this.#delete(p, false)));
  }

  async #gcTerminatingOutOfService(pods: readonly Pod[]): Promise<void> {
    const victims = pods.filter((p) => {
      if (!p.metadata.deletionTimestamp || !p.spec?.nodeName) return false;
      const node = this.#o.nodes.lister.get(p.spec.nodeName);
      const ready = node?.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True';
      return !!node && !ready && (node.spec?.taints ?? []).some((t) => t.key === outOfServiceTaint && t.effect === 'NoExecute');
    });
    await Promise.all(victims.map((p) => this.#delete(p, true)));
  }

  async #gcOrphaned(pods: readonly Pod[]): Promise<void> {
    const now = this.#o.clock.now();
    const quarantine = this.#o.quarantineMs ?? 40_000;
    const missing = new Set<string>();
    for (const p of pods) {
      const node = p.spec?.nodeName;
      if (node && !this.#o.nodes.lister.get(node)) missing.add(node);
    }
    for (const node of this.#missingSince.keys()) if (!missing.has(node)) this.#missingSince.delete(node);
    const gone = new Set<string>();
    for (const node of missing) {
      const since = this.#missingSince.get(node);
      if (since === undefined) {
        this.#missingSince.set(node, now);
        continue;
      }
      if (now - since < quarantine) continue;
      try {
        await this.#o.client.get({ ...nodesRef, name: node });
        this.#missingSince.delete(node);
      } catch (err) {
        if (!isNotFound(err)) throw err;
        gone.add(node);
      }
    }
    const victims = pods.filter((p) => gone.has(p.spec?.nodeName ?? ''));
    for (const p of victims) this.#o.log.info('garbage collecting orphaned pod', { pod: metaNamespaceKey(p), node: p.spec?.nodeName });
    await Promise.all(victims.map((p) => this.#delete(p, true, 'PodGC: node no longer exists')));
    for (const node of gone) this.#missingSince.delete(node);
  }

  async #gcUnscheduledTerminating(pods: readonly Pod[]): Promise<void> {
    await Promise.all(pods.filter((p) => p.metadata.deletionTimestamp && !p.spec?.nodeName).map((p) => this.#delete(p, true)));
  }

  /** Deletes a pod (force: grace period 0), first marking a live one Failed when a message is given. */
  async #delete(pod: Pod, force: boolean, failMessage?: string): Promise<void> {
    const ref = { ...podsRef, namespace: pod.metadata.namespace, name: pod.metadata.name };
    try {
      if (failMessage && !isTerminated(pod)) {
        const condition = { type: 'DisruptionTarget', status: 'True', reason: 'DeletionByPodGC', message: failMessage, lastTransitionTime: rfc3339(this.#o.clock.now()) };
        await this.#o.client.patch({ ...ref, subresource: 'status' }, { status: { phase: 'Failed', conditions: [condition] } }, { type: 'strategic' });
      }
      await this.#o.client.delete(ref, force ? { gracePeriodSeconds: 0, preconditions: { uid: pod.metadata.uid } } : { preconditions: { uid: pod.metadata.uid } });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }
}
