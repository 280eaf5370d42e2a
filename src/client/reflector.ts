// The reflector keeps a store in step with the server, as client-go's does: LIST (in pages,
// resourceVersion=0 first so the watch cache can answer), replace the store, then WATCH
// from the list's resourceVersion with bookmarks and a bounded timeoutSeconds. A watch the
// server ends (or whose connection breaks) is resumed from the last resourceVersion seen,
// bookmarks included; 410 Gone ("too old resource version") and other errors end in a
// re-list; connection-refused and 429 back off and retry the watch. Every wait is on the
// injected Clock and every loop ends when the signal aborts.

import type { KubeObject } from '../api/kind.ts';
import { realClock, type Clock } from '../machinery/clock.ts';
import { StatusError } from '../machinery/status.ts';
import { isConnectionRefused, isResourceExpired, isTooLargeResourceVersion, isTooManyRequests } from './api-errors.ts';
import { statusErrorFrom, type KubeList, type ResourceRef, type RestClient, type Selector, type WatchStream } from './rest-client.ts';
import { Backoff, sleep } from './wait.ts';

export interface ListPageOptions {
  resourceVersion?: string;
  limit?: number;
  continue?: string;
}

export interface WatchFromOptions {
  resourceVersion: string;
  timeoutSeconds: number;
  allowWatchBookmarks: boolean;
}

/** How a reflector reaches the server; the stream must end when `signal` aborts. */
export interface ListerWatcher<T> {
  list(options: ListPageOptions, signal: AbortSignal): Promise<KubeList<T>>;
  watch(options: WatchFromOptions, signal: AbortSignal): Promise<WatchStream<T>>;
}

/** A collection to list and watch: a resource, optionally one namespace and selectors. */
export interface ListWatchTarget {
  group: string;
  version: string;
  resource: string;
  /** Omitted or "": all namespaces. */
  namespace?: string;
  labelSelector?: Selector;
  fieldSelector?: Selector;
}

/** cache.NewListWatchFromClient. */
export function listerWatcher<T = KubeObject>(client: RestClient, target: ListWatchTarget): ListerWatcher<T> {
  const ref: ResourceRef = { group: target.group, version: target.version, resource: target.resource, namespace: target.namespace || undefined };
  const selectors = { labelSelector: target.labelSelector, fieldSelector: target.fieldSelector };
  return {
    list: (options, signal) => client.list<T>(ref, { ...selectors, ...options, signal }),
    watch: (options, signal) => client.watch<T>(ref, { ...selectors, ...options, signal }),
  };
}

/** What a reflector writes to (the informer). */
export interface ReflectorStore<T> {
  replace(items: T[], resourceVersion: string): void;
  add(obj: T): void;
  update(obj: T): void;
  delete(obj: T): void;
}

export interface ReflectorOptions {
  name?: string;
  clock?: Clock;
  /** Each watch asks the server to end it after between this and twice this (client-go: 5 min). */
  minWatchTimeoutSeconds?: number;
  /** LIST page size (client-go's pager: 500); 0 lists in one request. */
  pageSize?: number;
  random?: () => number;
  log?: (message: string) => void;
}

const shortWatchMs = 1000;

export class Reflector<T extends KubeObject = KubeObject> {
  readonly name: string;
  readonly #lw: ListerWatcher<T>;
  readonly #store: ReflectorStore<T>;
  readonly #clock: Clock;
  readonly #minWatchTimeoutSeconds: number;
  readonly #pageSize: number;
  readonly #random: () => number;
  readonly #log: (message: string) => void;
  readonly #backoff: Backoff;
  #lastSyncResourceVersion = '';
  #resourceVersionUnavailable = false;
  #paginatedResult = false;

  constructor(lw: ListerWatcher<T>, store: ReflectorStore<T>, options: ReflectorOptions = {}) {
    this.#lw = lw;
    this.#store = store;
    this.name = options.name ?? 'reflector';
    this.#clock = options.clock ?? realClock;
    this.#minWatchTimeoutSeconds = options.minWatchTimeoutSeconds ?? 300;
    this.#pageSize = options.pageSize ?? 500;
    this.#random = options.random ?? Math.random;
    this.#log = options.log ?? (() => {});
    // As client-go: 800 ms doubling to 30 s (plus up to 100% jitter), reset after 2 quiet minutes.
    this.#backoff = new Backoff({ initialMs: 800, capMs: 30_000, resetMs: 120_000, factor: 2, jitter: 1, clock: this.#clock, random: this.#random });
  }

  /** The resourceVersion of the last list or event (bookmarks included) applied to the store. */
  get lastSyncResourceVersion(): string {
    return this.#lastSyncResourceVersion;
  }

  /** Lists and watches until `signal` aborts, backing off between attempts. */
  async run(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      try {
        await this.#listAndWatch(signal);
      } catch (err) {
        if (signal.aborted) break;
        this.#log(`${this.name}: ${describe(err)}`);
      }
      if (signal.aborted) break;
      await sleep(this.#clock, this.#backoff.next(), signal);
    }
  }

