// The node lifecycle controller (upstream pkg/controller/nodelifecycle). Every
// nodeMonitorPeriod (5 s) it looks at each node:
// - a node is heard from when its Lease in kube-node-lease is renewed or its Ready
//   condition's lastHeartbeatTime changes; one not heard from for nodeMonitorGracePeriod
//   (40 s; nodeStartupGracePeriod, 60 s, for a node that never reported) gets Ready,
//   MemoryPressure, DiskPressure and PIDPressure set to Unknown with reason NodeStatusUnknown
//   and "Kubelet stopped posting node status." (NodeStatusNeverUpdated, "Kubelet never posted
//   node status.", for a condition never reported), written through /status;
// - its taints follow the Ready condition: node.kubernetes.io/not-ready for False,
//   node.kubernetes.io/unreachable for Unknown. The NoSchedule taint is set and removed at
//   once. The NoExecute one (which makes the taint eviction controller evict pods) is removed
//   at once when the node is Ready again and swapped at once between not-ready and
//   unreachable, but a node that needs it first waits in its zone's rate-limited queue, which
//   a pass every 100 ms drains at the zone's eviction rate;
// - per zone (zone-state.ts) it tracks Normal, PartialDisruption and FullDisruption. A zone in
//   Normal or FullDisruption taints at nodeEvictionRate (0.1 nodes/s); one in
//   PartialDisruption at secondaryNodeEvictionRate (0.01) when it has more than
//   largeClusterSizeThreshold (50) nodes, else not at all. When every zone is in
//   FullDisruption (more likely this controller lost sight of the nodes than every node
//   failed) all tainting stops and the NoExecute taints are removed from every node; when a
//   zone recovers, every node gets a fresh grace period and the rates are set anew.

import { isConflict, isNotFound } from '../../../client/api-errors.ts';
import type { SharedIndexInformer } from '../../../client/informer.ts';
import { sleep } from '../../../client/wait.ts';
import type { Logger } from '../../../component-base/logging.ts';
import type { Clock } from '../../../machinery/clock.ts';
import type { ApiClient, Controller } from '../../context.ts';
import type { EventRecorder } from '../../../client/event-recorder.ts';
import type { ControllerMetrics } from '../../../component-base/controller-metrics.ts';
import { rfc3339, type Condition, type KubeObject, type ObjectMeta } from '../../types.ts';
import { RateLimitedTimedQueue, type ActionResult, type TimedValue } from './rate-limited-queue.ts';
import { isLifecycleTaint, lifecycleTaintsFor, notReadyTaintKey, unreachableTaintKey, type Taint } from './taints.ts';
import { computeZoneState, evictionRateFor, isExcludedFromDisruption, zoneKey, type EvictionRates, type ZoneState } from './zone-state.ts';

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
  /** --node-eviction-rate (nodes per second, default 0.1). */
  nodeEvictionRate?: number;
  /** --secondary-node-eviction-rate (default 0.01). */
  secondaryNodeEvictionRate?: number;
  /** --large-cluster-size-threshold (default 50). */
  largeClusterSizeThreshold?: number;
  /** --unhealthy-zone-threshold (default 0.55). */
  unhealthyZoneThreshold?: number;
}

interface Health {
  probeTimestamp: number;
  heartbeat: string | undefined;
  renewTime: string | undefined;
}

/** How often the NoExecute tainting queues are drained (upstream's NodeEvictionPeriod). */
const nodeEvictionPeriodMs = 100;

export class NodeLifecycleController implements Controller {
  readonly name = 'node-lifecycle-controller';
  readonly #o: NodeLifecycleControllerOptions;
  readonly #health = new Map<string, Health>();
  readonly #rates: EvictionRates;
  readonly #unhealthyZoneThreshold: number;
  readonly #zoneStates = new Map<string, ZoneState>();
  /** Per zone, the nodes waiting for their NoExecute taint (zoneNoExecuteTainter). */
  readonly #tainters = new Map<string, RateLimitedTimedQueue>();

