// The MVCC engine: implements the whole Store contract on top of a Backend.
//
// Writes are queued and applied in batches (group commit): every write that arrives while
// the event loop is busy lands in the next batch, and one batch is one backend transaction,
// so one fsync acknowledges many writes. Each transaction of a batch is still evaluated
// on its own, in arrival order, against the state its predecessors left, so the outcome is
// exactly that of running them one at a time. A batch is applied synchronously from begin
// to commit, so reads (served synchronously) only ever see committed state, and watchers
// get each revision right after its commit, before the writers are acknowledged.
// With a backend whose commits become durable by a separate sync() (the SQLite one: its WAL
// is flushed by fdatasync on libuv's thread pool, so the event loop goes on serving while the
// disk works), committed batches wait for the next sync: only then are their revisions
// published to watchers and their writers acknowledged, in commit order; batches committed
// while a sync runs share the next one. Reads may meanwhile see committed state that is not
// yet durable; watchers and writers never learn of a revision before it is durable.

import type { Clock } from '../../machinery/clock.ts';
import { realClock } from '../../machinery/clock.ts';
import { CompactedError, FutureRevisionError, InvalidRequestError, LeaseNotFoundError, UnavailableError } from '../errors.ts';
import { binaryString, compareBytes, fromBinaryString, isUnbounded, successor } from '../keys.ts';
import type {
  KeyValue,
  LeaseStatus,
  Op,
  OpResult,
  RangeOptions,
  RangeResult,
  Store,
  TxnRequest,
  TxnResult,
  Watch,
  WatchEvent,
  WatchOptions,
} from '../store.ts';
import type { Backend } from './backend.ts';
import { Compactor } from './compactor.ts';
import { Lessor } from './lessor.ts';
import { WatchHub } from './watch-hub.ts';

export interface EngineOptions {
  clock?: Clock;
  /**
   * Automatic compaction: every interval, history older than the revision current one
   * interval earlier is compacted (the kube-apiserver does the same for etcd every 5 min).
   * 0 turns it off.
   */
  compactIntervalMs?: number;
  leaseCheckIntervalMs?: number;
  watchChunkRows?: number;
  watchMaxBufferedEvents?: number;
}

/** etcd refuses transactions with more operations than this by default (--max-txn-ops). */
const maxTxnOps = 128;

type Pending =
  | { kind: 'txn'; request: TxnRequest; resolve: (r: TxnResult) => void; reject: (e: unknown) => void }
  | { kind: 'grant'; id: bigint; ttl: number; resolve: (r: bigint) => void; reject: (e: unknown) => void }
  | { kind: 'revoke'; id: bigint; resolve: (r: void) => void; reject: (e: unknown) => void }
  | { kind: 'compact'; revision: number; resolve: (r: void) => void; reject: (e: unknown) => void };

interface LeaseMove {
  key: string;
  from: bigint;
  to: bigint;
}

export class Engine implements Store {
  /** Events are published inside the commit, before writers are acknowledged. */
  readonly synchronousWatch = true;
  readonly #backend: Backend;
  readonly #hub: WatchHub;
  readonly #lessor: Lessor;
  readonly #compactor: Compactor;
  /** The newest committed revision (what reads and transactions see). */
  #revision: number;
  /** The newest durable revision: watchers have seen everything up to it. */
  #durableRevision: number;
  #compactRevision: number;
  /** Committed batches waiting for a sync, in commit order. */
  #awaitingSync: { revision: number; done: () => void; fail: (err: unknown) => void }[] = [];
  #syncing: Promise<void> | undefined;
  /** Callers of published(), by the revision they wait for. */
  #publishWaiters: { revision: number; resolve: () => void; reject: (err: unknown) => void }[] = [];
  /** A sync failed: nothing is acknowledged any more (as etcd stops on a failed fsync). */
  #syncError: Error | undefined;
  #queue: Pending[] = [];
  #flushScheduled = false;
  #closed = false;

