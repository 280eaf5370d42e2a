// The one table of controllers: name (as upstream), the aliases --controllers accepts, the
// default number of concurrent reconciles (upstream's --concurrent-*-syncs defaults), and how
// to build it from the shared context. Selection follows upstream's IsControllerEnabled:
// an exact name enables, "-name" disables, "*" enables every controller not disabled by default.

import type { Controller, ControllerContext } from './context.ts';
import { DaemonSetController, type ControllerRevision, type DaemonSet } from './controllers/daemonset/daemonset-controller.ts';
import type { StatefulSet } from './controllers/statefulset/stateful-pod.ts';
import { StatefulSetController } from './controllers/statefulset/statefulset-controller.ts';
import { DeploymentController } from './controllers/deployment/deployment-controller.ts';
import { DisruptionController, type PodDisruptionBudget } from './controllers/disruption/disruption-controller.ts';
import { EndpointsController, type Endpoints } from './controllers/endpoints/endpoints-controller.ts';
import type { Service } from './controllers/endpoints/service-pods.ts';
import { EndpointSliceController } from './controllers/endpointslice/endpointslice-controller.ts';
import type { EndpointSlice } from './controllers/endpointslice/reconciler.ts';
import { NodeLifecycleController, type Lease, type Node } from './controllers/nodelifecycle/node-lifecycle-controller.ts';
import { TaintEvictionController } from './controllers/nodelifecycle/taint-eviction-controller.ts';
import { PodGCController } from './controllers/podgc/podgc-controller.ts';
import { GarbageCollector } from './controllers/garbagecollector/garbage-collector.ts';
import { NamespaceController } from './controllers/namespace/namespace-controller.ts';
import { ReplicaSetController } from './controllers/replicaset/replica-set-controller.ts';
import type { ReplicationController } from './controllers/replicationcontroller/conversion.ts';
import { ReplicationManager, controllerName as replicationControllerName, eventComponent as replicationControllerEvents } from './controllers/replicationcontroller/replication-manager.ts';
import { ResourceQuotaController, controllerName as resourceQuotaName } from './controllers/resourcequota/resource-quota-controller.ts';
import { ServiceAccountsController } from './controllers/serviceaccount/serviceaccounts-controller.ts';
import { Publisher as RootCACertPublisher, rootCACertConfigMapName, type ConfigMap } from './controllers/rootcacertpublisher/publisher.ts';
import { CronJobController, type CronJob } from './controllers/cronjob/cronjob-controller.ts';
import { JobController, type Job } from './controllers/job/job-controller.ts';
import { TTLAfterFinishedController } from './controllers/ttlafterfinished/ttl-after-finished-controller.ts';
import { discoverResources } from './discovery.ts';
import { names } from './names.ts';
import type { Deployment, KubeObject, Namespace, Pod, ReplicaSet } from './types.ts';

export interface ControllerDescriptor {
  name: string;
  aliases: string[];
  disabledByDefault?: boolean;
  defaultWorkers: number;
  create(ctx: ControllerContext): Controller;
}

const core = (resource: string) => ({ group: '', version: 'v1', resource });
const apps = (resource: string) => ({ group: 'apps', version: 'v1', resource });

/** What every controller takes from the manager: the API client, clock, logger, workers and metrics. */
function common(ctx: ControllerContext) {
  return { client: ctx.client, clock: ctx.clock, log: ctx.log, workers: ctx.workers, metrics: ctx.metrics };
}