  constructor(options: NodeLifecycleControllerOptions) {
    this.#o = options;
    this.#rates = {
      nodeEvictionRate: options.nodeEvictionRate ?? 0.1,
      secondaryNodeEvictionRate: options.secondaryNodeEvictionRate ?? 0.01,
      largeClusterSizeThreshold: options.largeClusterSizeThreshold ?? 50,
    };
    this.#unhealthyZoneThreshold = options.unhealthyZoneThreshold ?? 0.55;
  }

  /** Each zone's state as of the last pass. */
  get zoneStates(): ReadonlyMap<string, ZoneState> {
    return this.#zoneStates;
  }

  /** The rate (nodes per second) a zone's nodes are tainted NoExecute at, if the zone was seen. */
  evictionRate(zone: string): number | undefined {
    return this.#tainters.get(zone)?.qps;
  }

  /** Whether a node waits in its zone's queue for the NoExecute taint. */
  awaitingTaint(node: Node): boolean {
    return this.#tainters.get(zoneKey(node))?.has(node.metadata.name ?? '') ?? false;
  }

  async run(signal: AbortSignal): Promise<void> {
    const synced = await Promise.all([this.#o.nodes.waitForSync(signal), this.#o.leases.waitForSync(signal)]);
    if (!synced.every(Boolean)) return;
    const clock = this.#o.clock;
    const period = this.#o.nodeMonitorPeriodMs ?? 5_000;
    let nextMonitor = clock.now();
    // One loop for both passes, so their writes to a node never race each other.
    while (!signal.aborted) {
      const monitoring = clock.now() >= nextMonitor;
      try {
        if (monitoring) await this.monitorNodeHealth();
        else await this.doNoExecuteTaintingPass();
      } catch (err) {
        this.#o.log.warn(monitoring ? 'monitoring node health failed' : 'tainting nodes failed', { err: err instanceof Error ? err.message : String(err) });
      }
      if (monitoring) nextMonitor = clock.now() + period;
      await sleep(clock, Math.max(0, Math.min(nodeEvictionPeriodMs, nextMonitor - clock.now())), signal);
    }
  }

  /** One pass over every node, then over the zones; a node whose write conflicts is retried on the next pass. */
  async monitorNodeHealth(): Promise<void> {
    const nodes = this.#o.nodes.lister.list();
    const names = new Set(nodes.map((n) => n.metadata.name ?? ''));
    for (const name of this.#health.keys()) if (!names.has(name)) this.#health.delete(name);
    const zoneToReady = new Map<string, (string | undefined)[]>();
    // The nodes as last written, so that later writes in this pass start from them.
    const latest: Node[] = [];
    for (const cached of nodes) {
      const zone = zoneKey(cached);
      this.#tainterFor(zone);
      let node = cached;
      let ready: string | undefined;
      try {
        ({ node, ready } = await this.#updateHealth(cached));
        if (!isExcludedFromDisruption(node)) zoneToReady.set(zone, [...(zoneToReady.get(zone) ?? []), ready]);
        node = await this.#processTaints(node, ready);
      } catch (err) {
        if (!isConflict(err) && !isNotFound(err)) throw err;
      }
      latest.push(node);
    }
    await this.#handleDisruption(zoneToReady, latest);
  }

  /** Taints, at each zone's rate, the nodes waiting for their NoExecute taint. */
  async doNoExecuteTaintingPass(): Promise<void> {
    for (const queue of this.#tainters.values()) await queue.try((v) => this.#taintNoExecute(v));
  }

  #tainterFor(zone: string): RateLimitedTimedQueue {
    let queue = this.#tainters.get(zone);
    if (!queue) {
      queue = new RateLimitedTimedQueue(this.#rates.nodeEvictionRate, this.#o.clock);
      this.#tainters.set(zone, queue);
      this.#zoneStates.set(zone, 'Initial');
    }
    return queue;
  }

  /** tryUpdateNodeHealth: the node (after marking it Unknown when it went silent) and its Ready status. */
  async #updateHealth(cached: Node): Promise<{ node: Node; ready: string | undefined }> {
    const name = cached.metadata.name!;
    const now = this.#o.clock.now();
    const readyCondition = cached.status?.conditions?.find((c) => c.type === 'Ready');
    const heartbeat = readyCondition?.lastHeartbeatTime;
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
    const grace = readyCondition ? (this.#o.nodeMonitorGracePeriodMs ?? 40_000) : (this.#o.nodeStartupGracePeriodMs ?? 60_000);
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
    return { node, ready: node.status?.conditions?.find((c) => c.type === 'Ready')?.status };
  }

  /**
   * The NoSchedule taint follows Ready at once (doNoScheduleTaintingPass); the NoExecute one as
   * processTaintBaseEviction: removed when Ready, swapped when the other one is there, else the
   * node waits in its zone's queue.
   */
  async #processTaints(node: Node, ready: string | undefined): Promise<Node> {
    if (ready === undefined) return node;
    const name = node.metadata.name ?? '';
    const queue = this.#tainterFor(zoneKey(node));
    const now = this.#o.clock.now();
    const updated = await this.#writeTaints(node, (taints) => desiredTaints(taints, ready, now));
    if (ready !== 'False' && ready !== 'Unknown') {
      queue.remove(name);
      return updated;
    }
    const want = ready === 'False' ? notReadyTaintKey : unreachableTaintKey;
    if (!hasNoExecute(updated.spec?.taints ?? [], want)) queue.add(name, updated.metadata.uid ?? '');
    return updated;
  }

  /** The queued action: the NoExecute taint for the node's current Ready status. */
  async #taintNoExecute(v: TimedValue): Promise<ActionResult> {
    const node = this.#o.nodes.lister.get(v.value);
    if (!node) return { done: true };
    const ready = node.status?.conditions?.find((c) => c.type === 'Ready');
    if (!ready) return { done: false, retryAfterMs: 50 };
    // Ready again (or never reported): nothing to do.
    if (ready.status !== 'False' && ready.status !== 'Unknown') return { done: true };
    const key = ready.status === 'False' ? notReadyTaintKey : unreachableTaintKey;
    try {
      await this.#writeTaints(node, (taints) => withNoExecute(taints, key, this.#o.clock.now()));
      this.#o.log.info('tainted node for eviction', { node: v.value, taint: key });
      return { done: true };
    } catch (err) {
      if (isNotFound(err)) return { done: true };
      this.#o.log.warn('tainting node failed', { node: v.value, err: err instanceof Error ? err.message : String(err) });
      return { done: false, retryAfterMs: 0 };
    }
  }

  /** markNodeAsReachable: no NoExecute lifecycle taint, and out of the queue. */
  async #markReachable(node: Node): Promise<void> {
    this.#tainters.get(zoneKey(node))?.remove(node.metadata.name ?? '');
    await this.#writeTaints(node, (taints) => {
      const keep = taints.filter((t) => !(isLifecycleTaint(t) && t.effect === 'NoExecute'));
      return keep.length === taints.length ? undefined : keep;
    });
  }

  /** handleDisruption: each zone's new state, and the tainting rates that go with it. */
  async #handleDisruption(zoneToReady: ReadonlyMap<string, readonly (string | undefined)[]>, nodes: readonly Node[]): Promise<void> {
    const newStates = new Map<string, ZoneState>();
    let allAreFullyDisrupted = true;
    for (const [zone, statuses] of zoneToReady) {
      const { state } = computeZoneState(statuses, this.#unhealthyZoneThreshold);
      if (state !== 'FullDisruption') allAreFullyDisrupted = false;
      newStates.set(zone, state);
      if (!this.#zoneStates.has(zone)) this.#zoneStates.set(zone, 'Initial');
    }
    let allWereFullyDisrupted = true;
    for (const [zone, state] of [...this.#zoneStates]) {
      if (!zoneToReady.has(zone)) {
        this.#zoneStates.delete(zone);
        continue;
      }
      if (state !== 'FullDisruption') allWereFullyDisrupted = false;
    }
    if (allAreFullyDisrupted && allWereFullyDisrupted) return;
    const log = this.#o.log;
    if (allAreFullyDisrupted) {
      log.info('all nodes are not ready: entering master disruption mode, evictions stop');
      for (const node of nodes) {
        try {
          await this.#markReachable(node);
        } catch (err) {
          log.warn('removing NoExecute taints failed', { node: node.metadata.name, err: err instanceof Error ? err.message : String(err) });
        }
      }
      for (const zone of this.#zoneStates.keys()) {
        this.#tainterFor(zone).swapLimiter(0);
        this.#zoneStates.set(zone, 'FullDisruption');
      }
      return;
    }
    if (allWereFullyDisrupted) {
      log.info('some nodes are ready: exiting master disruption mode');
      // The nodes' silence was most likely the control plane's: each gets a full grace period.
      const now = this.#o.clock.now();
      for (const health of this.#health.values()) health.probeTimestamp = now;
      for (const zone of this.#zoneStates.keys()) this.#setZone(zone, zoneToReady.get(zone)?.length ?? 0, newStates.get(zone)!);
      return;
    }
    for (const [zone, state] of this.#zoneStates) {
      const next = newStates.get(zone)!;
      if (state === next) continue;
      log.info('zone is now in a new state', { zone, state: next });
      this.#setZone(zone, zoneToReady.get(zone)?.length ?? 0, next);
    }
  }

  #setZone(zone: string, size: number, state: ZoneState): void {
    this.#tainterFor(zone).swapLimiter(evictionRateFor(state, size, this.#rates));
    this.#zoneStates.set(zone, state);
  }

  /** Writes the node's taints as `change` makes them (undefined: as they are), re-reading it on a conflict. */
  async #writeTaints(node: Node, change: (taints: readonly Taint[]) => Taint[] | undefined): Promise<Node> {
    let current = node;
    for (let attempt = 0; ; attempt++) {
      const taints = change(current.spec?.taints ?? []);
      if (!taints) return current;
      const next = structuredClone(current) as Node;
      next.spec = { ...(next.spec ?? {}), taints };
      if (taints.length === 0) delete next.spec.taints;
      try {
        return await this.#o.client.update<Node>({ ...nodesRef, name: current.metadata.name }, next);
      } catch (err) {
        if (!isConflict(err) || attempt >= 2) throw err;
        current = await this.#o.client.get<Node>({ ...nodesRef, name: current.metadata.name });
      }
    }
  }
}

function hasNoExecute(taints: readonly Taint[], key: string): boolean {
  return taints.some((t) => t.key === key && t.effect === 'NoExecute');
}

/** The taints with the NoExecute lifecycle taint `key` (timeAdded now) in place of the other one, or undefined when already so. */
export function withNoExecute(current: readonly Taint[], key: string, now: number): Taint[] | undefined {
  const opposite = key === notReadyTaintKey ? unreachableTaintKey : notReadyTaintKey;
  if (hasNoExecute(current, key) && !hasNoExecute(current, opposite)) return undefined;
  const keep = current.filter((t) => !(t.effect === 'NoExecute' && t.key === opposite));
  return hasNoExecute(keep, key) ? keep : [...keep, { key, effect: 'NoExecute', timeAdded: rfc3339(now) }];
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

/**
 * The node's taints with the lifecycle taints made to match the Ready status, or undefined when
 * they already do (or it never reported): the NoSchedule one set and removed; the NoExecute one
 * only removed when Ready, or swapped when the other one is there (adding it is the queue's).
 */
export function desiredTaints(current: readonly Taint[], readyStatus: string | undefined, now: number): Taint[] | undefined {
  if (readyStatus === undefined) return undefined;
  const want = lifecycleTaintsFor(readyStatus);
  const wanted = (t: Taint) => want.some((w) => w.key === t.key && w.effect === t.effect);
  const swapNoExecute = want.some((w) => w.effect === 'NoExecute') && current.some((t) => isLifecycleTaint(t) && t.effect === 'NoExecute' && !wanted(t));
  const keep = current.filter((t) => !isLifecycleTaint(t) || wanted(t));
  const add: Taint[] = want
    .filter((w) => !keep.some((t) => t.key === w.key && t.effect === w.effect) && (w.effect === 'NoSchedule' || swapNoExecute))
    .map((w) => (w.effect === 'NoExecute' ? { ...w, timeAdded: rfc3339(now) } : { ...w }));
  if (add.length === 0 && keep.length === current.length) return undefined;
  return [...keep, ...add];
}