  async #listAndWatch(signal: AbortSignal): Promise<void> {
    await this.#list(signal);
    await this.#watch(signal);
  }

  #relistResourceVersion(): string {
    if (this.#resourceVersionUnavailable) return '';
    return this.#lastSyncResourceVersion === '' ? '0' : this.#lastSyncResourceVersion;
  }

  async #list(signal: AbortSignal): Promise<void> {
    const resourceVersion = this.#relistResourceVersion();
    // A concrete version with no limit can be served from the watch cache; "0" ignores the limit there anyway.
    const pageSize = this.#paginatedResult || resourceVersion === '' || resourceVersion === '0' ? this.#pageSize : 0;
    let result: Listed<T>;
    try {
      result = await this.#listPages(resourceVersion, pageSize, signal);
    } catch (err) {
      if (signal.aborted || !(isResourceExpired(err) || isTooLargeResourceVersion(err))) throw err;
      this.#resourceVersionUnavailable = true;
      result = await this.#listPages(this.#relistResourceVersion(), pageSize, signal);
    }
    if (signal.aborted) return;
    if (resourceVersion === '0' && result.paginated) this.#paginatedResult = true;
    this.#resourceVersionUnavailable = false;
    this.#store.replace(result.items, result.resourceVersion);
    this.#lastSyncResourceVersion = result.resourceVersion;
  }

  async #listPages(resourceVersion: string, pageSize: number, signal: AbortSignal): Promise<Listed<T>> {
    let options: ListPageOptions = { resourceVersion, limit: pageSize > 0 ? pageSize : undefined };
    const items: T[] = [];
    let listResourceVersion: string | undefined;
    let paginated = false;
    for (;;) {
      let page: KubeList<T>;
      try {
        page = await this.#lw.list(options, signal);
      } catch (err) {
        if (!isResourceExpired(err) || !options.continue) throw err;
        // The snapshot the earlier pages came from is gone: one full list instead.
        const full = await this.#lw.list({ resourceVersion: '' }, signal);
        return { items: full.items, resourceVersion: full.metadata.resourceVersion ?? '', paginated };
      }
      listResourceVersion ??= page.metadata.resourceVersion ?? '';
      for (const item of page.items) items.push(item);
      if (!page.metadata.continue) return { items, resourceVersion: listResourceVersion, paginated };
      options = { limit: options.limit, continue: page.metadata.continue };
      paginated = true;
    }
  }

  async #watch(signal: AbortSignal): Promise<void> {
    for (;;) {
      if (signal.aborted) return;
      const start = this.#clock.now();
      const timeoutSeconds = Math.max(1, Math.floor(this.#minWatchTimeoutSeconds * (1 + this.#random())));
      let stream: WatchStream<T>;
      try {
        stream = await this.#lw.watch({ resourceVersion: this.#lastSyncResourceVersion, timeoutSeconds, allowWatchBookmarks: true }, signal);
      } catch (err) {
        if (signal.aborted) return;
        if (isConnectionRefused(err) || isTooManyRequests(err)) {
          // Most likely the server is restarting: resume the watch later rather than re-list.
          this.#log(`${this.name}: watch failed, backing off: ${describe(err)}`);
          if (!(await sleep(this.#clock, this.#backoff.next(), signal))) return;
          continue;
        }
        throw err;
      }

      let events = 0;
      let error: unknown;
      try {
        for await (const event of stream) {
          if (event.type === 'ERROR') throw statusErrorFrom(event.object);
          this.#apply(event.type, event.object);
          events++;
          if (signal.aborted) break;
        }
      } catch (err) {
        error = err;
      } finally {
        stream.close();
      }
      if (signal.aborted) return;
      if (error !== undefined && !(error instanceof StatusError)) {
        // A broken connection or an undecodable line ends this watch like a close does.
        this.#log(`${this.name}: watch closed: ${describe(error)}`);
        error = undefined;
      }
      if (error === undefined && events === 0 && this.#clock.now() - start < shortWatchMs) {
        error = new Error('very short watch: unexpected watch close - watch lasted less than a second and no items received');
      }
      if (error === undefined) continue;
      if (isTooManyRequests(error)) {
        if (!(await sleep(this.#clock, this.#backoff.next(), signal))) return;
        continue;
      }
      // Expired or anything else: re-list, first at the last version seen (a list is never older than that).
      this.#log(`${this.name}: watch ended with: ${describe(error)}`);
      return;
    }
  }

  #apply(type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK', object: T): void {
    try {
      if (type === 'ADDED') this.#store.add(object);
      else if (type === 'MODIFIED') this.#store.update(object);
      else if (type === 'DELETED') this.#store.delete(object);
    } catch (err) {
      this.#log(`${this.name}: unable to apply ${type} event: ${describe(err)}`);
    }
    const rv = object.metadata?.resourceVersion;
    if (rv) this.#lastSyncResourceVersion = rv;
  }
}

interface Listed<T> {
  items: T[];
  resourceVersion: string;
  paginated: boolean;
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
