// The one table of cloud controllers: name (as upstream; aliases in names.ts), and how to build it from the
// shared context, or why not (the cloud lacks the interface it needs, which upstream logs and
// skips). Selection follows upstream's --controllers: "*" enables all, "name" one, "-name" disables.

import type { CloudProvider } from './cloudprovider/cloud.ts';
import { instancesV2Of } from './cloudprovider/instances-v2.ts';
import type { Controller, ControllerContext } from './context.ts';
import { CloudNodeLifecycleController } from './controllers/node-lifecycle/cloud-node-lifecycle-controller.ts';
import { CloudNodeController } from './controllers/node/cloud-node-controller.ts';
import { RouteController } from './controllers/route/route-controller.ts';
import { ServiceController } from './controllers/service/service-controller.ts';
import { aliases, names } from './names.ts';
import type { Node, Service } from './types.ts';

export interface ControllerDescriptor {
  name: string;
  /** Why this cloud cannot run it; undefined when it can. */
  unsupported(cloud: CloudProvider): string | undefined;
  create(ctx: ControllerContext): Controller;
}

const nodes = (ctx: ControllerContext) => ctx.informers.informerFor<Node>({ group: '', version: 'v1', resource: 'nodes' });
const noInstances = (cloud: CloudProvider) => (instancesV2Of(cloud) ? undefined : 'the cloud provider does not support instances');

export const controllers: ControllerDescriptor[] = [
  {
    name: names.cloudNode,
    unsupported: noInstances,
    create: (ctx) =>
      new CloudNodeController({
        client: ctx.client,
        nodes: nodes(ctx),
        instances: instancesV2Of(ctx.cloud)!,
        recorder: ctx.events.recorderFor('cloud-node-controller'),
        clock: ctx.clock,
        log: ctx.log.child(names.cloudNode),
        metrics: ctx.metrics,
        workers: ctx.settings.concurrentNodeSyncs,
        nodeStatusUpdateFrequencyMs: ctx.settings.nodeStatusUpdateFrequencyMs,
      }),
  },
  {
    name: names.cloudNodeLifecycle,
    unsupported: noInstances,
    create: (ctx) =>
      new CloudNodeLifecycleController({
        client: ctx.client,
        nodes: nodes(ctx),
        instances: instancesV2Of(ctx.cloud)!,
        recorder: ctx.events.recorderFor('cloud-node-lifecycle-controller'),
        clock: ctx.clock,
        log: ctx.log.child(names.cloudNodeLifecycle),
        metrics: ctx.metrics,
        nodeMonitorPeriodMs: ctx.settings.nodeMonitorPeriodMs,
      }),
  },
  {
    name: names.serviceLB,
    unsupported: (cloud) => (cloud.loadBalancer() ? undefined : 'the cloud provider does not support external load balancers'),
    create: (ctx) =>
      new ServiceController({
        client: ctx.client,
        services: ctx.informers.informerFor<Service>({ group: '', version: 'v1', resource: 'services' }),
        nodes: nodes(ctx),
        balancer: ctx.cloud.loadBalancer()!,
        clusterName: ctx.settings.clusterName,
        recorder: ctx.events.recorderFor('service-controller'),
        clock: ctx.clock,
        log: ctx.log.child(names.serviceLB),
        metrics: ctx.metrics,
        workers: ctx.settings.concurrentServiceSyncs,
      }),
  },
  {
    name: names.nodeRoute,
    unsupported: (cloud) => (cloud.routes() ? undefined : 'the cloud provider does not support routes'),
    create: (ctx) =>
      new RouteController({
        client: ctx.client,
        nodes: nodes(ctx),
        routes: ctx.cloud.routes()!,
        clusterName: ctx.settings.clusterName,
        clusterCIDRs: ctx.settings.clusterCIDRs,
        recorder: ctx.events.recorderFor('route_controller'),
        clock: ctx.clock,
        log: ctx.log.child(names.nodeRoute),
        metrics: ctx.metrics,
        reconciliationPeriodMs: ctx.settings.routeReconciliationPeriodMs,
      }),
  },
];

/** The descriptors a --controllers selection enables; unknown names are an error. */
export function enabledControllers(selection: readonly string[]): ControllerDescriptor[] {
  const canonical = (s: string) => aliases[s] ?? s;
  for (const s of selection) {
    const bare = canonical(s.startsWith('-') ? s.slice(1) : s);
    if (s !== '*' && !controllers.some((c) => c.name === bare)) throw new Error(`"${s.replace(/^-/, '')}" is not in the list of known controllers`);
  }
  return controllers.filter((c) => {
    let star = false;
    for (const s of selection) {
      if (canonical(s) === c.name) return true;
      if (s.startsWith('-') && canonical(s.slice(1)) === c.name) return false;
      if (s === '*') star = true;
    }
    return star;
  });
}
