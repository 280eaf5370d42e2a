// The route controller (upstream controllers/route, "node-route-controller"), run when the cloud
// has Routes. One route per podCIDR of each node: a missing one is created (named by the cloud,
// with the node's uid as hint), one whose target lost its CIDR, a blackhole, or one for a node
// gone is deleted (only routes inside --cluster-cidr when that is given). Each node with a
// podCIDR then gets its NetworkUnavailable condition: False/RouteCreated once all its routes
// exist, True/NoRouteCreated otherwise. It reconciles on node changes (podCIDRs, addresses, node
// added or removed) and at least every routeReconciliationPeriod (10 s); a failure retries with
// back-off. A route the cloud refuses to create records FailedToCreateRoute on the node.

import { isConflict, isNotFound } from '../../../client/api-errors.ts';
import type { EventRecorder } from '../../../client/event-recorder.ts';
import type { SharedIndexInformer } from '../../../client/informer.ts';
import { WorkQueue } from '../../../client/workqueue.ts';
import type { Logger } from '../../../component-base/logging.ts';
import type { Clock } from '../../../machinery/clock.ts';
import type { Route, Routes } from '../../cloudprovider/cloud.ts';
import type { ApiClient, Controller } from '../../context.ts';
import type { CloudMetrics } from '../../metrics.ts';
import { names } from '../../names.ts';
import type { Condition, Node } from '../../types.ts';
import { runWorkers } from '../../../component-base/controller-worker.ts';
import { cidrContains } from '../../cidr.ts';
import { rfc3339 } from '../../../machinery/time.ts';

const nodesRef = { group: '', version: 'v1', resource: 'nodes' };
const routesKey = 'routes';

export interface RouteControllerOptions {
  client: ApiClient;
  nodes: SharedIndexInformer<Node>;
  routes: Routes;
  clusterName: string;
  /** Only routes inside these are deleted; empty: every route the cloud lists for the cluster. */
  clusterCIDRs?: string[];
  recorder: EventRecorder;
  clock: Clock;
  log: Logger;
  metrics?: CloudMetrics;
  reconciliationPeriodMs?: number;
}

export function podCIDRsOf(node: Node): string[] {
  const cidrs = node.spec?.podCIDRs ?? [];
  if (cidrs.length) return cidrs;
  return node.spec?.podCIDR ? [node.spec.podCIDR] : [];
}

const errText = (err: unknown) => (err instanceof Error ? err.message : String(err));

export class RouteController implements Controller {
  readonly name = names.nodeRoute;
  readonly #o: RouteControllerOptions;
  readonly #queue: WorkQueue<string>;

  constructor(options: RouteControllerOptions) {
    this.#o = options;
    this.#queue = new WorkQueue<string>({ name: 'Routes', clock: options.clock });
    const enqueue = () => this.#queue.add(routesKey);
    options.nodes.addEventHandler({
      onAdd: enqueue,
      onUpdate: (old, cur) => {
        if (JSON.stringify(podCIDRsOf(old)) !== JSON.stringify(podCIDRsOf(cur)) || JSON.stringify(old.status?.addresses ?? []) !== JSON.stringify(cur.status?.addresses ?? [])) enqueue();
      },
      onDelete: enqueue,
    });
  }

  async run(signal: AbortSignal): Promise<void> {
    if (!(await this.#o.nodes.waitForSync(signal))) return;
    this.#queue.add(routesKey);
    const period = this.#o.reconciliationPeriodMs ?? 10_000;
    await runWorkers(
      {
        name: this.name,
        queue: this.#queue,
        workers: 1,
        reconcile: async () => {
          await this.reconcileNodeRoutes();
          return { requeueAfterMs: period };
        },
        log: this.#o.log,
        metrics: this.#o.metrics,
      },
      signal,
    );
  }

  #responsibleFor(route: Route): boolean {
    const cidrs = this.#o.clusterCIDRs ?? [];
    return cidrs.length === 0 || cidrs.some((c) => cidrContains(c, route.destinationCIDR));
  }

  async reconcileNodeRoutes(): Promise<void> {
    const { routes, clusterName, log } = this.#o;
    const existing = await routes.listRoutes(clusterName);
    const nodes = this.#o.nodes.lister.list();
    const wanted = new Map<string, Set<string>>(nodes.map((n) => [n.metadata.name!, new Set(podCIDRsOf(n))]));
    const have = new Map<string, Set<string>>();
    for (const route of existing) {
      if (!route.targetNode) continue;
      const keep = !route.blackhole && wanted.get(route.targetNode)?.has(route.destinationCIDR);
      if (keep) {
        (have.get(route.targetNode) ?? have.set(route.targetNode, new Set()).get(route.targetNode)!).add(route.destinationCIDR);
        continue;
      }
      if (!this.#responsibleFor(route)) continue;
      log.info('Deleting route', { route: route.name, cidr: route.destinationCIDR, node: route.targetNode });
      try {
        await routes.deleteRoute(clusterName, route);
      } catch (err) {
        log.warn('Could not delete route', { route: route.name, cidr: route.destinationCIDR, err: errText(err) });
      }
    }
    let failures = 0;
    for (const node of nodes) {
      const name = node.metadata.name!;
      const cidrs = podCIDRsOf(node);
      if (cidrs.length === 0) continue;
      let allCreated = true;
      for (const cidr of cidrs) {
        if (have.get(name)?.has(cidr)) continue;
        const route: Route = { targetNode: name, targetNodeAddresses: node.status?.addresses ?? [], destinationCIDR: cidr };
        const started = performance.now();
        try {
          await routes.createRoute(clusterName, node.metadata.uid ?? name, route);
          log.info('Created route for node', { node: name, cidr });
        } catch (err) {
          allCreated = false;
          failures++;
          const message = `Could not create route ${node.metadata.uid ?? ''} ${cidr} for node ${name} after ${Math.round(performance.now() - started)}ms: ${errText(err)}`;
          this.#o.recorder.event({ apiVersion: 'v1', kind: 'Node', metadata: { name, uid: node.metadata.uid } }, 'Warning', 'FailedToCreateRoute', message);
        }
      }
      try {
        await this.#setNetworkCondition(node, allCreated);
      } catch (err) {
        if (!isConflict(err) && !isNotFound(err)) throw err;
        failures++;
      }
    }
    if (failures) throw new Error(`${failures} route operations failed`);
  }

  async #setNetworkCondition(node: Node, routesCreated: boolean): Promise<void> {
    const current = node.status?.conditions?.find((c) => c.type === 'NetworkUnavailable');
    const want: Condition = routesCreated
      ? { type: 'NetworkUnavailable', status: 'False', reason: 'RouteCreated', message: 'RouteController created a route' }
      : { type: 'NetworkUnavailable', status: 'True', reason: 'NoRouteCreated', message: 'RouteController failed to create a route' };
    if (current?.status === want.status && current.reason === want.reason) return;
    const now = rfc3339(this.#o.clock.now());
    const next = structuredClone(node) as Node;
    const conditions = (next.status?.conditions ?? []).filter((c) => c.type !== 'NetworkUnavailable');
    conditions.push({ ...want, lastHeartbeatTime: now, lastTransitionTime: current?.status === want.status ? current.lastTransitionTime : now });
    next.status = { ...(next.status ?? {}), conditions };
    await this.#o.client.update<Node>({ ...nodesRef, name: node.metadata.name, subresource: 'status' }, next);
  }
}
