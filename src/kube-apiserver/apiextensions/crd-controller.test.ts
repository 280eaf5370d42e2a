import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KubeObject } from '../../api/kind.ts';
import { realClock } from '../../machinery/clock.ts';
import { StatusError } from '../../machinery/status.ts';
import { bytes, text } from '../../store/keys.ts';
import { openMemoryStore } from '../../store/memory/memory-store.ts';
import { mastersAuthorizer } from '../auth/authorizer.ts';
import { builtinResources } from '../builtin.ts';
import type { ServerContext } from '../handlers/context.ts';
import { ResourceStore } from '../registry/resource-store.ts';
import { ResourceRegistry, type ApiResource } from '../registry/resources.ts';
import { ServiceAllocator } from '../registry/service-allocator.ts';
import { WatchCache } from '../registry/watch-cache.ts';
import { cleanupFinalizer, createCrdController } from './crd-controller.ts';

function setup() {
  const store = openMemoryStore();
  const registry = new ResourceRegistry();
  for (const r of builtinResources()) registry.add(r);
  const stores = new Map<string, ResourceStore>();
  const stopping = new AbortController();
  const context: ServerContext = {
    registry,
    clock: realClock,
    authorizer: mastersAuthorizer,
    serviceAllocator: new ServiceAllocator(),
    tokens: undefined as unknown as ServerContext['tokens'], // not used by the controller
    signal: stopping.signal,
    storeFor(resource: ApiResource): ResourceStore {
      const key = `${resource.group}/${resource.resource}`;
      let rs = stores.get(key);
      if (!rs || rs.resource !== resource) {
        rs = new ResourceStore(resource, store, stores.get(key)?.cache ?? new WatchCache(store, resource.keyPrefix));
        stores.set(key, rs);
      }
      return rs;
    },
  };
  const controller = createCrdController(context, { retryDelayMs: 5, maxRetryDelayMs: 50 });
  const crds = () => context.storeFor(registry.get('apiextensions.k8s.io', 'v1', 'customresourcedefinitions')!);
  return {
    store,
    registry,
    context,
    controller,
    crds,
    async close() {
      controller.close();
      stopping.abort();
      for (const rs of stores.values()) rs.cache.close();
      await store.close();
    },
  };
}

const now = Date.UTC(2026, 0, 1);

