// The REST verbs on a resource: get, list, create, update, patch, delete and
// deletecollection, on the resource itself and on its status and scale subresources.

import type { KubeObject } from '../../api/kind.ts';
import { badRequest, methodNotSupported, notFound, StatusError, success } from '../../machinery/status.ts';
import { admitCreate, admitUpdate, immortalNamespaces } from '../admission/admission.ts';
import { applyConfiguration, scaleManagedFields, updateManagedFields } from '../fieldmanager/field-manager.ts';
import type { ManagedFieldsEntry } from '../fieldmanager/managed-fields.ts';
import { forceParam, storeManagedFields, writeManager } from '../fieldmanager/request.ts';
import { bodyType, decodeBody, readBody, requireObject } from '../http/body.ts';
import { negotiateObject } from '../http/negotiation.ts';
import { writeBody, writeBytes } from '../http/respond.ts';
import { writeStoredList } from '../http/stored-list.ts';
import { storedJson } from '../registry/codec.ts';
import { pruneAndCheck } from '../registry/prune.ts';
import type { DeleteOptions, ResourceStore } from '../registry/resource-store.ts';
import type { ApiResource } from '../registry/resources.ts';
import { selection } from '../registry/selection.ts';
import type { RequestContext } from './context.ts';
import { applyPatch, patchTypes } from './patch.ts';
import { serveBinding, serveEviction } from './pod-subresources.ts';
import { reviewResources, serveReview } from './reviews.ts';
import { serveTokenRequest } from './token-request.ts';
import { servePodLog } from '../kubelet/pod-streams.ts';
import { getScale, scaleToReplicas } from './scale.ts';
import { parseIncludeObject, partialObjectMetadata, table } from './table.ts';
import { serveWatch } from './watch.ts';

/** Resources whose DELETE returns the object rather than a Status, as upstream's. */
const returnsDeletedObject = new Set(['pods', 'namespaces', 'services']);

export async function serveResource(ctx: RequestContext, resource: ApiResource): Promise<void> {
  const { info } = ctx;
  const store = ctx.server.storeFor(resource);
  if (resource.namespaced && !info.namespace && info.name && info.resource !== 'namespaces') {
    throw notFound(resource.gr, info.name);
  }
  const namespace = resource.namespaced ? info.namespace : '';
  if (!resource.verbs.includes(info.verb) && !(info.verb === 'watch' && resource.verbs.includes('list'))) {
    throw methodNotSupported(resource.gr, info.verb);
  }
  if (reviewResources.has(`${resource.group}/${resource.resource}`)) return serveReview(ctx, resource);
  if (info.subresource) return serveSubresource(ctx, resource, store, namespace);
  switch (info.verb) {
    case 'get':
      return respondObject(ctx, resource, 200, await store.get(namespace, info.name));
    case 'list':
      return serveList(ctx, resource, store, namespace);
    case 'watch':
      return serveWatch(ctx, resource, store, namespace);
    case 'create':
      return serveCreate(ctx, resource, store, namespace);
    case 'update':
      return serveUpdate(ctx, resource, store, namespace, '');
    case 'patch':
      return servePatch(ctx, resource, store, namespace, '');
    case 'delete':
      return serveDelete(ctx, resource, store, namespace);
    case 'deletecollection':
      return serveDeleteCollection(ctx, resource, store, namespace);
    default:
      throw methodNotSupported(resource.gr, info.verb);
  }
}

