// A shared informer: one reflector (one LIST+WATCH) feeding one indexed cache and any number
// of event handlers, as client-go's sharedIndexInformer. Guarantees:
// - the cache is updated before handlers hear of a change, and handlers hear of changes one
//   at a time in the order the server sent them (an exception in one handler is logged and
//   does not stop the others);
// - objects in the cache and passed to handlers are deep-frozen: structuredClone before changing;
// - a re-list delivers updates for objects still there (old and new may be equal) and
//   DeletedFinalStateUnknown tombstones for objects that vanished while not watched;
// - hasSynced() turns true once the first list is in the cache and delivered; a handler
//   added later first receives onAdd for everything already cached;
// - optional periodic resync re-delivers every cached object as onUpdate(obj, obj).

import type { KubeObject } from '../api/kind.ts';
import { realClock, type Clock, type Timer } from '../machinery/clock.ts';
import { deepFreeze, Indexer, metaNamespaceIndexFunc, metaNamespaceKey, namespaceIndex, type Indexers } from './indexer.ts';
import { Lister } from './lister.ts';
import { Reflector, type ListerWatcher, type ReflectorStore } from './reflector.ts';

/** What onDelete receives when a re-list shows an object gone whose deletion was not seen. */
export class DeletedFinalStateUnknown<T> {
  readonly key: string;
  /** The object as last cached. */
  readonly obj: T;
  constructor(key: string, obj: T) {
    this.key = key;
    this.obj = obj;
  }
}

export interface ResourceEventHandler<T> {
  /** isInInitialList: the object came with the first list (or was cached when the handler was added). */
  onAdd?(obj: T, isInInitialList: boolean): void;
  onUpdate?(oldObj: T, newObj: T): void;
  onDelete?(obj: T | DeletedFinalStateUnknown<T>): void;
}

export interface HandlerOptions {
  /** Re-deliver every cached object as onUpdate(obj, obj) this often; 0 turns it off. */
  resyncPeriodMs?: number;
}

export interface HandlerRegistration {
  hasSynced(): boolean;
  remove(): void;
}

export interface SharedInformerOptions<T> {
  name?: string;
  /** Added to the default namespace index. */
  indexers?: Indexers<T>;
  /** Default resync period of handlers (0: off, the default). */
  resyncPeriodMs?: number;
  clock?: Clock;
  minWatchTimeoutSeconds?: number;
  pageSize?: number;
  random?: () => number;
  log?: (message: string) => void;
}

interface Listener<T> {
  handler: ResourceEventHandler<T>;
  resyncPeriodMs: number;
  timer?: Timer;
  removed: boolean;
}

/** The key a deletion handler should use for an object or tombstone. */
export function deletionHandlingKey(obj: KubeObject | DeletedFinalStateUnknown<KubeObject>): string {
  return obj instanceof DeletedFinalStateUnknown ? obj.key : metaNamespaceKey(obj);
}

export class SharedIndexInformer<T extends KubeObject = KubeObject> {
  readonly name: string;
  readonly indexer: Indexer<T>;
  readonly lister: Lister<T>;
  readonly #lw: ListerWatcher<T>;
  readonly #options: SharedInformerOptions<T>;
  readonly #clock: Clock;
  readonly #log: (message: string) => void;
  readonly #listeners = new Set<Listener<T>>();
  #reflector: Reflector<T> | undefined;
  #abort: AbortController | undefined;
  #done: Promise<void> | undefined;
  #synced = false;
  #syncWaiters: (() => void)[] = [];

  constructor(lw: ListerWatcher<T>, options: SharedInformerOptions<T> = {}) {
    this.#lw = lw;
    this.#options = options;
    this.name = options.name ?? 'informer';
    this.#clock = options.clock ?? realClock;
    this.#log = options.log ?? (() => {});
    this.indexer = new Indexer<T>(metaNamespaceKey, { [namespaceIndex]: metaNamespaceIndexFunc, ...options.indexers });
    this.lister = new Lister(this.indexer);
  }

  addIndexers(indexers: Indexers<T>): void {
    this.indexer.addIndexers(indexers);
  }

