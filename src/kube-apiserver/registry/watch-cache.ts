// A watch cache per resource: one store watch keeps an in-memory copy of every object and
// a window of recent events, so LIST with resourceVersion=0 and every WATCH are served
// from memory, and N watchers cost the store one watch.
//
// Events are delivered to each watcher in revision order; a watch may start at any
// revision still inside the window (older ones get 410 Gone, as upstream's "too old
// resource version"). A watcher that does not keep up is ended rather than buffered
// without bound; its client re-lists, as informers do.

import type { KubeObject } from '../../api/kind.ts';
import { gone } from '../../machinery/status.ts';
import { CompactedError } from '../../store/errors.ts';
import { bytes, prefixEnd, text } from '../../store/keys.ts';
import type { Store, Watch } from '../../store/store.ts';
import { decodeObject, storedBytes, type StoredBytes } from './codec.ts';
import { lowerBound } from '../../machinery/sorted.ts';

export type EventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface CacheEvent {
  type: EventType;
  key: string;
  /** The object after the change (for DELETED: the object as it was, with the delete's revision). */
  object: KubeObject;
  /** The object before the change, for MODIFIED and DELETED. */
  prevObject?: KubeObject;
  revision: number;
  /** Memoised JSON of `object`, shared by every watcher that wants plain JSON. */
  json?: string;
}

export interface CacheWatcher {
  /** Events with revision > from, filtered. */
  readonly events: AsyncIterable<CacheEvent[]>;
  close(): void;
}

interface WatcherState {
  from: number;
  filter: (event: CacheEvent) => boolean;
  queue: CacheEvent[][];
  queued: number;
  wake: (() => void) | undefined;
  ended: boolean;
  error: unknown;
}

export interface WatchCacheOptions {
  /** Events kept for watches that start in the past. */
  capacity?: number;
  /** Events queued for one watcher before it is ended as too slow. */
  maxQueuedEvents?: number;
}

export class WatchCache {
  readonly #store: Store;
  readonly #prefix: string;
  readonly #capacity: number;
  readonly #maxQueued: number;
  readonly #objects = new Map<string, KubeObject>();
  /** The stored bytes and revision of each object, so lists can be sent without re-encoding. */
  readonly #raw = new Map<string, StoredBytes>();
  #sortedKeys: string[] | undefined;
  readonly #window: CacheEvent[] = [];
  /** Every event after this revision is in the window. */
  #windowStart = 0;
  #revision = 0;
  readonly #watchers = new Set<WatcherState>();
  #storeWatch: Watch | undefined;
  #closed = false;
  #ready: Promise<void> | undefined;
  #progressWaiters: { revision: number; resolve: () => void }[] = [];

  constructor(store: Store, prefix: string, options: WatchCacheOptions = {}) {
    this.#store = store;
    this.#prefix = prefix;
    this.#capacity = options.capacity ?? 10_000;
    this.#maxQueued = options.maxQueuedEvents ?? 10_000;
  }

  /** Loads the current objects and starts following the store; resolves when loaded. */
  start(): Promise<void> {
    this.#ready ??= this.#load();
    return this.#ready;
  }

  /** The newest revision the cache reflects. */
  get revision(): number {
    return this.#revision;
  }

