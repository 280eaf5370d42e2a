// The life of a controller manager (kube-controller-manager, cloud-controller-manager): an
// optional health server (/healthz, /livez, /readyz ready once controllers run, or while
// another instance leads; /metrics), leader election on the Lease kube-system/<component>, and
// on each term won, the controllers built afresh on fresh informers and run until the term
// ends (then it campaigns again; upstream exits instead and relies on a restart). Without
// leader election the controllers run at once. What controllers there are, and anything a
// component must set up before them or tear down after, is the caller's.

import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { SharedInformerFactory } from '../client/informer-factory.ts';
import { LeaderElector, LeaseLock } from '../client/leader-election.ts';
import type { RestClient } from '../client/rest-client.ts';
import type { Clock } from '../machinery/clock.ts';
import { createHealthServer, type HealthServer } from './health-server.ts';
import type { Logger } from './logging.ts';
import type { Registry } from './metrics.ts';

/** A controller as the runner sees it. */
export interface RunnableController {
  readonly name: string;
  run(signal: AbortSignal): Promise<void>;
}

/** A controller manager as its users see it (`k8ts up`, the subcommands, tests). */
export interface ControllerManager {
  start(signal?: AbortSignal): Promise<void>;
  /** Resolves once this instance leads (or leader election is off) and every controller's caches have synced. */
  readonly ready: Promise<void>;
  close(): Promise<void>;
  /** The bound health port (0 when none is served). */
  readonly healthPort: number;
  /** The names of the controllers this instance runs. */
  readonly controllers: string[];
  isLeader(): boolean;
}

export interface LeaderElectionOptions {
  /** Default true. */
  leaderElect?: boolean;
  /** Lease timings (defaults: upstream's 15 s / 10 s / 2 s). */
  leaseDurationMs?: number;
  renewDeadlineMs?: number;
  retryPeriodMs?: number;
  /** Identity (default hostname_uuid). */
  identity?: string;
}

export interface ControllerManagerRunnerOptions extends LeaderElectionOptions {
  /** The component's name: the Lease's name and the identity in logs. */
  component: string;
  client: RestClient;
  clock: Clock;
  log: Logger;
  registry: Registry;
  setLeader(leading: boolean): void;
  /** Port of /healthz, /readyz, /metrics; 0 picks a free one; undefined serves none. */
  healthPort?: number;
  bindAddress?: string;
  /** The controllers of one term, on that term's informers (started after this returns). */
  build(informers: SharedInformerFactory): RunnableController[];
  /** Fields added to the "started controllers" log line. */
  startedFields?: () => Record<string, string>;
  /** Runs after the health server is up and before the first campaign; a throw fails start(). */
  beforeControllers?(signal: AbortSignal): Promise<void>;
  /** Runs at close(), after the controllers stopped and before the health server closes. */
  afterControllers?(): Promise<void>;
}

export class ControllerManagerRunner {
  readonly #o: ControllerManagerRunnerOptions;
  readonly #leaderElect: boolean;
  readonly #identity: string;
  /** Resolves once this instance leads (or leader election is off) and the controllers' caches synced. */
  readonly ready: Promise<void>;
  #markReady!: () => void;
  #health: HealthServer | undefined;
  #stop: AbortController | undefined;
  #running: Promise<void> | undefined;
  #controllersDone: Promise<void> = Promise.resolve();
  #leading: boolean;
  #controllersRunning = false;

  constructor(options: ControllerManagerRunnerOptions) {
    this.#o = options;
    this.#leaderElect = options.leaderElect ?? true;
    this.#identity = options.identity ?? `${hostname()}_${randomUUID()}`;
    this.#leading = !this.#leaderElect;
    this.ready = new Promise<void>((resolve) => (this.#markReady = resolve));
  }

  get healthPort(): number {
    return this.#health?.port ?? 0;
  }

  isLeader(): boolean {
    return this.#leading;
  }

  async start(signal?: AbortSignal): Promise<void> {
    if (this.#stop) return;
    const stop = (this.#stop = new AbortController());
    if (signal) {
      if (signal.aborted) stop.abort();
      else signal.addEventListener('abort', () => stop.abort(), { once: true });
    }
    const { log } = this.#o;
    if (this.#o.healthPort !== undefined) {
      this.#health = createHealthServer({
        port: this.#o.healthPort,
        bindAddress: this.#o.bindAddress,
        registry: this.#o.registry,
        checks: { readyz: { controllers: () => this.#controllersRunning || (this.#leaderElect && !this.#leading) || 'controllers not running' } },
      });
      await this.#health.start();
      log.info('serving health and metrics', { url: this.#health.url });
    }
    try {
      await this.#o.beforeControllers?.(stop.signal);
    } catch (err) {
      await this.close();
      throw err;
    }
    const running = this.#leaderElect ? this.#campaign(stop.signal) : this.#runControllers(stop.signal);
    this.#running = running.catch((err: unknown) => log.error('stopped with an error', { err: err instanceof Error ? err.message : String(err) }));
  }

  /** Stops the controllers (each finishes its current key) and the campaign (releasing the lease), then the rest. */
  async close(): Promise<void> {
    this.#stop?.abort();
    await this.#running;
    await this.#controllersDone;
    await this.#o.afterControllers?.();
    await this.#health?.close();
  }

  async #runControllers(signal: AbortSignal): Promise<void> {
    const { client, clock, log } = this.#o;
    const informers = new SharedInformerFactory(client, { clock, log: (m) => log.debug(m) });
    const built = this.#o.build(informers);
    informers.start(signal);
    log.info('started controllers', { controllers: built.map((c) => c.name).join(','), ...this.#o.startedFields?.() });
    const runs = built.map((c) =>
      c.run(signal).catch((err: unknown) => log.error('controller stopped with an error', { controller: c.name, err: err instanceof Error ? err.message : String(err) })),
    );
    void informers.waitForCacheSync(signal).then((ok) => {
      if (!ok) return;
      this.#controllersRunning = true;
      this.#markReady();
    });
    await Promise.all(runs);
    this.#controllersRunning = false;
    await informers.shutdown();
  }

  async #campaign(signal: AbortSignal): Promise<void> {
    const { component, client, clock, log } = this.#o;
    const elector = new LeaderElector({
      lock: new LeaseLock(client, { namespace: 'kube-system', name: component }, this.#identity),
      leaseDurationMs: this.#o.leaseDurationMs,
      renewDeadlineMs: this.#o.renewDeadlineMs,
      retryPeriodMs: this.#o.retryPeriodMs,
      releaseOnCancel: true,
      name: component,
      clock,
      log: (m) => log.info(m),
      callbacks: {
        onStartedLeading: (leadSignal) => {
          this.#leading = true;
          this.#o.setLeader(true);
          this.#controllersDone = this.#runControllers(leadSignal);
          return this.#controllersDone;
        },
        onStoppedLeading: () => {
          this.#leading = false;
          this.#o.setLeader(false);
          log.info('leaderelection lost', { identity: this.#identity });
        },
        onNewLeader: (holder) => {
          if (holder && holder !== this.#identity) log.info('new leader elected', { leader: holder });
        },
      },
    });
    while (!signal.aborted) await elector.run(signal);
  }
}
