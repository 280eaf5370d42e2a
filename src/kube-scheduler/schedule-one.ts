// One pod's way through the scheduler, as upstream's scheduleOne:
// - the scheduling cycle (synchronous, so the cache cannot change under it): PreFilter, Filter
//   over the nodes (all of them up to 100 nodes, else upstream's adaptive percentage, starting
//   where the previous cycle stopped), PostFilter when none fits, PreScore/Score/NormalizeScore
//   with weights, the highest total wins (ties broken at random), then the pod is assumed in the
//   cache and Reserve runs;
// - the binding cycle (asynchronous, the next pod is scheduled meanwhile): Bind; on success the
//   assumption waits for the watch and a Scheduled event is recorded; on failure the assumption
//   is forgotten and the pod retried;
// - a failure records FailedScheduling and sets PodScheduled=False (reason Unschedulable, or
//   SchedulerError for errors) through pods/status, with status.nominatedNodeName when
//   preemption nominated a node, and puts the pod back in the queue.
// Nominations follow upstream: the nominator learns a preemption's node at once (the status
// write comes back later); an assumed pod is no longer nominated; a cycle that fails for
// another reason than "no node fits" (an error, Reserve, binding) clears the nomination, and so
// does a preemption that found no candidate.

import type { Clock } from '../machinery/clock.ts';
import type { Cache } from './cache/cache.ts';
import { FitError, newDiagnosis, noNodesAvailableMsg } from './framework/fit-error.ts';
import type { NodeScore } from './framework/interfaces.ts';
import type { NodeInfo } from './framework/node-info.ts';
import type { Framework } from './framework/runtime.ts';
import { Code } from './framework/status.ts';
import type { CycleState } from './framework/cycle-state.ts';
import type { EventRecorder } from './events.ts';
import type { SchedulerMetrics } from './metrics.ts';
import type { QueuedPodInfo, SchedulingQueue } from './queue/scheduling-queue.ts';
import { podKey, type Pod } from './types.ts';

const minFeasibleNodesToFind = 100;
const minFeasibleNodesPercentageToFind = 5;

/** How many feasible nodes to look for before scoring, as upstream's numFeasibleNodesToFind. */
export function numFeasibleNodesToFind(percentageOfNodesToScore: number, numAllNodes: number): number {
  if (numAllNodes < minFeasibleNodesToFind) return numAllNodes;
  let percentage = percentageOfNodesToScore;
  if (percentage === 0) {
    percentage = Math.max(minFeasibleNodesPercentageToFind, 50 - Math.trunc(numAllNodes / 125));
  }
  if (percentage >= 100) return numAllNodes;
  return Math.max(minFeasibleNodesToFind, Math.trunc((numAllNodes * percentage) / 100));
}

/** The highest score; among equals each is picked with equal probability (reservoir sampling). */
export function selectHost(scores: readonly NodeScore[], random: () => number): string {
  if (scores.length === 0) throw new Error('empty priorityList');
  let best = scores[0];
  let ties = 1;
  for (let i = 1; i < scores.length; i++) {
    const s = scores[i];
    if (s.score > best.score) {
      best = s;
      ties = 1;
    } else if (s.score === best.score) {
      ties++;
      if (random() * ties < 1) best = s;
    }
  }
  return best.name;
}

/** The scheduling cycle's outcome when no node was available at all. */
export class NoNodesAvailableError extends Error {
  constructor() {
    super(noNodesAvailableMsg);
  }
}

export interface ScheduleContext {
  cache: Cache;
  queue: SchedulingQueue;
  profiles: Map<string, Framework>;
  recorder: EventRecorder;
  metrics: SchedulerMetrics;
  clock: Clock;
  random: () => number;
  percentageOfNodesToScore: number;
  /** Sets the PodScheduled condition (and status.nominatedNodeName when given; '' removes it) through pods/status. */
  updatePodCondition(pod: Pod, condition: { type: string; status: string; reason: string; message: string }, nominatedNodeName?: string): Promise<void>;
  log: {
    info(m: string, f?: Record<string, unknown>): void;
    warn(m: string, f?: Record<string, unknown>): void;
    error(m: string, f?: Record<string, unknown>): void;
    debug(m: string, f?: Record<string, unknown>): void;
  };
  signal: AbortSignal;
  /** Where the next cycle starts looking (round robin over nodes). */
  nextStartNodeIndex: number;
  /** Binding cycles still running. */
  binding: Set<Promise<void>>;
}

