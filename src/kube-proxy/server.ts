// kube-proxy as a component: createKubeProxy(options) → { start(signal), ready, close() }.
// It sees the cluster only through the API server: informers on Services and
// discovery.k8s.io/v1 EndpointSlices of all namespaces (without those labelled for another
// proxy, service.kubernetes.io/service-proxy-name, or headless), slices grouped by their
// kubernetes.io/service-name label. Every change marks its Service dirty; syncs run as soon as
// the event loop is free, one at a time, and sync only the dirty Services (a periodic full sync,
// every syncPeriodMs, retries what failed). Data planes: "userspace" (sockets in this process,
// no root) and "nftables" (one nft table the kernel applies, IPv4; needs CAP_NET_ADMIN and the
// nft binary): a proxier with commit() gets the changes of one sync as one transaction, and a
// failed commit is retried with back-off.
// It serves /healthz and /livez (upstream's JSON), /readyz (informers synced and first sync
// done) and /metrics on one port: healthPort (10256 by default; 0 picks a free one). close()
// stops the informers, the sync loop, every listener and connection, then that server.

import { hostname } from 'node:os';
import type { KubeObject } from '../api/kind.ts';
import { SharedInformerFactory } from '../client/informer-factory.ts';
import { DeletedFinalStateUnknown } from '../client/informer.ts';
import { metaNamespaceKey } from '../client/indexer.ts';
import { loadKubeconfig, type RestConfig } from '../client/kubeconfig.ts';
import { RestClient } from '../client/rest-client.ts';
import { createLogger, type Logger } from '../component-base/logging.ts';
import { realClock, type Clock, type Timer } from '../machinery/clock.ts';
import { lastChangeTriggerTime } from './endpoints.ts';
import { createProxyHealthServer, ProxyHealth, type ProxyHealthServer } from './health-server.ts';
import { proxyMetrics, type ProxyMetrics } from './metrics.ts';
import { ipFamilyOf } from './service-port.ts';
import { headlessLabel, serviceNameLabel, serviceProxyNameLabel, type EndpointSlice, type Service } from './types.ts';
import { Proxier as NFTablesProxier } from './nftables/proxier.ts';
import { Proxier as UserspaceProxier } from './userspace/proxier.ts';

export type ProxyMode = 'userspace' | 'nftables';
export const proxyModes: readonly ProxyMode[] = ['userspace', 'nftables'];

/** What the sync loop needs of a data plane. */
interface ServiceProxier {
  syncService(key: string, service: Service | undefined, slices: readonly EndpointSlice[]): Promise<void>;
  /** Applies what syncService recorded, at once (data planes that batch); rejects to be retried. */
  commit?(): Promise<unknown>;
  serviceKeys(): string[];
  listeners(): string[];
  close(): Promise<void>;
}

export interface KubeProxyOptions {
  /** Path of a kubeconfig; or give restConfig. */
  kubeconfig?: string;
  restConfig?: RestConfig;
  /** This node's name: endpoints with this nodeName are local (default: the host name). */
  nodeName?: string;
  mode?: ProxyMode;
  /**
   * The node's address: node ports listen here, and its family is the proxier's (default
   * 127.0.0.1). In nftables mode 0.0.0.0 serves NodePorts on every non-loopback local address.
   */
  bindAddress?: string;
  /** Port of /healthz, /livez, /readyz and /metrics; 0 picks a free one (default 10256). */
  healthPort?: number;
  /** Address of that endpoint (default 127.0.0.1). */
  healthBindAddress?: string;
  /** Period of full syncs (default 30 s); health fails when a change waits twice as long. */
  syncPeriodMs?: number;
  /** Idle timeout of UDP client associations (default 250 ms, upstream's --udp-timeout). */
  udpIdleTimeoutMs?: number;
  /** nftables: masquerade all traffic to ClusterIPs (upstream --masquerade-all). */
  masqueradeAll?: boolean;
  /** nftables: the pod CIDR; ClusterIP traffic from outside it is masqueraded (upstream --cluster-cidr). */
  clusterCIDR?: string;
  /** nftables: the table's name (default "k8ts"), e.g. for tests beside a real one. */
  nftablesTable?: string;
  clock?: Clock;
  logger?: Logger;
}

