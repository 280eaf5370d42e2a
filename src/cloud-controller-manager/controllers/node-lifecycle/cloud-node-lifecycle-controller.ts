// The cloud node lifecycle controller (upstream controllers/nodelifecycle). Every nodeMonitorPeriod
// (5 s) it looks at each node in the cache:
// - Ready: the node.cloudprovider.kubernetes.io/shutdown taint is removed if present;
// - not Ready (False or Unknown, or no condition): if the cloud says the instance no longer
//   exists, the node is deleted (event DeletingNode; DeletingNodeFailed when the delete fails);
//   if it exists but is shut down, the shutdown taint (NoSchedule) is added.
// A cloud error about one node is logged and that node is looked at again next period. Taint
// writes are updates carrying the cached resourceVersion; a conflict waits for the next period.

import { isConflict, isNotFound } from '../../../client/api-errors.ts';
import type { EventRecorder } from '../../../client/event-recorder.ts';
import type { SharedIndexInformer } from '../../../client/informer.ts';
import type { Logger } from '../../../component-base/logging.ts';
import type { Clock } from '../../../machinery/clock.ts';
import type { InstancesV2 } from '../../cloudprovider/cloud.ts';
import { taintNodeShutdown } from '../../cloudprovider/well-known.ts';
import { sleep, type ApiClient, type Controller } from '../../context.ts';
import type { CloudMetrics } from '../../metrics.ts';
import { names } from '../../names.ts';
import { readyStatus, type Node, type Taint } from '../../types.ts';

const nodesRef = { group: '', version: 'v1', resource: 'nodes' };
export const shutdownTaint: Taint = { key: taintNodeShutdown, effect: 'NoSchedule' };

export interface CloudNodeLifecycleControllerOptions {
  client: ApiClient;
  nodes: SharedIndexInformer<Node>;
  instances: InstancesV2;
  recorder: EventRecorder;
  clock: Clock;
  log: Logger;
  metrics?: CloudMetrics;
  nodeMonitorPeriodMs?: number;
}

const errText = (err: unknown) => (err instanceof Error ? err.message : String(err));

export class CloudNodeLifecycleController implements Controller {
  readonly name = names.cloudNodeLifecycle;
  readonly #o: CloudNodeLifecycleControllerOptions;

  constructor(options: CloudNodeLifecycleControllerOptions) {
    this.#o = options;
  }

  async run(signal: AbortSignal): Promise<void> {
    if (!(await this.#o.nodes.waitForSync(signal))) return;
    while (!signal.aborted) {
      const started = performance.now();
      await this.monitorNodes();
      this.#o.metrics?.reconciled(this.name, 'success', performance.now() - started);
      await sleep(this.#o.clock, this.#o.nodeMonitorPeriodMs ?? 5_000, signal);
    }
  }

  /** One pass over every cached node. */
  async monitorNodes(): Promise<void> {
    for (const node of this.#o.nodes.lister.list()) {
      try {
        await this.#monitor(node);
      } catch (err) {
        if (!isConflict(err) && !isNotFound(err)) this.#o.log.warn('error monitoring node', { node: node.metadata.name, err: errText(err) });
      }
    }
  }

  async #monitor(node: Node): Promise<void> {
    const name = node.metadata.name!;
    const hasShutdownTaint = (node.spec?.taints ?? []).some((t) => t.key === shutdownTaint.key && t.effect === shutdownTaint.effect);
    if (readyStatus(node) === 'True') {
      if (hasShutdownTaint) await this.#setTaints(node, (node.spec?.taints ?? []).filter((t) => !(t.key === shutdownTaint.key && t.effect === shutdownTaint.effect)));
      return;
    }
    const instances = this.#o.instances;
    if (!(await instances.instanceExists(structuredClone(node) as Node))) {
      this.#o.log.info('deleting node since it is no longer present in cloud provider', { node: name });
      const ref = { apiVersion: 'v1', kind: 'Node', metadata: { name, uid: node.metadata.uid } };
      this.#o.recorder.event(ref, 'Normal', 'DeletingNode', `Deleting node ${name} because it does not exist in the cloud provider`);
      try {
        await this.#o.client.delete({ ...nodesRef, name }, { preconditions: { uid: node.metadata.uid } });
      } catch (err) {
        if (isNotFound(err)) return;
        this.#o.recorder.event(ref, 'Warning', 'DeletingNodeFailed', `Failed deleting node ${name}: ${errText(err)}`);
        throw err;
      }
      return;
    }
    if (!hasShutdownTaint && (await instances.instanceShutdown(structuredClone(node) as Node))) {
      this.#o.log.info('instance is shut down: tainting node', { node: name });
      await this.#setTaints(node, [...(node.spec?.taints ?? []), { ...shutdownTaint }]);
    }
  }

  async #setTaints(node: Node, taints: Taint[]): Promise<void> {
    const next = structuredClone(node) as Node;
    next.spec ??= {};
    if (taints.length) next.spec.taints = taints;
    else delete next.spec.taints;
    await this.#o.client.update<Node>({ ...nodesRef, name: node.metadata.name }, next);
  }
}