  constructor(backend: Backend, options: EngineOptions = {}) {
    const clock = options.clock ?? realClock;
    this.#backend = backend;
    const meta = backend.loadMeta();
    this.#revision = meta.revision;
    this.#durableRevision = meta.revision;
    this.#compactRevision = meta.compactRevision;
    this.#hub = new WatchHub(
      {
        revision: () => this.#durableRevision,
        compactRevision: () => this.#compactRevision,
        history: (key, end, from, to, limit) => backend.history(key, end, from, to, limit),
        previous: (key, revision) => backend.previous(key, revision),
      },
      { chunkRows: options.watchChunkRows, maxBufferedEvents: options.watchMaxBufferedEvents },
    );
    this.#lessor = new Lessor(clock, options.leaseCheckIntervalMs ?? 500, (id) => {
      this.#enqueue({ kind: 'revoke', id, resolve: () => {}, reject: () => {} });
    });
    for (const lease of backend.loadLeases()) this.#lessor.grant(lease.id, lease.ttl);
    for (const { key, lease } of backend.leasedKeys()) this.#lessor.attach(binaryString(key), 0n, lease);
    this.#lessor.start();
    this.#compactor = new Compactor({
      clock,
      intervalMs: options.compactIntervalMs ?? 0,
      revision: () => this.#revision,
      compactRevision: () => this.#compactRevision,
      compact: (revision) => this.compact(revision),
      step: (revision, after, limit) => backend.compactStep(revision, after, limit),
    });
    this.#compactor.start();
  }

  /** Figures for diagnostics and metrics. */
  stats(): { revision: number; compactRevision: number; historyRows: number; watchers: number } {
    return { revision: this.#revision, compactRevision: this.#compactRevision, historyRows: this.#backend.historyRows(), watchers: this.#hub.size };
  }

  /** Resolves when queued writes are committed and compacted history is reclaimed. */
  async idle(): Promise<void> {
    while (this.#queue.length > 0 || this.#flushScheduled) await new Promise((resolve) => setImmediate(resolve));
    await this.#compactor.idle();
  }

  async range(key: Uint8Array, options: RangeOptions = {}): Promise<RangeResult> {
    this.#assertOpen();
    const end = options.end ?? successor(key);
    const limit = options.limit ?? 0;
    const countOnly = options.countOnly === true;
    const at = options.revision ?? 0;
    if (at > this.#revision) throw new FutureRevisionError(at, this.#revision);
    if (at > 0 && at < this.#compactRevision) throw new CompactedError(this.#compactRevision);
    if (options.end === undefined && (at === 0 || at === this.#revision)) {
      // One key at the current revision (the most common read): a point lookup, no count query.
      const kv = this.#backend.get(key);
      return { kvs: kv && !countOnly ? [kv] : [], count: kv ? 1 : 0, more: false, revision: this.#revision };
    }
    const { kvs, count } =
      at > 0 && at < this.#revision
        ? this.#backend.rangeAt(key, end, at, limit, countOnly)
        : this.#backend.range(key, end, limit, countOnly);
    return { kvs, count, more: !countOnly && count > kvs.length, revision: this.#revision };
  }

  txn(request: TxnRequest): Promise<TxnResult> {
    try {
      this.#assertOpen();
      validateBranch(request.success);
      validateBranch(request.failure ?? []);
    } catch (err) {
      return Promise.reject(err);
    }
    return new Promise((resolve, reject) => this.#enqueue({ kind: 'txn', request, resolve, reject }));
  }

  compact(revision: number): Promise<void> {
    if (this.#closed) return Promise.reject(new UnavailableError('store is closed'));
    return new Promise((resolve, reject) => this.#enqueue({ kind: 'compact', revision, resolve, reject }));
  }

  published(): Promise<void> {
    if (this.#syncError) return Promise.reject(new UnavailableError(`store cannot make writes durable: ${this.#syncError.message}`, { cause: this.#syncError }));
    if (this.#durableRevision >= this.#revision) return Promise.resolve();
    const revision = this.#revision;
    return new Promise((resolve, reject) => this.#publishWaiters.push({ revision, resolve, reject }));
  }

  watch(options: WatchOptions): Watch {
    this.#assertOpen();
    return this.#hub.open(options);
  }

  grantLease(ttl: number): Promise<bigint> {
    if (this.#closed) return Promise.reject(new UnavailableError('store is closed'));
    let id: bigint;
    do {
      // Positive and within 2^53, so drivers can keep it in a plain number column.
      id = BigInt(Math.floor(Math.random() * 2 ** 53)) + 1n;
    } while (this.#lessor.exists(id));
    const seconds = Math.max(1, Math.ceil(ttl));
    this.#lessor.grant(id, seconds);
    return new Promise((resolve, reject) => this.#enqueue({ kind: 'grant', id, ttl: seconds, resolve, reject }));
  }

  async keepAliveLease(id: bigint): Promise<number> {
    this.#assertOpen();
    const ttl = this.#lessor.renew(id);
    if (ttl === undefined) throw new LeaseNotFoundError(id);
    return ttl;
  }

  revokeLease(id: bigint): Promise<void> {
    if (this.#closed) return Promise.reject(new UnavailableError('store is closed'));
    return new Promise((resolve, reject) => this.#enqueue({ kind: 'revoke', id, resolve, reject }));
  }

  async leaseTimeToLive(id: bigint): Promise<LeaseStatus | undefined> {
    this.#assertOpen();
    const status = this.#lessor.status(id);
    if (!status) return undefined;
    return { id, ttl: status.ttl, grantedTtl: status.grantedTtl, keys: status.keys.map(fromBinaryString).sort(compareBytes) };
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    if (this.#queue.length > 0) this.#flush();
    while (this.#syncing) await this.#syncing;
    this.#closed = true;
    this.#lessor.stop();
    await this.#compactor.stop();
    this.#hub.closeAll();
    await this.#backend.close();
  }

  #assertOpen(): void {
    if (this.#closed) throw new UnavailableError('store is closed');
  }

  #enqueue(item: Pending): void {
    if (this.#closed) {
      item.reject(new UnavailableError('store is closed'));
      return;
    }
    if (this.#syncError) {
      item.reject(new UnavailableError(`store cannot make writes durable: ${this.#syncError.message}`, { cause: this.#syncError }));
      return;
    }
    this.#queue.push(item);
    if (!this.#flushScheduled) {
      this.#flushScheduled = true;
      setImmediate(() => this.#flush());
    }
  }

  /** Applies every queued write in one backend transaction, then publishes and acknowledges. */
  #flush(): void {
    this.#flushScheduled = false;
    const batch = this.#queue;
    this.#queue = [];
    if (batch.length === 0) return;
    const startRevision = this.#revision;
    const startCompact = this.#compactRevision;
    const published: { revision: number; events: WatchEvent[] }[] = [];
    const moves: LeaseMove[] = [];
    const settle: (() => void)[] = [];
    const revoked: bigint[] = [];
    this.#backend.begin();
    try {
      for (const item of batch) {
        try {
          switch (item.kind) {
            case 'txn': {
              const result = this.#applyTxn(item.request, published, moves);
              settle.push(() => item.resolve(result));
              break;
            }
            case 'grant':
              this.#backend.putLease({ id: item.id, ttl: item.ttl });
              settle.push(() => item.resolve(item.id));
              break;
            case 'revoke':
              if (this.#applyRevoke(item.id, published, moves)) revoked.push(item.id);
              settle.push(() => item.resolve());
              break;
            case 'compact':
              this.#applyCompact(item.revision);
              settle.push(() => item.resolve());
              break;
          }
        } catch (err) {
          if (!isRequestError(err)) throw err;
          settle.push(() => item.reject(err));
        }
      }
      this.#backend.commit(this.#revision);
    } catch (err) {
      this.#backend.rollback();
      this.#revision = startRevision;
      this.#compactRevision = startCompact;
      const failure = new UnavailableError(`store write failed: ${(err as Error).message}`, { cause: err });
      for (const item of batch) {
        if (item.kind === 'grant') this.#lessor.remove(item.id);
        item.reject(failure);
      }
      return;
    }
    for (const id of revoked) this.#lessor.remove(id);
    for (const move of moves) this.#lessor.attach(move.key, move.from, move.to);
    if (this.#compactRevision > startCompact) this.#compactor.kick();
    const revision = this.#revision;
    const done = () => {
      for (const { revision, events } of published) this.#hub.publish(revision, events);
      this.#durableRevision = revision;
      for (const fn of settle) fn();
      if (this.#publishWaiters.length > 0) {
        const due = this.#publishWaiters.filter((w) => w.revision <= revision);
        this.#publishWaiters = this.#publishWaiters.filter((w) => w.revision > revision);
        for (const w of due) w.resolve();
      }
    };
    if (!this.#backend.sync) return done();
    const failure = (err: unknown) => new UnavailableError(`store write not durable: ${(err as Error).message}`, { cause: err });
    this.#awaitingSync.push({ revision, done, fail: (err) => batch.forEach((item) => item.reject(failure(err))) });
    this.#sync();
  }

  /** Syncs the committed batches waiting, then the ones committed meanwhile, one sync at a time. */
  #sync(): void {
    if (this.#syncing || this.#awaitingSync.length === 0) return;
    const batches = this.#awaitingSync;
    this.#awaitingSync = [];
    this.#syncing = this.#backend.sync!().then(
      () => {
        for (const b of batches) b.done();
      },
      (err: unknown) => {
        // The disk refused: what was committed may be lost, so no writer learns of success.
        this.#syncError = err instanceof Error ? err : new Error(String(err));
        for (const b of [...batches, ...this.#awaitingSync.splice(0)]) b.fail(err);
        // What they wait for will not be published.
        for (const w of this.#publishWaiters.splice(0)) w.reject(new UnavailableError(`store cannot make writes durable: ${this.#syncError.message}`, { cause: err }));
      },
    );
    void this.#syncing.finally(() => {
      this.#syncing = undefined;
      this.#sync();
    });
  }

  #applyTxn(request: TxnRequest, published: { revision: number; events: WatchEvent[] }[], moves: LeaseMove[]): TxnResult {
    // What the compares read, for a put of the same key (the usual compare-and-swap) to reuse:
    // no op of the branch changes a key before the put of it (keys are not repeated).
    const compared = new Map<Uint8Array, KeyValue | undefined>();
    const succeeded = request.compare.every((c) => {
      const kv = this.#backend.get(c.key);
      compared.set(c.key, kv);
      return (kv?.modRevision ?? 0) === c.modRevision;
    });
    const ops = succeeded ? request.success : (request.failure ?? []);
    for (const op of ops) {
      if (op.type === 'put' && op.lease !== undefined && op.lease !== 0n && !this.#lessor.has(op.lease)) {
        throw new LeaseNotFoundError(op.lease);
      }
    }
    const revision = this.#revision + 1;
    const events: WatchEvent[] = [];
    const results: OpResult[] = [];
    for (const op of ops) results.push(this.#applyOp(op, revision, events, moves, compared));
    if (events.length > 0) {
      this.#revision = revision;
      published.push({ revision, events });
    }
    return { succeeded, revision: this.#revision, results };
  }

  #applyOp(op: Op, revision: number, events: WatchEvent[], moves: LeaseMove[], compared: ReadonlyMap<Uint8Array, KeyValue | undefined>): OpResult {
    switch (op.type) {
      case 'range': {
        const limit = op.limit ?? 0;
        const { kvs, count } = this.#backend.range(op.key, op.end ?? successor(op.key), limit, false);
        return { type: 'range', kvs, count, more: count > kvs.length };
      }
      case 'put': {
        const prev = compared.has(op.key) ? compared.get(op.key) : this.#backend.get(op.key);
        const lease = op.lease ?? 0n;
        const kv: KeyValue = {
          key: op.key,
          value: op.value,
          createRevision: prev ? prev.createRevision : revision,
          modRevision: revision,
          version: prev ? prev.version + 1 : 1,
          lease,
        };
        this.#backend.write({ key: kv.key, revision, sub: events.length, value: kv.value, createRevision: kv.createRevision, version: kv.version, lease });
        events.push(prev ? { type: 'put', kv, prevKv: prev } : { type: 'put', kv });
        if ((prev?.lease ?? 0n) !== lease) moves.push({ key: binaryString(op.key), from: prev?.lease ?? 0n, to: lease });
        return op.prevKv && prev ? { type: 'put', prevKv: prev } : { type: 'put' };
      }
      case 'delete': {
        const { kvs } = this.#backend.range(op.key, op.end ?? successor(op.key), 0, false);
        for (const prev of kvs) this.#deleteKey(prev, revision, events, moves);
        return { type: 'delete', deleted: kvs.length, prevKvs: kvs };
      }
    }
  }

  #deleteKey(prev: KeyValue, revision: number, events: WatchEvent[], moves: LeaseMove[]): void {
    this.#backend.write({ key: prev.key, revision, sub: events.length, value: null, createRevision: 0, version: 0, lease: 0n });
    const kv: KeyValue = { key: prev.key, value: new Uint8Array(0), createRevision: 0, modRevision: revision, version: 0, lease: 0n };
    events.push({ type: 'delete', kv, prevKv: prev });
    if (prev.lease !== 0n) moves.push({ key: binaryString(prev.key), from: prev.lease, to: 0n });
  }

  /** Deletes a lease's keys in one revision; false when the lease was unknown. */
  #applyRevoke(id: bigint, published: { revision: number; events: WatchEvent[] }[], moves: LeaseMove[]): boolean {
    if (!this.#lessor.exists(id)) return false;
    const revision = this.#revision + 1;
    const events: WatchEvent[] = [];
    const keys = this.#lessor.keys(id).map(fromBinaryString).sort(compareBytes);
    for (const key of keys) {
      const prev = this.#backend.get(key);
      if (prev && prev.lease === id) this.#deleteKey(prev, revision, events, moves);
    }
    this.#backend.deleteLease(id);
    if (events.length > 0) {
      this.#revision = revision;
      published.push({ revision, events });
    }
    return true;
  }

  #applyCompact(revision: number): void {
    if (revision <= this.#compactRevision) throw new CompactedError(this.#compactRevision);
    if (revision > this.#revision) throw new FutureRevisionError(revision, this.#revision);
    this.#backend.setCompactRevision(revision);
    this.#compactRevision = revision;
  }
}

function validateBranch(ops: Op[]): void {
  if (ops.length > maxTxnOps) throw new InvalidRequestError(`too many operations in txn request (${ops.length} > ${maxTxnOps})`);
  const puts = new Set<string>();
  for (const op of ops) {
    if (op.type !== 'put') continue;
    const key = binaryString(op.key);
    if (puts.has(key)) throw new InvalidRequestError('duplicate key given in txn request');
    puts.add(key);
  }
  for (const op of ops) {
    if (op.type !== 'delete') continue;
    const end = op.end ?? successor(op.key);
    for (const key of puts) {
      const k = fromBinaryString(key);
      if (compareBytes(k, op.key) >= 0 && (isUnbounded(end) || compareBytes(k, end) < 0)) {
        throw new InvalidRequestError('duplicate key given in txn request');
      }
    }
  }
}

/** Errors that fail one request of a batch without failing the batch. */
function isRequestError(err: unknown): boolean {
  return err instanceof LeaseNotFoundError || err instanceof CompactedError || err instanceof FutureRevisionError;
}