  addEventHandler(handler: ResourceEventHandler<T>, options: HandlerOptions = {}): HandlerRegistration {
    const listener: Listener<T> = { handler, resyncPeriodMs: options.resyncPeriodMs ?? this.#options.resyncPeriodMs ?? 0, removed: false };
    this.#listeners.add(listener);
    if (this.#synced) for (const obj of this.indexer.list()) this.#call(listener, 'onAdd', () => handler.onAdd?.(obj, true));
    if (this.#running) this.#scheduleResync(listener);
    return {
      hasSynced: () => this.#synced && !listener.removed,
      remove: () => {
        listener.removed = true;
        if (listener.timer) this.#clock.clearTimeout(listener.timer);
        this.#listeners.delete(listener);
      },
    };
  }

  hasSynced(): boolean {
    return this.#synced;
  }

  /** The resourceVersion the cache reflects ("" before the first list). */
  get lastSyncResourceVersion(): string {
    return this.#reflector?.lastSyncResourceVersion ?? '';
  }

  /** Starts listing and watching in the background; stops when `signal` aborts or stop() is called. */
  start(signal?: AbortSignal): void {
    if (this.#abort) return;
    const abort = new AbortController();
    this.#abort = abort;
    if (signal) {
      if (signal.aborted) abort.abort();
      else signal.addEventListener('abort', () => abort.abort(), { once: true, signal: abort.signal });
    }
    this.#reflector = new Reflector(this.#lw, this.#store(), {
      name: this.name,
      clock: this.#clock,
      minWatchTimeoutSeconds: this.#options.minWatchTimeoutSeconds,
      pageSize: this.#options.pageSize,
      random: this.#options.random,
      log: this.#log,
    });
    for (const l of this.#listeners) this.#scheduleResync(l);
    this.#done = this.#reflector.run(abort.signal).finally(() => {
      for (const l of this.#listeners) if (l.timer) this.#clock.clearTimeout(l.timer);
      for (const wake of this.#syncWaiters.splice(0)) wake();
    });
  }

  /** Stops the watch and resync timers; resolves when nothing of the informer runs any more. */
  async stop(): Promise<void> {
    if (!this.#abort) return;
    this.#abort.abort();
    await this.#done;
  }

  /** Resolves true once synced, or false if `signal` aborts or the informer stops first. */
  waitForSync(signal?: AbortSignal): Promise<boolean> {
    if (this.#synced) return Promise.resolve(true);
    if (signal?.aborted || this.#abort?.signal.aborted) return Promise.resolve(false);
    return new Promise((resolve) => {
      const wake = () => {
        signal?.removeEventListener('abort', wake);
        this.#syncWaiters = this.#syncWaiters.filter((w) => w !== wake);
        resolve(this.#synced);
      };
      this.#syncWaiters.push(wake);
      signal?.addEventListener('abort', wake, { once: true });
    });
  }

  get #running(): boolean {
    return this.#abort !== undefined && !this.#abort.signal.aborted;
  }

  #store(): ReflectorStore<T> {
    return {
      replace: (items, _resourceVersion) => this.#replace(items),
      add: (obj) => this.#upsert(obj),
      update: (obj) => this.#upsert(obj),
      delete: (obj) => {
        const frozen = deepFreeze(obj);
        this.indexer.delete(frozen);
        this.#notify('onDelete', (h) => h.onDelete?.(frozen));
      },
    };
  }

  #replace(items: T[]): void {
    const initial = !this.#synced;
    const seen = new Set<string>();
    for (const item of items) {
      const obj = deepFreeze(item);
      const key = this.indexer.keyFunc(obj);
      seen.add(key);
      const old = this.indexer.getByKey(key);
      this.indexer.update(obj);
      if (old) this.#notify('onUpdate', (h) => h.onUpdate?.(old, obj));
      else this.#notify('onAdd', (h) => h.onAdd?.(obj, initial));
    }
    for (const key of this.indexer.listKeys()) {
      if (seen.has(key)) continue;
      const old = this.indexer.getByKey(key)!;
      this.indexer.deleteKey(key);
      const tombstone = new DeletedFinalStateUnknown(key, old);
      this.#notify('onDelete', (h) => h.onDelete?.(tombstone));
    }
    if (!this.#synced) {
      this.#synced = true;
      for (const wake of this.#syncWaiters.splice(0)) wake();
    }
  }

  #upsert(item: T): void {
    const obj = deepFreeze(item);
    const old = this.indexer.get(obj);
    this.indexer.update(obj);
    if (old) this.#notify('onUpdate', (h) => h.onUpdate?.(old, obj));
    else this.#notify('onAdd', (h) => h.onAdd?.(obj, false));
  }

  #notify(what: string, deliver: (handler: ResourceEventHandler<T>) => void): void {
    for (const l of [...this.#listeners]) if (!l.removed) this.#call(l, what, () => deliver(l.handler));
  }

  #call(listener: Listener<T>, what: string, fn: () => void): void {
    if (listener.removed) return;
    try {
      fn();
    } catch (err) {
      this.#log(`${this.name}: ${what} handler failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    }
  }

  #scheduleResync(listener: Listener<T>): void {
    if (listener.resyncPeriodMs <= 0 || listener.removed) return;
    if (listener.timer) this.#clock.clearTimeout(listener.timer);
    listener.timer = this.#clock.setTimeout(() => {
      listener.timer = undefined;
      if (!this.#running || listener.removed) return;
      if (this.#synced) for (const obj of this.indexer.list()) this.#call(listener, 'resync', () => listener.handler.onUpdate?.(obj, obj));
      this.#scheduleResync(listener);
    }, listener.resyncPeriodMs);
  }
}
