// The one table of controllers: name (as upstream), the aliases --controllers accepts, the
// default number of concurrent reconciles (upstream's --concurrent-*-syncs defaults), and how
// to build it from the shared context. Selection follows upstream's IsControllerEnabled:
// an exact name enables, "-name" disables, "*" enables every controller not disabled by default.

import type { Controller, ControllerContext } from './context.ts';
import { DeploymentController } from './controllers/deployment/deployment-controller.ts';
import { GarbageCollector } from './controllers/garbagecollector/garbage-collector.ts';
import { NamespaceController } from './controllers/namespace/namespace-controller.ts';
import { ReplicaSetController } from './controllers/replicaset/replica-set-controller.ts';
import { ServiceAccountsController } from './controllers/serviceaccount/serviceaccounts-controller.ts';
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

export const controllers: ControllerDescriptor[] = [
  {
    name: names.serviceAccount,
    aliases: ['serviceaccount'],
    defaultWorkers: 1,
    create: (ctx) =>
      new ServiceAccountsController({
        client: ctx.client,
        namespaces: ctx.informers.informerFor<Namespace>(core('namespaces')),
        serviceAccounts: ctx.informers.informerFor<KubeObject>(core('serviceaccounts')),
        clock: ctx.clock,
        log: ctx.log,
        workers: ctx.workers,
        metrics: ctx.metrics,
      }),
  },
  {
    name: names.namespace,
    aliases: ['namespace'],
    defaultWorkers: 10,
    create: (ctx) =>
      new NamespaceController({
        client: ctx.client,
        namespaces: ctx.informers.informerFor<Namespace>(core('namespaces')),
        discover: () => discoverResources(ctx.client),
        clock: ctx.clock,
        log: ctx.log,
        workers: ctx.workers,
        metrics: ctx.metrics,
      }),
  },
  {
    name: names.replicaSet,
    aliases: ['replicaset'],
    defaultWorkers: 5,
    create: (ctx) =>
      new ReplicaSetController({
        client: ctx.client,
        replicaSets: ctx.informers.informerFor<ReplicaSet>(apps('replicasets')),
        pods: ctx.informers.informerFor<Pod>(core('pods')),
        recorder: ctx.events.recorderFor(names.replicaSet),
        clock: ctx.clock,
        log: ctx.log,
        workers: ctx.workers,
        metrics: ctx.metrics,
      }),
  },
  {
    name: names.deployment,
    aliases: ['deployment'],
    defaultWorkers: 5,
    create: (ctx) =>
      new DeploymentController({
        client: ctx.client,
        deployments: ctx.informers.informerFor<Deployment>(apps('deployments')),
        replicaSets: ctx.informers.informerFor<ReplicaSet>(apps('replicasets')),
        pods: ctx.informers.informerFor<Pod>(core('pods')),
        recorder: ctx.events.recorderFor(names.deployment),
        clock: ctx.clock,
        log: ctx.log,
        workers: ctx.workers,
        metrics: ctx.metrics,
      }),
  },
  {
    name: names.garbageCollector,
    aliases: ['garbagecollector', 'garbage-collector'],
    defaultWorkers: 20,
    create: (ctx) =>
      new GarbageCollector({
        client: ctx.client,
        informers: ctx.informers,
        discover: () => discoverResources(ctx.client),
        clock: ctx.clock,
        log: ctx.log,
        workers: ctx.workers,
        metrics: ctx.metrics,
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
