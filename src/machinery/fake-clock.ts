// A Clock that moves only when told to, for tests of anything with time in it.

import type { Clock, Timer } from './clock.ts';

interface Pending extends Timer {
  at: number;
  fn: () => void;
  seq: number;
}

export class FakeClock implements Clock {
  #now: number;
  #seq = 0;
  #timers = new Set<Pending>();

  constructor(start = Date.UTC(2025, 0, 1)) {
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  setTimeout(fn: () => void, ms: number): Timer {
    const timer: Pending = { at: this.#now + Math.max(0, ms), fn, seq: this.#seq++ };
    this.#timers.add(timer);
    return timer;
  }

  clearTimeout(timer: Timer): void {
    this.#timers.delete(timer as Pending);
  }

  /** Moves time forward, firing due timers in order (including ones they schedule). */
  advance(ms: number): void {
    const target = this.#now + ms;
    for (;;) {
      let next: Pending | undefined;
      for (const t of this.#timers) if (t.at <= target && (!next || t.at < next.at || (t.at === next.at && t.seq < next.seq))) next = t;
      if (!next) break;
      this.#timers.delete(next);
      this.#now = next.at;
      next.fn();
    }
    this.#now = target;
  }

  get pendingTimers(): number {
    return this.#timers.size;
  }
}
