// kube-controller-manager as a component: createKubeControllerManager(options) →
// { start(signal), ready, close() }. One API client and one shared informer factory feed every
// enabled controller (see controllers.ts); with leader election on (the default) they run
// only while this instance holds the Lease kube-system/kube-controller-manager, and stop when
// it is lost (then it campaigns again; upstream exits instead and relies on a restart). It
// serves /healthz, /livez, /readyz (ready once controllers run) and /metrics on healthPort
// when one is given. close() stops the controllers (each finishes its current key), the
// informers, the event writes in flight, releases the lease, then stops the server.

import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { SharedInformerFactory } from '../client/informer-factory.ts';
import { loadKubeconfig, type RestConfig } from '../client/kubeconfig.ts';
import { LeaderElector, LeaseLock } from '../client/leader-election.ts';
import { RestClient } from '../client/rest-client.ts';
import { createHealthServer, type HealthServer } from '../component-base/health-server.ts';
import { createLogger, type Logger } from '../component-base/logging.ts';
import { Registry } from '../component-base/metrics.ts';
import { realClock, type Clock } from '../machinery/clock.ts';
import { enabledControllers, type ControllerDescriptor } from './controllers.ts';
import type { ControllerSettings } from './context.ts';
import { EventBroadcaster } from '../client/event-recorder.ts';
import { controllerMetrics, type ControllerMetrics } from '../component-base/controller-metrics.ts';

export interface KubeControllerManagerOptions {
  /** Path of a kubeconfig; or give restConfig. */
  kubeconfig?: string;
  restConfig?: RestConfig;
  /** Upstream --controllers syntax: "*", "name", "-name" (default ["*"]). */
  controllers?: string[];
  /** Concurrent reconciles per controller name (or alias); defaults from the table. */
  concurrency?: Record<string, number>;
  leaderElect?: boolean;
  /** Lease timings (defaults: upstream's 15 s / 10 s / 2 s). */
  leaseDurationMs?: number;
  renewDeadlineMs?: number;
  retryPeriodMs?: number;
  /** Leader election identity (default hostname_uuid). */
  identity?: string;
  /** Port of /healthz, /readyz, /metrics; 0 picks a free one; undefined serves none. */
  healthPort?: number;
  bindAddress?: string;
  clock?: Clock;
  logger?: Logger;
  /** Tunables of individual controllers (grace periods, thresholds). */
  settings?: ControllerSettings;
  /**
   * PEM of the CA bundle published to every namespace as kube-root-ca.crt (upstream's
   * --root-ca-file); default: the CA of the kubeconfig/restConfig, which signs the API server's
   * serving certificate.
   */
  rootCA?: string;
}

export interface KubeControllerManager {
  start(signal?: AbortSignal): Promise<void>;
  /** Resolves once this instance leads (or leader election is off) and every controller's caches have synced. */
  readonly ready: Promise<void>;
  close(): Promise<void>;
  /** The bound health port (0 when none is served). */
  readonly healthPort: number;
  /** The canonical names of the controllers this instance runs. */
  readonly controllers: string[];
  isLeader(): boolean;
}

const component = 'kube-controller-manager';

export function createKubeControllerManager(options: KubeControllerManagerOptions): KubeControllerManager {
  const restConfig = options.restConfig ?? (options.kubeconfig ? loadKubeconfig(options.kubeconfig, { userAgent: component }) : undefined);
  if (!restConfig) throw new Error('kube-controller-manager needs a kubeconfig or restConfig');
  const descriptors: ControllerDescriptor[] = enabledControllers(options.controllers ?? ['*']);
  const clock = options.clock ?? realClock;
  const log = options.logger ?? createLogger(component);
  const registry = new Registry();
  const metrics: ControllerMetrics = controllerMetrics(registry, 'kube-controller-manager');
  const leaderElect = options.leaderElect ?? true;
  const identity = options.identity ?? `${hostname()}_${randomUUID()}`;
  const client = new RestClient(restConfig);
  const rootCA = options.rootCA ?? restConfig.ca;
  const events = new EventBroadcaster({ client, clock, log: (m) => log.warn(m) });

  let health: HealthServer | undefined;
  let stop: AbortController | undefined;
  let running: Promise<void> | undefined;
  let controllersDone: Promise<void> = Promise.resolve();
  let leading = !leaderElect;
  let controllersRunning = false;
  let markReady!: () => void;
  const ready = new Promise<void>((resolve) => (markReady = resolve));

  /** Builds and runs every enabled controller on fresh informers until `signal` aborts. */
  async function runControllers(signal: AbortSignal): Promise<void> {
    const informers = new SharedInformerFactory(client, { clock, log: (m) => log.debug(m) });
    const built = descriptors.map((d) => {
      const workers = options.concurrency?.[d.name] ?? d.aliases.map((a) => options.concurrency?.[a]).find((n) => n !== undefined) ?? d.defaultWorkers;
      return d.create({ client, informers, events, clock, log: log.child(d.name), metrics, workers, settings: options.settings, rootCA });
    });
    informers.start(signal);
    log.info('started controllers', { controllers: built.map((c) => c.name).join(',') });
    const runs = built.map((c) =>
      c.run(signal).catch((err: unknown) => log.error('controller stopped with an error', { controller: c.name, err: err instanceof Error ? err.message : String(err) })),
    );
    void informers.waitForCacheSync(signal).then((ok) => {
      if (!ok) return;
      controllersRunning = true;
      markReady();
    });
    await Promise.all(runs);
    controllersRunning = false;
    await informers.shutdown();
  }

  async function campaign(signal: AbortSignal): Promise<void> {
    const elector = new LeaderElector({
      lock: new LeaseLock(client, { namespace: 'kube-system', name: component }, identity),
      leaseDurationMs: options.leaseDurationMs,
      renewDeadlineMs: options.renewDeadlineMs,
      retryPeriodMs: options.retryPeriodMs,
      releaseOnCancel: true,
      name: component,
      clock,
      log: (m) => log.info(m),
      callbacks: {
        onStartedLeading: (leadSignal) => {
          leading = true;
          metrics.setLeader(true);
          controllersDone = runControllers(leadSignal);
          return controllersDone;
        },
        onStoppedLeading: () => {
          leading = false;
          metrics.setLeader(false);
          log.info('leaderelection lost', { identity });
        },
        onNewLeader: (holder) => {
          if (holder && holder !== identity) log.info('new leader elected', { leader: holder });
        },
      },
    });
    while (!signal.aborted) await elector.run(signal);
  }

  return {
    ready,
    get healthPort() {
      return health?.port ?? 0;
    },
    controllers: descriptors.map((d) => d.name),
    isLeader: () => leading,
    async start(signal?: AbortSignal) {
      if (stop) return;
      stop = new AbortController();
      if (signal) {
        if (signal.aborted) stop.abort();
        else signal.addEventListener('abort', () => stop!.abort(), { once: true });
      }
      if (options.healthPort !== undefined) {
        health = createHealthServer({
          port: options.healthPort,
          bindAddress: options.bindAddress,
          registry,
          checks: { readyz: { controllers: () => controllersRunning || (leaderElect && !leading) || 'controllers not running' } },
        });
        await health.start();
        log.info('serving health and metrics', { url: health.url });
      }
      const s = stop.signal;
      running = leaderElect ? campaign(s) : runControllers(s);
      running = running.catch((err: unknown) => log.error('stopped with an error', { err: err instanceof Error ? err.message : String(err) }));
    },
    async close() {
      stop?.abort();
      await running;
      await controllersDone;
      await events.close();
      client.close();
      await health?.close();
    },
  };
}
