// Health of load-balancer backends (node address, NodePort), as a cloud load balancer's health
// checks: every interval each TCP target in use gets a connect with a timeout; one that connects
// is up, one refused or timed out is down. A dial that fails while forwarding marks its target
// down at once (passive check) until a periodic check finds it up again. Targets not checked yet
// are "unknown" and used. Targets no longer in use are forgotten.

import { connect } from 'node:net';
import type { Clock } from '../../../machinery/clock.ts';
import { sleep } from '../../context.ts';

export type Health = 'up' | 'down' | 'unknown';

export interface Target {
  ip: string;
  port: number;
}

export interface HealthCheckerOptions {
  clock: Clock;
  intervalMs: number;
  timeoutMs: number;
  /** The TCP targets in use now. */
  targets(): Iterable<Target>;
}

const keyOf = (t: Target) => `${t.ip.includes(':') ? `[${t.ip}]` : t.ip}:${t.port}`;

/** Resolves true when a TCP connection to the target opens within the timeout. */
export function tcpProbe(target: Target, timeoutMs: number, clock: Clock): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: target.ip, port: target.port });
    const done = (ok: boolean) => {
      clock.clearTimeout(timer);
      socket.destroy();
      resolve(ok);
    };
    const timer = clock.setTimeout(() => done(false), timeoutMs);
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

export class HealthChecker {
  readonly #o: HealthCheckerOptions;
  readonly #states = new Map<string, Health>();

  constructor(options: HealthCheckerOptions) {
    this.#o = options;
  }

  state(target: Target): Health {
    return this.#states.get(keyOf(target)) ?? 'unknown';
  }

  markDown(target: Target): void {
    this.#states.set(keyOf(target), 'down');
  }

  /** Checks every target in use once. */
  async checkAll(): Promise<void> {
    const targets = new Map<string, Target>();
    for (const t of this.#o.targets()) targets.set(keyOf(t), t);
    for (const key of this.#states.keys()) if (!targets.has(key)) this.#states.delete(key);
    await Promise.all(
      [...targets].map(async ([key, t]) => {
        const up = await tcpProbe(t, this.#o.timeoutMs, this.#o.clock);
        this.#states.set(key, up ? 'up' : 'down');
      }),
    );
  }

  /** Checks every interval until `signal` aborts. */
  async run(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      await this.checkAll();
      await sleep(this.#o.clock, this.#o.intervalMs, signal);
    }
  }
}
