// client-go's rate-limiting work queue, with the same guarantees:
// - an item is queued at most once: adding one already waiting is a no-op;
// - an item being processed (handed out by get, not yet done) is never handed out again;
//   if it is added meanwhile, it is queued once done() is called;
// - get() waits (asynchronously) for an item, in FIFO order among waiting callers;
// - addAfter(item, ms) adds it once the delay has passed on the injected Clock (an earlier
//   deadline for the same item wins); addRateLimited asks the rate limiter for the delay;
// - after shutDown, adds are ignored, items already queued are still handed out, and then
//   get() resolves { shutdown: true }; delayed items are dropped and no timer is left behind.

import { realClock, type Clock, type Timer } from '../machinery/clock.ts';
import { defaultControllerRateLimiter, type RateLimiter } from './rate-limiter.ts';

export type GetResult<T> = { item: T; shutdown: false } | { item: undefined; shutdown: true };

export interface WorkQueueOptions<T> {
  name?: string;
  clock?: Clock;
  /** Default: defaultControllerRateLimiter on the same clock. */
  rateLimiter?: RateLimiter<T>;
}

interface Delayed<T> {
  item: T;
  readyAt: number;
  seq: number;
  stale: boolean;
}

export class WorkQueue<T = string> {
  readonly name: string;
  readonly #clock: Clock;
  readonly #rateLimiter: RateLimiter<T>;
  #queue: T[] = [];
  #head = 0;
  readonly #dirty = new Set<T>();
  readonly #processing = new Set<T>();
  #waiters: ((result: GetResult<T>) => void)[] = [];
  #drainWaiters: (() => void)[] = [];
  #shuttingDown = false;
  // Delayed items: a min-heap on (readyAt, seq); the map points at each item's live entry.
  #heap: Delayed<T>[] = [];
  readonly #delayed = new Map<T, Delayed<T>>();
  #seq = 0;
  #timer: Timer | undefined;
  #timerAt = Infinity;

  constructor(options: WorkQueueOptions<T> = {}) {
    this.name = options.name ?? '';
    this.#clock = options.clock ?? realClock;
    this.#rateLimiter = options.rateLimiter ?? defaultControllerRateLimiter<T>(this.#clock);
  }

  add(item: T): void {
    if (this.#shuttingDown || this.#dirty.has(item)) return;
    this.#dirty.add(item);
    if (this.#processing.has(item)) return;
    this.#queue.push(item);
    this.#dispatch();
  }

  /** Items queued and not yet handed out. */
  len(): number {
    return this.#queue.length - this.#head;
  }

  /** The next item (mark it done() when finished), or shutdown once the queue is shut down and empty. */
  get(): Promise<GetResult<T>> {
    if (this.len() > 0) return Promise.resolve({ item: this.#pop(), shutdown: false });
    if (this.#shuttingDown) return Promise.resolve({ item: undefined, shutdown: true });
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  /** Ends processing of an item; if it was added meanwhile, it is queued again now. */
  done(item: T): void {
    this.#processing.delete(item);
    if (this.#dirty.has(item)) {
      this.#queue.push(item);
      this.#dispatch();
    } else if (this.#processing.size === 0) {
      for (const wake of this.#drainWaiters.splice(0)) wake();
    }
  }

  shutDown(): void {
    if (this.#shuttingDown) return;
    this.#shuttingDown = true;
    if (this.#timer) this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#timerAt = Infinity;
    this.#heap = [];
    this.#delayed.clear();
    if (this.len() === 0) for (const resolve of this.#waiters.splice(0)) resolve({ item: undefined, shutdown: true });
  }

  /** Shuts down, then resolves once every item handed out has been marked done. */
  shutDownWithDrain(): Promise<void> {
    this.shutDown();
    if (this.#processing.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.#drainWaiters.push(resolve));
  }

  shuttingDown(): boolean {
    return this.#shuttingDown;
  }

  /** Adds the item after `ms` on the clock (at once when ms <= 0). */
  addAfter(item: T, ms: number): void {
    if (this.#shuttingDown) return;
    if (ms <= 0) {
      this.add(item);
      return;
    }
    const readyAt = this.#clock.now() + ms;
    const existing = this.#delayed.get(item);
    if (existing) {
      if (existing.readyAt <= readyAt) return;
      existing.stale = true;
    }
    const entry: Delayed<T> = { item, readyAt, seq: this.#seq++, stale: false };
    this.#delayed.set(item, entry);
    heapPush(this.#heap, entry);
    if (readyAt < this.#timerAt) this.#arm();
  }

  /** Adds the item after the rate limiter's delay for it. */
  addRateLimited(item: T): void {
    this.addAfter(item, this.#rateLimiter.when(item));
  }

  /** The item succeeded (or is given up on): its back-off starts over. */
  forget(item: T): void {
    this.#rateLimiter.forget(item);
  }

  numRequeues(item: T): number {
    return this.#rateLimiter.numRequeues(item);
  }

  #pop(): T {
    const item = this.#queue[this.#head];
    this.#queue[this.#head] = undefined as T;
    this.#head++;
    if (this.#head > 1024 && this.#head * 2 > this.#queue.length) {
      this.#queue = this.#queue.slice(this.#head);
      this.#head = 0;
    }
    this.#processing.add(item);
    this.#dirty.delete(item);
    return item;
  }

  #dispatch(): void {
    while (this.#waiters.length > 0 && this.len() > 0) this.#waiters.shift()!({ item: this.#pop(), shutdown: false });
  }

  #arm(): void {
    if (this.#timer) this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#timerAt = Infinity;
    while (this.#heap.length > 0 && this.#heap[0].stale) heapPop(this.#heap);
    if (this.#heap.length === 0) return;
    const at = this.#heap[0].readyAt;
    this.#timerAt = at;
    this.#timer = this.#clock.setTimeout(() => {
      this.#timer = undefined;
      this.#timerAt = Infinity;
      const now = this.#clock.now();
      while (this.#heap.length > 0 && this.#heap[0].readyAt <= now) {
        const entry = heapPop(this.#heap);
        if (entry.stale) continue;
        this.#delayed.delete(entry.item);
        this.add(entry.item);
      }
      this.#arm();
    }, at - this.#clock.now());
  }
}

function before<T>(a: Delayed<T>, b: Delayed<T>): boolean {
  return a.readyAt < b.readyAt || (a.readyAt === b.readyAt && a.seq < b.seq);
}

function heapPush<T>(heap: Delayed<T>[], entry: Delayed<T>): void {
  heap.push(entry);
  let i = heap.length - 1;
  while (i > 0) {
    const parent = (i - 1) >> 1;
    if (!before(heap[i], heap[parent])) break;
    [heap[i], heap[parent]] = [heap[parent], heap[i]];
    i = parent;
  }
}

function heapPop<T>(heap: Delayed<T>[]): Delayed<T> {
  const top = heap[0];
  const last = heap.pop()!;
  if (heap.length > 0) {
    heap[0] = last;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let smallest = i;
      if (l < heap.length && before(heap[l], heap[smallest])) smallest = l;
      if (r < heap.length && before(heap[r], heap[smallest])) smallest = r;
      if (smallest === i) break;
      [heap[i], heap[smallest]] = [heap[smallest], heap[i]];
      i = smallest;
    }
  }
  return top;
}
