// metadata.managedFields on the wire and in memory, as apimachinery's managedfields package:
// entries decode into field sets keyed by a manager identifier (manager, operation,
// subresource, and the apiVersion for updates: an applier is the same manager whatever
// version it applies), each with the time of its last change. Encoding sorts entries as
// upstream (Apply before Update, then by time, manager, apiVersion, subresource) and keeps
// the entry fields in ManagedFieldsEntry's order. No more than ten Update entries are kept:
// the oldest are merged into an "ancient-changes" entry per apiVersion.

import { isObject } from '../patch/json-value.ts';
import { rfc3339 } from '../../machinery/time.ts';
import { FieldSet, FieldsError } from './field-set.ts';
import type { Managers } from './updater.ts';

export interface ManagedFieldsEntry {
  manager?: string;
  operation?: 'Apply' | 'Update';
  apiVersion?: string;
  time?: string;
  fieldsType?: string;
  fieldsV1?: Record<string, unknown>;
  subresource?: string;
}

export interface Managed {
  fields: Managers;
  /** RFC 3339 times by identifier; absent for entries that never recorded one. */
  times: Map<string, string>;
}

export interface ManagerInfo {
  manager: string;
  operation: 'Apply' | 'Update';
  apiVersion?: string;
  subresource?: string;
}

export const maxUpdateManagers = 10;

export function emptyManaged(): Managed {
  return { fields: new Map(), times: new Map() };
}

/** BuildManagerIdentifier: the entry without fields, type, time (and apiVersion for Apply), as JSON. */
export function identifier(info: ManagerInfo): string {
  const id: Record<string, string> = {};
  if (info.manager) id.manager = info.manager;
  id.operation = info.operation;
  if (info.operation !== 'Apply' && info.apiVersion) id.apiVersion = info.apiVersion;
  if (info.subresource) id.subresource = info.subresource;
  return JSON.stringify(id);
}

export function parseIdentifier(id: string): ManagerInfo {
  const parsed = JSON.parse(id) as Partial<ManagerInfo>;
  return { manager: parsed.manager ?? '', operation: parsed.operation ?? 'Update', apiVersion: parsed.apiVersion, subresource: parsed.subresource };
}

/** Whether a write asks to clear ownership: an empty list, or a list of one empty entry. */
export function isReset(entries: unknown): boolean {
  if (!Array.isArray(entries)) return false;
  if (entries.length === 0) return true;
  return entries.length === 1 && isObject(entries[0]) && Object.values(entries[0]).every((v) => v === undefined || v === null || v === '');
}

/** DecodeManagedFields; throws FieldsError on an entry upstream would refuse. */
export function decodeManagedFields(entries: unknown): Managed {
  const managed = emptyManaged();
  if (entries === undefined || entries === null) return managed;
  if (!Array.isArray(entries)) throw new FieldsError('managedFields must be a list');
  entries.forEach((raw, i) => {
    if (!isObject(raw)) throw new FieldsError(`managed fields entry ${i} is not an object`);
    const e = raw as ManagedFieldsEntry;
    if (e.operation !== 'Apply' && e.operation !== 'Update') throw new FieldsError('operation must be `Apply` or `Update`');
    if (typeof e.apiVersion !== 'string' || e.apiVersion.length < 1) throw new FieldsError('apiVersion must not be empty');
    if (e.fieldsType === undefined || e.fieldsType === '') throw new FieldsError(`missing fieldsType in managed fields entry ${i}`);
    if (e.fieldsType !== 'FieldsV1') throw new FieldsError(`invalid fieldsType ${JSON.stringify(e.fieldsType)} in managed fields entry ${i}`);
    const id = identifier({
      manager: typeof e.manager === 'string' ? e.manager : '',
      operation: e.operation,
      apiVersion: e.apiVersion,
      subresource: typeof e.subresource === 'string' ? e.subresource : undefined,
    });
    const set = e.fieldsV1 === undefined || e.fieldsV1 === null ? new FieldSet() : FieldSet.fromFields(e.fieldsV1);
    managed.fields.set(id, { set, apiVersion: e.apiVersion, applied: e.operation === 'Apply' });
    if (typeof e.time === 'string' && e.time) managed.times.set(id, e.time);
    else managed.times.delete(id);
  });
  return managed;
}

