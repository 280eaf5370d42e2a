// The prober's metrics, named and labelled as upstream's: prober_probe_total counts probes by type
// (Liveness, Readiness, Startup) and result (successful, failed, unknown) per container, and
// prober_probe_duration_seconds times them. Probes that could not be run are not counted.

import type { Counter, Histogram, Registry } from '../../component-base/metrics.ts';

export interface ProberMetrics {
  probeTotal: Counter;
  probeDuration: Histogram;
}

/** Prometheus' DefBuckets, which upstream's histogram uses. */
const defaultBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export function registerProberMetrics(registry: Registry): ProberMetrics {
  return {
    probeTotal: registry.counter(
      'prober_probe_total',
      'Cumulative number of a liveness, readiness or startup probe for a container by result.',
      ['probe_type', 'result', 'container', 'pod', 'namespace', 'pod_uid'],
    ),
    probeDuration: registry.histogram(
      'prober_probe_duration_seconds',
      'Duration in seconds for a probe response.',
      ['probe_type', 'container', 'pod', 'namespace'],
      defaultBuckets,
    ),
  };
}
