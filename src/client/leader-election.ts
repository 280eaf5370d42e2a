// Leader election on a coordination.k8s.io/v1 Lease, as client-go's leaderelection package:
// - a candidate takes the lease when it is absent, released (no holder) or expired, where
//   "expired" is judged on the local Clock: leaseDurationSeconds after this candidate last
//   saw the lease change, so clock skew between candidates does not matter;
// - the leader renews every retryPeriod; if it cannot renew for renewDeadline it stops
//   leading (the signal given to onStartedLeading aborts, onStoppedLeading runs);
// - every write carries the resourceVersion last read, so of two candidates racing for the
//   lease one gets 409 Conflict and tries again next period;
// - with releaseOnCancel, stopping a leader clears holderIdentity so another takes over
//   at once instead of waiting out the lease.
// onStoppedLeading runs only for a candidate that did lead (client-go also runs it when
// the candidate stops before ever leading).

import type { KubeObject } from '../api/kind.ts';
import { realClock, type Clock } from '../machinery/clock.ts';
import { isNotFound } from './api-errors.ts';
import type { RestClient } from './rest-client.ts';
import { jitter, sleep } from './wait.ts';
import { microTime } from '../machinery/time.ts';

/** What a lock stores: client-go's LeaderElectionRecord (times as MicroTime strings). */
export interface LeaderElectionRecord {
  holderIdentity: string;
  leaseDurationSeconds: number;
  acquireTime?: string;
  renewTime?: string;
  leaderTransitions: number;
}

/** A lease-like object candidates compete for. */
export interface ResourceLock {
  readonly identity: string;
  describe(): string;
  /** The current record, or undefined when the lock object does not exist. */
  get(signal: AbortSignal): Promise<LeaderElectionRecord | undefined>;
  create(record: LeaderElectionRecord, signal: AbortSignal): Promise<void>;
  /** Writes the record over the version last read or written; rejects on conflict. */
  update(record: LeaderElectionRecord, signal: AbortSignal): Promise<void>;
}

const leases = { group: 'coordination.k8s.io', version: 'v1', resource: 'leases' };


interface LeaseObject extends KubeObject {
  spec?: {
    holderIdentity?: string;
    leaseDurationSeconds?: number;
    acquireTime?: string;
    renewTime?: string;
    leaseTransitions?: number;
    [field: string]: unknown;
  };
}

/** resourcelock.LeaseLock. */
export class LeaseLock implements ResourceLock {
  readonly identity: string;
  readonly namespace: string;
  readonly name: string;
  readonly #client: RestClient;
  #lease: LeaseObject | undefined;

  constructor(client: RestClient, lease: { namespace: string; name: string }, identity: string) {
    this.#client = client;
    this.namespace = lease.namespace;
    this.name = lease.name;
    this.identity = identity;
  }

  describe(): string {
    return `${this.namespace}/${this.name}`;
  }