/** Decodes, or starts afresh when the entries are not valid (upstream's emptyManagedFieldsOnErr). */
export function decodeOrEmpty(entries: unknown): Managed {
  try {
    return decodeManagedFields(entries);
  } catch (err) {
    if (err instanceof FieldsError || err instanceof SyntaxError) return emptyManaged();
    throw err;
  }
}

function seconds(time: string | undefined): number {
  if (!time) return 0;
  const ms = Date.parse(time);
  return Number.isNaN(ms) ? 0 : Math.floor(ms / 1000);
}

/** The managedFields list, or undefined when nobody manages anything. */
export function encodeManagedFields(managed: Managed): ManagedFieldsEntry[] | undefined {
  if (managed.fields.size === 0) return undefined;
  const entries: ManagedFieldsEntry[] = [];
  for (const [id, vs] of managed.fields) {
    const info = parseIdentifier(id);
    const entry: ManagedFieldsEntry = {};
    if (info.manager) entry.manager = info.manager;
    entry.operation = vs.applied ? 'Apply' : 'Update';
    entry.apiVersion = vs.apiVersion;
    const time = managed.times.get(id);
    if (time) entry.time = time;
    entry.fieldsType = 'FieldsV1';
    entry.fieldsV1 = vs.set.toFields();
    if (info.subresource) entry.subresource = info.subresource;
    entries.push(entry);
  }
  const cmp = (a: string | undefined, b: string | undefined) => ((a ?? '') < (b ?? '') ? -1 : (a ?? '') > (b ?? '') ? 1 : 0);
  return entries.sort(
    (p, q) =>
      cmp(p.operation, q.operation) ||
      seconds(p.time) - seconds(q.time) ||
      cmp(p.manager, q.manager) ||
      cmp(p.apiVersion, q.apiVersion) ||
      cmp(p.subresource, q.subresource),
  );
}

/** Time of a change, as metav1.Time serialises (RFC 3339, seconds). */
export function changeTime(now: number): string {
  return rfc3339(now);
}

/** capManagersManager: merges the oldest Update entries until at most `max` are left. */
export function capUpdateManagers(managed: Managed, max = maxUpdateManagers): void {
  const updaters = [...managed.fields].filter(([, vs]) => !vs.applied).map(([id]) => id);
  if (updaters.length <= max) return;
  updaters.sort((a, b) => seconds(managed.times.get(a)) - seconds(managed.times.get(b)) || (a < b ? -1 : a > b ? 1 : 0));
  const firstOfVersion = new Map<string, string>();
  let length = updaters.length;
  for (let i = 0; i < updaters.length && length > max; i++) {
    const id = updaters[i];
    const vs = managed.fields.get(id)!;
    const time = managed.times.get(id);
    const bucket = identifier({ manager: 'ancient-changes', operation: 'Update', apiVersion: vs.apiVersion });
    const first = firstOfVersion.get(vs.apiVersion);
    if (first === undefined) {
      firstOfVersion.set(vs.apiVersion, id);
      continue;
    }
    if (!managed.fields.has(bucket)) {
      managed.fields.set(bucket, managed.fields.get(first)!);
      managed.fields.delete(first);
    }
    managed.fields.set(bucket, { set: vs.set.union(managed.fields.get(bucket)!.set), apiVersion: vs.apiVersion, applied: false });
    managed.fields.delete(id);
    length--;
    if (time) managed.times.set(bucket, time);
    else managed.times.delete(bucket);
  }
}
