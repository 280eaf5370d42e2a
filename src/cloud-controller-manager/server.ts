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

import { EventBroadcaster } from '../client/event-recorder.ts';
import { SharedInformerFactory } from '../client/informer-factory.ts';
import { loadKubeconfig, type RestConfig } from '../client/kubeconfig.ts';
import { RestClient } from '../client/rest-client.ts';
import { ControllerManagerRunner, type ControllerManager, type LeaderElectionOptions } from '../component-base/controller-manager.ts';
import { createLogger, type Logger } from '../component-base/logging.ts';
import { Registry } from '../component-base/metrics.ts';
import { realClock, type Clock } from '../machinery/clock.ts';
import type { CloudProvider } from './cloudprovider/cloud.ts';
import type { CloudConfig } from './config.ts';
import { defaultControllerSettings, type ControllerSettings } from './context.ts';
import { enabledControllers, type ControllerDescriptor } from './controllers.ts';
import { cloudMetrics } from './metrics.ts';
import { createCloudProvider } from './providers.ts';

export interface CloudControllerManagerOptions extends LeaderElectionOptions {
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
  /** Port of /healthz, /readyz, /metrics; 0 picks a free one; undefined serves none. */
  healthPort?: number;
  bindAddress?: string;
  clock?: Clock;
  logger?: Logger;
}

/** Its controllers are known once started: they depend on what the cloud supports. */
export interface CloudControllerManager extends ControllerManager {
  readonly provider: CloudProvider;
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
  const client = new RestClient(restConfig);
  const events = new EventBroadcaster({ client, clock, log: (m) => log.warn(m) });
  let descriptors: ControllerDescriptor[] = [];
  let providerInformers: SharedInformerFactory | undefined;

  const runner = new ControllerManagerRunner({
    ...options,
    component,
    client,
    clock,
    log,
    registry,
    setLeader: (leading) => metrics.setLeader(leading),
    build: (informers) => descriptors.map((d) => d.create({ client, informers, events, cloud: provider, clock, log, metrics, settings })),
    startedFields: () => ({ cloudProvider: provider.providerName }),
    // The provider (and the local cloud's load balancers) lives as long as the component, across terms.
    async beforeControllers(signal) {
      providerInformers = new SharedInformerFactory(client, { clock, log: (m) => log.debug(m) });
      await provider.initialize?.({ client, informers: providerInformers, clock, log: log.child(`cloud-provider/${provider.providerName}`), signal });
      providerInformers.start(signal);
      descriptors = selected.filter((d) => {
        const why = d.unsupported(provider);
        if (why) log.info('Skipping controller', { controller: d.name, reason: why });
        return !why;
      });
    },
    async afterControllers() {
      await events.close();
      await providerInformers?.shutdown();
      await provider.close?.();
      client.close();
    },
  });

  return {
    ready: runner.ready,
    provider,
    get healthPort() {
      return runner.healthPort;
    },
    get controllers() {
      return descriptors.map((d) => d.name);
    },
    isLeader: () => runner.isLeader(),
    start: (signal) => runner.start(signal),
    close: () => runner.close(),
  };
}
