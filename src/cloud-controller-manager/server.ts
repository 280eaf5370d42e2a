// cloud-controller-manager as a component: createCloudControllerManager(options) →
// { start(signal), ready, close() }. It runs only the controllers that depend on the
// infrastructure (cloud node, cloud node lifecycle, service load balancers, routes) against one
// cloud provider (providers.ts, or one given in code). start() initializes the provider first (a
// provider that cannot start, e.g. an external program that never answers, makes start reject),
// then runs every enabled controller the cloud supports; one it does not support (no load
// balancers, no routes) is logged and skipped, as upstream. With leader election on (the default)
// controllers run only while this instance holds the Lease kube-system/cloud-controller-manager,
// on fresh informers each term; the provider (and the local cloud's load balancers) lives as
// long as the component. It serves /healthz, /livez, /readyz (ready once controllers run, or
// while another instance leads) and /metrics on healthPort when one is given. close() stops the
// controllers, the event writes in flight, releases the lease, closes the provider, then the server.

import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { EventBroadcaster } from '../client/event-recorder.ts';
import { SharedInformerFactory } from '../client/informer-factory.ts';
import { loadKubeconfig, type RestConfig } from '../client/kubeconfig.ts';
import { LeaderElector, LeaseLock } from '../client/leader-election.ts';
import { RestClient } from '../client/rest-client.ts';
import { createHealthServer, type HealthServer } from '../component-base/health-server.ts';
import { createLogger, type Logger } from '../component-base/logging.ts';
import { Registry } from '../component-base/metrics.ts';
import { realClock, type Clock } from '../machinery/clock.ts';
import type { CloudProvider } from './cloudprovider/cloud.ts';
import type { CloudConfig } from './config.ts';
import { defaultControllerSettings, type ControllerSettings } from './context.ts';
import { enabledControllers, type ControllerDescriptor } from './controllers.ts';
import { cloudMetrics } from './metrics.ts';
import { createCloudProvider } from './providers.ts';

export interface CloudControllerManagerOptions {
  /** Path of a kubeconfig; or give restConfig. */
  kubeconfig?: string;
  restConfig?: RestConfig;
  /** --cloud-provider: a name from providers.ts (default "local"). */
  cloudProvider?: string;
  /** --cloud-config, parsed: the provider's settings. */
  cloudConfig?: CloudConfig;
  /** A provider built in code; takes the place of cloudProvider and cloudConfig. */
  provider?: CloudProvider;
  /** Upstream --controllers syntax: "*", "name", "-name" (default ["*"]). */
  controllers?: string[];
  settings?: Partial<ControllerSettings>;
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
}

export interface CloudControllerManager {
  start(signal?: AbortSignal): Promise<void>;
  /** Resolves once this instance leads (or leader election is off) and every controller's caches have synced. */
  readonly ready: Promise<void>;
  close(): Promise<void>;
  /** The bound health port (0 when none is served). */
  readonly healthPort: number;
  /** The controllers this instance runs (known once started: they depend on what the cloud supports). */
  readonly controllers: string[];
  readonly provider: CloudProvider;
  isLeader(): boolean;
}

const component = 'cloud-controller-manager';

export function createCloudControllerManager(options: CloudControllerManagerOptions): CloudControllerManager {
  const restConfig = options.restConfig ?? (options.kubeconfig ? loadKubeconfig(options.kubeconfig, { userAgent: component }) : undefined);
  if (!restConfig) throw new Error('cloud-controller-manager needs a kubeconfig or restConfig');
  const clock = options.clock ?? realClock;
  const log = options.logger ?? createLogger(component);
  const selected = enabledControllers(options.controllers ?? ['*']);
  const provider = options.provider ?? createCloudProvider(options.cloudProvider ?? 'local', options.cloudConfig ?? {}, { clock });
  const given = Object.entries(options.settings ?? {}).filter(([, v]) => v !== undefined);
  const settings: ControllerSettings = { ...defaultControllerSettings, ...Object.fromEntries(given) };
  const registry = new Registry();
  const metrics = cloudMetrics(registry);
  const leaderElect = options.leaderElect ?? true;
  const identity = options.identity ?? `${hostname()}_${randomUUID()}`;
  const client = new RestClient(restConfig);
  const events = new EventBroadcaster({ client, clock, log: (m) => log.warn(m) });

  let descriptors: ControllerDescriptor[] = [];
  let health: HealthServer | undefined;
  let stop: AbortController | undefined;
  let providerInformers: SharedInformerFactory | undefined;
  let running: Promise<void> | undefined;
  let controllersDone: Promise<void> = Promise.resolve();
  let leading = !leaderElect;
  let controllersRunning = false;
  let markReady!: () => void;
  const ready = new Promise<void>((resolve) => (markReady = resolve));

  /** Builds and runs the controllers on fresh informers until `signal` aborts. */
  async function runControllers(signal: AbortSignal): Promise<void> {
    const informers = new SharedInformerFactory(client, { clock, log: (m) => log.debug(m) });
    const built = descriptors.map((d) => d.create({ client, informers, events, cloud: provider, clock, log, metrics, settings }));
    informers.start(signal);
    log.info('started controllers', { controllers: built.map((c) => c.name).join(','), cloudProvider: provider.providerName });
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

  async function shutdown(): Promise<void> {
    stop?.abort();
    await running;
    await controllersDone;
    await events.close();
    await providerInformers?.shutdown();
    await provider.close?.();
    client.close();
    await health?.close();
  }

  return {
    ready,
    provider,
    get healthPort() {
      return health?.port ?? 0;
    },
    get controllers() {
      return descriptors.map((d) => d.name);
    },
    isLeader: () => leading,
    async start(signal?: AbortSignal) {
      if (stop) return;
      stop = new AbortController();
      if (signal) {
        if (signal.aborted) stop.abort();
        else signal.addEventListener('abort', () => stop!.abort(), { once: true });
      }
      const s = stop.signal;
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
      try {
        providerInformers = new SharedInformerFactory(client, { clock, log: (m) => log.debug(m) });
        await provider.initialize?.({ client, informers: providerInformers, clock, log: log.child(`cloud-provider/${provider.providerName}`), signal: s });
        providerInformers.start(s);
      } catch (err) {
        await shutdown();
        throw err;
      }
      descriptors = selected.filter((d) => {
        const why = d.unsupported(provider);
        if (why) log.info('Skipping controller', { controller: d.name, reason: why });
        return !why;
      });
      running = leaderElect ? campaign(s) : runControllers(s);
      running = running.catch((err: unknown) => log.error('stopped with an error', { err: err instanceof Error ? err.message : String(err) }));
    },
    close: shutdown,
  };
}
