// Zones and their health, as upstream's node lifecycle controller sees them: a node's zone is
// its topology.kubernetes.io/region and /zone labels (the failure-domain.beta ones as
// fallback; nodes with neither share the "" zone), and nodes labelled
// node.kubernetes.io/exclude-disruption do not count. A zone is in FullDisruption when none of
// its nodes is Ready, in PartialDisruption when more than 2 and at least unhealthyZoneThreshold
// (0.55) of them are not Ready (a node that never reported counts as not Ready), and Normal
// otherwise. What each state means for the NoExecute tainting rate is evictionRateFor.

import type { Node } from './node-lifecycle-controller.ts';

export type ZoneState = 'Initial' | 'Normal' | 'PartialDisruption' | 'FullDisruption';

export const excludeDisruptionLabel = 'node.kubernetes.io/exclude-disruption';

/** nodetopology.GetZoneKey. */
export function zoneKey(node: Node): string {
  const labels = node.metadata.labels ?? {};
  const zone = labels['topology.kubernetes.io/zone'] ?? labels['failure-domain.beta.kubernetes.io/zone'] ?? '';
  const region = labels['topology.kubernetes.io/region'] ?? labels['failure-domain.beta.kubernetes.io/region'] ?? '';
  if (!region && !zone) return '';
  // The NUL keeps "a:b" + "c" apart from "a" + "b:c".
  return `${region}:\x00:${zone}`;
}

export function isExcludedFromDisruption(node: Node): boolean {
  return node.metadata.labels?.[excludeDisruptionLabel] !== undefined;
}

/** ComputeZoneState over the Ready statuses of a zone's nodes (undefined: never reported). */
export function computeZoneState(readyStatuses: readonly (string | undefined)[], unhealthyZoneThreshold: number): { notReady: number; state: ZoneState } {
  const ready = readyStatuses.filter((s) => s === 'True').length;
  const notReady = readyStatuses.length - ready;
  if (ready === 0 && notReady > 0) return { notReady, state: 'FullDisruption' };
  if (notReady > 2 && notReady / readyStatuses.length >= unhealthyZoneThreshold) return { notReady, state: 'PartialDisruption' };
  return { notReady, state: 'Normal' };
}

export interface EvictionRates {
  /** --node-eviction-rate: nodes per second tainted for eviction in a healthy zone (0.1). */
  nodeEvictionRate: number;
  /** --secondary-node-eviction-rate: the rate in a partially disrupted large zone (0.01). */
  secondaryNodeEvictionRate: number;
  /** --large-cluster-size-threshold: above this many nodes a zone is large (50). */
  largeClusterSizeThreshold: number;
}

/**
 * setLimiterInZone: the rate for a zone of `size` nodes in `state`. A partially disrupted zone
 * slows down (large) or stops (small); a fully disrupted one evicts at the normal rate, since
 * the rest of the cluster is healthy (when no zone is, handleDisruption stops all evictions).
 */
export function evictionRateFor(state: ZoneState, size: number, rates: EvictionRates): number {
  if (state === 'PartialDisruption') return size > rates.largeClusterSizeThreshold ? rates.secondaryNodeEvictionRate : 0;
  return rates.nodeEvictionRate;
}
