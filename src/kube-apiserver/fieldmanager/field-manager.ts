// Field management for the API server's writes, as k8s.io/apiserver's FieldManager with its
// default chain (version check, last-applied upgrade and sync, update cap, manager identity,
// timestamps, stripped metadata):
// - updateManagedFields (create, update, non-apply patch): the writer's Update entry gains
//   what it added or changed, other managers lose it, everyone loses what was removed; the
//   entry's time moves only when the writer changed something. Managed fields sent with the
//   object are used when valid, `[]` or `[{}]` clears them; on a subresource they are ignored.
// - applyConfiguration (server-side apply): merges an applied configuration into the live
//   object and returns both with the new ownership, or throws upstream's 409 with one
//   FieldManagerConflict cause per conflicting field (force takes the fields instead).
// - scaleManagedFields: a /scale write moves ownership of the replicas field only.
// Main-resource writes of kinds with a status subresource never own status, status writes own
// only status. apiVersion, kind and the server-set metadata (name, namespace, uid,
// resourceVersion, generation, creationTimestamp, managedFields) are never owned.

import type { KubeObject } from '../../api/kind.ts';
import { invalid, StatusError } from '../../machinery/status.ts';
import { clone, deepEqual, isObject, type JSONObject } from '../patch/json-value.ts';
import type { ApiResource } from '../registry/resources.ts';
import { FieldSet, FieldsError, pathString, type Path, type PathElement } from './field-set.ts';
import {
  capUpdateManagers,
  changeTime,
  decodeManagedFields,
  decodeOrEmpty,
  emptyManaged,
  encodeManagedFields,
  identifier,
  isReset,
  parseIdentifier,
  type Managed,
  type ManagedFieldsEntry,
} from './managed-fields.ts';
import { TypedValueError } from './schema-types.ts';
import { compare, toFieldSet } from './typed.ts';
import { apply, Conflicts, update, type Conflict, type Filter } from './updater.ts';
import { fillStructs, withStructs, zeroValue } from './zero-value.ts';

export const lastAppliedAnnotation = 'kubectl.kubernetes.io/last-applied-configuration';

/** Upstream's validation.FieldManagerMaxLength. */
const maxManagerLength = 128;
const currentOperation = 'current-operation';
const annotationsSizeLimit = 256 * 1024;

const stripped = FieldSet.of(
  [{ field: 'apiVersion' }],
  [{ field: 'kind' }],
  [{ field: 'metadata' }],
  ...['name', 'namespace', 'creationTimestamp', 'selfLink', 'uid', 'clusterName', 'generation', 'managedFields', 'resourceVersion'].map(
    (f): Path => [{ field: 'metadata' }, { field: f }],
  ),
);

export interface WriteInfo {
  /** The request's manager: its fieldManager, or the User-Agent prefix (see requestManager). */
  manager: string;
  /** "" or "status". */
  subresource: string;
  /** Milliseconds since the epoch. */
  now: number;
}

const printable = /^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u;

/** managerOrUserAgent: the fieldManager parameter, else the User-Agent up to its first "/". */
export function requestManager(fieldManager: string | null, userAgent: string | undefined): string {
  if (fieldManager) return fieldManager;
  let out = '';
  for (const ch of (userAgent ?? '').split('/')[0]) {
    if (!printable.test(ch)) continue;
    if (Buffer.byteLength(out + ch) > maxManagerLength) break;
    out += ch;
  }
  return out;
}

/**
 * ValidateCreateOptions/UpdateOptions/PatchOptions for the fieldManager and force
 * parameters: 422 on `<Kind>.meta.k8s.io ""`, as upstream.
 */
export function validateWriteOptions(
  kind: 'CreateOptions' | 'UpdateOptions' | 'PatchOptions',
  fieldManager: string | null,
  options: { apply?: boolean; force?: string | null } = {},
): void {
  const causes: { reason: string; message: string; field: string }[] = [];
  const manager = fieldManager ?? '';
  if (kind === 'PatchOptions') {
    if (options.apply && manager === '') {
      causes.push({ reason: 'FieldValueRequired', message: 'Required value: is required for apply patch', field: 'fieldManager' });
    }
    if (!options.apply && options.force !== null && options.force !== undefined) {
      causes.push({ reason: 'FieldValueForbidden', message: 'Forbidden: may not be specified for non-apply patch', field: 'force' });
    }
  }
  if (Buffer.byteLength(manager) > maxManagerLength) {
    causes.push({ reason: 'FieldValueTooLong', message: `Too long: may not be more than ${maxManagerLength} bytes`, field: 'fieldManager' });
  }
  let position = 0;
  for (const ch of manager) {
    if (!printable.test(ch)) {
      const code = ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0');
      causes.push({
        reason: 'FieldValueInvalid',
        message: `Invalid value: ${JSON.stringify(manager)}: invalid character U+${code} (at position ${position})`,
        field: 'fieldManager',
      });
    }
    position += Buffer.byteLength(ch);
  }
  if (causes.length > 0) throw invalid('meta.k8s.io', kind, '', causes);
}

