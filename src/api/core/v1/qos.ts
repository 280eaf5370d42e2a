// The QoS class of a pod, as upstream's qos.ComputePodQOS derives it from cpu and memory
// requests and limits (pod-level resources take precedence over the containers'): BestEffort
// with none, Guaranteed when every container limits both and requests equal limits, otherwise
// Burstable.

import type { JSONObject } from './json.ts';
import { isRecord, rec, records } from './json.ts';
import { parseQuantity } from './quantity.ts';

const qosResources = ['cpu', 'memory'];

function add(into: Map<string, bigint>, list: unknown, found?: Set<string>): void {
  for (const [name, q] of Object.entries(rec(list))) {
    if (!qosResources.includes(name)) continue;
    const n = parseQuantity(q) ?? 0n;
    if (n <= 0n) continue;
    found?.add(name);
    into.set(name, (into.get(name) ?? 0n) + n);
  }
}

export function computePodQOS(spec: JSONObject): 'Guaranteed' | 'Burstable' | 'BestEffort' {
  const requests = new Map<string, bigint>();
  const limits = new Map<string, bigint>();
  let guaranteed = true;
  if (isRecord(spec.resources)) {
    add(requests, spec.resources.requests);
    const found = new Set<string>();
    add(limits, spec.resources.limits, found);
    if (!qosResources.every((r) => found.has(r))) guaranteed = false;
  } else {
    for (const c of [...records(spec.containers), ...records(spec.initContainers)]) {
      const resources = rec(c.resources);
      add(requests, resources.requests);
      const found = new Set<string>();
      add(limits, resources.limits, found);
      if (!qosResources.every((r) => found.has(r))) guaranteed = false;
    }
  }
  if (requests.size === 0 && limits.size === 0) return 'BestEffort';
  if (guaranteed) {
    for (const [name, req] of requests) {
      if (limits.get(name) !== req) {
        guaranteed = false;
        break;
      }
    }
  }
  return guaranteed && requests.size === limits.size ? 'Guaranteed' : 'Burstable';
}
