// Lease bookkeeping: TTLs, deadlines and the keys attached to each lease. The lessor
// decides when a lease has expired; the engine does the revoking (deleting the keys in
// one revision), so expiry goes through the same write path as every other change.
// Deadlines are not persisted: after a restart every lease gets its full TTL again, as
// etcd does after a leader change.

import type { Clock, Timer } from '../../machinery/clock.ts';

interface Lease {
  ttl: number;
  expiresAt: number;
  keys: Set<string>;
  revoking: boolean;
}

export class Lessor {
  readonly #clock: Clock;
  readonly #checkIntervalMs: number;
  readonly #onExpired: (id: bigint) => void;
  readonly #leases = new Map<bigint, Lease>();
  #timer: Timer | undefined;

  constructor(clock: Clock, checkIntervalMs: number, onExpired: (id: bigint) => void) {
    this.#clock = clock;
    this.#checkIntervalMs = checkIntervalMs;
    this.#onExpired = onExpired;
  }

  start(): void {
    this.#schedule();
  }

  stop(): void {
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  has(id: bigint): boolean {
    const lease = this.#leases.get(id);
    return lease !== undefined && !this.#expired(lease);
  }

  exists(id: bigint): boolean {
    return this.#leases.has(id);
  }

  grant(id: bigint, ttl: number): void {
    this.#leases.set(id, { ttl, expiresAt: this.#clock.now() + ttl * 1000, keys: new Set(), revoking: false });
  }

  /** Forgets a lease and returns the keys that were attached to it. */
  remove(id: bigint): string[] {
    const lease = this.#leases.get(id);
    this.#leases.delete(id);
    return lease ? [...lease.keys] : [];
  }

  keys(id: bigint): string[] {
    return [...(this.#leases.get(id)?.keys ?? [])];
  }

  /** Renews to the full TTL; undefined when the lease is unknown or already expired. */
  renew(id: bigint): number | undefined {
    const lease = this.#leases.get(id);
    if (!lease || this.#expired(lease)) return undefined;
    lease.expiresAt = this.#clock.now() + lease.ttl * 1000;
    return lease.ttl;
  }

  status(id: bigint): { ttl: number; grantedTtl: number; keys: string[] } | undefined {
    const lease = this.#leases.get(id);
    if (!lease || this.#expired(lease)) return undefined;
    const left = Math.max(0, Math.ceil((lease.expiresAt - this.#clock.now()) / 1000));
    return { ttl: left, grantedTtl: lease.ttl, keys: [...lease.keys] };
  }

  /** Moves a key from one lease to another (0n: none). */
  attach(key: string, from: bigint, to: bigint): void {
    if (from !== 0n) this.#leases.get(from)?.keys.delete(key);
    if (to !== 0n) this.#leases.get(to)?.keys.add(key);
  }

  #expired(lease: Lease): boolean {
    return lease.revoking || lease.expiresAt <= this.#clock.now();
  }

  #schedule(): void {
    this.#timer = this.#clock.setTimeout(() => {
      this.#check();
      this.#schedule();
    }, this.#checkIntervalMs);
    this.#timer.unref?.();
  }

  #check(): void {
    const now = this.#clock.now();
    for (const [id, lease] of this.#leases) {
      if (!lease.revoking && lease.expiresAt <= now) {
        lease.revoking = true;
        this.#onExpired(id);
      }
    }
  }
}
