// The cloud-controller-manager's Prometheus metrics: per-controller reconcile counts and
// durations, requeues, whether this process leads, and upstream's service controller figures
// (load balancer syncs, node sync errors).

import { exponentialBuckets, type Registry } from '../component-base/metrics.ts';

export interface CloudMetrics {
  reconciled(controller: string, result: 'success' | 'error', ms: number): void;
  retried(controller: string): void;
  setLeader(leading: boolean): void;
  loadBalancerSynced(): void;
  nodeSyncFailed(): void;
}

export function cloudMetrics(registry: Registry): CloudMetrics {
  const reconciles = registry.counter('controller_reconcile_total', 'Reconciles by controller and result.', ['controller', 'result']);
  const duration = registry.histogram('controller_reconcile_duration_seconds', 'Time spent in one reconcile.', ['controller'], exponentialBuckets(0.001, 2, 15));
  const retries = registry.counter('workqueue_retries_total', 'Total number of retries handled by workqueue', ['name']);
  const leader = registry.gauge('leader_election_master_status', 'Gauge of if the reporting system is master of the relevant lease, 0 indicates backup, 1 indicates master.', ['name']);
  const lbSyncs = registry.counter('service_controller_loadbalancer_sync_total', 'A metric counting the amount of times any load balancer has been configured, as an effect of service/node changes on the cluster');
  const nodeSyncErrors = registry.counter('service_controller_nodesync_error_total', 'A metric counting the amount of times any load balancer has been configured and errored, as an effect of node changes on the cluster');
  return {
    reconciled(controller, result, ms) {
      reconciles.inc({ controller, result });
      duration.observe({ controller }, ms / 1000);
    },
    retried(controller) {
      retries.inc({ name: controller });
    },
    setLeader(leading) {
      leader.set({ name: 'cloud-controller-manager' }, leading ? 1 : 0);
    },
    loadBalancerSynced() {
      lbSyncs.inc();
    },
    nodeSyncFailed() {
      nodeSyncErrors.inc();
    },
  };
}