async function serveSubresource(ctx: RequestContext, resource: ApiResource, store: ResourceStore, namespace: string): Promise<void> {
  const { info } = ctx;
  const sub = info.subresource;
  if (sub === 'status' && resource.def.status) {
    if (info.verb === 'get') return respondObject(ctx, resource, 200, await store.get(namespace, info.name));
    if (info.verb === 'update') return serveUpdate(ctx, resource, store, namespace, 'status');
    if (info.verb === 'patch') return servePatch(ctx, resource, store, namespace, 'status');
  }
  if (sub === 'scale' && resource.def.scale) {
    if (info.verb === 'get') return writeJsonObject(ctx, 200, getScale(resource, await store.get(namespace, info.name)));
    if (info.verb === 'update' || info.verb === 'patch') return serveScaleWrite(ctx, resource, store, namespace);
  }
  if (resource.group === '' && resource.resource === 'namespaces' && sub === 'finalize' && info.verb === 'update') {
    return serveNamespaceFinalize(ctx, resource, store);
  }
  if (resource.group === '' && resource.resource === 'serviceaccounts' && sub === 'token' && info.verb === 'create') {
    return serveTokenRequest(ctx, store, namespace);
  }
  if (resource.group === '' && resource.resource === 'pods' && sub === 'log' && info.verb === 'get') {
    const nodes = ctx.server.registry.get('', 'v1', 'nodes');
    if (!ctx.server.kubeletClient || !nodes) throw new StatusError(503, 'ServiceUnavailable', 'the server cannot reach kubelets yet');
    return servePodLog(ctx.req, ctx.res, ctx.url, ctx.server.kubeletClient, store, ctx.server.storeFor(nodes), namespace, info.name, ctx.server.signal);
  }
  if (resource.group === '' && resource.resource === 'pods' && ['exec', 'attach', 'portforward'].includes(sub)) {
    throw new StatusError(400, 'BadRequest', `Upgrade request required`);
  }
  if (resource.group === '' && resource.resource === 'pods' && info.verb === 'create') {
    if (sub === 'binding') return serveBinding(ctx, store, namespace);
    if (sub === 'eviction') {
      const pdbResource = ctx.server.registry.get('policy', 'v1', 'poddisruptionbudgets');
      return serveEviction(ctx, store, pdbResource ? ctx.server.storeFor(pdbResource) : undefined, namespace);
    }
  }
  throw notFound(resource.gr, `${info.name}/${sub}`);
}

function writeJsonObject(ctx: RequestContext, code: number, body: unknown): void {
  const output = negotiateObject(ctx.req.headers.accept, false);
  const format = output.as === 'object' ? output.format : 'json';
  sendWarnings(ctx);
  writeBody(ctx.res, code, body, format, format === 'yaml' ? 'application/yaml' : 'application/json');
}

function sendWarnings(ctx: RequestContext): void {
  if (ctx.warnings.length > 0) ctx.res.setHeader('Warning', ctx.warnings.map((w) => `299 - ${JSON.stringify(w)}`));
}

/** Sends one object in the representation the client asked for. */
export function respondObject(ctx: RequestContext, resource: ApiResource, code: number, object: KubeObject): void {
  const output = negotiateObject(ctx.req.headers.accept, false);
  sendWarnings(ctx);
  if (output.as === 'Table') {
    const include = parseIncludeObject(ctx.url.searchParams.get('includeObject'));
    const body = table(resource, [object], output.version, ctx.server.clock.now(), include, { resourceVersion: object.metadata?.resourceVersion });
    writeBody(ctx.res, code, body, 'json', output.contentType);
  } else if (output.as === 'PartialObjectMetadata') {
    writeBody(ctx.res, code, partialObjectMetadata(object, output.version), 'json', output.contentType);
  } else {
    // What the store just wrote is sent as written (plain JSON of a kind stored as served).
    const stored = output.format === 'json' && !resource.conversion && !resource.customResource ? storedJson(object) : undefined;
    if (stored) writeBytes(ctx.res, code, stored, output.contentType);
    else writeBody(ctx.res, code, object, output.format, output.contentType);
  }
}

