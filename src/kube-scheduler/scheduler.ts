// kube-scheduler as a component: createKubeScheduler(options) → { start(signal), ready, close() }.
// It sees the cluster only through the API server: informers on pods (all but terminal ones)
// and nodes feed the cache and the queue (and one on namespaces serves the namespaceSelectors
// of pod affinity terms; Services, ReplicationControllers, ReplicaSets and StatefulSets give
// default topology spreading its selectors; PodDisruptionBudgets steer preemption); pods
// whose spec.schedulerName has a profile and that have no spec.nodeName are queued, and the
// nominator tracks those nominated to a node; the scheduling loop runs only while this
// instance leads (Lease kube-system/kube-scheduler) when leader election is on. It serves
// /healthz, /livez, /readyz (ready once the informers have synced) and /metrics on healthPort
// (0: a free port). close() stops scheduling, waits for bindings, preemption's evictions and
// status writes in flight and the informers, then the server.

import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { KubeObject } from '../api/kind.ts';
import { SharedInformerFactory } from '../client/informer-factory.ts';
import { DeletedFinalStateUnknown, type SharedIndexInformer } from '../client/informer.ts';
import { loadKubeconfig, type RestConfig } from '../client/kubeconfig.ts';
import { LeaderElector, LeaseLock } from '../client/leader-election.ts';
import { RestClient } from '../client/rest-client.ts';
import { createHealthServer, type HealthServer } from '../component-base/health-server.ts';
import { createLogger, type Logger } from '../component-base/logging.ts';
import { realClock, type Clock } from '../machinery/clock.ts';
import { Cache } from './cache/cache.ts';
import { defaultConfiguration, loadConfiguration, type SchedulerConfiguration } from './config.ts';
import { EventRecorder } from './events.ts';
import type { ClusterEvent, Listers, PodConditionUpdate } from './framework/interfaces.ts';
import { Framework } from './framework/runtime.ts';
import { schedulerMetrics, type SchedulerMetrics } from './metrics.ts';
import { defaultPlugins, inTreeRegistry } from './plugins/registry.ts';
import { Nominator } from './queue/nominator.ts';
import { SchedulingQueue } from './queue/scheduling-queue.ts';
import { scheduleOne, type ScheduleContext } from './schedule-one.ts';
import type { Node, Pod, PodDisruptionBudget, ReplicationController, SelectingController, Service } from './types.ts';
import { rfc3339 } from '../machinery/time.ts';

export interface KubeSchedulerOptions {
  /** Path of a kubeconfig; or give restConfig. */
  kubeconfig?: string;
  restConfig?: RestConfig;
  /** Profiles to serve when no configuration is given (default ["default-scheduler"]). */
  schedulerNames?: string[];
  /** A KubeSchedulerConfiguration file; or give config. */
  configFile?: string;
  config?: SchedulerConfiguration;
  leaderElect?: boolean;
  /** Lease timings (defaults: upstream's 15 s / 10 s / 2 s). */
  leaseDurationMs?: number;
  renewDeadlineMs?: number;
  retryPeriodMs?: number;
  /** Port of /healthz, /readyz, /metrics; 0 picks a free one; undefined serves none. */
  healthPort?: number;
  bindAddress?: string;
  clock?: Clock;
  random?: () => number;
  logger?: Logger;
  /** Leader election identity (default hostname_uuid). */
  identity?: string;
}

export interface KubeScheduler {
  start(signal?: AbortSignal): Promise<void>;
  /** Resolves once the informers have synced. */
  readonly ready: Promise<void>;
  close(): Promise<void>;
  /** The bound health port (0 when none is served). */
  readonly healthPort: number;
  readonly metrics: SchedulerMetrics;
  isLeader(): boolean;
}

const componentName = 'default-scheduler';

function nodeEvents(oldNode: Node, newNode: Node): ClusterEvent[] {
  const out: ClusterEvent[] = [];
  const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
  if (!same(oldNode.status?.allocatable, newNode.status?.allocatable)) out.push('NodeAllocatableChange');
  if (!same(oldNode.metadata?.labels, newNode.metadata?.labels)) out.push('NodeLabelChange');
  if (!same(oldNode.spec?.taints, newNode.spec?.taints) || !!oldNode.spec?.unschedulable !== !!newNode.spec?.unschedulable) out.push('NodeTaintChange');
  if (!same(oldNode.status?.images, newNode.status?.images)) out.push('NodeImagesChange');
  return out;
}