/** The node for a pod, or throws a FitError / NoNodesAvailableError / Error. */
export function schedulePod(ctx: ScheduleContext, fwk: Framework, state: CycleState, pod: Pod): string {
  const nodes = ctx.cache.list();
  if (nodes.length === 0) throw new NoNodesAvailableError();
  const diagnosis = newDiagnosis();
  const pre = fwk.runPreFilterPlugins(state, pod, nodes);
  if (pre) {
    if (!pre.isRejected()) throw new Error(`running PreFilter plugin ${JSON.stringify(pre.plugin)}: ${pre.message}`);
    diagnosis.preFilterMsg = pre.message;
    diagnosis.unschedulablePlugins.add(pre.plugin);
    for (const n of nodes) diagnosis.nodeToStatus.set(n.name, pre);
    throw new FitError(nodes.length, diagnosis);
  }

  const want = numFeasibleNodesToFind(ctx.percentageOfNodesToScore, nodes.length);
  const filter = fwk.nodeFilter(state);
  const feasible: NodeInfo[] = [];
  const start = ctx.nextStartNodeIndex % nodes.length;
  let processed = 0;
  for (let i = 0; i < nodes.length && feasible.length < want; i++) {
    const node = nodes[(start + i) % nodes.length];
    processed++;
    const s = filter(pod, node);
    if (!s) {
      feasible.push(node);
      continue;
    }
    if (s.code === Code.Error) throw new Error(`running ${JSON.stringify(s.plugin)} filter plugin: ${s.message}`);
    diagnosis.nodeToStatus.set(node.name, s);
    diagnosis.unschedulablePlugins.add(s.plugin);
  }
  ctx.nextStartNodeIndex = (start + processed) % nodes.length;
  if (feasible.length === 0) throw new FitError(nodes.length, diagnosis);
  if (feasible.length === 1) return feasible[0].name;
  return selectHost(fwk.runScorePlugins(state, pod, feasible), ctx.random);
}

function assumedCopy(pod: Pod, nodeName: string): Pod {
  return { ...pod, spec: { ...pod.spec, nodeName } };
}

/** Runs one pod's scheduling cycle and starts its binding cycle. */
export function scheduleOne(ctx: ScheduleContext, info: QueuedPodInfo): void {
  const pod = ctx.queue.latest(info.key) ?? info.pod;
  info.pod = pod;
  const fwk = ctx.profiles.get(pod.spec?.schedulerName ?? 'default-scheduler');
  if (!fwk || pod.metadata?.deletionTimestamp || pod.spec?.nodeName || ctx.cache.isAssumed(pod)) {
    ctx.queue.done(info.key);
    return;
  }
  const start = ctx.clock.now();
  const cycle = ctx.queue.schedulingCycle;
  const state = fwk.newCycleState();
  let host: string;
  try {
    host = schedulePod(ctx, fwk, state, pod);
    ctx.metrics.algorithmDuration.observe({}, (ctx.clock.now() - start) / 1000);
  } catch (err) {
    let nominatedNodeName: string | undefined = clearNomination;
    if (err instanceof FitError) {
      nominatedNodeName = undefined;
      if (fwk.postFilterPlugins.length > 0) {
        const result = fwk.runPostFilterPlugins(state, pod, err.diagnosis.nodeToStatus);
        if (result.status.message) err.diagnosis.postFilterMsg = result.status.message;
        nominatedNodeName = result.nominatedNodeName;
      }
    }
    return failure(ctx, fwk, info, err, cycle, start, nominatedNodeName);
  }

  const assumed = assumedCopy(pod, host);
  try {
    ctx.cache.assumePod(assumed);
  } catch (err) {
    return failure(ctx, fwk, info, err, cycle, start, clearNomination);
  }
  ctx.queue.nominator.delete(pod);
  const reserve = fwk.runReservePlugins(state, assumed, host);
  if (reserve) {
    fwk.runUnreservePlugins(state, assumed, host);
    ctx.cache.forgetPod(assumed);
    return failure(ctx, fwk, info, new Error(`running Reserve plugin ${JSON.stringify(reserve.plugin)}: ${reserve.message}`), cycle, start, clearNomination);
  }
  const binding = bindingCycle(ctx, fwk, state, info, assumed, host, cycle, start);
  ctx.binding.add(binding);
  void binding.finally(() => ctx.binding.delete(binding));
}