async function serveList(ctx: RequestContext, resource: ApiResource, store: ResourceStore, namespace: string): Promise<void> {
  const q = ctx.url.searchParams;
  const output = negotiateObject(ctx.req.headers.accept, true);
  const filter = selection(resource, q.get('labelSelector'), q.get('fieldSelector'));
  const limit = q.get('limit');
  // The store decides whether its bytes can be sent as they are.
  const raw = output.as === 'object' && output.format === 'json';
  const result = await store.list(namespace, {
    filter,
    raw,
    limit: limit ? parseNonNegative('limit', limit) : undefined,
    continue: q.get('continue') ?? undefined,
    resourceVersion: q.get('resourceVersion') ?? undefined,
    resourceVersionMatch: q.get('resourceVersionMatch') ?? undefined,
  });
  const listMeta: Record<string, unknown> = { resourceVersion: result.resourceVersion };
  if (result.continue) listMeta.continue = result.continue;
  if (result.remainingItemCount !== undefined) listMeta.remainingItemCount = result.remainingItemCount;
  if (output.as === 'Table') {
    const include = parseIncludeObject(q.get('includeObject'));
    writeBody(ctx.res, 200, table(resource, result.items, output.version, ctx.server.clock.now(), include, listMeta), 'json', output.contentType);
  } else if (output.as === 'PartialObjectMetadata') {
    const body = {
      kind: 'PartialObjectMetadataList',
      apiVersion: `meta.k8s.io/${output.version}`,
      metadata: listMeta,
      items: result.items.map((o) => partialObjectMetadata(o, output.version)),
    };
    writeBody(ctx.res, 200, body, 'json', output.contentType);
  } else if (result.rawItems) {
    // Objects straight from the store, each already JSON: no decode and re-encode.
    await writeStoredList(ctx.res, output.contentType, { kind: resource.listKind, apiVersion: resource.apiVersion, metadata: listMeta }, result.rawItems);
  } else {
    const body = { kind: resource.listKind, apiVersion: resource.apiVersion, metadata: listMeta, items: result.items };
    writeBody(ctx.res, 200, body, output.format, output.contentType);
  }
}

function parseNonNegative(name: string, value: string): number {
  if (!/^\d+$/.test(value)) throw badRequest(`${name}: Invalid value: "${value}": must be a non-negative integer`);
  return Number(value);
}

function dryRun(ctx: RequestContext): boolean {
  const values = ctx.url.searchParams.getAll('dryRun');
  for (const v of values) if (v !== 'All') throw badRequest(`Invalid dry run value: ${v}; the only supported value is All`);
  return values.length > 0;
}

type FieldValidation = 'Ignore' | 'Warn' | 'Strict';

function fieldValidation(ctx: RequestContext): FieldValidation {
  const v = ctx.url.searchParams.get('fieldValidation') ?? 'Warn';
  if (v !== 'Ignore' && v !== 'Warn' && v !== 'Strict') {
    throw badRequest(`fieldValidation: Unsupported value: "${v}": supported values: "Ignore", "Warn", "Strict"`);
  }
  return v;
}

/** Prunes unknown fields from a decoded body, warning or failing as fieldValidation asks. */
function checkFields(ctx: RequestContext, resource: ApiResource, object: KubeObject, mode: FieldValidation): void {
  const problems = pruneAndCheck(object, resource.def.schema);
  // Custom resources: a mistyped field outside metadata is the schema validation's 422, as upstream.
  const wrongType = resource.customResource ? problems.wrongType.filter((p) => p.startsWith('metadata')) : problems.wrongType;
  if (wrongType.length > 0) {
    throw badRequest(`${resource.kind} in version "${resource.version}" cannot be handled as a ${resource.kind}: ${wrongType.join(', ')}`);
  }
  if (problems.unknown.length === 0 || mode === 'Ignore') return;
  if (mode === 'Strict') {
    const list = problems.unknown.map((f) => `unknown field "${f}"`);
    throw badRequest(`strict decoding error: ${list.join(', ')}`);
  }
  for (const f of problems.unknown) ctx.warnings.push(`unknown field "${f}"`);
}

async function readObject(ctx: RequestContext, resource: ApiResource): Promise<KubeObject> {
  const body = decodeBody(await readBody(ctx.req), bodyType(ctx.req));
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw badRequest('the request body must be a JSON object');
  const object = body as KubeObject;
  checkTypeMeta(resource, object);
  return object;
}

