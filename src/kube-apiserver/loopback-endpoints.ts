// Host-process pods: on a machine whose pods run as host processes (the kubelet's process runtime),
// pod IPs are loopback addresses, which upstream's validation of Endpoints and EndpointSlices
// refuses ("may not be in the loopback range"). With --allow-loopback-endpoints the API server
// serves those two kinds without that one rule, so Services can route to such pods; every other
// rule of theirs stays.

import type { KindDefinition } from '../api/kind.ts';

const loopbackRule = /may not be in the loopback range/;

export function allowLoopbackEndpoints(kinds: KindDefinition[]): KindDefinition[] {
  return kinds.map((k) => {
    const endpoints = (k.group === '' && k.resource === 'endpoints') || (k.group === 'discovery.k8s.io' && k.resource === 'endpointslices');
    if (!endpoints) return k;
    const strategy = k.strategy ?? {};
    const keep = <T extends { message?: string }>(causes: T[]) => causes.filter((c) => !loopbackRule.test(c.message ?? ''));
    return {
      ...k,
      strategy: {
        ...strategy,
        ...(strategy.validate ? { validate: (obj) => keep(strategy.validate!(obj)) } : {}),
        ...(strategy.validateUpdate ? { validateUpdate: (obj, old) => keep(strategy.validateUpdate!(obj, old)) } : {}),
      },
    };
  });
}
