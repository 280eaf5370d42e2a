// The scheduling queue, as upstream's PriorityQueue:
// - activeQ hands out pods by spec.priority (highest first), then by when they were queued;
// - a pod that failed waits in backoffQ for its back-off (initial × 2^(attempts−1), capped at
//   max; upstream's 1 s and 10 s by default), then returns to activeQ — a timer on the injected
//   clock fires at the earliest expiry, nothing polls;
// - a pod no node could take waits in unschedulablePods until a cluster event that one of the
//   plugins that rejected it registered for (node added, labels/taints/allocatable changed, an
//   assigned pod deleted ...) moves it to backoffQ or activeQ; if an event arrived while it was
//   being scheduled, it goes to backoffQ directly so the event is not lost; after 5 minutes
//   there it is retried anyway;
// - pods with schedulingGates wait in the gated set until their gates are removed;
// - updates replace the queued object in place; deletes remove it wherever it is;
// - it keeps the nominator current, as upstream's queue does: adds, updates and deletes of
//   pending pods nominate them by their status.nominatedNodeName or drop their nomination.

import { realClock, type Clock, type Timer } from '../../machinery/clock.ts';
import type { ClusterEvent } from '../framework/interfaces.ts';
import { podKey, podPriority, type Pod } from '../types.ts';
import { Heap } from './heap.ts';
import { Nominator } from './nominator.ts';

export interface QueuedPodInfo {
  pod: Pod;
  readonly key: string;
  /** When it was last queued (orders activeQ; back-off counts from it after a failure). */
  timestamp: number;
  readonly initialAttemptTimestamp: number;
  attempts: number;
  /** Plugins that rejected it in its last attempt. */
  unschedulablePlugins: Set<string>;
}

export type QueueName = 'active' | 'backoff' | 'unschedulable' | 'gated';

export interface SchedulingQueueOptions {
  clock?: Clock;
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  /** How long a pod may stay unschedulable before it is retried anyway (default 5 min). */
  maxUnschedulableMs?: number;
  /** The events after which a pod rejected by `plugin` is retried; undefined: any event. */
  eventsOf?: (plugin: string) => readonly ClusterEvent[] | undefined;
  /** Called after every change of the queue sizes (metrics). */
  onChange?: (sizes: Record<QueueName, number>) => void;
  /** The nominator the framework reads (default: a new one). */
  nominator?: Nominator;
}

function gated(pod: Pod): boolean {
  return (pod.spec?.schedulingGates?.length ?? 0) > 0;
}

/** Whether an update could change the outcome for a pod that did not fit: spec, labels, annotations. */
function schedulingRelevantChange(oldPod: Pod, newPod: Pod): boolean {
  return (
    JSON.stringify(oldPod.spec) !== JSON.stringify(newPod.spec) ||
    JSON.stringify(oldPod.metadata?.labels ?? {}) !== JSON.stringify(newPod.metadata?.labels ?? {}) ||
    JSON.stringify(oldPod.metadata?.annotations ?? {}) !== JSON.stringify(newPod.metadata?.annotations ?? {})
  );
}

