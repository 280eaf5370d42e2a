// kube-proxy's metrics, under upstream's names and buckets (pkg/proxy/metrics).

import { exponentialBuckets, Registry, type Counter, type Gauge, type Histogram } from '../component-base/metrics.ts';

export interface ProxyMetrics {
  readonly registry: Registry;
  /** kubeproxy_sync_proxy_rules_duration_seconds */
  readonly syncProxyRulesLatency: Histogram;
  /** kubeproxy_sync_proxy_rules_last_timestamp_seconds */
  readonly syncProxyRulesLastTimestamp: Gauge;
  /** kubeproxy_sync_proxy_rules_last_queued_timestamp_seconds */
  readonly syncProxyRulesLastQueuedTimestamp: Gauge;
  /** kubeproxy_network_programming_duration_seconds */
  readonly networkProgrammingLatency: Histogram;
  readonly endpointChangesPending: Gauge;
  readonly endpointChangesTotal: Counter;
  readonly serviceChangesPending: Gauge;
  readonly serviceChangesTotal: Counter;
  /** kubeproxy_proxy_healthz_total{code} and kubeproxy_proxy_livez_total{code} */
  readonly proxyHealthzTotal: Counter;
  readonly proxyLivezTotal: Counter;
}

const linear = (start: number, width: number, count: number) => Array.from({ length: count }, (_, i) => start + i * width);

/** Upstream's merge() starts from a 0 bucket, kept here so dashboards line up. */
const networkProgrammingBuckets = [0, ...linear(0.25, 0.25, 2), ...linear(1, 1, 59), ...linear(60, 5, 12), ...linear(120, 30, 7)];

export function proxyMetrics(): ProxyMetrics {
  const registry = new Registry();
  const metrics: ProxyMetrics = {
    registry,
    syncProxyRulesLatency: registry.histogram('kubeproxy_sync_proxy_rules_duration_seconds', 'SyncProxyRules latency in seconds', [], exponentialBuckets(0.001, 2, 15)),
    syncProxyRulesLastTimestamp: registry.gauge('kubeproxy_sync_proxy_rules_last_timestamp_seconds', 'The last time proxy rules were successfully synced'),
    syncProxyRulesLastQueuedTimestamp: registry.gauge('kubeproxy_sync_proxy_rules_last_queued_timestamp_seconds', 'The last time a sync of proxy rules was queued'),
    networkProgrammingLatency: registry.histogram('kubeproxy_network_programming_duration_seconds', 'In Cluster Network Programming Latency in seconds', [], networkProgrammingBuckets),
    endpointChangesPending: registry.gauge('kubeproxy_sync_proxy_rules_endpoint_changes_pending', 'Pending proxy rules Endpoint changes'),
    endpointChangesTotal: registry.counter('kubeproxy_sync_proxy_rules_endpoint_changes_total', 'Cumulative proxy rules Endpoint changes'),
    serviceChangesPending: registry.gauge('kubeproxy_sync_proxy_rules_service_changes_pending', 'Pending proxy rules Service changes'),
    serviceChangesTotal: registry.counter('kubeproxy_sync_proxy_rules_service_changes_total', 'Cumulative proxy rules Service changes'),
    proxyHealthzTotal: registry.counter('kubeproxy_proxy_healthz_total', 'Cumulative proxy healthz HTTP status', ['code']),
    proxyLivezTotal: registry.counter('kubeproxy_proxy_livez_total', 'Cumulative proxy livez HTTP status', ['code']),
  };
  // Series without labels are exported from the start, at zero, as Prometheus' client does.
  for (const m of [metrics.syncProxyRulesLatency, metrics.syncProxyRulesLastTimestamp, metrics.syncProxyRulesLastQueuedTimestamp, metrics.networkProgrammingLatency, metrics.endpointChangesPending, metrics.endpointChangesTotal, metrics.serviceChangesPending, metrics.serviceChangesTotal]) m.get();
  return metrics;
}
