// One probe worker per (pod, container, probe type), as upstream's prober worker. Guarantees:
// - the result starts as upstream's initial value for each container instance (readiness failure,
//   liveness success, startup unknown) and changes only after failureThreshold consecutive
//   failures or successThreshold consecutive successes;
// - probes run only while the container runs: the first at startedAt + initialDelaySeconds, then
//   every periodSeconds on a fixed grid (a probe still running when the next is due runs again
//   once it ends, as a Go ticker would);
// - liveness and readiness probes wait for the startup probe to succeed; the startup probe stops
//   once it has; a liveness or startup failure holds the worker (no more probes) until the
//   container instance changes, and a new container id starts everything over;
// - a probe still in flight when its container changes or the worker stops is cancelled and its
//   outcome dropped.

import type { Clock, Timer } from '../../machinery/clock.ts';
import type { Logger } from '../../component-base/logging.ts';
import type { Container, Pod, Probe } from '../types.ts';
import type { ProberMetrics } from './metrics.ts';
import { probeTypeName } from './probe.ts';
import type { ProbeOutcome, ProbeResult, ProbeType } from './probe.ts';
import { probeEvent } from './prober.ts';
import type { ProbeEvent, Prober } from './prober.ts';

/** A worker's result for its current container instance (results.Result). */
export type ResultState = 'success' | 'failure' | 'unknown';

const initialResult: Record<ProbeType, ResultState> = { readiness: 'failure', liveness: 'success', startup: 'unknown' };

/** What the kubelet knows of one instance of a container. */
export interface ContainerInstance {
  containerId: string;
  /** When it started: milliseconds since the epoch, or an RFC 3339 time. */
  startedAt: number | string;
  running: boolean;
}

export interface PodEntry {
  pod: Pod;
  containers: Map<string, ContainerEntry>;
}

export interface ContainerEntry {
  spec: Container;
  instance?: { containerId: string; startedAt: number; running: boolean };
  workers: Partial<Record<ProbeType, Worker>>;
}

/** One probe run as the kubelet hears of it. */
export interface ProbeUpdate {
  podUID: string;
  podName: string;
  namespace: string;
  containerName: string;
  containerId: string;
  probeType: ProbeType;
  /** What this probe returned; 'error' when it could not be run (its result is then thrown away). */
  outcome: ProbeResult | 'error';
  /** The probe's output, or the error. */
  message: string;
  /** The worker's result after thresholds. */
  result: ResultState;
  /** Whether this probe changed `result`. */
  changed: boolean;
  /** The event upstream records for this probe, if any. */
  event?: ProbeEvent;
}

export interface WorkerContext {
  clock: Clock;
  prober: Prober;
  metrics?: ProberMetrics;
  logger?: Logger;
  /** When the manager was created, and a [0,1) source for the restart jitter. */
  startTime: number;
  random: () => number;
  podIP(entry: PodEntry): string | undefined;
  report(update: ProbeUpdate): void;
  /** Keeps a probe in flight known to close(). */
  track(done: Promise<void>): void;
}

/** Whether the container's current instance has started: its startup probe succeeded, or it has none. */
export function containerStarted(c: ContainerEntry): boolean {
  const inst = c.instance;
  if (!inst?.running) return false;
  const startup = c.workers.startup;
  return !startup || (startup.containerId === inst.containerId && startup.result === 'success');
}

export class Worker {
  readonly probeType: ProbeType;
  readonly spec: Probe;
  readonly #ctx: WorkerContext;
  readonly #pod: PodEntry;
  readonly #container: ContainerEntry;
  #containerId = '';
  #result: ResultState;
  #lastResult: 'success' | 'failure' | undefined;
  #resultRun = 0;
  #onHold = false;
  #retired = false;
  #timer: Timer | undefined;
  #nextTick = 0;
  #inFlight: AbortController | undefined;
  #rerun = false;

  constructor(ctx: WorkerContext, pod: PodEntry, container: ContainerEntry, probeType: ProbeType, spec: Probe) {
    this.#ctx = ctx;
    this.#pod = pod;
    this.#container = container;
    this.probeType = probeType;
    this.spec = spec;
    this.#result = initialResult[probeType];
  }

  /** The container id the result belongs to ('' before the first instance). */
  get containerId(): string {
    return this.#containerId;
  }

  get result(): ResultState {
    return this.#result;
  }

