// Restart back-off of crashing containers, as upstream's flowcontrol.Backoff used by the kubelet:
// the first restart is immediate; each later one waits twice as long as the one before (10 s,
// 20 s, ... up to 5 min), counted from when the container last exited. A container that has not
// needed a restart for twice the maximum starts over at the initial delay.

import type { Clock } from '../machinery/clock.ts';

export interface CrashBackoffOptions {
  clock: Pick<Clock, 'now'>;
  initialMs?: number;
  maxMs?: number;
}

interface Entry {
  delayMs: number;
  lastUpdateMs: number;
}

export class CrashBackoff {
  readonly #clock: Pick<Clock, 'now'>;
  readonly #initialMs: number;
  readonly #maxMs: number;
  readonly #entries = new Map<string, Entry>();

  constructor(options: CrashBackoffOptions) {
    this.#clock = options.clock;
    this.#initialMs = options.initialMs ?? 10_000;
    this.#maxMs = options.maxMs ?? 300_000;
  }

  /**
   * Whether a restart of `key`, whose container exited at exitedAtMs, must still wait; if so, how
   * long the whole back-off is and when it ends.
   */
  inBackoff(key: string, exitedAtMs: number): { delayMs: number; untilMs: number } | undefined {
    const entry = this.#entries.get(key);
    if (!entry) return undefined;
    const untilMs = exitedAtMs + entry.delayMs;
    return this.#clock.now() < untilMs ? { delayMs: entry.delayMs, untilMs } : undefined;
  }

  /** Records a restart of `key`: the next one waits longer. */
  next(key: string): void {
    const now = this.#clock.now();
    const entry = this.#entries.get(key);
    if (!entry || now - entry.lastUpdateMs > 2 * this.#maxMs) {
      this.#entries.set(key, { delayMs: this.#initialMs, lastUpdateMs: now });
      return;
    }
    entry.delayMs = Math.min(entry.delayMs * 2, this.#maxMs);
    entry.lastUpdateMs = now;
  }

  /** Forgets every key that starts with prefix (a pod's containers when the pod goes). */
  forget(prefix: string): void {
    for (const key of this.#entries.keys()) if (key.startsWith(prefix)) this.#entries.delete(key);
  }

  /** Drops entries idle for more than twice the maximum. */
  gc(): void {
    const now = this.#clock.now();
    for (const [key, entry] of this.#entries) if (now - entry.lastUpdateMs > 2 * this.#maxMs) this.#entries.delete(key);
  }
}

/** Upstream's rendering of a back-off duration in the CrashLoopBackOff message: 10s, 1m20s, 5m0s. */
export function formatBackoff(ms: number): string {
  const s = Math.round(ms / 1000);
  return s < 60 ? `${s}s` : `${Math.floor(s / 60)}m${s % 60}s`;
}