  /** Objects whose key starts with `keyPrefix` (default: all), in key order. */
  list(keyPrefix = this.#prefix): KubeObject[] {
    this.#sortedKeys ??= [...this.#objects.keys()].sort();
    const out: KubeObject[] = [];
    let i = lowerBound(this.#sortedKeys, keyPrefix);
    for (; i < this.#sortedKeys.length && this.#sortedKeys[i].startsWith(keyPrefix); i++) {
      out.push(this.#objects.get(this.#sortedKeys[i])!);
    }
    return out;
  }

  /** Like list(), as the objects' stored bytes. */
  listRaw(keyPrefix = this.#prefix): StoredBytes[] {
    this.#sortedKeys ??= [...this.#objects.keys()].sort();
    const out: StoredBytes[] = [];
    let i = lowerBound(this.#sortedKeys, keyPrefix);
    for (; i < this.#sortedKeys.length && this.#sortedKeys[i].startsWith(keyPrefix); i++) {
      out.push(this.#raw.get(this.#sortedKeys[i])!);
    }
    return out;
  }

  get(key: string): KubeObject | undefined {
    return this.#objects.get(key);
  }

  get size(): number {
    return this.#objects.size;
  }

  /** Resolves once the cache has seen revision `revision` (or immediately if it has). */
  waitForRevision(revision: number, timeoutMs: number): Promise<boolean> {
    if (this.#revision >= revision) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#progressWaiters = this.#progressWaiters.filter((w) => w.resolve !== done);
        resolve(false);
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        resolve(true);
      };
      this.#progressWaiters.push({ revision, resolve: done });
    });
  }

  /**
   * Watches from revision `from` (events with a higher revision). `from` of 0 means "now",
   * with no replay; the caller sends the current objects first if it wants them.
   */
  watch(from: number, filter: (event: CacheEvent) => boolean): CacheWatcher {
    if (from > 0 && from < this.#windowStart) {
      throw gone(`too old resource version: ${from} (${this.#windowStart})`);
    }
    const state: WatcherState = { from: from || this.#revision, filter, queue: [], queued: 0, wake: undefined, ended: false, error: undefined };
    const replay = this.#window.filter((e) => e.revision > state.from && filter(e));
    if (replay.length > 0) {
      state.queue.push(replay);
      state.queued = replay.length;
    }
    this.#watchers.add(state);
    const cache = this;
    const events: AsyncIterable<CacheEvent[]> = {
      [Symbol.asyncIterator]() {
        return {
          async next(): Promise<IteratorResult<CacheEvent[]>> {
            for (;;) {
              const batch = state.queue.shift();
              if (batch) {
                state.queued -= batch.length;
                return { value: batch, done: false };
              }
              if (state.error !== undefined) throw state.error;
              if (state.ended) return { value: undefined, done: true };
              await new Promise<void>((resolve) => (state.wake = resolve));
              state.wake = undefined;
            }
          },
          async return(): Promise<IteratorResult<CacheEvent[]>> {
            cache.#end(state);
            return { value: undefined, done: true };
          },
        };
      },
    };
    return { events, close: () => this.#end(state) };
  }

  close(): void {
    this.#closed = true;
    this.#storeWatch?.close();
    for (const w of this.#watchers) this.#end(w);
  }

  #end(state: WatcherState, error?: unknown): void {
    if (state.ended) return;
    state.ended = true;
    if (error !== undefined) state.error = error;
    this.#watchers.delete(state);
    state.wake?.();
  }

  async #load(): Promise<void> {
    const start = bytes(this.#prefix);
    const { kvs, revision } = await this.#store.range(start, { end: prefixEnd(start) });
    this.#objects.clear();
    this.#raw.clear();
    for (const kv of kvs) {
      this.#objects.set(text(kv.key), decodeObject(kv));
      this.#raw.set(text(kv.key), storedBytes(kv));
    }
    this.#sortedKeys = undefined;
    this.#revision = revision;
    this.#windowStart = revision;
    this.#window.length = 0;
    this.#storeWatch = this.#store.watch({ key: start, end: prefixEnd(start), startRevision: revision + 1, prevKv: true });
    void this.#follow(this.#storeWatch);
  }

  async #follow(watch: Watch): Promise<void> {
    try {
      for await (const batch of watch) {
        for (const e of batch) {
          const key = text(e.kv.key);
          const revision = e.kv.modRevision;
          let event: CacheEvent;
          if (e.type === 'put') {
            const object = decodeObject(e.kv);
            const prev = this.#objects.get(key);
            if (!prev) this.#sortedKeys = undefined;
            this.#objects.set(key, object);
            this.#raw.set(key, storedBytes(e.kv));
            event = prev ? { type: 'MODIFIED', key, object, prevObject: prev, revision } : { type: 'ADDED', key, object, revision };
          } else {
            const prev = this.#objects.get(key) ?? (e.prevKv ? decodeObject(e.prevKv) : undefined);
            this.#objects.delete(key);
            this.#raw.delete(key);
            this.#sortedKeys = undefined;
            if (!prev) continue;
            const object = { ...prev, metadata: { ...prev.metadata, resourceVersion: String(revision) } };
            event = { type: 'DELETED', key, object, prevObject: prev, revision };
          }
          this.#append(event);
        }
        const last = batch[batch.length - 1];
        if (last) this.#advance(last.kv.modRevision);
      }
    } catch (err) {
      if (this.#closed) return;
      // Fell behind a compaction: start over from a fresh list; watchers must re-list too.
      for (const w of this.#watchers) this.#end(w, err instanceof CompactedError ? gone(`too old resource version: ${err.compactRevision}`) : err);
      this.#ready = this.#load();
      await this.#ready.catch(() => {});
    }
  }

  #append(event: CacheEvent): void {
    this.#window.push(event);
    if (this.#window.length > this.#capacity) {
      const dropped = this.#window.splice(0, this.#window.length - this.#capacity);
      this.#windowStart = dropped[dropped.length - 1].revision;
    }
    for (const w of this.#watchers) {
      if (event.revision <= w.from || !w.filter(event)) continue;
      if (w.queued >= this.#maxQueued) {
        this.#end(w, gone('watch consumer fell behind; re-list'));
        continue;
      }
      const tail = w.queue[w.queue.length - 1];
      if (tail && tail.length < 100) tail.push(event);
      else w.queue.push([event]);
      w.queued++;
      w.wake?.();
    }
  }

  #advance(revision: number): void {
    if (revision > this.#revision) this.#revision = revision;
    if (this.#progressWaiters.length === 0) return;
    const due = this.#progressWaiters.filter((w) => w.revision <= this.#revision);
    this.#progressWaiters = this.#progressWaiters.filter((w) => w.revision > this.#revision);
    for (const w of due) w.resolve();
  }
}
