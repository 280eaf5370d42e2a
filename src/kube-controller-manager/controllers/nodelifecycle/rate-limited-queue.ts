// Upstream's RateLimitedTimedQueue (nodelifecycle/scheduler): node names waiting for an action
// (here: the NoExecute taint), each at most once, taken in order of when they are due and no
// faster than a token bucket allows (burst 1, so a rate of 0.1 is one node per 10 s; a rate of
// 0 takes none). An action that fails goes back in line for a later try. Time comes from the
// injected clock.

import type { Clock } from '../../../machinery/clock.ts';

export interface TimedValue {
  value: string;
  uid: string;
  addedAt: number;
  processAt: number;
}

/** flowcontrol's token bucket with burst 1: full at the start, refilled at `qps` per second. */
class TokenBucket {
  readonly qps: number;
  readonly #clock: Clock;
  #tokens = 1;
  #last: number;

  constructor(qps: number, clock: Clock) {
    this.qps = qps;
    this.#clock = clock;
    this.#last = clock.now();
  }

  tryAccept(): boolean {
    if (this.qps <= 0) return false;
    const now = this.#clock.now();
    this.#tokens = Math.min(1, this.#tokens + ((now - this.#last) / 1000) * this.qps);
    this.#last = now;
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }
}

/** What an action reports: done (the value leaves the queue), or try again after `retryAfterMs`. */
export type ActionResult = { done: true } | { done: false; retryAfterMs: number };

export class RateLimitedTimedQueue {
  readonly #clock: Clock;
  #limiter: TokenBucket;
  #items: TimedValue[] = [];

  constructor(qps: number, clock: Clock) {
    this.#clock = clock;
    this.#limiter = new TokenBucket(qps, clock);
  }

  /** The rate the queue is drained at, in values per second. */
  get qps(): number {
    return this.#limiter.qps;
  }

  get length(): number {
    return this.#items.length;
  }

  has(value: string): boolean {
    return this.#items.some((i) => i.value === value);
  }

  /** Queues `value`, due now; false if it is already queued. */
  add(value: string, uid: string): boolean {
    if (this.has(value)) return false;
    const now = this.#clock.now();
    this.#insert({ value, uid, addedAt: now, processAt: now });
    return true;
  }

  /** Takes `value` out of the queue; false if it was not queued. */
  remove(value: string): boolean {
    const before = this.#items.length;
    this.#items = this.#items.filter((i) => i.value !== value);
    return this.#items.length !== before;
  }

  /**
   * SwapLimiter: a new rate. A bucket that was empty leaves the new one empty too, so a swap
   * never grants an extra token.
   */
  swapLimiter(qps: number): void {
    if (this.#limiter.qps === qps) return;
    const next = new TokenBucket(qps, this.#clock);
    if (qps > 0 && !this.#limiter.tryAccept()) next.tryAccept();
    this.#limiter = next;
  }

  /** Runs `action` on due values, in order, while the rate allows. */
  async try(action: (v: TimedValue) => Promise<ActionResult>): Promise<void> {
    for (let head = this.#items[0]; head; head = this.#items[0]) {
      if (!this.#limiter.tryAccept()) return;
      const now = this.#clock.now();
      if (now < head.processAt) return;
      const result = await action(head);
      // The action may have raced with remove(): only the entry it worked on is touched.
      const at = this.#items.indexOf(head);
      if (at < 0) continue;
      this.#items.splice(at, 1);
      if (!result.done) this.#insert({ ...head, processAt: now + result.retryAfterMs + 1 });
    }
  }

  #insert(item: TimedValue): void {
    const at = this.#items.findIndex((i) => i.processAt > item.processAt);
    if (at < 0) this.#items.push(item);
    else this.#items.splice(at, 0, item);
  }
}
