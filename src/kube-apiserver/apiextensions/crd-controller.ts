// The CRD controller inside the API server (upstream's naming, establishing and finalizer
// controllers plus the CRD handler's serving table, in one level-triggered loop). It follows
// CustomResourceDefinitions through their watch cache; reconcile(name) reads the CRD and
// makes the world match it, idempotently:
//   - names: NamesAccepted True/False (NoConflicts, PluralConflict, ...), status.acceptedNames;
//     Established True (InitialNamesAccepted) once the names were accepted; storedVersions;
//     all written through the status subresource with the CRD's resourceVersion as precondition;
//   - serving: once established, one ApiResource per served version in the ResourceRegistry
//     (discovery and OpenAPI follow it), registered before Established is written, so a
//     client that waited for Established finds the resource; removed when the CRD is gone;
//   - deletion: the first DELETE adds the customresourcecleanup.apiextensions.k8s.io finalizer
//     and Terminating (InstanceDeletionPending), as upstream's CRD storage does; then this
//     controller refuses new objects, deletes every custom resource, waits until none is left
//     (InstanceDeletionCheck while some have finalizers), records InstanceDeletionCompleted
//     and removes the finalizer, so the CRD goes away.
// Failures requeue the CRD with exponential back-off; start() resolves after every CRD that
// existed has been reconciled once, so a restarted server serves its custom resources
// before it reports ready.

import type { KubeObject } from '../../api/kind.ts';
import { obj as asObject, str as asString, strings } from '../../api/meta/v1/unstructured.ts';
import type { Timer } from '../../machinery/clock.ts';
import { conflict, StatusError } from '../../machinery/status.ts';
import type { ServerContext } from '../handlers/context.ts';
import { deepEqual } from '../registry/object-meta.ts';
import { rfc3339 } from '../../machinery/time.ts';
import type { ResourceStore } from '../registry/resource-store.ts';
import type { ApiResource } from '../registry/resources.ts';
import type { CacheWatcher } from '../registry/watch-cache.ts';
import { customResources, storageVersion, type AcceptedNames } from './custom-resource.ts';
import { acceptedNamesOf, addUsedNames, calculateNames, isConditionTrue, setCondition, type CrdCondition, type UsedNames } from './naming.ts';

export const cleanupFinalizer = 'customresourcecleanup.apiextensions.k8s.io';

const crdGroup = 'apiextensions.k8s.io';
const crdResourceName = 'customresourcedefinitions';

export interface CrdControllerOptions {
  log?: (message: string) => void;
  /** First retry delay after a failure (ms); doubles per failure up to maxRetryDelayMs. */
  retryDelayMs?: number;
  maxRetryDelayMs?: number;
}

export interface CrdController {
  /** Loads the CRDs, reconciles each once, then keeps following them. */
  start(): Promise<void>;
  /** Stops following (also when the server context's signal aborts). */
  close(): void;
}

/** Thrown to retry later without logging an error (instances still being deleted). */
class Pending extends Error {}

interface Served {
  fingerprint: string;
  resources: ApiResource[];
}