  get #periodMs(): number {
    return (this.spec.periodSeconds || 10) * 1000;
  }

  get #initialDelayMs(): number {
    return (this.spec.initialDelaySeconds ?? 0) * 1000;
  }

  /** Takes in a change of the container's instance (new id, started, stopped). */
  sync(): void {
    if (this.#retired) return;
    const inst = this.#container.instance;
    if (!inst) return;
    if (inst.containerId !== this.#containerId) {
      this.#halt();
      this.#containerId = inst.containerId;
      this.#result = initialResult[this.probeType];
      this.#lastResult = undefined;
      this.#resultRun = 0;
      this.#onHold = false;
    }
    if (!inst.running) return this.#halt();
    if (this.#timer || this.#inFlight || !this.#active()) return;
    const now = this.#ctx.clock.now();
    let first = Math.max(now, inst.startedAt + this.#initialDelayMs);
    // Upstream spreads the probes of a restarted kubelet over a period; it adopts running containers.
    const period = this.#periodMs;
    if (inst.startedAt < this.#ctx.startTime && now - this.#ctx.startTime < period) first = Math.max(first, now + Math.floor(this.#ctx.random() * period));
    this.#nextTick = first;
    this.#schedule();
  }

  /** Probes now (upstream's manual trigger), if the worker would probe at all. */
  trigger(): void {
    if (this.#active()) this.#probe();
  }

  /** Stops for good: the pod is gone. */
  stop(): void {
    this.#retired = true;
    this.#halt();
  }

  /** Stops for good and reports success from now on: liveness and startup of a terminating pod. */
  retire(): void {
    this.stop();
    this.#result = 'success';
  }

  /** Whether this worker still probes its current container instance. */
  #active(): boolean {
    const inst = this.#container.instance;
    if (this.#retired || this.#onHold || !inst?.running || inst.containerId !== this.#containerId) return false;
    return !(this.probeType === 'startup' && this.#result === 'success');
  }

  #halt(): void {
    if (this.#timer) this.#ctx.clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#inFlight?.abort();
    this.#inFlight = undefined;
    this.#rerun = false;
  }

  #schedule(): void {
    this.#timer = this.#ctx.clock.setTimeout(() => this.#tick(), this.#nextTick - this.#ctx.clock.now());
  }

  #tick(): void {
    this.#timer = undefined;
    if (!this.#active()) return;
    const now = this.#ctx.clock.now();
    do this.#nextTick += this.#periodMs;
    while (this.#nextTick <= now);
    this.#schedule();
    this.#probe();
  }

  #probe(): void {
    if (this.#inFlight) {
      this.#rerun = true;
      return;
    }
    const inst = this.#container.instance;
    if (!inst || !this.#active()) return;
    if (this.#pod.pod.metadata.deletionTimestamp && this.probeType !== 'readiness') {
      // Upstream's quiet shutdown: a deleted pod is not restarted for failing liveness or startup.
      this.retire();
      return;
    }
    if (this.#ctx.clock.now() - inst.startedAt < this.#initialDelayMs) return;
    if (this.probeType !== 'startup' && !containerStarted(this.#container)) return;

    const controller = new AbortController();
    this.#inFlight = controller;
    const started = this.#ctx.clock.now();
    const target = { pod: this.#pod.pod, container: this.#container.spec, containerId: inst.containerId, podIP: this.#ctx.podIP(this.#pod) };
    const done = this.#ctx.prober
      .run(this.spec, target, controller.signal)
      .then((outcome) => {
        if (this.#inFlight !== controller) return;
        this.#inFlight = undefined;
        this.#record(outcome, started);
        if (this.#rerun) {
          this.#rerun = false;
          this.trigger();
        }
      })
      .catch((err: unknown) => this.#ctx.logger?.error('Probe worker failed', { probeType: this.probeType, container: this.#container.spec.name, err }));
    this.#ctx.track(done);
  }

  #labels(): { probe_type: string; container: string; pod: string; namespace: string } {
    const meta = this.#pod.pod.metadata;
    return { probe_type: probeTypeName(this.probeType), container: this.#container.spec.name, pod: meta.name ?? '', namespace: meta.namespace ?? '' };
  }

  #record(outcome: ProbeOutcome, startedAt: number): void {
    const meta = this.#pod.pod.metadata;
    const base = {
      podUID: meta.uid ?? '',
      podName: meta.name ?? '',
      namespace: meta.namespace ?? '',
      containerName: this.#container.spec.name,
      containerId: this.#containerId,
      probeType: this.probeType,
      event: probeEvent(this.probeType, outcome),
    };
    if (outcome.error) {
      this.#ctx.logger?.debug('Probe errored', { probeType: this.probeType, pod: base.podName, container: base.containerName, err: outcome.error.message });
      this.#ctx.report({ ...base, outcome: 'error', message: outcome.error.message, result: this.#result, changed: false });
      return;
    }
    const result = outcome.result === 'success' || outcome.result === 'warning' ? 'success' : 'failure';
    const labels = this.#labels();
    this.#ctx.metrics?.probeTotal.inc({ ...labels, pod_uid: base.podUID, result: result === 'success' ? 'successful' : 'failed' });
    this.#ctx.metrics?.probeDuration.observe(labels, (this.#ctx.clock.now() - startedAt) / 1000);

    if (result === this.#lastResult) this.#resultRun++;
    else {
      this.#lastResult = result;
      this.#resultRun = 1;
    }
    const threshold = result === 'failure' ? this.spec.failureThreshold || 3 : this.spec.successThreshold || 1;
    let changed = false;
    if (this.#resultRun >= threshold) {
      changed = this.#result !== result;
      this.#result = result;
      if (result === 'failure' && this.probeType !== 'readiness') {
        // The kubelet restarts the container; probing it meanwhile only races the kill.
        this.#onHold = true;
        this.#resultRun = 0;
        this.#halt();
      } else if (result === 'success' && this.probeType === 'startup') this.#halt();
    }
    this.#ctx.report({ ...base, outcome: outcome.result, message: outcome.output, result: this.#result, changed });
    if (changed && this.probeType === 'startup' && result === 'success') this.#container.workers.readiness?.trigger();
  }
}