/** What a write to the main resource or a subresource may own. */
function ownable(resource: ApiResource, subresource: string): Filter {
  const status: PathElement = { field: 'status' };
  if (subresource === 'status') {
    return (set) => {
      const out = new FieldSet();
      if (set.hasMember(status)) out.insert([status]);
      const below = set.withPrefix(status);
      return below.empty() ? out : out.union(prefixed(status, below));
    };
  }
  if (subresource === '' && resource.def.status) {
    const statusSet = FieldSet.of([status]);
    return (set) => set.recursiveDifference(statusSet);
  }
  return (set) => set;
}

function prefixed(pe: PathElement, set: FieldSet): FieldSet {
  const out = new FieldSet();
  for (const p of set.paths()) out.insert([pe, ...p]);
  return out;
}

function withoutManagedFields(object: KubeObject): KubeObject {
  if (!object.metadata || object.metadata.managedFields === undefined) return object;
  const { managedFields: _m, ...meta } = object.metadata;
  return { ...object, metadata: meta };
}

/** The object as the registry will default it: upstream compares decoded, defaulted objects. */
function defaulted(resource: ApiResource, object: KubeObject): KubeObject {
  const copy = withoutManagedFields(clone(object));
  resource.def.strategy?.defaults?.(copy);
  return copy;
}

function stripMeta(managed: Managed, id: string): void {
  const vs = managed.fields.get(id);
  if (!vs) return;
  const set = vs.set.difference(stripped);
  if (set.empty()) managed.fields.delete(id);
  else managed.fields.set(id, { ...vs, set });
}

/** decodeLiveOrNew: the ownership a write starts from. */
function startingOwnership(live: KubeObject | undefined, sent: unknown, subresource: string): Managed {
  const liveEntries = live?.metadata?.managedFields;
  if (subresource !== '') return decodeOrEmpty(liveEntries);
  if (isReset(sent)) return emptyManaged();
  try {
    const managed = decodeManagedFields(sent);
    if (managed.fields.size > 0) return managed;
  } catch (err) {
    if (!(err instanceof FieldsError || err instanceof SyntaxError)) throw err;
  }
  return decodeOrEmpty(liveEntries);
}

/**
 * The managedFields of `next` after an Update operation (create when live is undefined).
 * `next` is the object as the request wrote it, before admission and the kind's strategy.
 */
export function updateManagedFields(resource: ApiResource, live: KubeObject | undefined, next: KubeObject, info: WriteInfo): ManagedFieldsEntry[] | undefined {
  try {
    const managed = startingOwnership(live, next.metadata?.managedFields, info.subresource);
    // skipNonAppliedManager: an existing object nobody manages (or whose ownership was just
    // cleared) is not tracked until it is applied.
    if (live && managed.fields.size === 0) return undefined;
    const lhs = live ? withStructs(withoutManagedFields(live), resource) : zeroValue(resource);
    recordUpdate(resource, managed, lhs, fillStructs(defaulted(resource, next), resource), info);
    return encodeManagedFields(managed);
  } catch (err) {
    // UpdateNoErrors: an object that cannot be typed keeps the ownership it had.
    if (err instanceof TypedValueError || err instanceof FieldsError) return live?.metadata?.managedFields as ManagedFieldsEntry[] | undefined;
    throw err;
  }
}

/** An Update by info.manager from lhs to rhs (managedFieldsUpdater, stripMetaManager, capManagersManager). */
function recordUpdate(resource: ApiResource, managed: Managed, lhs: unknown, rhs: unknown, info: WriteInfo): void {
  const apiVersion = resource.apiVersion;
  managed.fields = update(lhs, rhs, resource.def.schema, apiVersion, managed.fields, currentOperation, ownable(resource, info.subresource));
  stripMeta(managed, currentOperation);
  const changed = managed.fields.get(currentOperation);
  if (changed) {
    managed.fields.delete(currentOperation);
    const id = identifier({ manager: info.manager || 'unknown', operation: 'Update', apiVersion, subresource: info.subresource });
    const previous = managed.fields.get(id);
    managed.fields.set(id, { set: previous ? changed.set.union(previous.set) : changed.set, apiVersion, applied: false });
    managed.times.set(id, changeTime(info.now));
  }
  capUpdateManagers(managed);
}

