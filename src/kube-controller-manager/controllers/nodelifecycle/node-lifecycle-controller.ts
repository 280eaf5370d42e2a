// The node lifecycle controller (upstream pkg/controller/nodelifecycle, without zone
// disruption handling). Every nodeMonitorPeriod (5 s) it looks at each node:
// - a node is heard from when its Lease in kube-node-lease is renewed or its Ready
//   condition's lastHeartbeatTime changes; one not heard from for nodeMonitorGracePeriod
//   (40 s; nodeStartupGracePeriod, 60 s, for a node that never reported) gets Ready,
//   MemoryPressure, DiskPressure and PIDPressure set to Unknown with reason NodeStatusUnknown
//   and "Kubelet stopped posting node status." (NodeStatusNeverUpdated, "Kubelet never posted
//   node status.", for a condition never reported), written through /status;
// - its taints follow the Ready condition: node.kubernetes.io/not-ready for False,
//   node.kubernetes.io/unreachable for Unknown, each as NoExecute (with timeAdded) and
//   NoSchedule, removed once the node is Ready again. Evicting pods from NoExecute taints is
//   the taint eviction controller's job.

import { isConflict, isNotFound } from '../../../client/api-errors.ts';
import type { SharedIndexInformer } from '../../../client/informer.ts';
import type { Logger } from '../../../component-base/logging.ts';
import type { Clock } from '../../../machinery/clock.ts';
import type { ApiClient, Controller } from '../../context.ts';
import type { EventRecorder } from '../../../client/event-recorder.ts';
import type { ControllerMetrics } from '../../../component-base/controller-metrics.ts';
import { rfc3339, type Condition, type KubeObject, type ObjectMeta } from '../../types.ts';
import { isLifecycleTaint, lifecycleTaintsFor, type Taint } from './taints.ts';

const nodesRef = { group: '', version: 'v1', resource: 'nodes' };
const monitoredConditions = ['Ready', 'MemoryPressure', 'DiskPressure', 'PIDPressure'];

export type NodeCondition = Condition & { lastHeartbeatTime?: string };

export interface Node extends KubeObject {
  metadata: ObjectMeta;
  spec?: { taints?: Taint[]; [field: string]: unknown };
  status?: { conditions?: NodeCondition[]; [field: string]: unknown };
}

export interface Lease extends KubeObject {
  metadata: ObjectMeta;
  spec?: { holderIdentity?: string; renewTime?: string; leaseDurationSeconds?: number };
}

export interface NodeLifecycleControllerOptions {
  client: ApiClient;
  nodes: SharedIndexInformer<Node>;
  /** Leases in kube-node-lease. */
  leases: SharedIndexInformer<Lease>;
  recorder: EventRecorder;
  clock: Clock;
  log: Logger;
  metrics?: ControllerMetrics;
  nodeMonitorPeriodMs?: number;
  nodeMonitorGracePeriodMs?: number;
  nodeStartupGracePeriodMs?: number;
}

interface Health {
  probeTimestamp: number;
  heartbeat: string | undefined;
  renewTime: string | undefined;
}

export class NodeLifecycleController implements Controller {
  readonly name = 'node-lifecycle-controller';
  readonly #o: NodeLifecycleControllerOptions;
  readonly #health = new Map<string, Health>();

  constructor(options: NodeLifecycleControllerOptions) {
    this.#o = options;
  }

  async run(signal: AbortSignal): Promise<void> {
    const synced = await Promise.all([this.#o.nodes.waitForSync(signal), this.#o.leases.waitForSync(signal)]);
    if (!synced.every(Boolean)) return;
    const period = this.#o.nodeMonitorPeriodMs ?? 5_000;
    while (!signal.aborted) {
      try {
        await this.monitorNodeHealth();
      } catch (err) {
        this.#o.log.warn('monitoring node health failed', { err: err instanceof Error ? err.message : String(err) });
      }
      await new Promise<void>((resolve) => {
        const abort = () => {
          this.#o.clock.clearTimeout(timer);
          resolve();
        };
        const timer = this.#o.clock.setTimeout(() => {
          signal.removeEventListener('abort', abort);
          resolve();
        }, period);
        signal.addEventListener('abort', abort, { once: true });
      });
    }
  }

