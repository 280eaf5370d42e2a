// Which resources the API serves, read through legacy discovery (/api/v1, /apis and each group's
// preferred version), as the namespace controller and garbage collector need it. A group whose
// document cannot be read is reported in `failed` while the rest are still returned (upstream's
// ErrGroupDiscoveryFailed), so callers can act on what was found and say what was not.

import type { RestClient } from '../client/rest-client.ts';

export interface ApiResourceInfo {
  group: string;
  version: string;
  resource: string;
  kind: string;
  namespaced: boolean;
  verbs: string[];
}

export interface DiscoveryResult {
  resources: ApiResourceInfo[];
  /** groupVersion -> error message */
  failed: Map<string, string>;
}

interface ResourceListDoc {
  resources?: { name: string; kind: string; namespaced: boolean; verbs?: string[] }[];
}

interface GroupListDoc {
  groups?: { name: string; preferredVersion?: { version: string }; versions?: { version: string }[] }[];
}

async function resourcesOf(client: Pick<RestClient, 'request'>, group: string, version: string, signal?: AbortSignal): Promise<ApiResourceInfo[]> {
  const path = group ? `/apis/${group}/${version}` : `/api/${version}`;
  const doc = await client.request<ResourceListDoc>('GET', path, { signal });
  return (doc.resources ?? [])
    .filter((r) => !r.name.includes('/'))
    .map((r) => ({ group, version, resource: r.name, kind: r.kind, namespaced: r.namespaced, verbs: r.verbs ?? [] }));
}

/** Every top-level resource of every group's preferred version. */
export async function discoverResources(client: Pick<RestClient, 'request'>, signal?: AbortSignal): Promise<DiscoveryResult> {
  const failed = new Map<string, string>();
  const gvs: [string, string][] = [['', 'v1']];
  const groups = await client.request<GroupListDoc>('GET', '/apis', { signal });
  for (const g of groups.groups ?? []) {
    const version = g.preferredVersion?.version ?? g.versions?.[0]?.version;
    if (version) gvs.push([g.name, version]);
  }
  const lists = await Promise.all(
    gvs.map(async ([group, version]) => {
      try {
        return await resourcesOf(client, group, version, signal);
      } catch (err) {
        failed.set(group ? `${group}/${version}` : version, err instanceof Error ? err.message : String(err));
        return [];
      }
    }),
  );
  return { resources: lists.flat(), failed };
}

/** "apps/v1" for group apps, "v1" for the core group. */
export function groupVersionString(group: string, version: string): string {
  return group ? `${group}/${version}` : version;
}