/** The managedFields after a /scale write by manager: only the replicas field changes hands. */
export function scaleManagedFields(resource: ApiResource, live: KubeObject, next: KubeObject, info: Omit<WriteInfo, 'subresource'>): ManagedFieldsEntry[] | undefined {
  const specPath = resource.def.scale?.specReplicasPath;
  const entries = live.metadata?.managedFields as ManagedFieldsEntry[] | undefined;
  if (!specPath) return entries;
  const fields = specPath.replace(/^\./, '').split('.');
  const read = (o: unknown) => fields.reduce<unknown>((v, f) => (isObject(v) ? v[f] : undefined), o);
  if (deepEqual(read(live), read(next))) return entries;
  const replicas = FieldSet.of(fields.map((field) => ({ field })));
  const managed = decodeOrEmpty(entries);
  // Upstream tracks a scale only when some manager owns the replicas (the Scale's own managers).
  if (![...managed.fields.values()].some((vs) => vs.set.has(replicas.paths()[0]))) return entries;
  const id = identifier({ manager: info.manager || 'unknown', operation: 'Update', apiVersion: resource.apiVersion, subresource: 'scale' });
  for (const [other, vs] of managed.fields) {
    if (other === id) continue;
    const set = vs.set.difference(replicas);
    if (set.empty()) managed.fields.delete(other);
    else managed.fields.set(other, { ...vs, set });
  }
  // As upstream's ScaleHandler.ToParent, the entry keeps the parent's time for it (none when new).
  managed.fields.set(id, { set: replicas, apiVersion: resource.apiVersion, applied: false });
  capUpdateManagers(managed);
  return encodeManagedFields(managed);
}

export interface ApplyInfo extends WriteInfo {
  force: boolean;
}

function gvkString(apiVersion: unknown, kind: unknown): string {
  const av = typeof apiVersion === 'string' ? apiVersion : '';
  const slash = av.indexOf('/');
  const [group, version] = slash < 0 ? ['', av] : [av.slice(0, slash), av.slice(slash + 1)];
  return `${group}/${version}, Kind=${typeof kind === 'string' ? kind : ''}`;
}

/**
 * Server-side apply of `config` by info.manager over `live` (undefined: the object does not
 * exist yet). Returns the object to store and its managedFields.
 */
export function applyConfiguration(resource: ApiResource, live: KubeObject | undefined, config: KubeObject, info: ApplyInfo): { object: KubeObject; managedFields: ManagedFieldsEntry[] | undefined } {
  if (config.apiVersion !== resource.apiVersion || config.kind !== resource.kind) {
    throw new StatusError(400, 'BadRequest', `invalid object type: ${gvkString(config.apiVersion, config.kind)}`);
  }
  if (config.metadata?.managedFields !== undefined && config.metadata.managedFields !== null) {
    throw new StatusError(400, 'BadRequest', 'metadata.managedFields must be nil');
  }
  const type = resource.def.schema;
  const gvk = gvkString(resource.apiVersion, resource.kind);
  const described = `${config.metadata?.namespace ?? ''}/${config.metadata?.name ?? ''}; ${gvk}`;
  try {
    toFieldSet(config, type, { allowDuplicates: false });
  } catch (err) {
    if (err instanceof TypedValueError) throw unknownError(`failed to create typed patch object (${described}): ${err.message}`);
    throw err;
  }
  try {
    return applyToLive(resource, live, config, info);
  } catch (err) {
    if (err instanceof TypedValueError) throw unknownError(`failed to create typed live object (${described}): ${err.message}`);
    throw err;
  }
}

function applyToLive(resource: ApiResource, live: KubeObject | undefined, config: KubeObject, info: ApplyInfo): { object: KubeObject; managedFields: ManagedFieldsEntry[] | undefined } {
  const liveObject = live ? withoutManagedFields(live) : {};
  const managed = decodeOrEmpty(live?.metadata?.managedFields);
  // skipNonAppliedManager: what an untracked object holds is owned by "before-first-apply".
  if (live && managed.fields.size === 0) {
    recordUpdate(resource, managed, zeroValue(resource), withStructs(liveObject, resource), { ...info, manager: 'before-first-apply' });
  }
  const id = identifier({ manager: info.manager, operation: 'Apply', subresource: info.subresource });
  const ignore = ownable(resource, info.subresource);
  const run = (force: boolean) => apply(liveObject, config, resource.def.schema, resource.apiVersion, managed.fields, id, force, ignore);
  let result: ReturnType<typeof run>;
  try {
    result = run(info.force);
  } catch (err) {
    if (!(err instanceof Conflicts)) throw err;
    const allowed = info.manager === 'kubectl' && live ? allowedConflictsFromLastApplied(resource, liveObject) : undefined;
    const remaining = allowed ? err.conflicts.filter((c) => !allowed.has(c.path)) : err.conflicts;
    if (remaining.length > 0) throw conflictError(remaining);
    result = run(true);
  }
  managed.fields = result.managers;
  stripMeta(managed, id);
  if (result.object !== undefined) managed.times.set(id, changeTime(info.now));
  let object = (result.object === undefined ? clone(liveObject) : result.object) as KubeObject;
  if (!resource.customResource) object = withoutNulls(object) as KubeObject;
  if (info.manager === 'kubectl') syncLastApplied(object, config);
  return { object, managedFields: encodeManagedFields(managed) };
}