export interface KubeProxy {
  start(signal?: AbortSignal): Promise<void>;
  /** Resolves once the informers have synced and the first sync is done. */
  readonly ready: Promise<void>;
  close(): Promise<void>;
  /** The bound health port. */
  readonly healthPort: number;
  readonly metrics: ProxyMetrics;
  /** Open listeners as "PROTO/address:port". */
  listeners(): string[];
}

const serviceIndex = 'service';
const defaultHealthPort = 10256;
const defaultSyncPeriodMs = 30_000;

/** Services and slices for another proxy, and headless ones, are not ours (upstream's selector). */
const labelSelector = `!${serviceProxyNameLabel},!${headlessLabel}`;

function sliceServiceKey(slice: EndpointSlice): string | undefined {
  const name = slice.metadata.labels?.[serviceNameLabel];
  return name && slice.metadata.namespace ? `${slice.metadata.namespace}/${name}` : undefined;
}

function serviceIndexFunc(slice: EndpointSlice): string[] {
  const key = sliceServiceKey(slice);
  return key ? [key] : [];
}

export function createKubeProxy(options: KubeProxyOptions): KubeProxy {
  const mode = options.mode ?? 'userspace';
  if (!proxyModes.includes(mode)) throw new Error(`kube-proxy: unsupported mode ${JSON.stringify(mode)}: one of ${proxyModes.join(', ')}`);
  const clock = options.clock ?? realClock;
  const log = options.logger ?? createLogger('kube-proxy');
  const restConfig = options.restConfig ?? (options.kubeconfig ? loadKubeconfig(options.kubeconfig, { userAgent: 'kube-proxy' }) : undefined);
  if (!restConfig) throw new Error('kube-proxy: a kubeconfig or restConfig is required');
  const nodeName = (options.nodeName ?? hostname()).toLowerCase();
  const bindAddress = options.bindAddress ?? '127.0.0.1';
  const ipFamily = ipFamilyOf(bindAddress);
  if (!ipFamily) throw new Error(`kube-proxy: --bind-address ${JSON.stringify(bindAddress)} is not an IP address`);
  const syncPeriodMs = options.syncPeriodMs ?? defaultSyncPeriodMs;

  const client = new RestClient(restConfig);
  const metrics = proxyMetrics();
  const health = new ProxyHealth(clock, 2 * syncPeriodMs);
  if (mode === 'nftables' && ipFamily !== 'IPv4') throw new Error('kube-proxy: nftables mode supports IPv4 only; --bind-address must be an IPv4 address');
  const proxier: ServiceProxier =
    mode === 'nftables'
      ? new NFTablesProxier({
          nodeName,
          table: options.nftablesTable,
          nodePortAddresses: bindAddress === '0.0.0.0' ? 'all' : [bindAddress],
          masqueradeAll: options.masqueradeAll,
          clusterCIDR: options.clusterCIDR,
          clock,
          log: log.child('nftables'),
          registry: metrics.registry,
        })
      : new UserspaceProxier({ nodeName, ipFamily, nodePortAddress: bindAddress, clock, log: log.child('userspace'), udpIdleTimeoutMs: options.udpIdleTimeoutMs });
  const factory = new SharedInformerFactory(client, { clock, log: (m) => log.info(m) });
  const serviceInformer = factory.informerFor<Service>({ group: '', version: 'v1', resource: 'services', labelSelector });
  const sliceInformer = factory.informerFor<EndpointSlice>(
    { group: 'discovery.k8s.io', version: 'v1', resource: 'endpointslices', labelSelector },
    { indexers: { [serviceIndex]: serviceIndexFunc } },
  );

  const stop = new AbortController();
  const startedAt = clock.now();
  /** Services to sync, by what changed. */
  const dirtyServices = new Set<string>();
  const dirtyEndpoints = new Set<string>();
  /** Trigger times of slice changes not yet applied, per Service. */
  const triggerTimes = new Map<string, number[]>();
  let synced = false;
  let firstSyncDone = false;
  let syncing: Promise<void> | undefined;
  let syncScheduled = false;
  let periodic: Timer | undefined;
  let retry: Timer | undefined;
  const retryKeys = new Set<string>();
  let commitFailures = 0;
  let healthServer: ProxyHealthServer | undefined;
  let running = false;

  let resolveReady!: () => void;
  let rejectReady!: (err: unknown) => void;
  const ready = new Promise<void>((resolve, reject) => {
    resolveReady = resolve;
    rejectReady = reject;
  });
  ready.catch(() => {});
  let resolveFirstSync!: () => void;
  const firstSync = new Promise<void>((resolve) => (resolveFirstSync = resolve));
  const markSynced = () => {
    health.updated();
    resolveFirstSync();
  };

  const updatePending = () => {
    metrics.serviceChangesPending.set({}, dirtyServices.size);
    metrics.endpointChangesPending.set({}, dirtyEndpoints.size);
  };

  function queue(set: Set<string>, key: string): void {
    set.add(key);
    updatePending();
    health.queuedUpdate();
    metrics.syncProxyRulesLastQueuedTimestamp.set({}, clock.now() / 1000);
    scheduleSync();
  }

  function scheduleSync(): void {
    if (!synced || syncScheduled || stop.signal.aborted) return;
    syncScheduled = true;
    setImmediate(() => {
      syncScheduled = false;
      if (syncing || stop.signal.aborted) return;
      syncing = syncLoop().finally(() => (syncing = undefined));
    });
  }

  async function syncLoop(): Promise<void> {
    while ((dirtyServices.size > 0 || dirtyEndpoints.size > 0) && !stop.signal.aborted) {
      const keys = new Set([...dirtyServices, ...dirtyEndpoints]);
      dirtyServices.clear();
      dirtyEndpoints.clear();
      updatePending();
      const started = performance.now();
      for (const key of keys) {
        const service = serviceInformer.indexer.getByKey(key);
        const slices = sliceInformer.indexer.byIndex(serviceIndex, key);
        try {
          await proxier.syncService(key, service, slices);
        } catch (err) {
          log.error('Error syncing service', { service: key, err });
        }
      }
      if (proxier.commit) {
        try {
          await proxier.commit();
          commitFailures = 0;
        } catch (err) {
          metrics.syncProxyRulesLatency.observe({}, (performance.now() - started) / 1000);
          retryAfterFailure(keys, err);
          return;
        }
      }
      const now = clock.now();
      metrics.syncProxyRulesLatency.observe({}, (performance.now() - started) / 1000);
      metrics.syncProxyRulesLastTimestamp.set({}, now / 1000);
      for (const key of keys) {
        for (const t of triggerTimes.get(key) ?? []) metrics.networkProgrammingLatency.observe({}, Math.max(0, now - t) / 1000);
        triggerTimes.delete(key);
      }
      if (dirtyServices.size === 0 && dirtyEndpoints.size === 0) markSynced();
    }
  }

  /** Syncs the keys again after a back-off (1 s doubling up to the sync period); health waits. */
  function retryAfterFailure(keys: Set<string>, err: unknown): void {
    commitFailures++;
    const delayMs = Math.min(1000 * 2 ** (commitFailures - 1), Math.max(1000, syncPeriodMs));
    log.error('Sync failed', { err, retryIn: `${delayMs}ms` });
    for (const key of keys) retryKeys.add(key);
    if (retry || stop.signal.aborted) return;
    retry = clock.setTimeout(() => {
      retry = undefined;
      for (const key of retryKeys) dirtyServices.add(key);
      retryKeys.clear();
      updatePending();
      scheduleSync();
    }, delayMs);
    retry.unref?.();
  }

  function fullSync(): void {
    for (const s of serviceInformer.indexer.list()) dirtyServices.add(metaNamespaceKey(s));
    for (const key of proxier.serviceKeys()) dirtyServices.add(key);
    for (const key of sliceInformer.indexer.listIndexFuncValues(serviceIndex)) dirtyEndpoints.add(key);
    updatePending();
    if (dirtyServices.size === 0 && dirtyEndpoints.size === 0) markSynced();
    else scheduleSync();
  }

  function schedulePeriodic(): void {
    if (stop.signal.aborted || syncPeriodMs <= 0) return;
    periodic = clock.setTimeout(() => {
      fullSync();
      schedulePeriodic();
    }, syncPeriodMs);
    periodic.unref?.();
  }

  const unwrap = <T extends KubeObject>(obj: T | DeletedFinalStateUnknown<T>): T => (obj instanceof DeletedFinalStateUnknown ? obj.obj : obj);
  const serviceChanged = (svc: Service) => {
    metrics.serviceChangesTotal.inc();
    queue(dirtyServices, metaNamespaceKey(svc));
  };
  serviceInformer.addEventHandler({
    onAdd: serviceChanged,
    onUpdate: (oldSvc, newSvc) => {
      if (oldSvc.metadata.resourceVersion !== newSvc.metadata.resourceVersion) serviceChanged(newSvc);
    },
    onDelete: (obj) => serviceChanged(unwrap(obj)),
  });
  const sliceChanged = (slice: EndpointSlice, old?: EndpointSlice) => {
    const key = sliceServiceKey(slice);
    if (!key) return;
    const t = lastChangeTriggerTime(slice);
    // Changes made before this proxy started would count the downtime as latency.
    if (t !== undefined && t > startedAt && (!old || lastChangeTriggerTime(old) !== t)) {
      const times = triggerTimes.get(key) ?? [];
      times.push(t);
      triggerTimes.set(key, times);
    }
    metrics.endpointChangesTotal.inc();
    queue(dirtyEndpoints, key);
  };
  sliceInformer.addEventHandler({
    onAdd: (slice) => sliceChanged(slice),
    onUpdate: (oldSlice, newSlice) => {
      if (oldSlice.metadata.resourceVersion !== newSlice.metadata.resourceVersion) sliceChanged(newSlice, oldSlice);
    },
    onDelete: (obj) => {
      const slice = unwrap(obj);
      const key = sliceServiceKey(slice);
      if (!key) return;
      metrics.endpointChangesTotal.inc();
      queue(dirtyEndpoints, key);
    },
  });

  async function run(signal: AbortSignal): Promise<void> {
    if (!(await factory.waitForCacheSync(signal))) return;
    log.info('Informer caches are synced', { services: serviceInformer.indexer.list().length, endpointSlices: sliceInformer.indexer.list().length });
    synced = true;
    fullSync();
    // Ready once everything known at start is applied (after retries, if a data plane fails).
    if (!signal.aborted) await Promise.race([firstSync, new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }))]);
    if (signal.aborted) return;
    schedulePeriodic();
    firstSyncDone = true;
    resolveReady();
    log.info('Proxier is in sync', { listeners: proxier.listeners().length });
  }

  let runDone: Promise<void> | undefined;
  return {
    async start(signal?: AbortSignal) {
      if (running) return;
      running = true;
      if (signal) {
        if (signal.aborted) stop.abort();
        else signal.addEventListener('abort', () => stop.abort(), { once: true, signal: stop.signal });
      }
      log.info('Starting kube-proxy', { mode, nodeName, bindAddress });
      healthServer = createProxyHealthServer({
        bindAddress: options.healthBindAddress ?? '127.0.0.1',
        port: options.healthPort ?? defaultHealthPort,
        health,
        metrics,
        clock,
        ready: () => firstSyncDone,
      });
      await healthServer.start();
      log.info('Serving health and metrics', { address: healthServer.url });
      factory.start(stop.signal);
      runDone = run(stop.signal).catch((err: unknown) => {
        log.error('kube-proxy stopped on an error', { err });
        rejectReady(err);
      });
    },
    ready,
    async close() {
      stop.abort();
      if (periodic) clock.clearTimeout(periodic);
      if (retry) clock.clearTimeout(retry);
      await runDone;
      await factory.shutdown();
      await syncing;
      await proxier.close();
      client.close();
      await healthServer?.close();
    },
    get healthPort() {
      return healthServer?.port ?? 0;
    },
    metrics,
    listeners: () => proxier.listeners(),
  };
}