export class SchedulingQueue {
  readonly nominator: Nominator;
  readonly #clock: Clock;
  readonly #initialBackoffMs: number;
  readonly #maxBackoffMs: number;
  readonly #maxUnschedulableMs: number;
  readonly #eventsOf: (plugin: string) => readonly ClusterEvent[] | undefined;
  readonly #onChange: (sizes: Record<QueueName, number>) => void;
  readonly #activeQ = new Heap<QueuedPodInfo>(
    (p) => p.key,
    (a, b) => {
      const pa = podPriority(a.pod);
      const pb = podPriority(b.pod);
      return pa > pb || (pa === pb && a.timestamp < b.timestamp);
    },
  );
  readonly #backoffQ = new Heap<QueuedPodInfo>(
    (p) => p.key,
    (a, b) => this.#backoffExpiry(a) < this.#backoffExpiry(b),
  );
  readonly #unschedulable = new Map<string, QueuedPodInfo>();
  readonly #gated = new Map<string, QueuedPodInfo>();
  /** Popped and not yet done: the latest object seen for each (undefined once deleted). */
  readonly #inFlight = new Map<string, { pod: Pod | undefined }>();
  #schedulingCycle = 0;
  #moveRequestCycle = -1;
  #waiters: ((info: QueuedPodInfo | undefined) => void)[] = [];
  #backoffTimer: Timer | undefined;
  #backoffTimerAt = Infinity;
  #flushTimer: Timer | undefined;
  #closed = false;

  constructor(options: SchedulingQueueOptions = {}) {
    this.#clock = options.clock ?? realClock;
    this.#initialBackoffMs = options.initialBackoffMs ?? 1_000;
    this.#maxBackoffMs = options.maxBackoffMs ?? 10_000;
    this.#maxUnschedulableMs = options.maxUnschedulableMs ?? 5 * 60_000;
    this.#eventsOf = options.eventsOf ?? (() => undefined);
    this.#onChange = options.onChange ?? (() => {});
    this.nominator = options.nominator ?? new Nominator();
  }

  get schedulingCycle(): number {
    return this.#schedulingCycle;
  }

  sizes(): Record<QueueName, number> {
    return { active: this.#activeQ.size, backoff: this.#backoffQ.size, unschedulable: this.#unschedulable.size, gated: this.#gated.size };
  }

  /** Where a pod is waiting, if it is. */
  whereIs(key: string): QueueName | undefined {
    if (this.#activeQ.has(key)) return 'active';
    if (this.#backoffQ.has(key)) return 'backoff';
    if (this.#unschedulable.has(key)) return 'unschedulable';
    if (this.#gated.has(key)) return 'gated';
    return undefined;
  }

  /** A new pod to schedule. */
  add(pod: Pod): void {
    if (this.#closed) return;
    const key = podKey(pod);
    if (this.#inFlight.has(key) || this.whereIs(key)) return this.update(pod, pod);
    this.nominator.add(pod);
    this.#add(pod, key);
  }

  #add(pod: Pod, key: string): void {
    const now = this.#clock.now();
    const info: QueuedPodInfo = { pod, key, timestamp: now, initialAttemptTimestamp: now, attempts: 0, unschedulablePlugins: new Set() };
    if (gated(pod)) this.#gated.set(key, info);
    else this.#pushActive(info);
    this.#changed();
  }

  update(oldPod: Pod, newPod: Pod): void {
    if (this.#closed) return;
    this.nominator.update(oldPod, newPod);
    const key = podKey(newPod);
    const flight = this.#inFlight.get(key);
    if (flight) {
      flight.pod = newPod;
      return;
    }
    const gatedInfo = this.#gated.get(key);
    if (gatedInfo) {
      gatedInfo.pod = newPod;
      if (!gated(newPod)) {
        this.#gated.delete(key);
        gatedInfo.timestamp = this.#clock.now();
        this.#pushActive(gatedInfo);
      }
      return this.#changed();
    }
    for (const q of [this.#activeQ, this.#backoffQ]) {
      const info = q.get(key);
      if (info) {
        info.pod = newPod;
        q.addOrUpdate(info);
        return;
      }
    }
    const info = this.#unschedulable.get(key);
    if (info) {
      info.pod = newPod;
      if (schedulingRelevantChange(oldPod, newPod)) {
        this.#unschedulable.delete(key);
        this.#requeue(info);
        this.#changed();
      }
      return;
    }
    this.#add(newPod, key);
  }

  delete(pod: Pod): void {
    this.nominator.delete(pod);
    const key = podKey(pod);
    const flight = this.#inFlight.get(key);
    if (flight) flight.pod = undefined;
    const removed = this.#activeQ.delete(key) ?? this.#backoffQ.delete(key);
    const had = removed !== undefined || this.#unschedulable.delete(key) || this.#gated.delete(key);
    if (had) this.#changed();
  }

  /** The next pod to schedule; waits while activeQ is empty; undefined once closed or aborted. */
  pop(signal?: AbortSignal): Promise<QueuedPodInfo | undefined> {
    if (this.#closed || signal?.aborted) return Promise.resolve(undefined);
    const info = this.#activeQ.pop();
    if (info) return Promise.resolve(this.#handOut(info));
    return new Promise((resolve) => {
      const onAbort = () => {
        this.#waiters = this.#waiters.filter((w) => w !== waiter);
        resolve(undefined);
      };
      const waiter = (i: QueuedPodInfo | undefined) => {
        signal?.removeEventListener('abort', onAbort);
        resolve(i === undefined ? undefined : this.#handOut(i));
      };
      this.#waiters.push(waiter);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /**
   * The latest object of an in-flight pod (undefined if it was deleted meanwhile); call done()
   * when its cycle has ended (bound, or put back with one of the add* methods).
   */
  latest(key: string): Pod | undefined {
    return this.#inFlight.get(key)?.pod;
  }

  done(key: string): void {
    this.#inFlight.delete(key);
  }

  /**
   * Puts back a pod no node could take in `cycle`. It waits for a cluster event unless one came
   * while it was being scheduled (then it only backs off).
   */
  addUnschedulable(info: QueuedPodInfo, cycle: number): void {
    const pod = this.#inFlight.get(info.key)?.pod;
    this.#inFlight.delete(info.key);
    if (!pod || this.#closed) return;
    info.pod = pod;
    info.timestamp = this.#clock.now();
    if (this.#moveRequestCycle >= cycle) this.#pushBackoff(info);
    else this.#unschedulable.set(info.key, info);
    this.#ensureFlushTimer();
    this.#changed();
  }

  /** Puts back a pod whose attempt failed with an error: it backs off and is retried. */
  addBackoff(info: QueuedPodInfo): void {
    const pod = this.#inFlight.get(info.key)?.pod;
    this.#inFlight.delete(info.key);
    if (!pod || this.#closed) return;
    info.pod = pod;
    info.timestamp = this.#clock.now();
    info.unschedulablePlugins.clear();
    this.#pushBackoff(info);
    this.#changed();
  }

  /** A cluster event: retries the unschedulable pods it may help. */
  moveAllToActiveOrBackoff(event: ClusterEvent): void {
    this.#moveRequestCycle = this.#schedulingCycle;
    let moved = false;
    for (const [key, info] of this.#unschedulable) {
      if (!this.#worthRequeuing(info, event)) continue;
      this.#unschedulable.delete(key);
      this.#requeue(info);
      moved = true;
    }
    if (moved) this.#changed();
  }

  /** Back-off of a pod after its attempts so far. */
  backoffDuration(info: QueuedPodInfo): number {
    let d = this.#initialBackoffMs;
    for (let i = 1; i < info.attempts; i++) {
      d *= 2;
      if (d > this.#maxBackoffMs) return this.#maxBackoffMs;
    }
    return Math.min(d, this.#maxBackoffMs);
  }

  close(): void {
    this.#closed = true;
    for (const t of [this.#backoffTimer, this.#flushTimer]) if (t) this.#clock.clearTimeout(t);
    this.#backoffTimer = this.#flushTimer = undefined;
    for (const w of this.#waiters.splice(0)) w(undefined);
  }

  #handOut(info: QueuedPodInfo): QueuedPodInfo {
    info.attempts++;
    this.#schedulingCycle++;
    this.#inFlight.set(info.key, { pod: info.pod });
    this.#changed();
    return info;
  }

  #worthRequeuing(info: QueuedPodInfo, event: ClusterEvent): boolean {
    if (info.unschedulablePlugins.size === 0) return true;
    for (const plugin of info.unschedulablePlugins) {
      const events = this.#eventsOf(plugin);
      if (!events || events.includes(event)) return true;
    }
    return false;
  }

  #backoffExpiry(info: QueuedPodInfo): number {
    return info.timestamp + this.backoffDuration(info);
  }

  #requeue(info: QueuedPodInfo): void {
    if (this.#backoffExpiry(info) > this.#clock.now()) this.#pushBackoff(info);
    else this.#pushActive(info);
  }

  #pushActive(info: QueuedPodInfo): void {
    const waiter = this.#waiters.shift();
    if (waiter) waiter(info);
    else this.#activeQ.addOrUpdate(info);
  }

  #pushBackoff(info: QueuedPodInfo): void {
    this.#backoffQ.addOrUpdate(info);
    this.#armBackoffTimer();
  }

  #armBackoffTimer(): void {
    const head = this.#backoffQ.peek();
    if (!head || this.#closed) return;
    const at = this.#backoffExpiry(head);
    if (this.#backoffTimer && at >= this.#backoffTimerAt) return;
    if (this.#backoffTimer) this.#clock.clearTimeout(this.#backoffTimer);
    this.#backoffTimerAt = at;
    this.#backoffTimer = this.#clock.setTimeout(() => {
      this.#backoffTimer = undefined;
      this.#backoffTimerAt = Infinity;
      this.#flushBackoff();
    }, Math.max(0, at - this.#clock.now()));
    this.#backoffTimer.unref?.();
  }

  #flushBackoff(): void {
    const now = this.#clock.now();
    let moved = false;
    for (let head = this.#backoffQ.peek(); head && this.#backoffExpiry(head) <= now; head = this.#backoffQ.peek()) {
      this.#backoffQ.pop();
      this.#pushActive(head);
      moved = true;
    }
    this.#armBackoffTimer();
    if (moved) this.#changed();
  }

  #ensureFlushTimer(): void {
    if (this.#flushTimer || this.#closed || this.#unschedulable.size === 0) return;
    this.#flushTimer = this.#clock.setTimeout(() => {
      this.#flushTimer = undefined;
      const now = this.#clock.now();
      let moved = false;
      for (const [key, info] of this.#unschedulable) {
        if (now - info.timestamp < this.#maxUnschedulableMs) continue;
        this.#unschedulable.delete(key);
        this.#requeue(info);
        moved = true;
      }
      if (moved) this.#changed();
      this.#ensureFlushTimer();
    }, 30_000);
    this.#flushTimer.unref?.();
  }

  #changed(): void {
    this.#onChange(this.sizes());
  }
}
