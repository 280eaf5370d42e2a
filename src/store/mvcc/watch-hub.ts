// Delivers changes to watchers with no gap, no duplicate and in revision order.
//
// A watcher is either synced (it has seen everything up to the current revision, so each
// committed revision is pushed to it as it is published) or catching up (it still needs
// revisions from history). Catching up reads one bounded chunk of history at a time, when
// the consumer asks for more, so a slow consumer costs memory for one chunk only. Reading
// the last chunk and joining the synced set happen in one synchronous step, between two
// commits, which is what rules out a gap or a duplicate at the switch. A synced watcher
// whose consumer falls too far behind stops receiving pushes and catches up from history
// instead, the way etcd moves slow watchers to its unsynced group.

import { CompactedError, UnavailableError } from '../errors.ts';
import { compareBytes, isUnbounded } from '../keys.ts';
import type { KeyValue, Watch, WatchEvent, WatchOptions } from '../store.ts';
import type { HistoryRows, Row } from './backend.ts';

/** What the hub needs from the engine. */
export interface WatchSource {
  revision(): number;
  compactRevision(): number;
  history(key: Uint8Array, end: Uint8Array | undefined, from: number, to: number, limit: number): HistoryRows;
  previous(key: Uint8Array, revision: number): KeyValue | undefined;
}

export interface WatchHubOptions {
  /** Rows read from history per step of a catching-up watcher. */
  chunkRows?: number;
  /** Buffered events above which a synced watcher falls back to catching up. */
  maxBufferedEvents?: number;
}

export class WatchHub {
  readonly #source: WatchSource;
  readonly #synced = new Set<Watcher>();
  readonly #all = new Set<Watcher>();
  readonly chunkRows: number;
  readonly maxBufferedEvents: number;

  constructor(source: WatchSource, options: WatchHubOptions = {}) {
    this.#source = source;
    this.chunkRows = options.chunkRows ?? 1000;
    this.maxBufferedEvents = options.maxBufferedEvents ?? 10_000;
  }

  get size(): number {
    return this.#all.size;
  }