/** A plain Go error turned into a Status: 500 without a reason. */
function unknownError(message: string): StatusError {
  const err = new StatusError(500, '', message);
  delete err.status.reason;
  return err;
}

/** Built-in kinds decode null as "not set". */
function withoutNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutNulls);
  if (!isObject(value)) return value;
  const out: JSONObject = {};
  for (const [k, v] of Object.entries(value)) if (v !== null && v !== undefined) out[k] = withoutNulls(v);
  return out;
}

/**
 * lastAppliedManager: fields a client-side apply last applied and that still hold their
 * applied value may be taken over by `kubectl apply --server-side` without conflict.
 */
function allowedConflictsFromLastApplied(resource: ApiResource, live: KubeObject): FieldSet | undefined {
  const text = live.metadata?.annotations?.[lastAppliedAnnotation];
  if (!text) return undefined;
  try {
    const lastApplied = JSON.parse(text) as unknown;
    if (!isObject(lastApplied) || lastApplied.apiVersion !== resource.apiVersion) return undefined;
    const set = toFieldSet(lastApplied, resource.def.schema, { allowDuplicates: false });
    const c = compare(lastApplied, live, resource.def.schema);
    return set.difference(c.modified).difference(c.added).difference(c.removed);
  } catch {
    return undefined;
  }
}

/** lastAppliedUpdater: an object that carries the client-side apply annotation keeps it current. */
function syncLastApplied(object: KubeObject, config: KubeObject): void {
  const annotations = object.metadata?.annotations;
  if (!annotations?.[lastAppliedAnnotation]) return;
  const applied = structuredClone(config);
  if (applied.metadata?.annotations) delete applied.metadata.annotations[lastAppliedAnnotation];
  annotations[lastAppliedAnnotation] = goJSON(applied) + '\n';
  let size = 0;
  for (const [k, v] of Object.entries(annotations)) size += Buffer.byteLength(k) + Buffer.byteLength(v);
  if (size > annotationsSizeLimit) delete annotations[lastAppliedAnnotation];
}

/** encoding/json's output for a map: sorted keys, HTML characters escaped. */
function goJSON(value: unknown): string {
  const text = (v: unknown): string => {
    if (Array.isArray(v)) return `[${v.map(text).join(',')}]`;
    if (isObject(v)) {
      return `{${Object.keys(v)
        .filter((k) => v[k] !== undefined)
        .sort()
        .map((k) => `${JSON.stringify(k)}:${text(v[k])}`)
        .join(',')}}`;
    }
    return JSON.stringify(v ?? null);
  };
  return text(value).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function printManager(id: string): string {
  let info;
  try {
    info = parseIdentifier(id);
  } catch {
    return JSON.stringify(id);
  }
  let s = JSON.stringify(info.manager);
  if (info.subresource) s += ` with subresource ${JSON.stringify(info.subresource)}`;
  if (info.operation === 'Update') s += ` using ${info.apiVersion ?? ''}`;
  return s;
}

/** upstream's NewConflictError: 409 Conflict, one FieldManagerConflict cause per field. */
export function conflictError(conflicts: Conflict[]): StatusError {
  const causes = conflicts.map((c) => ({ reason: 'FieldManagerConflict', message: `conflict with ${printManager(c.manager)}`, field: pathString(c.path) }));
  let message: string;
  if (conflicts.length === 1) {
    message = `Apply failed with 1 conflict: conflict with ${printManager(conflicts[0].manager)}: ${pathString(conflicts[0].path)}`;
  } else {
    const byManager = new Map<string, Path[]>();
    for (const c of conflicts) byManager.set(c.manager, [...(byManager.get(c.manager) ?? []), c.path]);
    const lines: string[] = [];
    for (const manager of [...byManager.keys()].sort()) {
      lines.push(`conflicts with ${printManager(manager)}:`);
      for (const path of byManager.get(manager)!) lines.push(`- ${pathString(path)}`);
    }
    message = `Apply failed with ${conflicts.length} conflicts: ${lines.join('\n')}`;
  }
  return new StatusError(409, 'Conflict', message, { causes });
}