function isTerminal(pod: Pod): boolean {
  return pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed';
}

export function createKubeScheduler(options: KubeSchedulerOptions): KubeScheduler {
  const clock = options.clock ?? realClock;
  const random = options.random ?? Math.random;
  const log = options.logger ?? createLogger('kube-scheduler');
  const restConfig = options.restConfig ?? (options.kubeconfig ? loadKubeconfig(options.kubeconfig, { userAgent: 'kube-scheduler' }) : undefined);
  if (!restConfig) throw new Error('kube-scheduler: a kubeconfig or restConfig is required');
  const config = options.config ?? (options.configFile ? loadConfiguration(options.configFile) : defaultConfiguration(options.schedulerNames));
  const client = new RestClient(restConfig);
  const metrics = schedulerMetrics();
  const cache = new Cache({ clock, log: (m) => log.warn(m) });
  const identity = options.identity ?? `${hostname()}_${randomUUID()}`;

  const bindPod = async (pod: Pod, nodeName: string, signal: AbortSignal) => {
    const meta = pod.metadata ?? {};
    await client.create(
      { group: '', version: 'v1', resource: 'pods', namespace: meta.namespace, name: meta.name, subresource: 'binding' },
      { apiVersion: 'v1', kind: 'Binding', metadata: { name: meta.name, namespace: meta.namespace, uid: meta.uid }, target: { apiVersion: 'v1', kind: 'Node', name: nodeName } },
      { signal },
    );
  };
  const factory = new SharedInformerFactory(client, { clock, log: (m) => log.info(m) });
  const namespaceInformer = factory.informerFor<KubeObject>({ group: '', version: 'v1', resource: 'namespaces' });
  const namespaceLabels = (namespace: string) => namespaceInformer.indexer.getByKey(namespace)?.metadata?.labels;
  const stop = new AbortController();
  /** Preemption's evictions and nomination clearings in flight (close waits for them). */
  const preemptionWrites = new Set<Promise<void>>();
  const deletePod = (pod: Pod, condition: PodConditionUpdate) => {
    const meta = pod.metadata ?? {};
    const target = { group: '', version: 'v1', resource: 'pods', namespace: meta.namespace, name: meta.name };
    const eviction = (async () => {
      const now = rfc3339(clock.now());
      await client.patch({ ...target, subresource: 'status' }, { status: { conditions: [{ ...condition, lastProbeTime: null, lastTransitionTime: now }] } }, { type: 'strategic', signal: stop.signal });
      await client.delete(target, { signal: stop.signal });
      log.info('Preempted pod', { pod: `${meta.namespace}/${meta.name}` });
    })().catch((err: unknown) => log.warn('Error preempting pod', { pod: `${meta.namespace}/${meta.name}`, err }));
    preemptionWrites.add(eviction);
    void eviction.finally(() => preemptionWrites.delete(eviction));
  };
  const clearNominatedNodeName = (pod: Pod) => {
    const meta = pod.metadata ?? {};
    const target = { group: '', version: 'v1', resource: 'pods', namespace: meta.namespace, name: meta.name, subresource: 'status' };
    const write = client
      .patch(target, { status: { nominatedNodeName: null } }, { type: 'strategic', signal: stop.signal })
      .then(() => {})
      .catch((err: unknown) => log.warn('Error clearing nominatedNodeName', { pod: `${meta.namespace}/${meta.name}`, err }));
    preemptionWrites.add(write);
    void write.finally(() => preemptionWrites.delete(write));
  };
  const nominator = new Nominator({ isAssumed: (pod) => cache.isAssumed(pod) });
  const informerOf = <T extends KubeObject>(group: string, version: string, resource: string): SharedIndexInformer<T> => factory.informerFor<T>({ group, version, resource });
  const serviceInformer = informerOf<Service>('', 'v1', 'services');
  const rcInformer = informerOf<ReplicationController>('', 'v1', 'replicationcontrollers');
  const rsInformer = informerOf<SelectingController>('apps', 'v1', 'replicasets');
  const ssInformer = informerOf<SelectingController>('apps', 'v1', 'statefulsets');
  const pdbInformer = informerOf<PodDisruptionBudget>('policy', 'v1', 'poddisruptionbudgets');
  const listers: Listers = {
    services: (namespace) => serviceInformer.lister.namespace(namespace).list(),
    replicationController: (namespace, name) => rcInformer.lister.namespace(namespace).get(name),
    replicaSet: (namespace, name) => rsInformer.lister.namespace(namespace).get(name),
    statefulSet: (namespace, name) => ssInformer.lister.namespace(namespace).get(name),
    podDisruptionBudgets: () => pdbInformer.lister.list(),
  };
  const recorder = new EventRecorder(client, { component: componentName, instance: `${componentName}-${hostname()}`, clock, log: (m, f) => log.warn(m, f) });
  const recordEvent = (pod: Pod, type: 'Normal' | 'Warning', reason: string, action: string, message: string) => recorder.event(pod, type, reason, action, message);
  const profiles = new Map<string, Framework>();
  for (const profile of config.profiles) {
    profiles.set(profile.schedulerName, new Framework({ registry: inTreeRegistry, defaultPlugins, profile, nodeInfos: cache, clock, nominator, listers, bindPod, namespaceLabels, deletePod, clearNominatedNodeName, recordEvent }));
  }
  const anyProfile = profiles.values().next().value!;
  const queue = new SchedulingQueue({
    clock,
    initialBackoffMs: config.podInitialBackoffSeconds * 1000,
    maxBackoffMs: config.podMaxBackoffSeconds * 1000,
    eventsOf: (plugin) => anyProfile.eventsOf(plugin),
    nominator,
    onChange: (sizes) => {
      for (const [q, n] of Object.entries(sizes)) metrics.pendingPods.set({ queue: q }, n);
    },
  });

  const podInformer = factory.informerFor<Pod>({ group: '', version: 'v1', resource: 'pods', fieldSelector: 'status.phase!=Succeeded,status.phase!=Failed' });
  const nodeInformer = factory.informerFor<Node>({ group: '', version: 'v1', resource: 'nodes' });
  const responsible = (pod: Pod) => profiles.has(pod.spec?.schedulerName ?? 'default-scheduler');
  const unwrap = <T extends KubeObject>(obj: T | DeletedFinalStateUnknown<T>): T => (obj instanceof DeletedFinalStateUnknown ? obj.obj : obj);

  podInformer.addEventHandler({
    onAdd(pod) {
      if (pod.spec?.nodeName) {
        if (!isTerminal(pod)) {
          cache.addPod(pod);
          queue.moveAllToActiveOrBackoff('AssignedPodAdd');
        }
      } else if (responsible(pod) && !pod.metadata?.deletionTimestamp) queue.add(pod);
    },
    onUpdate(oldPod, newPod) {
      if (oldPod.spec?.nodeName) {
        if (isTerminal(newPod)) {
          cache.removePod(newPod);
          queue.moveAllToActiveOrBackoff('AssignedPodDelete');
        } else {
          cache.updatePod(newPod);
          if (JSON.stringify(oldPod.spec) !== JSON.stringify(newPod.spec) || JSON.stringify(oldPod.metadata?.labels) !== JSON.stringify(newPod.metadata?.labels)) {
            queue.moveAllToActiveOrBackoff('AssignedPodUpdate');
          }
        }
      } else if (newPod.spec?.nodeName) {
        queue.delete(newPod);
        if (!isTerminal(newPod)) cache.addPod(newPod);
      } else if (responsible(newPod)) {
        if (newPod.metadata?.deletionTimestamp) queue.delete(newPod);
        else queue.update(oldPod, newPod);
      }
    },
    onDelete(obj) {
      const pod = unwrap(obj);
      if (pod.spec?.nodeName) {
        cache.removePod(pod);
        queue.moveAllToActiveOrBackoff('AssignedPodDelete');
      } else {
        queue.delete(pod);
      }
    },
  });
  nodeInformer.addEventHandler({
    onAdd(node) {
      cache.addNode(node);
      queue.moveAllToActiveOrBackoff('NodeAdd');
    },
    onUpdate(oldNode, newNode) {
      cache.updateNode(newNode);
      for (const event of nodeEvents(oldNode, newNode)) queue.moveAllToActiveOrBackoff(event);
    },
    onDelete(obj) {
      cache.removeNode(unwrap(obj));
    },
  });

  const ctx: ScheduleContext = {
    cache,
    queue,
    profiles,
    recorder,
    metrics,
    clock,
    random,
    percentageOfNodesToScore: config.percentageOfNodesToScore,
    updatePodCondition: async (pod, condition, nominatedNodeName) => {
      const meta = pod.metadata ?? {};
      const patch = {
        status: {
          conditions: [{ ...condition, lastProbeTime: null, lastTransitionTime: rfc3339(clock.now()) }],
          ...(nominatedNodeName === undefined ? {} : { nominatedNodeName: nominatedNodeName || null }),
        },
      };
      await client.patch({ group: '', version: 'v1', resource: 'pods', namespace: meta.namespace, name: meta.name, subresource: 'status' }, patch, { type: 'strategic', signal: stop.signal });
    },
    log,
    signal: stop.signal,
    nextStartNodeIndex: 0,
    binding: new Set(),
  };

  let health: HealthServer | undefined;
  let running: Promise<void> | undefined;
  let leading = false;
  let resolveReady!: () => void;
  let rejectReady!: (err: unknown) => void;
  const ready = new Promise<void>((resolve, reject) => {
    resolveReady = resolve;
    rejectReady = reject;
  });
  ready.catch(() => {});

  async function scheduleLoop(signal: AbortSignal): Promise<void> {
    log.info('Starting scheduling', { profiles: [...profiles.keys()].join(',') });
    for (;;) {
      const info = await queue.pop(signal);
      if (!info) break;
      try {
        scheduleOne(ctx, info);
      } catch (err) {
        log.error('Unexpected error in scheduling cycle', { pod: info.key, err });
        queue.done(info.key);
      }
      // Let informer events and binding responses in between cycles.
      await new Promise<void>((r) => setImmediate(r));
    }
  }

  async function run(signal: AbortSignal): Promise<void> {
    if (!(await factory.waitForCacheSync(signal))) return;
    resolveReady();
    log.info('Informer caches are synced', { nodes: cache.nodeCount, pendingPods: queue.sizes().active });
    if (!options.leaderElect) {
      leading = true;
      return scheduleLoop(signal);
    }
    const elector = new LeaderElector({
      lock: new LeaseLock(client, { namespace: 'kube-system', name: 'kube-scheduler' }, identity),
      leaseDurationMs: options.leaseDurationMs,
      renewDeadlineMs: options.renewDeadlineMs,
      retryPeriodMs: options.retryPeriodMs,
      releaseOnCancel: true,
      name: 'kube-scheduler',
      clock,
      random,
      log: (m) => log.info(m),
      callbacks: {
        onStartedLeading: (leaderSignal) => {
          leading = true;
          metrics.leader.set({ name: 'kube-scheduler' }, 1);
          return scheduleLoop(leaderSignal);
        },
        onStoppedLeading: () => {
          leading = false;
          metrics.leader.set({ name: 'kube-scheduler' }, 0);
          log.warn('Leader election lost');
        },
        onNewLeader: (holder) => {
          if (holder !== identity) log.info('New leader elected', { leader: holder });
        },
      },
    });
    // Campaign again after losing the lease: the cache and queue stay current meanwhile.
    while (!signal.aborted) await elector.run(signal);
  }

  return {
    async start(signal?: AbortSignal) {
      if (running) return;
      if (signal) {
        if (signal.aborted) stop.abort();
        else signal.addEventListener('abort', () => stop.abort(), { once: true, signal: stop.signal });
      }
      if (options.healthPort !== undefined) {
        health = createHealthServer({
          port: options.healthPort,
          bindAddress: options.bindAddress,
          registry: metrics.registry,
          checks: { readyz: { 'sched-handler-sync': () => podInformer.hasSynced() && nodeInformer.hasSynced() && namespaceInformer.hasSynced() } },
        });
        await health.start();
        log.info('Serving health and metrics', { address: health.url });
      }
      factory.start(stop.signal);
      running = run(stop.signal).catch((err: unknown) => {
        log.error('Scheduler stopped on an error', { err });
        rejectReady(err);
      });
    },
    ready,
    async close() {
      stop.abort();
      queue.close();
      await running;
      await Promise.all([...ctx.binding, ...preemptionWrites]);
      await factory.shutdown();
      await recorder.flush();
      cache.close();
      client.close();
      await health?.close();
    },
    get healthPort() {
      return health?.port ?? 0;
    },
    metrics,
    isLeader: () => leading,
  };
}