function checkTypeMeta(resource: ApiResource, object: KubeObject): void {
  if (object.apiVersion !== undefined && object.apiVersion !== resource.apiVersion) {
    throw badRequest(`the API version in the data (${object.apiVersion}) does not match the expected API version (${resource.apiVersion})`);
  }
  if (object.kind !== undefined && object.kind !== resource.kind) {
    throw badRequest(`the kind in the data (${object.kind}) does not match the expected kind (${resource.kind})`);
  }
}

function checkNamespace(resource: ApiResource, object: KubeObject, namespace: string): void {
  const inBody = object.metadata?.namespace;
  if (resource.namespaced && inBody && inBody !== namespace) {
    throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
  }
}

async function serveCreate(ctx: RequestContext, resource: ApiResource, store: ResourceStore, namespace: string): Promise<void> {
  if (ctx.info.name) throw methodNotSupported(resource.gr, 'create');
  const mode = fieldValidation(ctx);
  const manager = writeManager(ctx, 'CreateOptions');
  const object = await readObject(ctx, resource);
  checkFields(ctx, resource, object, mode);
  checkNamespace(resource, object, namespace);
  if (!object.metadata?.name && !object.metadata?.generateName) {
    // Upstream's message for a nameless create.
    throw new StatusError(422, 'Invalid', `${resource.kind}${resource.group ? `.${resource.group}` : ''} "" is invalid: metadata.name: Required value: name or generateName is required`, {
      kind: resource.kind,
      group: resource.group || undefined,
      causes: [{ reason: 'FieldValueRequired', message: 'Required value: name or generateName is required', field: 'metadata.name' }],
    });
  }
  const now = ctx.server.clock.now();
  const managedFields = updateManagedFields(resource, undefined, object, { manager, subresource: '', now });
  await admitCreate(ctx, resource, namespace, object);
  const created = await store.create(namespace, object, { dryRun: dryRun(ctx), now, managedFields: storeManagedFields(() => managedFields), handOver: true });
  respondObject(ctx, resource, 201, created);
}

async function serveUpdate(ctx: RequestContext, resource: ApiResource, store: ResourceStore, namespace: string, subresource: string): Promise<void> {
  const mode = fieldValidation(ctx);
  const manager = writeManager(ctx, 'UpdateOptions');
  const object = await readObject(ctx, resource);
  checkFields(ctx, resource, object, mode);
  checkNamespace(resource, object, namespace);
  if (object.metadata?.name !== undefined && object.metadata.name !== ctx.info.name) {
    throw badRequest(`the name of the object (${object.metadata.name}) does not match the name on the URL (${ctx.info.name})`);
  }
  const createIfMissing = subresource === '' && (resource.group === '' ? ['namespaces'].includes(resource.resource) : false);
  const now = ctx.server.clock.now();
  let managedFields: ManagedFieldsEntry[] | undefined;
  const { object: updated, created } = await store.update(namespace, ctx.info.name, async (current) => {
    managedFields = updateManagedFields(resource, current, object, { manager, subresource, now });
    if (current && subresource === '') await admitUpdate(ctx, resource, object, current);
    return object;
  }, {
    subresource,
    createIfMissing,
    dryRun: dryRun(ctx),
    now,
    managedFields: storeManagedFields(() => managedFields),
  });
  respondObject(ctx, resource, created ? 201 : 200, updated);
}