export function createCrdController(context: ServerContext, options: CrdControllerOptions = {}): CrdController {
  const { registry, clock } = context;
  const log = options.log ?? (() => {});
  const baseDelay = options.retryDelayMs ?? 10;
  const maxDelay = options.maxRetryDelayMs ?? 10_000;
  const now = () => rfc3339(clock.now());

  const base = registry.get(crdGroup, 'v1', crdResourceName);
  // The CRD storage's Delete: the first deletion request adds the cleanup finalizer.
  const crdResource: ApiResource | undefined = base && {
    ...base,
    prepareForDelete(object) {
      const meta = (object.metadata ??= {});
      if (!(meta.finalizers ?? []).includes(cleanupFinalizer)) meta.finalizers = [...(meta.finalizers ?? []), cleanupFinalizer];
      const status = (object.status ??= {}) as Record<string, unknown>;
      setCondition(
        status,
        { type: 'Terminating', status: 'True', reason: 'InstanceDeletionPending', message: 'CustomResourceDefinition marked for deletion; CustomResource deletion will begin soon' },
        now(),
      );
    },
  };
  if (crdResource) registry.add(crdResource);

  const served = new Map<string, Served>();
  /** What this controller last wrote per CRD: newer than the cache until its event arrives. */
  const written = new Map<string, KubeObject>();
  const queue = new Set<string>();
  const failures = new Map<string, number>();
  const timers = new Set<Timer>();
  let wake: (() => void) | undefined;
  let watcher: CacheWatcher | undefined;
  let closed = false;
  let crds: ResourceStore | undefined;

  function enqueue(name: string): void {
    if (closed) return;
    queue.add(name);
    wake?.();
  }

  function retryLater(name: string): void {
    const n = (failures.get(name) ?? 0) + 1;
    failures.set(name, n);
    const timer = clock.setTimeout(() => {
      timers.delete(timer);
      enqueue(name);
    }, Math.min(maxDelay, baseDelay * 2 ** (n - 1)));
    timer.unref?.();
    timers.add(timer);
  }

  function all(): KubeObject[] {
    return crds!.cache.list().map((o) => newest(o, written.get(o.metadata?.name ?? '')));
  }

  function newest(cached: KubeObject, mine: KubeObject | undefined): KubeObject {
    return mine && Number(mine.metadata?.resourceVersion) > Number(cached.metadata?.resourceVersion) ? mine : cached;
  }

  /** Names in use in a group: every CRD's accepted names and the built-in resources'. */
  function usedNames(group: string): UsedNames {
    const used: UsedNames = { resources: new Set(), kinds: new Set() };
    for (const crd of all()) if (asString(asObject(crd.spec).group) === group) addUsedNames(used, acceptedNamesOf(crd));
    for (const r of registry.all()) {
      if (r.customResource || r.group !== group) continue;
      addUsedNames(used, { plural: r.resource, singular: r.singular, shortNames: r.def.shortNames, kind: r.kind, listKind: r.listKind });
    }
    return used;
  }

  function serve(crd: KubeObject, names: AcceptedNames, terminating: boolean): void {
    const name = crd.metadata!.name!;
    const fingerprint = JSON.stringify([crd.spec, names, terminating]);
    const previous = served.get(name);
    if (previous?.fingerprint === fingerprint) return;
    const resources = customResources(crd, names, { terminating }).filter((r) => {
      const existing = registry.get(r.group, r.version, r.resource);
      return !existing || existing.customResource !== undefined;
    });
    const kept = new Set(resources.map((r) => `${r.group}/${r.version}/${r.resource}`));
    for (const r of previous?.resources ?? []) {
      if (!kept.has(`${r.group}/${r.version}/${r.resource}`) && registry.get(r.group, r.version, r.resource) === r) registry.remove(r.group, r.version, r.resource);
    }
    for (const r of resources) registry.add(r);
    served.set(name, { fingerprint, resources });
  }

  function unserve(name: string): void {
    for (const r of served.get(name)?.resources ?? []) {
      if (registry.get(r.group, r.version, r.resource) === r) registry.remove(r.group, r.version, r.resource);
    }
    served.delete(name);
  }

  /** Writes `status` through the status subresource, if it changed; the CRD's version is the precondition. */
  async function writeStatus(crd: KubeObject, status: Record<string, unknown>): Promise<KubeObject> {
    if (deepEqual(status, crd.status ?? {})) return crd;
    const name = crd.metadata!.name!;
    const { object } = await crds!.update(
      '',
      name,
      (current) => {
        if (!current) throw conflict(crdResource!.gr, name, 'the object has been deleted');
        return { ...current, metadata: { ...current.metadata, resourceVersion: crd.metadata!.resourceVersion }, status };
      },
      { subresource: 'status', now: clock.now() },
    );
    written.set(name, object);
    return object;
  }

  function withStoredVersion(crd: KubeObject, status: Record<string, unknown>): void {
    const storage = storageVersion(crd);
    const stored = strings(status.storedVersions);
    if (storage && !stored.includes(storage)) status.storedVersions = [...stored, storage];
  }

  async function reconcile(name: string): Promise<void> {
    const cached = crds!.cache.get(crds!.key('', name));
    if (!cached) {
      written.delete(name);
      unserve(name);
      return;
    }
    const crd = newest(cached, written.get(name));
    if (crd.metadata?.deletionTimestamp !== undefined) return finalize(crd);

    const { names, condition } = calculateNames(crd, usedNames(asString(asObject(crd.spec).group)));
    const established = isConditionTrue(crd, 'Established') || condition.status === 'True';
    const status = structuredClone(asObject(crd.status));
    status.acceptedNames = names;
    setCondition(status, condition, now());
    if (!isConditionTrue(crd, 'Established')) {
      setCondition(
        status,
        established
          ? { type: 'Established', status: 'True', reason: 'InitialNamesAccepted', message: 'the initial names have been accepted' }
          : { type: 'Established', status: 'False', reason: 'NotAccepted', message: 'not all names are accepted' },
        now(),
      );
    }
    withStoredVersion(crd, status);
    if (established) serve(crd, names, false);
    await writeStatus(crd, status);
  }

  async function finalize(crd: KubeObject): Promise<void> {
    const name = crd.metadata!.name!;
    const established = isConditionTrue(crd, 'Established');
    const names = acceptedNamesOf(crd);
    if (established) serve(crd, names, true);
    if (!(crd.metadata?.finalizers ?? []).includes(cleanupFinalizer)) return;

    let done: CrdCondition;
    if (established) {
      crd = await setTerminating(crd, { type: 'Terminating', status: 'True', reason: 'InstanceDeletionInProgress', message: 'CustomResource deletion is in progress' });
      const remaining = await deleteInstances(crd, names);
      if (remaining > 0) {
        await setTerminating(crd, {
          type: 'Terminating',
          status: 'True',
          reason: 'InstanceDeletionCheck',
          message: `could not confirm zero CustomResources remaining: ${remaining} remaining`,
        });
        throw new Pending(`${name}: ${remaining} custom resources remaining`);
      }
      done = { type: 'Terminating', status: 'False', reason: 'InstanceDeletionCompleted', message: 'removed all instances' };
    } else {
      done = { type: 'Terminating', status: 'False', reason: 'NeverEstablished', message: 'resource was never established' };
    }
    crd = await setTerminating(crd, done);
    const { object } = await crds!.update(
      '',
      name,
      (current) => {
        if (!current) throw conflict(crdResource!.gr, name, 'the object has been deleted');
        const next = structuredClone(current);
        next.metadata!.resourceVersion = crd.metadata!.resourceVersion;
        next.metadata!.finalizers = (next.metadata!.finalizers ?? []).filter((f) => f !== cleanupFinalizer);
        return next;
      },
      { now: clock.now() },
    );
    written.set(name, object);
  }

  async function setTerminating(crd: KubeObject, condition: CrdCondition): Promise<KubeObject> {
    const status = structuredClone(asObject(crd.status));
    setCondition(status, condition, now());
    withStoredVersion(crd, status);
    return writeStatus(crd, status);
  }

  /** Deletes every custom resource of the CRD; returns how many are left (held by finalizers). */
  async function deleteInstances(crd: KubeObject, names: AcceptedNames): Promise<number> {
    const resource = customResources(crd, names, { terminating: true })[0];
    if (!resource) return 0;
    const store = context.storeFor(resource);
    const { items } = await store.list('', {});
    for (const item of items) {
      try {
        await store.delete(item.metadata?.namespace ?? '', item.metadata!.name!, { now: clock.now() });
      } catch (err) {
        if (!(err instanceof StatusError && err.reason === 'NotFound')) throw err;
      }
    }
    return (await store.list('', {})).items.length;
  }

  async function processNext(): Promise<void> {
    const name = queue.values().next().value as string;
    queue.delete(name);
    try {
      await reconcile(name);
      failures.delete(name);
    } catch (err) {
      if (closed) return;
      const quiet = err instanceof Pending || (err instanceof StatusError && (err.reason === 'Conflict' || err.reason === 'NotFound'));
      if (!quiet) log(`customresourcedefinition ${name}: ${err instanceof Error ? err.message : String(err)}`);
      retryLater(name);
    }
  }

  async function run(): Promise<void> {
    while (!closed) {
      if (queue.size === 0) {
        await new Promise<void>((resolve) => (wake = resolve));
        wake = undefined;
        continue;
      }
      await processNext();
    }
  }

  /** Every change to a CRD may free or take names in its group: requeue the whole group. */
  async function follow(): Promise<void> {
    const cache = crds!.cache;
    while (!closed) {
      try {
        await cache.start();
        watcher = cache.watch(0, () => true);
        for (const crd of cache.list()) enqueue(crd.metadata!.name!);
        for await (const batch of watcher.events) {
          for (const event of batch) {
            const group = asString(asObject(event.object.spec).group);
            enqueue(event.object.metadata!.name!);
            for (const crd of cache.list()) if (asString(asObject(crd.spec).group) === group) enqueue(crd.metadata!.name!);
          }
        }
      } catch (err) {
        if (!closed && !(err instanceof StatusError && err.code === 410)) log(`customresourcedefinitions watch: ${String(err)}`);
      }
      if (!closed) await new Promise<void>((resolve) => clock.setTimeout(resolve, baseDelay));
    }
  }

  function close(): void {
    closed = true;
    watcher?.close();
    for (const t of timers) clock.clearTimeout(t);
    timers.clear();
    wake?.();
  }
  context.signal.addEventListener('abort', close, { once: true });

  return {
    async start() {
      if (!crdResource) return;
      crds = context.storeFor(crdResource);
      await crds.cache.start();
      for (const crd of crds.cache.list()) queue.add(crd.metadata!.name!);
      const initial = [...queue];
      for (const name of initial) if (queue.has(name)) await processNext();
      void follow();
      void run();
    },
    close,
  };
}