  /** One pass over every node; a node whose write conflicts is retried on the next pass. */
  async monitorNodeHealth(): Promise<void> {
    const nodes = this.#o.nodes.lister.list();
    const names = new Set(nodes.map((n) => n.metadata.name ?? ''));
    for (const name of this.#health.keys()) if (!names.has(name)) this.#health.delete(name);
    for (const node of nodes) {
      try {
        await this.#monitor(node);
      } catch (err) {
        if (!isConflict(err) && !isNotFound(err)) throw err;
      }
    }
  }

  async #monitor(cached: Node): Promise<void> {
    const name = cached.metadata.name!;
    const now = this.#o.clock.now();
    const ready = cached.status?.conditions?.find((c) => c.type === 'Ready');
    const heartbeat = ready?.lastHeartbeatTime;
    const renewTime = this.#o.leases.lister.namespace('kube-node-lease').get(name)?.spec?.renewTime;
    let health = this.#health.get(name);
    if (!health) {
      // A node first seen gets a full grace period from now, as upstream after a restart.
      health = { probeTimestamp: now, heartbeat, renewTime };
      this.#health.set(name, health);
    }
    if (heartbeat !== health.heartbeat || renewTime !== health.renewTime) {
      health.probeTimestamp = now;
      health.heartbeat = heartbeat;
      health.renewTime = renewTime;
    }
    let node = cached;
    const grace = ready ? (this.#o.nodeMonitorGracePeriodMs ?? 40_000) : (this.#o.nodeStartupGracePeriodMs ?? 60_000);
    if (now - health.probeTimestamp > grace) {
      const conditions = staleConditions(node.status?.conditions ?? [], now);
      if (conditions) {
        const next = structuredClone(node) as Node;
        next.status = { ...(next.status ?? {}), conditions };
        this.#o.log.info('node stopped posting status', { node: name });
        node = await this.#o.client.update<Node>({ ...nodesRef, name, subresource: 'status' }, next);
        this.#o.recorder.event(node, 'Normal', 'NodeNotReady', `Node ${name} status is now: NodeNotReady`);
      }
    }
    const status = node.status?.conditions?.find((c) => c.type === 'Ready')?.status;
    const taints = desiredTaints(node.spec?.taints ?? [], status, now);
    if (taints) {
      const next = structuredClone(node) as Node;
      next.spec = { ...(next.spec ?? {}), taints };
      if (taints.length === 0) delete next.spec.taints;
      await this.#o.client.update<Node>({ ...nodesRef, name }, next);
    }
  }
}

/** The conditions of a node not heard from within its grace period, or undefined when already so. */
export function staleConditions(conditions: readonly NodeCondition[], now: number): NodeCondition[] | undefined {
  const next = conditions.map((c) => ({ ...c }));
  let changed = false;
  for (const type of monitoredConditions) {
    const c = next.find((x) => x.type === type);
    if (!c) {
      next.push({ type, status: 'Unknown', reason: 'NodeStatusNeverUpdated', message: 'Kubelet never posted node status.', lastHeartbeatTime: rfc3339(now), lastTransitionTime: rfc3339(now) });
      changed = true;
    } else if (c.status !== 'Unknown') {
      c.status = 'Unknown';
      c.reason = 'NodeStatusUnknown';
      c.message = 'Kubelet stopped posting node status.';
      c.lastTransitionTime = rfc3339(now);
      changed = true;
    }
  }
  return changed ? next : undefined;
}

/** The node's taints with the lifecycle taints made to match the Ready status, or undefined when they already do (or it never reported). */
export function desiredTaints(current: readonly Taint[], readyStatus: string | undefined, now: number): Taint[] | undefined {
  if (readyStatus === undefined) return undefined;
  const want = lifecycleTaintsFor(readyStatus);
  const keep = current.filter((t) => !isLifecycleTaint(t) || want.some((w) => w.key === t.key && w.effect === t.effect));
  const add: Taint[] = want
    .filter((w) => !keep.some((t) => t.key === w.key && t.effect === w.effect))
    .map((w) => (w.effect === 'NoExecute' ? { ...w, timeAdded: rfc3339(now) } : { ...w }));
  if (add.length === 0 && keep.length === current.length) return undefined;
  return [...keep, ...add];
}
