// OpenAPI documents generated from the kinds' schemas: /openapi/v3 (an index of one
// document per group-version, addressed by content hash) and /openapi/v2. kubectl reads
// them to validate and explain objects and to learn that the server validates fields
// itself (a PATCH operation with the fieldValidation parameter).

import { createHash } from 'node:crypto';
import type { Schema } from '../../api/schema.ts';
import { kubernetesVersion } from '../../api/version.ts';
import type { ApiResource, ResourceRegistry } from '../registry/resources.ts';

export const serverVersion = kubernetesVersion;

export function schemaName(r: { group: string; version: string; kind: string }): string {
  if (r.group.includes('.') && !r.group.endsWith('.k8s.io')) return `${r.group.split('.').reverse().join('.')}.${r.version}.${r.kind}`;
  return `io.k8s.api.${r.group ? r.group.split('.')[0] : 'core'}.${r.version}.${r.kind}`;
}

function gvk(r: ApiResource): Record<string, unknown> {
  return { 'x-kubernetes-group-version-kind': [{ group: r.group, version: r.version, kind: r.kind }] };
}

const commonParameters = [
  { name: 'dryRun', in: 'query', description: 'When present, modifications are not persisted. The only valid value is All.', schema: { type: 'string' } },
  { name: 'fieldManager', in: 'query', description: 'A name associated with the actor or entity that is making these changes.', schema: { type: 'string' } },
  {
    name: 'fieldValidation',
    in: 'query',
    description: 'How the server handles unknown or duplicate fields: Ignore, Warn (the default) or Strict.',
    schema: { type: 'string' },
  },
];

function operations(r: ApiResource, ref: string): { collection: Record<string, unknown>; item: Record<string, unknown> } {
  const json = { 'application/json': { schema: { $ref: ref } } };
  const responses = { '200': { description: 'OK', content: json } };
  const patchTypes = ['application/apply-patch+yaml', 'application/json-patch+json', 'application/merge-patch+json'];
  if (!r.def.group.includes('.') || r.def.group.endsWith('.k8s.io')) patchTypes.push('application/strategic-merge-patch+json');
  // Operations name their kind with one object; schemas (gvk()) list them in an array.
  const op = (action: string, extra: Record<string, unknown> = {}) => ({
    operationId: `${action}${r.kind}`,
    tags: [r.apiVersion],
    responses,
    'x-kubernetes-action': action,
    'x-kubernetes-group-version-kind': { group: r.group, version: r.version, kind: r.kind },
    ...extra,
  });
  const body = { requestBody: { content: { '*/*': { schema: { $ref: ref } } } } };
  return {
    collection: {
      get: op('list'),
      post: op('post', { ...body, parameters: commonParameters }),
    },
    item: {
      get: op('get'),
      put: op('put', { ...body, parameters: commonParameters }),
      patch: op('patch', {
        parameters: [...commonParameters, { name: 'force', in: 'query', schema: { type: 'boolean' } }],
        requestBody: { content: Object.fromEntries(patchTypes.map((t) => [t, { schema: { type: 'object' } }])) },
      }),
      delete: op('delete'),
    },
  };
}

function pathFor(r: ApiResource, namespaced: boolean): string {
  const base = r.group ? `/apis/${r.group}/${r.version}` : `/api/${r.version}`;
  return namespaced ? `${base}/namespaces/{namespace}/${r.resource}` : `${base}/${r.resource}`;
}

/** The OpenAPI v3 document of one group-version ("api/v1", "apis/apps/v1"). */
export function openApiV3Document(resources: ApiResource[]): Record<string, unknown> {
  const schemas: Record<string, unknown> = {};
  const paths: Record<string, unknown> = {};
  for (const r of resources) {
    const name = schemaName(r);
    const ref = `#/components/schemas/${name}`;
    schemas[name] = { ...stripForOpenApi(r.def.schema), ...gvk(r) };
    const listName = `${name}List`;
    schemas[listName] = {
      type: 'object',
      description: `${r.listKind} is a list of ${r.kind}.`,
      required: ['items'],
      properties: {
        apiVersion: { type: 'string' },
        kind: { type: 'string' },
        metadata: { type: 'object', properties: { resourceVersion: { type: 'string' }, continue: { type: 'string' }, remainingItemCount: { type: 'integer', format: 'int64' } } },
        items: { type: 'array', items: { $ref: ref } },
      },
      'x-kubernetes-group-version-kind': [{ group: r.group, version: r.version, kind: r.listKind }],
    };
    const ops = operations(r, ref);
    const collection = pathFor(r, r.namespaced);
    paths[collection] = ops.collection;
    paths[`${collection}/{name}`] = ops.item;
    if (r.namespaced) paths[pathFor(r, false)] = { get: ops.collection.get };
  }
  return {
    openapi: '3.0.0',
    info: { title: 'Kubernetes', version: serverVersion.gitVersion },
    paths,
    components: { schemas },
  };
}

/** OpenAPI v3 leaves out nothing of a structural schema; this copies it as plain JSON. */
function stripForOpenApi(schema: Schema): Schema {
  return JSON.parse(JSON.stringify(schema)) as Schema;
}

export class OpenApi {
  readonly #registry: ResourceRegistry;
  #v3: Map<string, { body: string; hash: string }> | undefined;
  #v2: string | undefined;

  constructor(registry: ResourceRegistry) {
    this.#registry = registry;
    registry.onChange(() => {
      this.#v3 = undefined;
      this.#v2 = undefined;
    });
  }

  #documents(): Map<string, { body: string; hash: string }> {
    if (this.#v3) return this.#v3;
    const byGv = new Map<string, ApiResource[]>();
    for (const r of this.#registry.all()) {
      const key = r.group ? `apis/${r.group}/${r.version}` : `api/${r.version}`;
      byGv.set(key, [...(byGv.get(key) ?? []), r]);
    }
    const docs = new Map<string, { body: string; hash: string }>();
    for (const [key, resources] of byGv) {
      const body = JSON.stringify(openApiV3Document(resources));
      docs.set(key, { body, hash: createHash('sha512').update(body).digest('hex').slice(0, 128).toUpperCase() });
    }
    this.#v3 = docs;
    return docs;
  }

  v3Index(): Record<string, unknown> {
    const paths: Record<string, unknown> = {};
    for (const [key, doc] of this.#documents()) paths[key] = { serverRelativeURL: `/openapi/v3/${key}?hash=${doc.hash}` };
    return { paths };
  }

  v3Document(path: string): string | undefined {
    return this.#documents().get(path)?.body;
  }

  v2Json(): string {
    if (this.#v2) return this.#v2;
    const definitions: Record<string, unknown> = {};
    for (const r of this.#registry.all()) definitions[schemaName(r)] = { ...stripForOpenApi(r.def.schema), ...gvk(r) };
    this.#v2 = JSON.stringify({ swagger: '2.0', info: { title: 'Kubernetes', version: serverVersion.gitVersion }, paths: {}, definitions });
    return this.#v2;
  }
}
