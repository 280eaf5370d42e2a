// kube-controller-manager as a component: createKubeControllerManager(options) →
// { start(signal), ready, close() }. One API client and one shared informer factory feed every
// enabled controller (see controllers.ts); with leader election on (the default) they run
// only while this instance holds the Lease kube-system/kube-controller-manager, and stop when
// it is lost (then it campaigns again; upstream exits instead and relies on a restart). It
// serves /healthz, /livez, /readyz (ready once controllers run) and /metrics on healthPort
// when one is given. close() stops the controllers (each finishes its current key), the
// informers, the event writes in flight, releases the lease, then stops the server.

import { EventBroadcaster } from '../client/event-recorder.ts';
import { loadKubeconfig, type RestConfig } from '../client/kubeconfig.ts';
import { RestClient } from '../client/rest-client.ts';
import { ControllerManagerRunner, type ControllerManager, type LeaderElectionOptions } from '../component-base/controller-manager.ts';
import { controllerMetrics } from '../component-base/controller-metrics.ts';
import { createLogger, type Logger } from '../component-base/logging.ts';
import { Registry } from '../component-base/metrics.ts';
import { realClock, type Clock } from '../machinery/clock.ts';
import type { ControllerSettings } from './context.ts';
import { enabledControllers } from './controllers.ts';

export interface KubeControllerManagerOptions extends LeaderElectionOptions {
  /** Path of a kubeconfig; or give restConfig. */
  kubeconfig?: string;
  restConfig?: RestConfig;
  /** Upstream --controllers syntax: "*", "name", "-name" (default ["*"]). */
  controllers?: string[];
  /** Concurrent reconciles per controller name (or alias); defaults from the table. */
  concurrency?: Record<string, number>;
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

/** Its controllers are known at creation: the canonical names of those enabled. */
export type KubeControllerManager = ControllerManager;

const component = 'kube-controller-manager';

export function createKubeControllerManager(options: KubeControllerManagerOptions): KubeControllerManager {
  const restConfig = options.restConfig ?? (options.kubeconfig ? loadKubeconfig(options.kubeconfig, { userAgent: component }) : undefined);
  if (!restConfig) throw new Error('kube-controller-manager needs a kubeconfig or restConfig');
  const descriptors = enabledControllers(options.controllers ?? ['*']);
  const clock = options.clock ?? realClock;
  const log = options.logger ?? createLogger(component);
  const registry = new Registry();
  const metrics = controllerMetrics(registry, component);
  const client = new RestClient(restConfig);
  const rootCA = options.rootCA ?? restConfig.ca;
  const events = new EventBroadcaster({ client, clock, log: (m) => log.warn(m) });
  const runner = new ControllerManagerRunner({
    ...options,
    component,
    client,
    clock,
    log,
    registry,
    setLeader: (leading) => metrics.setLeader(leading),
    build: (informers) =>
      descriptors.map((d) => {
        const workers = options.concurrency?.[d.name] ?? d.aliases.map((a) => options.concurrency?.[a]).find((n) => n !== undefined) ?? d.defaultWorkers;
        return d.create({ client, informers, events, clock, log: log.child(d.name), metrics, workers, settings: options.settings, rootCA });
      }),
    async afterControllers() {
      await events.close();
      client.close();
    },
  });
  return {
    ready: runner.ready,
    get healthPort() {
      return runner.healthPort;
    },
    controllers: descriptors.map((d) => d.name),
    isLeader: () => runner.isLeader(),
    start: (signal) => runner.start(signal),
    close: () => runner.close(),
  };
}