  async get(signal: AbortSignal): Promise<LeaderElectionRecord | undefined> {
    try {
      this.#lease = await this.#client.get<LeaseObject>({ ...leases, namespace: this.namespace, name: this.name }, { signal });
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
    const spec = this.#lease.spec ?? {};
    return {
      holderIdentity: spec.holderIdentity ?? '',
      leaseDurationSeconds: spec.leaseDurationSeconds ?? 0,
      acquireTime: spec.acquireTime,
      renewTime: spec.renewTime,
      leaderTransitions: spec.leaseTransitions ?? 0,
    };
  }

  async create(record: LeaderElectionRecord, signal: AbortSignal): Promise<void> {
    const body: LeaseObject = { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { namespace: this.namespace, name: this.name }, spec: leaseSpec(record) };
    this.#lease = await this.#client.create<LeaseObject>({ ...leases, namespace: this.namespace }, body, { signal });
  }

  async update(record: LeaderElectionRecord, signal: AbortSignal): Promise<void> {
    if (!this.#lease) throw new Error('lease not initialized, call get or create first');
    const body: LeaseObject = { ...this.#lease, spec: { ...this.#lease.spec, ...leaseSpec(record) } };
    this.#lease = await this.#client.update<LeaseObject>({ ...leases, namespace: this.namespace, name: this.name }, body, { signal });
  }
}

function leaseSpec(record: LeaderElectionRecord): NonNullable<LeaseObject['spec']> {
  const spec: NonNullable<LeaseObject['spec']> = {
    holderIdentity: record.holderIdentity,
    leaseDurationSeconds: record.leaseDurationSeconds,
    leaseTransitions: record.leaderTransitions,
  };
  if (record.acquireTime) spec.acquireTime = record.acquireTime;
  if (record.renewTime) spec.renewTime = record.renewTime;
  return spec;
}

export interface LeaderCallbacks {
  /** Runs when this candidate becomes leader; `signal` aborts when it stops leading. */
  onStartedLeading(signal: AbortSignal): void | Promise<void>;
  /** Runs once when leadership ends (lost, or the elector stopped). */
  onStoppedLeading?(): void;
  /** Runs when the observed holder changes (including to this candidate). */
  onNewLeader?(identity: string): void;
}

export interface LeaderElectionConfig {
  lock: ResourceLock;
  /** How long a lease lasts without renewal before others may take it (default 15 s; whole seconds). */
  leaseDurationMs?: number;
  /** How long the leader keeps trying to renew before it gives up (default 10 s). */
  renewDeadlineMs?: number;
  /** How often candidates try (default 2 s). */
  retryPeriodMs?: number;
  /** Clear the holder when the elector is stopped while leading. */
  releaseOnCancel?: boolean;
  callbacks: LeaderCallbacks;
  name?: string;
  clock?: Clock;
  random?: () => number;
  log?: (message: string) => void;
}

const jitterFactor = 1.2;

export class LeaderElector {
  readonly #lock: ResourceLock;
  readonly #leaseDurationMs: number;
  readonly #renewDeadlineMs: number;
  readonly #retryPeriodMs: number;
  readonly #config: LeaderElectionConfig;
  readonly #clock: Clock;
  readonly #random: () => number;
  readonly #log: (message: string) => void;
  #observed: LeaderElectionRecord | undefined;
  #observedRaw = '';
  #observedTime = 0;
  #reportedLeader = '';

  constructor(config: LeaderElectionConfig) {
    this.#config = config;
    this.#lock = config.lock;
    this.#leaseDurationMs = config.leaseDurationMs ?? 15_000;
    this.#renewDeadlineMs = config.renewDeadlineMs ?? 10_000;
    this.#retryPeriodMs = config.retryPeriodMs ?? 2_000;
    this.#clock = config.clock ?? realClock;
    this.#random = config.random ?? Math.random;
    this.#log = config.log ?? (() => {});
    if (this.#leaseDurationMs <= this.#renewDeadlineMs) throw new Error('leaseDuration must be greater than renewDeadline');
    if (this.#renewDeadlineMs <= jitterFactor * this.#retryPeriodMs) throw new Error(`renewDeadline must be greater than retryPeriod*JitterFactor`);
    if (this.#leaseDurationMs < 1000) throw new Error('leaseDuration must be at least 1 s');
    if (this.#retryPeriodMs < 1) throw new Error('retryPeriod must be greater than zero');
    if (!this.#lock.identity) throw new Error('lock identity is empty');
  }

  get identity(): string {
    return this.#lock.identity;
  }

  /** True while the last record this candidate saw names it as holder. */
  isLeader(): boolean {
    return this.#observed?.holderIdentity === this.#lock.identity;
  }

  /** The holder in the last record seen ("" if none). */
  getLeader(): string {
    return this.#observed?.holderIdentity ?? '';
  }

  /** Campaigns, then leads until leadership is lost or `signal` aborts; resolves when done. */
  async run(signal: AbortSignal): Promise<void> {
    if (!(await this.#acquire(signal))) return;
    const leading = new AbortController();
    const onAbort = () => leading.abort();
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      this.#log(`${this.#describe()}: successfully acquired lease`);
      void Promise.resolve()
        .then(() => this.#config.callbacks.onStartedLeading(leading.signal))
        .catch((err) => this.#log(`${this.#describe()}: onStartedLeading failed: ${String(err)}`));
      await this.#renew(leading.signal);
    } finally {
      signal.removeEventListener('abort', onAbort);
      leading.abort();
      if (this.#config.releaseOnCancel) await this.#release();
      try {
        this.#config.callbacks.onStoppedLeading?.();
      } catch (err) {
        this.#log(`${this.#describe()}: onStoppedLeading failed: ${String(err)}`);
      }
    }
  }

  #describe(): string {
    return `${this.#config.name ?? 'leader-election'} ${this.#lock.describe()} (${this.#lock.identity})`;
  }

  async #acquire(signal: AbortSignal): Promise<boolean> {
    this.#log(`${this.#describe()}: attempting to acquire leader lease`);
    for (;;) {
      if (signal.aborted) return false;
      const ok = await this.#attempt(signal, this.#renewDeadlineMs);
      this.#maybeReportTransition();
      if (ok) return true;
      if (!(await sleep(this.#clock, jitter(this.#retryPeriodMs, jitterFactor, this.#random), signal))) return false;
    }
  }

  async #renew(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      const deadline = this.#clock.now() + this.#renewDeadlineMs;
      let renewed = false;
      for (;;) {
        renewed = await this.#attempt(signal, deadline - this.#clock.now());
        if (renewed || signal.aborted) break;
        if (!(await sleep(this.#clock, this.#retryPeriodMs, signal))) break;
        if (this.#clock.now() >= deadline) break;
      }
      this.#maybeReportTransition();
      if (signal.aborted) return;
      if (!renewed) {
        this.#log(`${this.#describe()}: failed to renew lease: timed out waiting for the condition`);
        return;
      }
      if (!(await sleep(this.#clock, this.#retryPeriodMs, signal))) return;
    }
  }

  /** One tryAcquireOrRenew bounded by `timeoutMs` on the clock (and by `signal`). */
  async #attempt(signal: AbortSignal, timeoutMs: number): Promise<boolean> {
    const attempt = new AbortController();
    const onAbort = () => attempt.abort(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    const timer = this.#clock.setTimeout(() => attempt.abort(new DOMException('leader election attempt timed out', 'TimeoutError')), Math.max(0, timeoutMs));
    try {
      return await this.#tryAcquireOrRenew(attempt.signal);
    } catch (err) {
      if (!signal.aborted) this.#log(`${this.#describe()}: ${err instanceof Error ? err.message : String(err)}`);
      return false;
    } finally {
      this.#clock.clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
    }
  }

  async #tryAcquireOrRenew(signal: AbortSignal): Promise<boolean> {
    const now = this.#clock.now();
    const record: LeaderElectionRecord = {
      holderIdentity: this.#lock.identity,
      leaseDurationSeconds: Math.floor(this.#leaseDurationMs / 1000),
      acquireTime: microTime(now),
      renewTime: microTime(now),
      leaderTransitions: 0,
    };

    // 1. The leader's fast path: write over the record it saw last.
    if (this.isLeader() && this.#leaseValid(now)) {
      const observed = this.#observed!;
      record.acquireTime = observed.acquireTime;
      record.leaderTransitions = observed.leaderTransitions;
      try {
        await this.#lock.update(record, signal);
        this.#setObserved(record);
        return true;
      } catch (err) {
        if (signal.aborted) throw err;
        this.#log(`${this.#describe()}: failed to update lock optimistically: ${err instanceof Error ? err.message : String(err)}, falling back to slow path`);
      }
    }

    // 2. Read the record, or create it.
    const current = await this.#lock.get(signal);
    if (!current) {
      await this.#lock.create(record, signal);
      this.#setObserved(record);
      return true;
    }

    // 3. Someone else holds an unexpired lease: wait.
    const raw = JSON.stringify(current);
    if (raw !== this.#observedRaw) this.#setObserved(current, raw);
    if (current.holderIdentity !== '' && this.#leaseValid(now) && !this.isLeader()) return false;

    // 4. Take it (or keep it, as its holder).
    if (this.isLeader()) {
      record.acquireTime = current.acquireTime;
      record.leaderTransitions = current.leaderTransitions;
    } else {
      record.leaderTransitions = current.leaderTransitions + 1;
    }
    await this.#lock.update(record, signal);
    this.#setObserved(record);
    return true;
  }

  async #release(): Promise<void> {
    const attempt = new AbortController();
    const timer = this.#clock.setTimeout(() => attempt.abort(), this.#renewDeadlineMs);
    try {
      // Read first: if another candidate took over meanwhile, its record must not be cleared.
      const current = await this.#lock.get(attempt.signal);
      if (current) this.#setObserved(current, JSON.stringify(current));
      if (!current || !this.isLeader()) return;
      const now = this.#clock.now();
      const record: LeaderElectionRecord = {
        holderIdentity: '',
        leaseDurationSeconds: 1,
        acquireTime: microTime(now),
        renewTime: microTime(now),
        leaderTransitions: current.leaderTransitions,
      };
      await this.#lock.update(record, attempt.signal);
      this.#setObserved(record);
    } catch (err) {
      this.#log(`${this.#describe()}: failed to release lock: ${err instanceof Error ? err.message : String(err)}`);
    } finally {
      this.#clock.clearTimeout(timer);
    }
  }

  #leaseValid(now: number): boolean {
    return this.#observedTime + (this.#observed?.leaseDurationSeconds ?? 0) * 1000 > now;
  }

  #setObserved(record: LeaderElectionRecord, raw = JSON.stringify(record)): void {
    this.#observed = record;
    this.#observedRaw = raw;
    this.#observedTime = this.#clock.now();
  }

  #maybeReportTransition(): void {
    const holder = this.#observed?.holderIdentity ?? '';
    if (holder === this.#reportedLeader) return;
    this.#reportedLeader = holder;
    const onNewLeader = this.#config.callbacks.onNewLeader;
    if (onNewLeader) queueMicrotask(() => {
      try {
        onNewLeader(holder);
      } catch (err) {
        this.#log(`${this.#describe()}: onNewLeader failed: ${String(err)}`);
      }
    });
  }
}
