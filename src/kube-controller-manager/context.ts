// What every controller is built from: one API client, the process-wide shared informer
// factory, an event broadcaster, the clock, a logger and metrics; and the shape every
// controller has (run until the signal aborts, then resolve once its workers stopped).

import type { SharedInformerFactory } from '../client/informer-factory.ts';
import type { RestClient } from '../client/rest-client.ts';
import type { Logger } from '../component-base/logging.ts';
import type { Clock } from '../machinery/clock.ts';
import type { EventBroadcaster } from '../client/event-recorder.ts';
import type { ControllerMetrics } from '../component-base/controller-metrics.ts';

/** The client calls controllers make; tests pass a fake. */
export type ApiClient = Pick<RestClient, 'get' | 'list' | 'create' | 'update' | 'patch' | 'delete' | 'deleteCollection' | 'request'>;

export interface ControllerContext {
  client: RestClient;
  informers: SharedInformerFactory;
  events: EventBroadcaster;
  clock: Clock;
  log: Logger;
  metrics: ControllerMetrics;
  /** Concurrent reconciles for the controller being built. */
  workers: number;
  /** Tunables of individual controllers (upstream's per-controller flags); absent: upstream defaults. */
  settings?: ControllerSettings;
  /** PEM of the cluster CA that pods are given to verify the API server (--root-ca-file, else the client config's CA). */
  rootCA?: string;
}

export interface ControllerSettings {
  /** --node-monitor-grace-period: a node not heard from this long becomes Unknown (default 40 s). */
  nodeMonitorGracePeriodMs?: number;
  /** --node-monitor-period: how often node health is checked (default 5 s). */
  nodeMonitorPeriodMs?: number;
  /** --terminated-pod-gc-threshold: terminated pods kept before pod GC deletes the oldest (default 12500). */
  terminatedPodGCThreshold?: number;
  /** --node-eviction-rate: nodes per second tainted for eviction in a healthy zone (default 0.1). */
  nodeEvictionRate?: number;
  /** --secondary-node-eviction-rate: the same in a partially disrupted large zone (default 0.01). */
  secondaryNodeEvictionRate?: number;
  /** --large-cluster-size-threshold: zones above it use the secondary rate, smaller ones stop (default 50). */
  largeClusterSizeThreshold?: number;
  /** --unhealthy-zone-threshold: share of not-Ready nodes that makes a zone partially disrupted (default 0.55). */
  unhealthyZoneThreshold?: number;
}

export interface Controller {
  readonly name: string;
  /** Waits for its caches, then reconciles until `signal` aborts; resolves when its workers stopped. */
  run(signal: AbortSignal): Promise<void>;
}
