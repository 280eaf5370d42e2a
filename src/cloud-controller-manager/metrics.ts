// The cloud-controller-manager's Prometheus metrics: per-controller reconcile counts and
// durations, requeues, whether this process leads, and upstream's service controller figures
// (load balancer syncs, node sync errors).

import { controllerMetrics, type ControllerMetrics } from '../component-base/controller-metrics.ts';
import type { Registry } from '../component-base/metrics.ts';

export interface CloudMetrics extends ControllerMetrics {
  loadBalancerSynced(): void;
  nodeSyncFailed(): void;
}

export function cloudMetrics(registry: Registry): CloudMetrics {
  const lbSyncs = registry.counter('service_controller_loadbalancer_sync_total', 'A metric counting the amount of times any load balancer has been configured, as an effect of service/node changes on the cluster');
  const nodeSyncErrors = registry.counter('service_controller_nodesync_error_total', 'A metric counting the amount of times any load balancer has been configured and errored, as an effect of node changes on the cluster');
  return {
    ...controllerMetrics(registry, 'cloud-controller-manager'),
    loadBalancerSynced() {
      lbSyncs.inc();
    },
    nodeSyncFailed() {
      nodeSyncErrors.inc();
    },
  };
}