function crdObject(plural: string, kind: string, extra: { shortNames?: string[]; scope?: string; listKind?: string } = {}): KubeObject {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${plural}.example.com` },
    spec: {
      group: 'example.com',
      scope: extra.scope ?? 'Namespaced',
      names: { plural, singular: kind.toLowerCase(), kind, ...(extra.shortNames ? { shortNames: extra.shortNames } : {}), ...(extra.listKind ? { listKind: extra.listKind } : {}) },
      versions: [
        {
          name: 'v1',
          served: true,
          storage: true,
          subresources: { status: {} },
          schema: { openAPIV3Schema: { type: 'object', properties: { spec: { type: 'object', properties: { size: { type: 'integer' } } } } } },
        },
        { name: 'v1beta1', served: true, storage: false, schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } } },
      ],
    },
  };
}

async function until<T>(what: string, check: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

const condition = (crd: KubeObject, type: string) =>
  ((crd.status as { conditions?: { type: string; status: string; reason?: string; message?: string; lastTransitionTime?: string }[] }).conditions ?? []).find((c) => c.type === type);

describe('CRD controller', () => {
  it('accepts the names, establishes the CRD and serves every served version from one storage version', async () => {
    const t = setup();
    try {
      await t.controller.start();
      await t.crds().create('', crdObject('widgets', 'Widget', { shortNames: ['wd'] }), { now });
      const v1 = await until('widgets served', () => t.registry.get('example.com', 'v1', 'widgets'));
      const crd = await until('Established', async () => {
        const c = await t.crds().get('', 'widgets.example.com');
        return condition(c, 'Established')?.status === 'True' && c;
      });
      assert.deepEqual(condition(crd, 'NamesAccepted'), {
        type: 'NamesAccepted',
        status: 'True',
        reason: 'NoConflicts',
        message: 'no conflicts found',
        lastTransitionTime: condition(crd, 'NamesAccepted')!.lastTransitionTime,
      });
      assert.equal(condition(crd, 'Established')!.reason, 'InitialNamesAccepted');
      assert.deepEqual((crd.status as { acceptedNames: unknown }).acceptedNames, { plural: 'widgets', singular: 'widget', shortNames: ['wd'], kind: 'Widget', listKind: 'WidgetList' });
      assert.deepEqual((crd.status as { storedVersions: string[] }).storedVersions, ['v1']);
      assert.deepEqual([v1.namespaced, v1.def.shortNames, v1.subresources.map((s) => s.name)], [true, ['wd'], ['status']]);

      const beta = t.registry.get('example.com', 'v1beta1', 'widgets')!;
      const created = await t.context.storeFor(beta).create('ns', { apiVersion: 'example.com/v1beta1', kind: 'Widget', metadata: { name: 'w' }, spec: { size: 1 } }, { now });
      assert.equal(created.apiVersion, 'example.com/v1beta1');
      const stored = await t.store.range(bytes('/registry/example.com/widgets/ns/w'));
      assert.equal(JSON.parse(text(stored.kvs[0].value)).apiVersion, 'example.com/v1', 'stored in the storage version');
      assert.equal((await t.context.storeFor(v1).get('ns', 'w')).apiVersion, 'example.com/v1');
      assert.equal((await t.context.storeFor(beta).get('ns', 'w')).apiVersion, 'example.com/v1beta1');
      await assert.rejects(
        t.context.storeFor(v1).create('ns', { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'bad' }, spec: { size: 'big' } }, { now }),
        (err: unknown) => err instanceof StatusError && err.code === 422 && /spec\.size in body must be of type integer/.test(err.message),
      );
    } finally {
      await t.close();
    }
  });

  it('refuses names another CRD of the group has accepted', async () => {
    const t = setup();
    try {
      await t.controller.start();
      await t.crds().create('', crdObject('widgets', 'Widget'), { now });
      await until('widgets served', () => t.registry.get('example.com', 'v1', 'widgets'));
      // The last conflict found names the reason (the singular and short name conflict too).
      await t.crds().create('', crdObject('gadgets', 'Widget', { shortNames: ['widgets'], listKind: 'GadgetList' }), { now });
      const crd = await until('NamesAccepted', async () => {
        const c = await t.crds().get('', 'gadgets.example.com');
        return condition(c, 'NamesAccepted') && c;
      });
      assert.deepEqual([condition(crd, 'NamesAccepted')!.status, condition(crd, 'NamesAccepted')!.reason, condition(crd, 'NamesAccepted')!.message], [
        'False',
        'KindConflict',
        '"Widget" is already in use',
      ]);
      assert.deepEqual((crd.status as { acceptedNames: unknown }).acceptedNames, { plural: 'gadgets', kind: '', listKind: 'GadgetList' });
      assert.deepEqual([condition(crd, 'Established')!.status, condition(crd, 'Established')!.reason], ['False', 'NotAccepted']);
      assert.equal(t.registry.get('example.com', 'v1', 'gadgets'), undefined);
    } finally {
      await t.close();
    }
  });

  it('deletes the custom resources, then lets the CRD go and stops serving it', async () => {
    const t = setup();
    try {
      await t.controller.start();
      await t.crds().create('', crdObject('widgets', 'Widget'), { now });
      const v1 = await until('widgets served', () => t.registry.get('example.com', 'v1', 'widgets'));
      await until('Established', async () => condition(await t.crds().get('', 'widgets.example.com'), 'Established')?.status === 'True');
      const widgets = () => t.context.storeFor(t.registry.get('example.com', 'v1', 'widgets') ?? v1);
      await widgets().create('a', { metadata: { name: 'plain' } }, { now });
      await widgets().create('b', { metadata: { name: 'held', finalizers: ['example.com/hold'] } }, { now });

      const marked = await t.crds().delete('', 'widgets.example.com', { now });
      assert.equal(marked.deleted, false);
      assert.deepEqual(marked.object.metadata?.finalizers, [cleanupFinalizer]);
      assert.equal(condition(marked.object, 'Terminating')?.reason, 'InstanceDeletionPending');

      const waiting = await until('InstanceDeletionCheck', async () => {
        const c = await t.crds().get('', 'widgets.example.com');
        return condition(c, 'Terminating')?.reason === 'InstanceDeletionCheck' && c;
      });
      assert.equal(condition(waiting, 'Terminating')!.message, 'could not confirm zero CustomResources remaining: 1 remaining');
      await assert.rejects(widgets().get('a', 'plain'), (err: unknown) => err instanceof StatusError && err.reason === 'NotFound');
      await assert.rejects(widgets().create('a', { metadata: { name: 'late' } }, { now }), (err: unknown) => err instanceof StatusError && err.code === 405);

      await widgets().update('b', 'held', (w) => ({ ...w!, metadata: { ...w!.metadata, finalizers: [] } }), { now });
      await until('CRD gone', async () => {
        try {
          await t.crds().get('', 'widgets.example.com');
          return false;
        } catch (err) {
          return err instanceof StatusError && err.reason === 'NotFound';
        }
      });
      await until('widgets no longer served', () => t.registry.get('example.com', 'v1', 'widgets') === undefined && t.registry.get('example.com', 'v1beta1', 'widgets') === undefined);
      assert.equal((await t.store.range(bytes('/registry/example.com/widgets/'), { end: bytes('/registry/example.com/widgets0') })).kvs.length, 0);
    } finally {
      await t.close();
    }
  });

  it('serves the CRDs that exist when it starts before start() resolves', async () => {
    const t = setup();
    try {
      await t.crds().create('', crdObject('widgets', 'Widget', { scope: 'Cluster' }), { now });
      await t.controller.start();
      const served = t.registry.get('example.com', 'v1', 'widgets');
      assert.ok(served);
      assert.equal(served.namespaced, false);
    } finally {
      await t.close();
    }
  });
});
