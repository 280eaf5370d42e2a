// Controller expectations, as upstream's ControllerExpectations + UIDTrackingExpectations: after
// a controller creates or deletes pods it must not act on the same owner again until its
// informer has seen those changes, or it would create (or delete) twice. A key is satisfied
// when every expected creation and deletion was observed, when nothing is expected, or when
// the expectations are older than the TTL (5 min: a lost watch event never wedges a controller).

import type { Clock } from '../machinery/clock.ts';

interface Record_ {
  adds: number;
  deletes: Set<string>;
  at: number;
}

export class Expectations {
  readonly #clock: Clock;
  readonly #ttlMs: number;
  readonly #records = new Map<string, Record_>();

  constructor(clock: Clock, ttlMs = 5 * 60_000) {
    this.#clock = clock;
    this.#ttlMs = ttlMs;
  }

  satisfied(key: string): boolean {
    const r = this.#records.get(key);
    if (!r) return true;
    return (r.adds <= 0 && r.deletes.size === 0) || this.#clock.now() - r.at > this.#ttlMs;
  }

  /** Replaces the key's expectations: `adds` creations to see. */
  expectCreations(key: string, adds: number): void {
    this.#records.set(key, { adds, deletes: new Set(), at: this.#clock.now() });
  }

  /** Replaces the key's expectations: the deletion of these pod keys (namespace/name). */
  expectDeletions(key: string, podKeys: readonly string[]): void {
    this.#records.set(key, { adds: 0, deletes: new Set(podKeys), at: this.#clock.now() });
  }

  creationObserved(key: string): void {
    const r = this.#records.get(key);
    if (r) r.adds--;
  }

  deletionObserved(key: string, podKey: string): void {
    this.#records.get(key)?.deletes.delete(podKey);
  }

  /** A creation that failed or was skipped will never be observed. */
  lowerCreations(key: string, n: number): void {
    const r = this.#records.get(key);
    if (r) r.adds -= n;
  }

  delete(key: string): void {
    this.#records.delete(key);
  }
}
