// The nftables proxier's own metrics, under upstream's names (pkg/proxy/metrics), registered on
// kube-proxy's registry beside the common ones (kubeproxy_sync_proxy_rules_duration_seconds,
// kubeproxy_network_programming_duration_seconds, ...).

import { exponentialBuckets, type Counter, type Gauge, type Histogram, type Registry } from '../../component-base/metrics.ts';

export interface NFTablesMetrics {
  /** kubeproxy_sync_full_proxy_rules_duration_seconds */
  readonly syncFullLatency: Histogram;
  /** kubeproxy_sync_partial_proxy_rules_duration_seconds */
  readonly syncPartialLatency: Histogram;
  /** kubeproxy_sync_proxy_rules_nftables_sync_failures_total */
  readonly syncFailures: Counter;
  /** kubeproxy_sync_proxy_rules_nftables_cleanup_failures_total */
  readonly cleanupFailures: Counter;
  /** kubeproxy_sync_proxy_rules_no_local_endpoints_total{traffic_policy} */
  readonly noLocalEndpoints: Gauge;
}

export function nftablesMetrics(registry: Registry): NFTablesMetrics {
  const buckets = exponentialBuckets(0.001, 2, 15);
  const m: NFTablesMetrics = {
    syncFullLatency: registry.histogram('kubeproxy_sync_full_proxy_rules_duration_seconds', 'SyncProxyRules latency in seconds for full resyncs', [], buckets),
    syncPartialLatency: registry.histogram('kubeproxy_sync_partial_proxy_rules_duration_seconds', 'SyncProxyRules latency in seconds for partial resyncs', [], buckets),
    syncFailures: registry.counter('kubeproxy_sync_proxy_rules_nftables_sync_failures_total', 'Cumulative proxy nftables sync failures'),
    cleanupFailures: registry.counter('kubeproxy_sync_proxy_rules_nftables_cleanup_failures_total', 'Cumulative proxy nftables cleanup failures'),
    noLocalEndpoints: registry.gauge('kubeproxy_sync_proxy_rules_no_local_endpoints_total', 'Number of services with a Local traffic policy and no endpoints', ['traffic_policy']),
  };
  for (const x of [m.syncFullLatency, m.syncPartialLatency, m.syncFailures, m.cleanupFailures]) x.get();
  return m;
}