async function servePatch(ctx: RequestContext, resource: ApiResource, store: ResourceStore, namespace: string, subresource: string): Promise<void> {
  const type = bodyType(ctx.req);
  if (!patchTypes.includes(type)) {
    throw new StatusError(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: ${patchTypes.join(', ')}`);
  }
  const mode = fieldValidation(ctx);
  const isApply = type === 'application/apply-patch+yaml';
  const manager = writeManager(ctx, 'PatchOptions', isApply);
  const patch = decodeBody(await readBody(ctx.req), type);
  // Server-side apply creates what does not exist yet; other patches need an object.
  const apply = isApply && subresource === '';
  let config: KubeObject | undefined;
  if (isApply) {
    if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) throw badRequest('an applied configuration must be an object');
    config = structuredClone(patch) as KubeObject;
    checkFields(ctx, resource, config, mode);
    checkNamespace(resource, config, namespace);
  }
  const now = ctx.server.clock.now();
  let managedFields: ManagedFieldsEntry[] | undefined;
  const { object: updated, created } = await store.update(
    namespace,
    ctx.info.name,
    async (current) => {
      if (!current && !apply) throw notFound(resource.gr, ctx.info.name);
      let patched: KubeObject;
      if (config) {
        const applied = applyConfiguration(resource, current, config, { manager, subresource, now, force: forceParam(ctx) });
        patched = applied.object;
        managedFields = applied.managedFields;
      } else {
        patched = applyPatch(type, current, patch, resource) as KubeObject;
        if (typeof patched !== 'object' || patched === null || Array.isArray(patched)) throw badRequest('the patched object must be a JSON object');
        // Only a resourceVersion the patch itself names is a precondition; otherwise a patch that
        // loses a race is applied again to the newer object, as upstream does.
        if (!patchNamesResourceVersion(type, patch) && patched.metadata) delete patched.metadata.resourceVersion;
        checkTypeMeta(resource, patched);
        checkFields(ctx, resource, patched, mode);
        managedFields = updateManagedFields(resource, current, patched, { manager, subresource, now });
      }
      if (!current) await admitCreate(ctx, resource, namespace, patched);
      else if (subresource === '') await admitUpdate(ctx, resource, patched, current);
      return patched;
    },
    { subresource, createIfMissing: apply, dryRun: dryRun(ctx), now, managedFields: storeManagedFields(() => managedFields) },
  );
  respondObject(ctx, resource, created ? 201 : 200, updated);
}

function patchNamesResourceVersion(type: string, patch: unknown): boolean {
  if (type === 'application/json-patch+json') {
    return Array.isArray(patch) && patch.some((op) => (op as { path?: unknown } | null)?.path === '/metadata/resourceVersion');
  }
  return (patch as { metadata?: { resourceVersion?: unknown } } | null)?.metadata?.resourceVersion !== undefined;
}

async function serveScaleWrite(ctx: RequestContext, resource: ApiResource, store: ResourceStore, namespace: string): Promise<void> {
  const type = ctx.info.verb === 'patch' ? bodyType(ctx.req) : 'application/json';
  const manager = writeManager(ctx, ctx.info.verb === 'patch' ? 'PatchOptions' : 'UpdateOptions');
  const body = decodeBody(await readBody(ctx.req), type);
  const now = ctx.server.clock.now();
  let managedFields: ManagedFieldsEntry[] | undefined;
  const { object } = await store.update(
    namespace,
    ctx.info.name,
    (current) => {
      if (!current) throw notFound(resource.gr, ctx.info.name);
      const scale = getScale(resource, current);
      const next = scaleToReplicas(resource, current, ctx.info.verb === 'patch' ? applyPatch(type, scale, body, undefined) : body);
      managedFields = scaleManagedFields(resource, current, next, { manager, now });
      return next;
    },
    { dryRun: dryRun(ctx), now, managedFields: storeManagedFields(() => managedFields) },
  );
  writeJsonObject(ctx, 200, getScale(resource, object));
}

async function deleteOptions(ctx: RequestContext): Promise<DeleteOptions> {
  const q = ctx.url.searchParams;
  const raw = await readBody(ctx.req);
  const body = (raw.length > 0 ? requireObject(decodeBody(raw, bodyType(ctx.req)), 'DeleteOptions') : {}) as {
    gracePeriodSeconds?: number;
    propagationPolicy?: string;
    orphanDependents?: boolean;
    preconditions?: { uid?: string; resourceVersion?: string };
    dryRun?: string[];
  };
  const grace = q.get('gracePeriodSeconds') ?? body.gracePeriodSeconds;
  let policy = q.get('propagationPolicy') ?? body.propagationPolicy;
  const orphan = q.get('orphanDependents') ?? body.orphanDependents;
  if (policy === undefined && orphan !== undefined && orphan !== null) policy = String(orphan) === 'true' ? 'Orphan' : 'Background';
  if (policy !== undefined && policy !== null && !['Orphan', 'Background', 'Foreground'].includes(policy)) {
    throw badRequest(`propagationPolicy: Unsupported value: "${policy}": supported values: "Foreground", "Background", "Orphan"`);
  }
  const graceSeconds = grace === undefined || grace === null ? undefined : Number(grace);
  if (graceSeconds !== undefined && (!Number.isInteger(graceSeconds) || graceSeconds < 0)) {
    throw badRequest(`gracePeriodSeconds: Invalid value: ${JSON.stringify(grace)}: must be greater than or equal to 0`);
  }
  return {
    preconditions: body.preconditions,
    propagationPolicy: (policy ?? undefined) as DeleteOptions['propagationPolicy'],
    gracePeriodSeconds: graceSeconds,
    dryRun: dryRun(ctx) || (body.dryRun ?? []).includes('All'),
    now: ctx.server.clock.now(),
  };
}

/** namespaces/finalize: replaces spec.finalizers; with none left, a terminating namespace goes. */
async function serveNamespaceFinalize(ctx: RequestContext, resource: ApiResource, store: ResourceStore): Promise<void> {
  const body = await readObject(ctx, resource);
  const finalizers = (body.spec as { finalizers?: unknown } | undefined)?.finalizers ?? [];
  if (!Array.isArray(finalizers) || finalizers.some((f) => typeof f !== 'string')) throw badRequest('spec.finalizers must be a list of strings');
  const { object } = await store.update(
    '',
    ctx.info.name,
    (current) => {
      if (!current) throw notFound(resource.gr, ctx.info.name);
      const spec = { ...((current.spec as object) ?? {}), finalizers };
      if (finalizers.length === 0) delete (spec as { finalizers?: unknown }).finalizers;
      return { ...current, spec };
    },
    { subresource: 'finalize', dryRun: dryRun(ctx), now: ctx.server.clock.now() },
  );
  respondObject(ctx, resource, 200, object);
}

async function serveDelete(ctx: RequestContext, resource: ApiResource, store: ResourceStore, namespace: string): Promise<void> {
  if (resource.group === '' && resource.resource === 'namespaces' && immortalNamespaces.has(ctx.info.name)) {
    throw new StatusError(403, 'Forbidden', `namespaces "${ctx.info.name}" is forbidden: this namespace may not be deleted`, { name: ctx.info.name, kind: 'namespaces' });
  }
  const options = await deleteOptions(ctx);
  const { object, deleted } = await store.delete(namespace, ctx.info.name, options);
  if (!deleted || returnsDeletedObject.has(resource.resource)) {
    respondObject(ctx, resource, deleted ? 200 : 200, object);
    return;
  }
  const details = { name: ctx.info.name, group: resource.group, kind: resource.resource, uid: object.metadata?.uid };
  writeJsonObject(ctx, 200, success(details));
}

async function serveDeleteCollection(ctx: RequestContext, resource: ApiResource, store: ResourceStore, namespace: string): Promise<void> {
  const q = ctx.url.searchParams;
  const options = await deleteOptions(ctx);
  const filter = selection(resource, q.get('labelSelector'), q.get('fieldSelector'));
  const { items, resourceVersion } = await store.list(namespace, { filter });
  const deleted: KubeObject[] = [];
  for (const item of items) {
    try {
      const r = await store.delete(item.metadata?.namespace ?? '', item.metadata!.name!, options);
      deleted.push(r.object);
    } catch (err) {
      if (!(err instanceof StatusError && err.reason === 'NotFound')) throw err;
    }
  }
  const output = negotiateObject(ctx.req.headers.accept, true);
  const body = { kind: resource.listKind, apiVersion: resource.apiVersion, metadata: { resourceVersion }, items: deleted };
  writeBody(ctx.res, 200, body, output.as === 'object' ? output.format : 'json', output.as === 'object' ? output.contentType : 'application/json');
}
