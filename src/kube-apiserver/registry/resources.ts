// The resources this server serves: each KindDefinition placed at its group, version and
// plural name, with its storage prefix and subresources. Discovery, OpenAPI and routing
// all read this one table; custom resources are added and removed at run time.

import type { KindDefinition, KubeObject } from '../../api/kind.ts';
import type { GroupResource } from '../../machinery/status.ts';

export interface SubresourceInfo {
  name: string;
  /** Group/version/kind of the request and response body (defaults to the parent's). */
  group?: string;
  version?: string;
  kind: string;
  verbs: string[];
}

export interface ApiResource {
  def: KindDefinition;
  group: string;
  version: string;
  resource: string;
  kind: string;
  listKind: string;
  singular: string;
  namespaced: boolean;
  gr: GroupResource;
  /** "apps/v1" or "v1". */
  apiVersion: string;
  /** Store keys: prefix + (namespace + "/")? + name. */
  keyPrefix: string;
  verbs: string[];
  subresources: SubresourceInfo[];
  /**
   * Custom resources only (apiextensions/): every served version of a CRD shares one
   * storage prefix; objects are stored in `storageApiVersion` and read in the served
   * version with only apiVersion rewritten (conversion strategy None).
   */
  customResource?: { storageApiVersion: string };
  /**
   * A resource stored in another resource's shape and place (events.k8s.io Events are kept
   * as core/v1 Events): how to read a stored object and how to store one.
   */
  conversion?: { fromStorage(object: KubeObject): KubeObject; toStorage(object: KubeObject): KubeObject };
  /** Adjusts an object when its deletion is first requested (the CRD cleanup finalizer). */
  prepareForDelete?: (object: KubeObject) => void;
  /**
   * Finalizers kept outside metadata.finalizers that also hold a deletion (a namespace's
   * spec.finalizers, which namespaces/finalize clears).
   */
  finalizers?: (object: KubeObject) => string[];
}

const allVerbs = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

export function storagePrefix(group: string, resource: string): string {
  return group ? `/registry/${group}/${resource}/` : `/registry/${resource}/`;
}

export function toApiResource(def: KindDefinition, extra: SubresourceInfo[] = []): ApiResource {
  const subresources: SubresourceInfo[] = [];
  if (def.status) subresources.push({ name: 'status', kind: def.kind, verbs: ['get', 'patch', 'update'] });
  if (def.scale) subresources.push({ name: 'scale', group: 'autoscaling', version: 'v1', kind: 'Scale', verbs: ['get', 'patch', 'update'] });
  subresources.push(...extra);
  return {
    def,
    group: def.group,
    version: def.version,
    resource: def.resource,
    kind: def.kind,
    listKind: def.listKind ?? `${def.kind}List`,
    singular: def.singular ?? def.kind.toLowerCase(),
    namespaced: def.namespaced,
    gr: { group: def.group, resource: def.resource },
    apiVersion: def.group ? `${def.group}/${def.version}` : def.version,
    keyPrefix: storagePrefix(def.group, def.resource),
    verbs: def.verbs ?? allVerbs,
    subresources,
  };
}

export class ResourceRegistry {
  readonly #resources = new Map<string, ApiResource>();
  readonly #listeners = new Set<() => void>();

  add(resource: ApiResource): void {
    this.#resources.set(id(resource.group, resource.version, resource.resource), resource);
    this.#changed();
  }

  remove(group: string, version: string, resource: string): void {
    if (this.#resources.delete(id(group, version, resource))) this.#changed();
  }

  get(group: string, version: string, resource: string): ApiResource | undefined {
    return this.#resources.get(id(group, version, resource));
  }

  /** The resource serving a kind in a group/version. */
  byKind(group: string, version: string, kind: string): ApiResource | undefined {
    for (const r of this.#resources.values()) if (r.group === group && r.version === version && r.kind === kind) return r;
    return undefined;
  }

  all(): ApiResource[] {
    return [...this.#resources.values()];
  }

  /** Groups in serving order (core first, then as added), each with its versions. */
  groups(): { group: string; versions: string[] }[] {
    const groups = new Map<string, string[]>();
    for (const r of this.#resources.values()) {
      const versions = groups.get(r.group) ?? [];
      if (!versions.includes(r.version)) versions.push(r.version);
      groups.set(r.group, versions);
    }
    return [...groups].map(([group, versions]) => ({ group, versions: versions.sort(compareVersions) }));
  }

  /** Called after every change (discovery and OpenAPI caches listen). */
  onChange(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #changed(): void {
    for (const l of this.#listeners) l();
  }
}

function id(group: string, version: string, resource: string): string {
  return `${group}/${version}/${resource}`;
}

/** Kubernetes version priority: GA > beta > alpha, higher numbers first (v2 > v1 > v1beta2). */
export function compareVersions(a: string, b: string): number {
  const rank = (v: string): [number, number, number] => {
    const m = /^v(\d+)(?:(alpha|beta)(\d+))?$/.exec(v);
    if (!m) return [3, 0, 0];
    const stage = m[2] === undefined ? 0 : m[2] === 'beta' ? 1 : 2;
    return [stage, -Number(m[1]), -Number(m[3] ?? 0)];
  };
  const [x, y] = [rank(a), rank(b)];
  for (let i = 0; i < 3; i++) if (x[i] !== y[i]) return x[i] - y[i];
  return a.localeCompare(b);
}