export const controllers: ControllerDescriptor[] = [
  {
    name: names.serviceAccount,
    aliases: ['serviceaccount'],
    defaultWorkers: 1,
    create: (ctx) =>
      new ServiceAccountsController({
        ...common(ctx),
        namespaces: ctx.informers.informerFor<Namespace>(core('namespaces')),
        serviceAccounts: ctx.informers.informerFor<KubeObject>(core('serviceaccounts')),
      }),
  },
  {
    name: names.rootCACertificatePublisher,
    aliases: ['root-ca-cert-publisher'],
    defaultWorkers: 1,
    create: (ctx) =>
      new RootCACertPublisher({
        ...common(ctx),
        namespaces: ctx.informers.informerFor<Namespace>(core('namespaces')),
        configMaps: ctx.informers.informerFor<ConfigMap>({ ...core('configmaps'), fieldSelector: `metadata.name=${rootCACertConfigMapName}` }),
        rootCA: ctx.rootCA ?? '',
      }),
  },
  {
    name: names.namespace,
    aliases: ['namespace'],
    defaultWorkers: 10,
    create: (ctx) =>
      new NamespaceController({
        ...common(ctx),
        namespaces: ctx.informers.informerFor<Namespace>(core('namespaces')),
        discover: () => discoverResources(ctx.client),
      }),
  },
  {
    name: names.replicaSet,
    aliases: ['replicaset'],
    defaultWorkers: 5,
    create: (ctx) =>
      new ReplicaSetController({
        ...common(ctx),
        replicaSets: ctx.informers.informerFor<ReplicaSet>(apps('replicasets')),
        pods: ctx.informers.informerFor<Pod>(core('pods')),
        recorder: ctx.events.recorderFor(names.replicaSet),
      }),
  },
  {
    name: replicationControllerName,
    aliases: ['replicationcontroller'],
    defaultWorkers: 5,
    create: (ctx) =>
      new ReplicationManager({
        ...common(ctx),
        replicationControllers: ctx.informers.informerFor<ReplicationController>(core('replicationcontrollers')),
        pods: ctx.informers.informerFor<Pod>(core('pods')),
        recorder: ctx.events.recorderFor(replicationControllerEvents),
      }),
  },
  {
    name: resourceQuotaName,
    aliases: ['resourcequota'],
    defaultWorkers: 5,
    create: (ctx) =>
      new ResourceQuotaController({
        ...common(ctx),
        quotas: ctx.informers.informerFor<KubeObject>(core('resourcequotas')),
        informers: ctx.informers,
        discover: () => discoverResources(ctx.client),
      }),
  },
  {
    name: names.deployment,
    aliases: ['deployment'],
    defaultWorkers: 5,
    create: (ctx) =>
      new DeploymentController({
        ...common(ctx),
        deployments: ctx.informers.informerFor<Deployment>(apps('deployments')),
        replicaSets: ctx.informers.informerFor<ReplicaSet>(apps('replicasets')),
        pods: ctx.informers.informerFor<Pod>(core('pods')),
        recorder: ctx.events.recorderFor(names.deployment),
      }),
  },
  {
    name: names.daemonSet,
    aliases: ['daemonset'],
    defaultWorkers: 2,
    create: (ctx) =>
      new DaemonSetController({
        ...common(ctx),
        daemonSets: ctx.informers.informerFor<DaemonSet>(apps('daemonsets')),
        pods: ctx.informers.informerFor<Pod>(core('pods')),
        nodes: ctx.informers.informerFor<Node>(core('nodes')),
        revisions: ctx.informers.informerFor<ControllerRevision>(apps('controllerrevisions')),
        recorder: ctx.events.recorderFor(names.daemonSet),
      }),
  },
  {
    name: names.statefulSet,
    aliases: ['statefulset'],
    defaultWorkers: 5,
    create: (ctx) =>
      new StatefulSetController({
        ...common(ctx),
        statefulSets: ctx.informers.informerFor<StatefulSet>(apps('statefulsets')),
        pods: ctx.informers.informerFor<Pod>(core('pods')),
        revisions: ctx.informers.informerFor<ControllerRevision>(apps('controllerrevisions')),
        recorder: ctx.events.recorderFor(names.statefulSet),
      }),
  },
  {
    name: names.disruption,
    aliases: ['disruption'],
    defaultWorkers: 1,
    create: (ctx) =>
      new DisruptionController({
        ...common(ctx),
        podDisruptionBudgets: ctx.informers.informerFor<PodDisruptionBudget>({ group: 'policy', version: 'v1', resource: 'poddisruptionbudgets' }),
        pods: ctx.informers.informerFor<Pod>(core('pods')),
        replicationControllers: ctx.informers.informerFor<ReplicationController>(core('replicationcontrollers')),
        replicaSets: ctx.informers.informerFor<ReplicaSet>(apps('replicasets')),
        deployments: ctx.informers.informerFor<Deployment>(apps('deployments')),
        statefulSets: ctx.informers.informerFor<StatefulSet>(apps('statefulsets')),
        recorder: ctx.events.recorderFor('controllermanager'),
      }),
  },
  {
    name: names.garbageCollector,
    aliases: ['garbagecollector', 'garbage-collector'],
    defaultWorkers: 20,
    create: (ctx) =>
      new GarbageCollector({
        ...common(ctx),
        informers: ctx.informers,
        discover: () => discoverResources(ctx.client),
      }),
  },
  {
    name: names.job,
    aliases: ['job'],
    defaultWorkers: 5,
    create: (ctx) =>
      new JobController({
        ...common(ctx),
        jobs: ctx.informers.informerFor<Job>({ group: 'batch', version: 'v1', resource: 'jobs' }),
        pods: ctx.informers.informerFor<Pod>(core('pods')),
        recorder: ctx.events.recorderFor(names.job),
      }),
  },
  {
    name: names.endpoints,
    aliases: ['endpoint'],
    defaultWorkers: 5,
    create: (ctx) =>
      new EndpointsController({
        ...common(ctx),
        services: ctx.informers.informerFor<Service>(core('services')),
        pods: ctx.informers.informerFor<Pod>(core('pods')),
        endpoints: ctx.informers.informerFor<Endpoints>(core('endpoints')),
      }),
  },
  {
    name: names.endpointSlice,
    aliases: ['endpointslice'],
    defaultWorkers: 5,
    create: (ctx) =>
      new EndpointSliceController({
        ...common(ctx),
        services: ctx.informers.informerFor<Service>(core('services')),
        pods: ctx.informers.informerFor<Pod>(core('pods')),
        nodes: ctx.informers.informerFor<KubeObject>(core('nodes')),
        endpointSlices: ctx.informers.informerFor<EndpointSlice>({ group: 'discovery.k8s.io', version: 'v1', resource: 'endpointslices' }),
      }),
  },
  {
    name: names.podGarbageCollector,
    aliases: ['podgc'],
    defaultWorkers: 1,
    create: (ctx) =>
      new PodGCController({
        client: ctx.client,
        pods: ctx.informers.informerFor<Pod>(core('pods')),
        nodes: ctx.informers.informerFor<Node>(core('nodes')),
        clock: ctx.clock,
        log: ctx.log,
        metrics: ctx.metrics,
        terminatedPodGCThreshold: ctx.settings?.terminatedPodGCThreshold,
      }),
  },
  {
    name: names.nodeLifecycle,
    aliases: ['nodelifecycle'],
    defaultWorkers: 1,
    create: (ctx) =>
      new NodeLifecycleController({
        client: ctx.client,
        nodes: ctx.informers.informerFor<Node>(core('nodes')),
        leases: ctx.informers.informerFor<Lease>({ group: 'coordination.k8s.io', version: 'v1', resource: 'leases', namespace: 'kube-node-lease' }),
        recorder: ctx.events.recorderFor('node-controller'),
        clock: ctx.clock,
        log: ctx.log,
        metrics: ctx.metrics,
        nodeMonitorGracePeriodMs: ctx.settings?.nodeMonitorGracePeriodMs,
        nodeMonitorPeriodMs: ctx.settings?.nodeMonitorPeriodMs,
        nodeEvictionRate: ctx.settings?.nodeEvictionRate,
        secondaryNodeEvictionRate: ctx.settings?.secondaryNodeEvictionRate,
        largeClusterSizeThreshold: ctx.settings?.largeClusterSizeThreshold,
        unhealthyZoneThreshold: ctx.settings?.unhealthyZoneThreshold,
      }),
  },
  {
    name: names.taintEviction,
    aliases: ['taint-eviction-controller'],
    defaultWorkers: 8,
    create: (ctx) =>
      new TaintEvictionController({
        ...common(ctx),
        pods: ctx.informers.informerFor<Pod>(core('pods')),
        nodes: ctx.informers.informerFor<Node>(core('nodes')),
        recorder: ctx.events.recorderFor('taint-eviction-controller'),
      }),
  },
  {
    name: names.cronJob,
    aliases: ['cronjob'],
    defaultWorkers: 5,
    create: (ctx) =>
      new CronJobController({
        ...common(ctx),
        cronJobs: ctx.informers.informerFor<CronJob>({ group: 'batch', version: 'v1', resource: 'cronjobs' }),
        jobs: ctx.informers.informerFor<Job>({ group: 'batch', version: 'v1', resource: 'jobs' }),
        recorder: ctx.events.recorderFor(names.cronJob),
      }),
  },
  {
    name: names.ttlAfterFinished,
    aliases: ['ttl-after-finished'],
    defaultWorkers: 5,
    create: (ctx) =>
      new TTLAfterFinishedController({
        ...common(ctx),
        jobs: ctx.informers.informerFor<Job>({ group: 'batch', version: 'v1', resource: 'jobs' }),
      }),
  },
];

/** The descriptor a name or alias refers to. */
export function lookupController(name: string): ControllerDescriptor | undefined {
  return controllers.find((c) => c.name === name || c.aliases.includes(name));
}

/** IsControllerEnabled over names and aliases; unknown names in `selection` are an error. */
export function enabledControllers(selection: readonly string[]): ControllerDescriptor[] {
  for (const s of selection) {
    const bare = s.startsWith('-') ? s.slice(1) : s;
    if (s !== '*' && !lookupController(bare)) throw new Error(`"${bare}" is not in the list of known controllers`);
  }
  return controllers.filter((c) => {
    const all = [c.name, ...c.aliases];
    let star = false;
    for (const s of selection) {
      if (all.includes(s)) return true;
      if (s.startsWith('-') && all.includes(s.slice(1))) return false;
      if (s === '*') star = true;
    }
    return star && !c.disabledByDefault;
  });
}
