// The Prometheus metrics every controller manager (kube-, cloud-) has: per-controller reconcile
// counts and durations, requeues, and whether this process leads (upstream's
// leader_election_master_status, labelled with the component's name).

import type { WorkerMetrics } from './controller-worker.ts';
import { exponentialBuckets, type Registry } from './metrics.ts';

export interface ControllerMetrics extends WorkerMetrics {
  setLeader(leading: boolean): void;
}

export function controllerMetrics(registry: Registry, component: string): ControllerMetrics {
  const reconciles = registry.counter('controller_reconcile_total', 'Reconciles by controller and result.', ['controller', 'result']);
  const duration = registry.histogram('controller_reconcile_duration_seconds', 'Time spent in one reconcile.', ['controller'], exponentialBuckets(0.001, 2, 15));
  const retries = registry.counter('workqueue_retries_total', 'Total number of retries handled by workqueue', ['name']);
  const leader = registry.gauge('leader_election_master_status', 'Gauge of if the reporting system is master of the relevant lease, 0 indicates backup, 1 indicates master.', ['name']);
  return {
    reconciled(controller, result, ms) {
      reconciles.inc({ controller, result });
      duration.observe({ controller }, ms / 1000);
    },
    retried(controller) {
      retries.inc({ name: controller });
    },
    setLeader(leading) {
      leader.set({ name: component }, leading ? 1 : 0);
    },
  };
}