async function bindingCycle(ctx: ScheduleContext, fwk: Framework, state: CycleState, info: QueuedPodInfo, assumed: Pod, host: string, cycle: number, start: number): Promise<void> {
  let status;
  try {
    status = await fwk.runBindPlugins(state, assumed, host, ctx.signal);
  } catch (err) {
    status = { message: err instanceof Error ? err.message : String(err) };
  }
  if (status) {
    fwk.runUnreservePlugins(state, assumed, host);
    ctx.cache.forgetPod(assumed);
    // Its resources are free again: pods that did not fit may now.
    ctx.queue.moveAllToActiveOrBackoff('AssignedPodDelete');
    if (ctx.signal.aborted) return ctx.queue.done(info.key);
    return failure(ctx, fwk, info, new Error(`binding rejected: ${status.message}`), cycle, start, clearNomination);
  }
  ctx.cache.finishBinding(assumed);
  ctx.queue.done(info.key);
  const profile = fwk.profileName;
  ctx.metrics.scheduleAttempts.inc({ result: 'scheduled', profile });
  ctx.metrics.attemptDuration.observe({ result: 'scheduled', profile }, (ctx.clock.now() - start) / 1000);
  const ns = assumed.metadata?.namespace ?? '';
  const name = assumed.metadata?.name ?? '';
  // Upstream logs this at V(2), which its default verbosity does not print.
  ctx.log.debug('Successfully bound pod to node', { pod: `${ns}/${name}`, node: host, evaluatedNodes: ctx.cache.nodeCount });
  ctx.recorder.event(assumed, 'Normal', 'Scheduled', 'Binding', `Successfully assigned ${ns}/${name} to ${host}`);
}

/** A nominatedNodeName for failure(): drop the pod's nomination. */
const clearNomination = '';

/**
 * Puts the pod back and reports why. `nominatedNodeName` replaces the pod's nomination ('' drops
 * it); undefined leaves it as it is.
 */
function failure(ctx: ScheduleContext, fwk: Framework, info: QueuedPodInfo, err: unknown, cycle: number, start: number, nominatedNodeName?: string): void {
  const unschedulable = err instanceof FitError || err instanceof NoNodesAvailableError;
  const message = err instanceof FitError ? err.message : err instanceof Error ? err.message : String(err);
  const result = unschedulable ? 'unschedulable' : 'error';
  ctx.metrics.scheduleAttempts.inc({ result, profile: fwk.profileName });
  ctx.metrics.attemptDuration.observe({ result, profile: fwk.profileName }, (ctx.clock.now() - start) / 1000);
  const latest = ctx.queue.latest(info.key);
  if (unschedulable) {
    info.unschedulablePlugins = err instanceof FitError ? err.diagnosis.unschedulablePlugins : new Set();
    ctx.queue.addUnschedulable(info, cycle);
  } else {
    ctx.queue.addBackoff(info);
  }
  if (!latest || latest.spec?.nodeName) return;
  // At once, not when the status write comes back: the next cycles already count the pod there.
  if (nominatedNodeName !== undefined) ctx.queue.nominator.add(latest, nominatedNodeName);
  const key = podKey(latest);
  if (unschedulable) ctx.log.info('Unable to schedule pod; no fit; waiting', { pod: key, err: message });
  else ctx.log.error('Error scheduling pod; retrying', { pod: key, err: message });
  ctx.recorder.event(latest, 'Warning', 'FailedScheduling', 'Scheduling', message);
  const condition = { type: 'PodScheduled', status: 'False', reason: unschedulable ? 'Unschedulable' : 'SchedulerError', message };
  const current = latest.status?.conditions?.find((c) => c.type === 'PodScheduled');
  const nominationChanges = nominatedNodeName !== undefined && nominatedNodeName !== (latest.status?.nominatedNodeName ?? '');
  if (!nominationChanges && current && current.status === condition.status && current.reason === condition.reason && current.message === condition.message) return;
  ctx.updatePodCondition(latest, condition, nominationChanges ? nominatedNodeName : undefined).catch((e: unknown) => ctx.log.warn('Error updating pod condition', { pod: key, err: e }));
}
