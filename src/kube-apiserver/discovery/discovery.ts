// API discovery documents, derived from the resource table: the legacy per-group and
// per-version lists (/api, /apis, /api/v1, /apis/{g}/{v}) and aggregated discovery
// (apidiscovery.k8s.io v2 and v2beta1, the same body under either version).

import type { ApiResource, ResourceRegistry } from '../registry/resources.ts';

export function apiVersions(serverAddress: string): unknown {
  return {
    kind: 'APIVersions',
    versions: ['v1'],
    serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }],
  };
}

export function apiGroupList(registry: ResourceRegistry): unknown {
  return {
    kind: 'APIGroupList',
    apiVersion: 'v1',
    groups: registry
      .groups()
      .filter((g) => g.group !== '')
      .map((g) => apiGroup(g.group, g.versions)),
  };
}

export function apiGroup(group: string, versions: string[]): Record<string, unknown> {
  const list = versions.map((version) => ({ groupVersion: `${group}/${version}`, version }));
  return { kind: 'APIGroup', apiVersion: 'v1', name: group, versions: list, preferredVersion: list[0] };
}

export function apiResourceList(registry: ResourceRegistry, group: string, version: string): unknown | undefined {
  const resources = registry.all().filter((r) => r.group === group && r.version === version);
  if (resources.length === 0) return undefined;
  const entries: Record<string, unknown>[] = [];
  for (const r of resources.sort((a, b) => a.resource.localeCompare(b.resource))) {
    const entry: Record<string, unknown> = {
      name: r.resource,
      singularName: r.singular,
      namespaced: r.namespaced,
      kind: r.kind,
      verbs: r.verbs,
    };
    if (r.def.shortNames?.length) entry.shortNames = r.def.shortNames;
    if (r.def.categories?.length) entry.categories = r.def.categories;
    entries.push(entry);
    for (const s of r.subresources) {
      const sub: Record<string, unknown> = { name: `${r.resource}/${s.name}`, singularName: '', namespaced: r.namespaced, kind: s.kind, verbs: s.verbs };
      if (s.group !== undefined) sub.group = s.group;
      if (s.version !== undefined) sub.version = s.version;
      entries.push(sub);
    }
  }
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: group ? `${group}/${version}` : version, resources: entries };
}

function discoveryResource(r: ApiResource): Record<string, unknown> {
  const entry: Record<string, unknown> = {
    resource: r.resource,
    responseKind: { group: r.group, version: r.version, kind: r.kind },
    scope: r.namespaced ? 'Namespaced' : 'Cluster',
    singularResource: r.singular,
    verbs: r.verbs,
  };
  if (r.def.shortNames?.length) entry.shortNames = r.def.shortNames;
  if (r.def.categories?.length) entry.categories = r.def.categories;
  if (r.subresources.length > 0) {
    entry.subresources = r.subresources.map((s) => ({
      subresource: s.name,
      responseKind: { group: s.group ?? r.group, version: s.version ?? r.version, kind: s.kind },
      verbs: s.verbs,
    }));
  }
  return entry;
}

/** Aggregated discovery for /api (legacy: true, the core group) or /apis (every other group). */
export function aggregatedDiscovery(registry: ResourceRegistry, legacy: boolean, version: 'v2' | 'v2beta1'): unknown {
  const groups = registry.groups().filter((g) => (g.group === '') === legacy);
  const all = registry.all();
  return {
    kind: 'APIGroupDiscoveryList',
    apiVersion: `apidiscovery.k8s.io/${version}`,
    metadata: {},
    items: groups.map((g) => ({
      metadata: { name: g.group },
      versions: g.versions.map((v) => ({
        version: v,
        resources: all
          .filter((r) => r.group === g.group && r.version === v)
          .sort((a, b) => a.resource.localeCompare(b.resource))
          .map(discoveryResource),
        freshness: 'Current',
      })),
    })),
  };
}
