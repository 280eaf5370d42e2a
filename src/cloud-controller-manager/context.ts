// What every cloud controller is built from: the API client, the shared informer factory of the
// current leadership term, an event broadcaster, the cloud provider, the clock, a logger, metrics
// and the tunables of the component; and the shape every controller has (run until the signal
// aborts, then resolve once its workers stopped).

import type { EventBroadcaster } from '../client/event-recorder.ts';
import type { SharedInformerFactory } from '../client/informer-factory.ts';
import type { RestClient } from '../client/rest-client.ts';
import type { Logger } from '../component-base/logging.ts';
import type { Clock } from '../machinery/clock.ts';
import type { CloudProvider } from './cloudprovider/cloud.ts';
import type { CloudMetrics } from './metrics.ts';

/** The client calls controllers make; tests pass a fake. */
export type ApiClient = Pick<RestClient, 'get' | 'list' | 'create' | 'update' | 'patch' | 'delete'>;

export interface ControllerSettings {
  /** --cluster-name: load balancers and routes are named within it (default "kubernetes"). */
  clusterName: string;
  /** --node-status-update-frequency: how often node addresses are refreshed from the cloud (default 5 min). */
  nodeStatusUpdateFrequencyMs: number;
  /** --node-monitor-period: how often the cloud node lifecycle controller looks at nodes (default 5 s). */
  nodeMonitorPeriodMs: number;
  /** --route-reconciliation-period: routes are reconciled at least this often (default 10 s). */
  routeReconciliationPeriodMs: number;
  /** --cluster-cidr: the route controller deletes only routes inside these (none: every route it lists). */
  clusterCIDRs: string[];
  /** --concurrent-service-syncs (default 1). */
  concurrentServiceSyncs: number;
  /** --concurrent-node-syncs (default 1). */
  concurrentNodeSyncs: number;
}

export const defaultControllerSettings: ControllerSettings = {
  clusterName: 'kubernetes',
  nodeStatusUpdateFrequencyMs: 5 * 60_000,
  nodeMonitorPeriodMs: 5_000,
  routeReconciliationPeriodMs: 10_000,
  clusterCIDRs: [],
  concurrentServiceSyncs: 1,
  concurrentNodeSyncs: 1,
};

export interface ControllerContext {
  client: RestClient;
  informers: SharedInformerFactory;
  events: EventBroadcaster;
  cloud: CloudProvider;
  clock: Clock;
  log: Logger;
  metrics: CloudMetrics;
  settings: ControllerSettings;
}

export interface Controller {
  readonly name: string;
  /** Waits for its caches, then reconciles until `signal` aborts; resolves when its workers stopped. */
  run(signal: AbortSignal): Promise<void>;
}

/** Resolves after `ms` on the clock, or at once when `signal` aborts. */
export function sleep(clock: Clock, ms: number, signal: AbortSignal): Promise<void> {
  return new Promise<void>((resolve) => {
    if (signal.aborted) return resolve();
    const abort = () => {
      clock.clearTimeout(timer);
      resolve();
    };
    const timer = clock.setTimeout(() => {
      signal.removeEventListener('abort', abort);
      resolve();
    }, ms);
    signal.addEventListener('abort', abort, { once: true });
  });
}
