// Endpoint choice for one service port, as upstream's userspace LoadBalancerRR: round robin over
// the current endpoints, with optional ClientIP session affinity. A client keeps its endpoint
// while it comes back within the affinity timeout (measured from its last connection, on the
// injected clock) and that endpoint is still listed; `reset` (after a failed connection) skips
// the remembered endpoint and moves on in the round. Expired affinities are swept lazily.

import type { Clock } from '../machinery/clock.ts';
import { endpointString, type Endpoint } from './endpoints.ts';

interface Affinity {
  endpoint: string;
  lastUsed: number;
}

export class RoundRobin {
  readonly #clock: Clock;
  #endpoints: Endpoint[] = [];
  #byId = new Map<string, Endpoint>();
  #index = 0;
  #stickyMs = 0;
  readonly #affinity = new Map<string, Affinity>();
  #lastSweep = 0;

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  get endpoints(): readonly Endpoint[] {
    return this.#endpoints;
  }

  /** ClientIP affinity timeout; 0 turns affinity off. */
  setStickyMaxAgeSeconds(seconds: number): void {
    const ms = seconds * 1000;
    if (ms === this.#stickyMs) return;
    this.#stickyMs = ms;
    this.#affinity.clear();
  }

  /** Replaces the endpoints; affinities to endpoints no longer listed are dropped. */
  setEndpoints(endpoints: readonly Endpoint[]): void {
    this.#endpoints = [...endpoints];
    this.#byId = new Map(endpoints.map((e) => [endpointString(e), e]));
    this.#index = this.#endpoints.length ? this.#index % this.#endpoints.length : 0;
    for (const [client, a] of this.#affinity) if (!this.#byId.has(a.endpoint)) this.#affinity.delete(client);
  }

  /** The endpoint for a connection from clientIP, or undefined when there is none. */
  next(clientIP: string, reset = false): Endpoint | undefined {
    if (this.#endpoints.length === 0) return undefined;
    const now = this.#clock.now();
    if (this.#stickyMs > 0) {
      this.#sweep(now);
      const a = this.#affinity.get(clientIP);
      if (a && !reset && now - a.lastUsed < this.#stickyMs) {
        const e = this.#byId.get(a.endpoint);
        if (e) {
          a.lastUsed = now;
          return e;
        }
      }
    }
    const e = this.#endpoints[this.#index];
    this.#index = (this.#index + 1) % this.#endpoints.length;
    if (this.#stickyMs > 0) this.#affinity.set(clientIP, { endpoint: endpointString(e), lastUsed: now });
    return e;
  }

  #sweep(now: number): void {
    if (now - this.#lastSweep < Math.min(this.#stickyMs, 60_000)) return;
    this.#lastSweep = now;
    for (const [client, a] of this.#affinity) if (now - a.lastUsed >= this.#stickyMs) this.#affinity.delete(client);
  }
}
