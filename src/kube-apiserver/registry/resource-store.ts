// The generic registry store: create, read, list, update, delete and watch for any kind,
// on the Store, with the kind's strategy deciding defaults, validation and status rules.
// Every write is a compare-and-swap on the object's mod revision (its resourceVersion),
// so concurrent writers conflict instead of losing updates.

import type { KubeObject } from '../../api/kind.ts';
import type { StatusCause } from '../../machinery/status.ts';
import { alreadyExists, badRequest, conflict, gone, invalid, modifiedConflictDetail, notFound, StatusError } from '../../machinery/status.ts';
import { generateName, nameIsDNSSubdomain, validateObjectMeta } from '../../machinery/validation.ts';
import { CompactedError, FutureRevisionError } from '../../store/errors.ts';
import { bytes, prefixEnd, successor, text as keyText } from '../../store/keys.ts';
import type { KeyValue, Store } from '../../store/store.ts';
import { decodeObject, encodeObject, rememberStored, storedBytes, type StoredBytes } from './codec.ts';
import { deepEqual, fillForCreate, preserveForUpdate } from './object-meta.ts';
import { rfc3339 } from '../../machinery/time.ts';
import type { ApiResource } from './resources.ts';
import type { ObjectFilter } from './selection.ts';
import type { WatchCache } from './watch-cache.ts';

export interface WriteOptions {
  dryRun?: boolean;
  /**
   * A write by the server itself that the kind's validation would refuse on purpose (the
   * `kubernetes` Endpoints on a loopback address, which users may not create).
   */
  trusted?: boolean;
  /** Milliseconds since the epoch; for creation and deletion timestamps. */
  now: number;
  /** Sets metadata.managedFields on the object about to be stored, after the strategy (fieldmanager/). */
  managedFields?: (object: KubeObject) => void;
  /** create: the caller hands the object over (it will not use it again), so it is changed in place, not copied. */
  handOver?: boolean;
}

export interface UpdateOptions extends WriteOptions {
  /** "" for the main resource, or "status". */
  subresource?: string;
  /** Create the object when it does not exist (PUT of a missing object, server-side apply). */
  createIfMissing?: boolean;
}

export interface DeleteOptions extends WriteOptions {
  preconditions?: { uid?: string; resourceVersion?: string };
  propagationPolicy?: 'Orphan' | 'Background' | 'Foreground';
  gracePeriodSeconds?: number;
}

export interface ListOptions {
  filter?: ObjectFilter;
  /** Return the items as JSON bytes (`rawItems`) where the stored bytes are what is served. */
  raw?: boolean;
  limit?: number;
  continue?: string;
  resourceVersion?: string;
  resourceVersionMatch?: string;
}

export interface ListResult {
  items: KubeObject[];
  /** With `raw`: each item's stored bytes, in order (then `items` is empty). */
  rawItems?: StoredBytes[];
  resourceVersion: string;
  continue?: string;
  remainingItemCount?: number;
}

/** Maps the object before a change to the object after it; throws to refuse. */
export type TryUpdate = (current: KubeObject | undefined) => KubeObject | Promise<KubeObject>;

const maxConflictRetries = 20;
/**
 * An update without a precondition retries on conflict as upstream's GuaranteedUpdate does: every
 * conflict means another write succeeded, so the loop makes progress; the bound only stops a
 * pathological livelock.
 */
const maxUnconditionalRetries = 1000;

export class ResourceStore {
  readonly resource: ApiResource;
  readonly #store: Store;
  readonly cache: WatchCache;

  constructor(resource: ApiResource, store: Store, cache: WatchCache) {
    this.resource = resource;
    this.#store = store;
    this.cache = cache;
  }

  key(namespace: string, name: string): string {
    return this.resource.namespaced ? `${this.resource.keyPrefix}${namespace}/${name}` : `${this.resource.keyPrefix}${name}`;
  }

  /** Key prefix of one namespace, or of all objects. */
  prefix(namespace: string): string {
    return this.resource.namespaced && namespace ? `${this.resource.keyPrefix}${namespace}/` : this.resource.keyPrefix;
  }

  async get(namespace: string, name: string): Promise<KubeObject> {
    const object = await this.find(namespace, name);
    if (!object) throw notFound(this.resource.gr, name);
    return object;
  }