  open(options: WatchOptions): Watch {
    const current = this.#source.revision();
    const start = options.startRevision && options.startRevision > 0 ? options.startRevision : current + 1;
    const watcher = new Watcher(this, options, start);
    this.#all.add(watcher);
    if (start < this.#source.compactRevision()) {
      watcher.fail(new CompactedError(this.#source.compactRevision()));
    } else if (start > current) {
      this.#synced.add(watcher);
    }
    return watcher;
  }

  /** Pushes one committed revision to every synced watcher it concerns. */
  publish(revision: number, events: WatchEvent[]): void {
    for (const watcher of this.#synced) {
      if (revision < watcher.nextRevision) continue;
      const mine = events.filter((e) => watcher.matches(e.kv.key)).map((e) => watcher.shape(e));
      if (mine.length > 0) {
        if (watcher.buffered + mine.length > this.maxBufferedEvents) {
          // Too far behind: stop pushing; it reads this revision on from history.
          this.#synced.delete(watcher);
          watcher.nextRevision = revision;
          continue;
        }
        watcher.push(mine);
      }
      watcher.nextRevision = revision + 1;
    }
  }

  /** Reads the next chunk of history for a watcher that is catching up. */
  catchUp(watcher: Watcher): void {
    const compactRevision = this.#source.compactRevision();
    if (watcher.nextRevision < compactRevision) {
      watcher.fail(new CompactedError(compactRevision));
      return;
    }
    const current = this.#source.revision();
    const { rows, through } = this.#source.history(watcher.key, watcher.end, watcher.nextRevision, current, this.chunkRows);
    const batch: WatchEvent[] = [];
    for (const row of rows) batch.push(watcher.shape(this.#event(row, watcher.wantsPrevKv)));
    if (batch.length > 0) watcher.push(batch);
    watcher.nextRevision = through + 1;
    if (through >= current) this.#synced.add(watcher);
  }

  forget(watcher: Watcher): void {
    this.#synced.delete(watcher);
    this.#all.delete(watcher);
  }

  isSynced(watcher: Watcher): boolean {
    return this.#synced.has(watcher);
  }

  /** Ends every watch with an error (the store is closing). */
  closeAll(): void {
    for (const watcher of this.#all) watcher.fail(new UnavailableError('store is closed'));
  }

  #event(row: Row, withPrev: boolean): WatchEvent {
    const prevKv = withPrev ? this.#source.previous(row.key, row.revision) : undefined;
    if (row.value === null) {
      const kv: KeyValue = { key: row.key, value: new Uint8Array(0), createRevision: 0, modRevision: row.revision, version: 0, lease: 0n };
      return prevKv ? { type: 'delete', kv, prevKv } : { type: 'delete', kv };
    }
    const kv: KeyValue = {
      key: row.key,
      value: row.value,
      createRevision: row.createRevision,
      modRevision: row.revision,
      version: row.version,
      lease: row.lease,
    };
    return prevKv ? { type: 'put', kv, prevKv } : { type: 'put', kv };
  }
}

type Waiter = { resolve: (r: IteratorResult<WatchEvent[]>) => void; reject: (e: unknown) => void };

class Watcher implements Watch {
  readonly key: Uint8Array;
  readonly end: Uint8Array | undefined;
  readonly wantsPrevKv: boolean;
  nextRevision: number;
  buffered = 0;
  readonly #hub: WatchHub;
  readonly #queue: WatchEvent[][] = [];
  #waiter: Waiter | undefined;
  #error: unknown;
  #closed = false;

  constructor(hub: WatchHub, options: WatchOptions, start: number) {
    this.#hub = hub;
    this.key = options.key;
    this.end = options.end;
    this.wantsPrevKv = options.prevKv === true;
    this.nextRevision = start;
  }

  matches(key: Uint8Array): boolean {
    if (this.end === undefined) return compareBytes(key, this.key) === 0;
    if (compareBytes(key, this.key) < 0) return false;
    return isUnbounded(this.end) || compareBytes(key, this.end) < 0;
  }

  shape(event: WatchEvent): WatchEvent {
    if (this.wantsPrevKv || event.prevKv === undefined) return event;
    return { type: event.type, kv: event.kv };
  }

  push(events: WatchEvent[]): void {
    if (this.#closed || this.#error !== undefined) return;
    if (this.#waiter) {
      const waiter = this.#waiter;
      this.#waiter = undefined;
      waiter.resolve({ value: events, done: false });
      return;
    }
    this.#queue.push(events);
    this.buffered += events.length;
  }

  fail(error: unknown): void {
    if (this.#closed || this.#error !== undefined) return;
    this.#error = error;
    this.#hub.forget(this);
    if (this.#waiter) {
      const waiter = this.#waiter;
      this.#waiter = undefined;
      waiter.reject(error);
    }
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#hub.forget(this);
    this.#queue.length = 0;
    this.buffered = 0;
    if (this.#waiter) {
      const waiter = this.#waiter;
      this.#waiter = undefined;
      waiter.resolve({ value: undefined, done: true });
    }
  }

  next(): Promise<IteratorResult<WatchEvent[]>> {
    const queued = this.#queue.shift();
    if (queued) {
      this.buffered -= queued.length;
      return Promise.resolve({ value: queued, done: false });
    }
    if (this.#error !== undefined) return Promise.reject(this.#error);
    if (this.#closed) return Promise.resolve({ value: undefined, done: true });
    if (this.#waiter) return Promise.reject(new Error('watch is already being iterated'));
    if (!this.#hub.isSynced(this)) {
      // Catching up: read history until there is something to hand out or we are synced.
      while (this.#queue.length === 0 && this.#error === undefined && !this.#hub.isSynced(this)) {
        this.#hub.catchUp(this);
      }
      return this.next();
    }
    return new Promise((resolve, reject) => {
      this.#waiter = { resolve, reject };
    });
  }

  [Symbol.asyncIterator](): AsyncIterator<WatchEvent[]> {
    return {
      next: () => this.next(),
      return: () => {
        this.close();
        return Promise.resolve({ value: undefined, done: true });
      },
    };
  }
}
