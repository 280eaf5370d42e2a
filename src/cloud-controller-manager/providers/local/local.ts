// The local provider: this machine (or a set of machines whose kubelets join one cluster) as the
// cloud. Instances are the nodes that registered (instances.ts); load balancers are TCP/UDP
// listeners of this process on addresses from a pool (load-balancers.ts), health-checked
// (health-checker.ts); the cloud's own API, for operators, is served when apiPort is set
// (cloud-api.ts). Zones are the one configured zone; there are no routes (pods reach each other
// without cloud routes here). Config fields (all optional):
//   loadBalancerPool      CIDRs or ranges of load-balancer addresses (default 127.200.0.0/24: on
//                         loopback, so it works without root, tunnels or another binary)
//   zone, region          topology labels of every node (default local-a, local)
//   instanceType          the instance-type label (default k8ts.local)
//   healthCheckInterval   how often backends are checked (default 2s); healthCheckTimeout (1s)
//   udpIdleTimeout        how long an idle UDP flow is kept (default 30s)
//   apiAddress, apiPort   where the cloud API listens (default 127.0.0.1; no port: not served; 0: a free one)
// With several machines, give loadBalancerPool addresses of this machine that clients can reach;
// backends are each node's InternalIP:nodePort, served by that node's kube-proxy.

import type { Lister } from '../../../client/lister.ts';
import type { Logger } from '../../../component-base/logging.ts';
import { realClock, type Clock } from '../../../machinery/clock.ts';
import type { CloudProvider, ProviderContext, Zone, Zones } from '../../cloudprovider/cloud.ts';
import { ConfigReader, type CloudConfig } from '../../config.ts';
import type { EndpointSlice, Node } from '../../types.ts';
import { AddressPool } from './address-pool.ts';
import { createCloudAPI, type CloudAPI } from './cloud-api.ts';
import { HealthChecker } from './health-checker.ts';
import { LocalInstances } from './instances.ts';
import { LocalLoadBalancers } from './load-balancers.ts';

export const defaultLoadBalancerPool = '127.200.0.0/24';

export interface LocalProvider extends CloudProvider {
  readonly providerName: 'local';
  /** The cloud API's URL once initialized ("" when not served). */
  readonly apiURL: string;
  readonly pool: AddressPool;
}

const fields = ['loadBalancerPool', 'zone', 'region', 'instanceType', 'healthCheckInterval', 'healthCheckTimeout', 'udpIdleTimeout', 'apiAddress', 'apiPort'];

export function createLocalProvider(config: CloudConfig = {}, options: { clock?: Clock } = {}): LocalProvider {
  const read = new ConfigReader(config, fields, 'cloud config (local provider)');
  const clock = options.clock ?? realClock;
  const zone: Zone = { failureDomain: read.string('zone') ?? 'local-a', region: read.string('region') ?? 'local' };
  const pool = new AddressPool(read.strings('loadBalancerPool') ?? [defaultLoadBalancerPool]);
  const apiPort = read.port('apiPort');
  const apiAddress = read.string('apiAddress') ?? '127.0.0.1';
  const instances = new LocalInstances({ clock, instanceType: read.string('instanceType') ?? 'k8ts.local', zone: zone.failureDomain, region: zone.region });
  let nodes: Lister<Node> | undefined;
  let slices: Lister<EndpointSlice> | undefined;
  // Lines go to the component's logger once initialize gives one.
  let sink: Logger | undefined;
  const log: Logger = {
    component: 'local-cloud',
    info: (m, f) => sink?.info(m, f),
    warn: (m, f) => sink?.warn(m, f),
    error: (m, f) => sink?.error(m, f),
    debug: (m, f) => sink?.debug(m, f),
    child: () => log,
  };
  const health: HealthChecker = new HealthChecker({
    clock,
    intervalMs: read.durationMs('healthCheckInterval') ?? 2_000,
    timeoutMs: read.durationMs('healthCheckTimeout') ?? 1_000,
    targets: () => loadBalancers.targets(),
  });
  const loadBalancers: LocalLoadBalancers = new LocalLoadBalancers({
    pool,
    health,
    clock,
    log,
    nodes: () => nodes,
    endpointSlices: () => slices,
    udpIdleTimeoutMs: read.durationMs('udpIdleTimeout'),
  });
  const zones: Zones = {
    getZoneByProviderID: async () => zone,
    getZoneByNodeName: async () => zone,
  };
  let api: CloudAPI | undefined;
  let stop: AbortController | undefined;
  let checking: Promise<void> | undefined;

  return {
    providerName: 'local',
    pool,
    get apiURL() {
      return api?.url ?? '';
    },
    async initialize(ctx: ProviderContext) {
      sink = ctx.log;
      const nodeInformer = ctx.informers.informerFor<Node>({ group: '', version: 'v1', resource: 'nodes' });
      nodeInformer.addEventHandler({ onAdd: (n) => instances.observe(n), onUpdate: (_, n) => instances.observe(n) });
      nodes = nodeInformer.lister;
      slices = ctx.informers.informerFor<EndpointSlice>({ group: 'discovery.k8s.io', version: 'v1', resource: 'endpointslices' }).lister;
      if (apiPort !== undefined) {
        api = createCloudAPI({ address: apiAddress, port: apiPort, instances, loadBalancers });
        await api.start();
        log.info('serving the local cloud API', { url: api.url });
      }
      stop = new AbortController();
      const s = stop.signal;
      ctx.signal.addEventListener('abort', () => stop?.abort(), { once: true });
      checking = health.run(s);
    },
    async close() {
      stop?.abort();
      await checking;
      await loadBalancers.close();
      await api?.close();
    },
    loadBalancer: () => loadBalancers,
    instances: () => undefined,
    instancesV2: () => instances,
    zones: () => zones,
    routes: () => undefined,
    hasClusterID: () => true,
  };
}
