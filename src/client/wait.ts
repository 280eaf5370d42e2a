// Waiting on an injected Clock, as k8s.io/apimachinery/pkg/util/wait does on Go's: an
// abortable sleep that leaves no timer behind, jitter, and the exponential back-off
// manager reflectors use (grows by a factor up to a cap; starts over after a quiet spell).

import type { Clock } from '../machinery/clock.ts';

/** Resolves true after `ms` on the clock, or false as soon as `signal` aborts (clearing the timer). */
export function sleep(clock: Clock, ms: number, signal?: AbortSignal): Promise<boolean> {
  if (signal?.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const onAbort = () => {
      clock.clearTimeout(timer);
      resolve(false);
    };
    const timer = clock.setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** wait.Jitter: a duration between ms and ms * (1 + maxFactor). */
export function jitter(ms: number, maxFactor: number, random: () => number = Math.random): number {
  return maxFactor > 0 ? ms + random() * maxFactor * ms : ms;
}

export interface BackoffOptions {
  initialMs: number;
  capMs: number;
  /** Start over from initialMs when no back-off was asked for in this long. */
  resetMs: number;
  factor?: number;
  /** Each step waits up to this fraction longer (wait.Backoff.Jitter). */
  jitter?: number;
  clock: Clock;
  random?: () => number;
}

/** wait.NewExponentialBackoffManager. */
export class Backoff {
  readonly #options: BackoffOptions;
  #current: number;
  #lastStart = -Infinity;

  constructor(options: BackoffOptions) {
    this.#options = options;
    this.#current = options.initialMs;
  }

  /** The next delay (ms). */
  next(): number {
    const { initialMs, capMs, resetMs, factor = 2, jitter: j = 0, clock, random } = this.#options;
    const now = clock.now();
    if (now - this.#lastStart > resetMs) this.#current = initialMs;
    this.#lastStart = now;
    const delay = this.#current;
    this.#current = Math.min(this.#current * factor, capMs);
    return jitter(delay, j, random);
  }
}