  /** Like get, for callers to whom a missing object is an answer, not an error. */
  async find(namespace: string, name: string): Promise<KubeObject | undefined> {
    const kv = await this.#read(namespace, name);
    return kv ? this.#decode(kv) : undefined;
  }

  /**
   * An object as read from the store or the watch cache, in this resource's version: custom
   * resources are stored in one version and served in all (only apiVersion differs).
   */
  served(object: KubeObject): KubeObject {
    if (object.apiVersion === this.resource.apiVersion) return object;
    if (this.resource.conversion) return this.resource.conversion.fromStorage(object);
    if (!this.resource.customResource) return object;
    return { ...object, apiVersion: this.resource.apiVersion };
  }

  /** Stored bytes are the served JSON (apart from resourceVersion): no conversion, one version. */
  get #storedAsServed(): boolean {
    return !this.resource.conversion && !this.resource.customResource;
  }

  #decode(kv: KeyValue): KubeObject {
    return this.served(decodeObject(kv));
  }

  #encode(object: KubeObject): Uint8Array {
    if (this.resource.conversion) return encodeObject(this.resource.conversion.toStorage(object));
    const storage = this.resource.customResource?.storageApiVersion;
    return encodeObject(storage && object.apiVersion !== storage ? { ...object, apiVersion: storage } : object);
  }

  async create(namespace: string, input: KubeObject, options: WriteOptions): Promise<KubeObject> {
    const object = options.handOver ? input : structuredClone(input);
    const def = this.resource.def;
    const meta = (object.metadata ??= {});
    if (this.resource.namespaced) meta.namespace = namespace;
    else delete meta.namespace;
    if (!meta.name && meta.generateName) meta.name = generateName(meta.generateName);
    object.apiVersion = this.resource.apiVersion;
    object.kind = this.resource.kind;
    fillForCreate(object, options.now, def.generation === true);
    def.strategy?.prepareForCreate?.(object);
    def.strategy?.defaults?.(object);
    options.managedFields?.(object);
    if (!options.trusted) this.#validate(object, undefined);
    if (options.dryRun) {
      if (await this.#read(namespace, meta.name!)) throw alreadyExists(this.resource.gr, meta.name!);
      return object;
    }
    const key = bytes(this.key(namespace, meta.name!));
    const value = this.#encode(object);
    const r = await this.#store.txn({ compare: [{ key, modRevision: 0 }], success: [{ type: 'put', key, value }] });
    if (!r.succeeded) throw alreadyExists(this.resource.gr, meta.name!);
    meta.resourceVersion = String(r.revision);
    if (this.#storedAsServed) rememberStored(object, value, r.revision);
    return object;
  }

  /**
   * Reads, transforms and writes back until the write wins (upstream's GuaranteedUpdate).
   * A resourceVersion in the transformed object is a precondition: if it is not the
   * current one, the update fails with 409 Conflict instead of retrying.
   */
  async update(namespace: string, name: string, tryUpdate: TryUpdate, options: UpdateOptions): Promise<{ object: KubeObject; created: boolean }> {
    const keyString = this.key(namespace, name);
    const key = bytes(keyString);
    for (let attempt = 0; ; attempt++) {
      const kv = await this.#read(namespace, name);
      // The watch cache's copy is the current object when it has the stored revision (it is
      // shared, so it is only read); otherwise the stored bytes are decoded.
      const cached = kv ? this.cache.get(keyString) : undefined;
      const shared = cached !== undefined && cached.metadata?.resourceVersion === String(kv!.modRevision);
      const current = kv ? (shared ? this.served(cached) : this.#decode(kv)) : undefined;
      /** `current` as the caller may keep and change it. */
      const own = () => (shared ? this.#decode(kv!) : current!);
      // tryUpdate gets a copy of its own (decoding again is cheaper than cloning); what it makes
      // of that copy is ours to store, anything else it returns may be shared and is copied.
      const given = kv ? this.#decode(kv) : undefined;
      const result = await tryUpdate(given);
      const proposed = result === given ? result : structuredClone(result);
      const meta = (proposed.metadata ??= {});
      if (meta.name !== undefined && meta.name !== name) {
        throw badRequest(`the name of the object (${meta.name}) does not match the name on the URL (${name})`);
      }
      meta.name = name;
      if (!current) {
        if (!options.createIfMissing) throw notFound(this.resource.gr, name);
        if (meta.resourceVersion) throw notFound(this.resource.gr, name);
        try {
          return { object: await this.create(namespace, proposed, { ...options, handOver: true }), created: true };
        } catch (err) {
          if (err instanceof StatusError && err.reason === 'AlreadyExists' && attempt < maxConflictRetries) continue;
          throw err;
        }
      }
      const precondition = meta.resourceVersion;
      if (precondition && precondition !== current.metadata?.resourceVersion) {
        throw conflict(this.resource.gr, name, modifiedConflictDetail);
      }
      const next = this.#prepareUpdate(proposed, current, options.subresource ?? '');
      options.managedFields?.(next);
      if (deepEqual(stripVersion(next), stripVersion(current))) {
        return { object: own(), created: false };
      }
      if (shouldDeleteNow(next) && (this.resource.finalizers?.(next) ?? []).length === 0) {
        const deleted = await this.#deleteAt(key, kv!, options);
        if (deleted) return { object: own(), created: false };
      } else {
        if (options.dryRun) return { object: next, created: false };
        const value = this.#encode(next);
        const r = await this.#store.txn({ compare: [{ key, modRevision: kv!.modRevision }], success: [{ type: 'put', key, value }] });
        if (r.succeeded) {
          next.metadata!.resourceVersion = String(r.revision);
          if (this.#storedAsServed) rememberStored(next, value, r.revision);
          return { object: next, created: false };
        }
      }
      if (precondition) throw conflict(this.resource.gr, name, modifiedConflictDetail);
      if (attempt >= maxUnconditionalRetries) throw conflict(this.resource.gr, name, modifiedConflictDetail);
    }
  }

  async delete(namespace: string, name: string, options: DeleteOptions): Promise<{ object: KubeObject; deleted: boolean }> {
    const key = bytes(this.key(namespace, name));
    for (let attempt = 0; ; attempt++) {
      const kv = await this.#read(namespace, name);
      if (!kv) throw notFound(this.resource.gr, name);
      const current = this.#decode(kv);
      const meta = current.metadata ?? {};
      const pre = options.preconditions;
      if (pre?.uid && pre.uid !== meta.uid) {
        throw conflict(this.resource.gr, name, `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${meta.uid}`);
      }
      if (pre?.resourceVersion && pre.resourceVersion !== meta.resourceVersion) {
        throw conflict(this.resource.gr, name, `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${meta.resourceVersion}`);
      }
      const next = structuredClone(current);
      if (meta.deletionTimestamp === undefined) this.resource.prepareForDelete?.(next);
      const nextMeta = next.metadata!;
      const finalizers = new Set(nextMeta.finalizers ?? []);
      if (options.propagationPolicy === 'Orphan') {
        finalizers.add('orphan');
        finalizers.delete('foregroundDeletion');
      } else if (options.propagationPolicy === 'Foreground') {
        finalizers.add('foregroundDeletion');
        finalizers.delete('orphan');
      } else if (options.propagationPolicy === 'Background') {
        finalizers.delete('orphan');
        finalizers.delete('foregroundDeletion');
      }
      const grace = this.#gracePeriod(current, options.gracePeriodSeconds);
      if (finalizers.size === 0 && (this.resource.finalizers?.(next) ?? []).length === 0 && grace === 0) {
        if (options.dryRun) return { object: current, deleted: true };
        if (await this.#deleteAt(key, kv, options)) return { object: current, deleted: true };
        continue;
      }
      // Graceful or finalized deletion: mark it; whoever owns the finalizers (or the
      // kubelet, for a graceful pod) completes it.
      const alreadyDeleting = meta.deletionTimestamp !== undefined;
      if (!alreadyDeleting || (meta.deletionGracePeriodSeconds ?? 0) > grace) {
        nextMeta.deletionTimestamp = rfc3339(options.now + grace * 1000);
        nextMeta.deletionGracePeriodSeconds = grace;
        if (this.resource.def.generation) nextMeta.generation = (nextMeta.generation ?? 1) + 1;
      }
      nextMeta.finalizers = [...finalizers];
      if (nextMeta.finalizers.length === 0) delete nextMeta.finalizers;
      if (deepEqual(stripVersion(next), stripVersion(current))) return { object: current, deleted: false };
      if (options.dryRun) return { object: next, deleted: false };
      const r = await this.#store.txn({ compare: [{ key, modRevision: kv.modRevision }], success: [{ type: 'put', key, value: this.#encode(next) }] });
      if (r.succeeded) {
        nextMeta.resourceVersion = String(r.revision);
        return { object: next, deleted: false };
      }
      if (attempt >= maxConflictRetries) throw conflict(this.resource.gr, name, modifiedConflictDetail);
    }
  }

  async list(namespace: string, options: ListOptions): Promise<ListResult> {
    const rv = options.resourceVersion ?? '';
    const match = options.resourceVersionMatch ?? '';
    if (match && !['NotOlderThan', 'Exact'].includes(match)) {
      throw badRequest(`resourceVersionMatch: Unsupported value: "${match}": supported values: "Exact", "NotOlderThan"`);
    }
    if (match && rv === '') throw badRequest('resourceVersionMatch is forbidden unless resourceVersion is provided');
    if (options.continue) {
      if (rv !== '' && rv !== '0') throw badRequest('specifying resource version is not allowed when using continue');
      return this.#listFromStore(namespace, options, decodeContinue(options.continue));
    }
    if (match === 'Exact') return this.#listFromStore(namespace, options, { rv: parseRv(rv), start: '' });
    if (rv === '' && (options.limit || !this.#store.synchronousWatch)) return this.#listFromStore(namespace, options, { rv: 0, start: '' });
    // A consistent read may come from the watch cache when the cache cannot lag the store
    // (upstream's consistent list from cache); pages still read the store at one revision.
    // resourceVersion "0" or NotOlderThan: any state at least that new, from the cache.
    // A consistent read first waits for what the store committed to be published (a commit may
    // be read before it is durable, and is published only then), so the cache has it.
    if (rv === '') await this.#store.published?.();
    const wanted = rv === '' ? 0 : parseRv(rv);
    await this.cache.start();
    if (!(await this.cache.waitForRevision(wanted, 3_000))) {
      throw new StatusError(504, 'Timeout', `Too large resource version: ${wanted}, current: ${this.cache.revision}`, {
        causes: [{ reason: 'ResourceVersionTooLarge', message: 'Too large resource version' }],
        retryAfterSeconds: 1,
      });
    }
    if (options.raw && !options.filter && this.#storedAsServed) {
      return { items: [], rawItems: this.cache.listRaw(this.prefix(namespace)), resourceVersion: String(this.cache.revision) };
    }
    const items = this.cache.list(this.prefix(namespace)).map((o) => this.served(o)).filter((o) => options.filter?.(o) ?? true);
    return { items, resourceVersion: String(this.cache.revision) };
  }

  async #listFromStore(namespace: string, options: ListOptions, from: { rv: number; start: string }): Promise<ListResult> {
    const prefix = this.prefix(namespace);
    if (from.start && !from.start.startsWith(prefix)) throw badRequest('continue key is not valid: it does not belong to this list');
    const end = prefixEnd(bytes(prefix));
    const limit = options.limit && options.limit > 0 ? options.limit : 0;
    const items: KubeObject[] = [];
    const raw = options.raw && !options.filter && this.#storedAsServed ? ([] as StoredBytes[]) : undefined;
    const done = (result: ListResult): ListResult => (raw ? { ...result, items: [], rawItems: raw } : result);
    let start = from.start ? bytes(from.start) : bytes(prefix);
    let revision = from.rv;
    const chunk = limit > 0 ? Math.max(limit, 100) : 0;
    for (;;) {
      let r;
      try {
        r = await this.#store.range(start, { end, limit: chunk, revision });
      } catch (err) {
        if (err instanceof CompactedError) {
          throw from.start
            ? gone('The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.')
            : gone(`too old resource version: ${revision} (${err.compactRevision})`);
        }
        if (err instanceof FutureRevisionError) {
          throw new StatusError(504, 'Timeout', `Too large resource version: ${revision}`, { causes: [{ reason: 'ResourceVersionTooLarge', message: 'Too large resource version' }] });
        }
        throw err;
      }
      if (revision === 0) revision = r.revision;
      for (let i = 0; i < r.kvs.length; i++) {
        const kv = r.kvs[i];
        if (raw) raw.push(storedBytes(kv));
        else {
          const object = this.#decode(kv);
          if (options.filter && !options.filter(object)) continue;
          items.push(object);
        }
        const count = raw ? raw.length : items.length;
        if (limit > 0 && count === limit) {
          const moreHere = i < r.kvs.length - 1 || r.more;
          if (!moreHere) return done({ items, resourceVersion: String(revision) });
          const next = keyText(successor(kv.key));
          const result: ListResult = { items, resourceVersion: String(revision), continue: encodeContinue(revision, next) };
          if (!options.filter) result.remainingItemCount = r.count - (i + 1);
          return done(result);
        }
      }
      if (!r.more || r.kvs.length === 0) return done({ items, resourceVersion: String(revision) });
      start = successor(r.kvs[r.kvs.length - 1].key);
    }
  }

  async #read(namespace: string, name: string): Promise<KeyValue | undefined> {
    const r = await this.#store.range(bytes(this.key(namespace, name)));
    return r.kvs[0];
  }

  async #deleteAt(key: Uint8Array, kv: KeyValue, options: WriteOptions): Promise<boolean> {
    if (options.dryRun) return true;
    const r = await this.#store.txn({ compare: [{ key, modRevision: kv.modRevision }], success: [{ type: 'delete', key }] });
    return r.succeeded;
  }

  #prepareUpdate(proposed: KubeObject, current: KubeObject, subresource: string): KubeObject {
    const def = this.resource.def;
    proposed.apiVersion = this.resource.apiVersion;
    proposed.kind = this.resource.kind;
    let next: KubeObject;
    if (subresource === 'status') {
      // A status write changes status only (upstream's ResetObjectMetaForStatus).
      next = structuredClone(current);
      if (proposed.status === undefined) delete next.status;
      else next.status = proposed.status;
    } else if (subresource !== '') {
      // A subresource served by code (pods/binding): the handler made the change itself.
      next = proposed;
      preserveForUpdate(next, current, def.generation === true);
      return next;
    } else {
      next = proposed;
      if (def.status) {
        if (current.status === undefined) delete next.status;
        else next.status = structuredClone(current.status);
      }
      def.strategy?.prepareForUpdate?.(next, current);
    }
    preserveForUpdate(next, current, def.generation === true);
    def.strategy?.defaults?.(next);
    this.#validate(next, current);
    return next;
  }

  #validate(object: KubeObject, old: KubeObject | undefined): void {
    const def = this.resource.def;
    const causes: StatusCause[] = def.validatesMetadata
      ? []
      : validateObjectMeta(object.metadata ?? {}, { namespaced: def.namespaced, nameValidator: def.nameValidator ?? nameIsDNSSubdomain });
    causes.push(...(def.strategy?.validate?.(object) ?? []));
    if (old) causes.push(...(def.strategy?.validateUpdate?.(object, old) ?? []));
    if (causes.length > 0) throw invalid(def.group, def.kind, object.metadata?.name ?? '', causes);
  }

  #gracePeriod(object: KubeObject, requested: number | undefined): number {
    if (this.resource.group !== '' || this.resource.resource !== 'pods') return requested ?? 0;
    // Pods: a pod no kubelet runs (unbound, or finished) goes at once, as upstream.
    const spec = (object.spec ?? {}) as { nodeName?: string; terminationGracePeriodSeconds?: number };
    const phase = (object.status as { phase?: string } | undefined)?.phase;
    if (!spec.nodeName || phase === 'Succeeded' || phase === 'Failed') return 0;
    return Math.max(0, requested ?? spec.terminationGracePeriodSeconds ?? 30);
  }
}

function shouldDeleteNow(object: KubeObject): boolean {
  const meta = object.metadata ?? {};
  return meta.deletionTimestamp !== undefined && (meta.finalizers ?? []).length === 0 && (meta.deletionGracePeriodSeconds ?? 0) === 0;
}

function stripVersion(object: KubeObject): KubeObject {
  const { resourceVersion: _rv, ...meta } = object.metadata ?? {};
  return { ...object, metadata: meta };
}

function parseRv(rv: string): number {
  if (!/^\d+$/.test(rv)) throw badRequest(`Invalid value: "${rv}": resourceVersion must be an unsigned integer`);
  return Number(rv);
}

function encodeContinue(rv: number, start: string): string {
  return Buffer.from(JSON.stringify({ v: 'meta.k8s.io/v1', rv, start })).toString('base64url');
}

function decodeContinue(token: string): { rv: number; start: string } {
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { v?: string; rv?: number; start?: string };
    if (parsed.v === 'meta.k8s.io/v1' && typeof parsed.rv === 'number' && typeof parsed.start === 'string') return { rv: parsed.rv, start: parsed.start };
  } catch {
    // fall through
  }
  throw badRequest('continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)');
}
