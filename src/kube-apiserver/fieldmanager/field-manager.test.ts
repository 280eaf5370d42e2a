import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { builtinKinds } from '../../api/builtin.ts';
import type { KindDefinition, KubeObject } from '../../api/kind.ts';
import { StatusError } from '../../machinery/status.ts';
import { toApiResource, type ApiResource } from '../registry/resources.ts';
import { applyConfiguration, requestManager, scaleManagedFields, updateManagedFields, validateWriteOptions } from './field-manager.ts';
import type { ManagedFieldsEntry } from './managed-fields.ts';

const resourceOf = (group: string, kind: string): ApiResource => toApiResource(builtinKinds().find((d) => d.group === group && d.kind === kind)!);
const deployments = resourceOf('apps', 'Deployment');
const configmaps = resourceOf('', 'ConfigMap');
const pods = resourceOf('', 'Pod');

const t0 = Date.parse('2025-01-01T00:00:00Z');
const later = (s: number) => t0 + s * 1000;

/** What the registry would store: defaults, a uid, and the computed managedFields. */
function stored(resource: ApiResource, object: KubeObject, managedFields: ManagedFieldsEntry[] | undefined): KubeObject {
  const o = structuredClone(object);
  resource.def.strategy?.defaults?.(o);
  o.metadata = { ...o.metadata, uid: 'uid-1' };
  if (managedFields) o.metadata.managedFields = managedFields;
  else delete o.metadata.managedFields;
  return o;
}

function create(resource: ApiResource, object: KubeObject, manager: string, now = t0): KubeObject {
  return stored(resource, object, updateManagedFields(resource, undefined, object, { manager, subresource: '', now }));
}

function write(resource: ApiResource, live: KubeObject, next: KubeObject, manager: string, now: number, subresource = ''): KubeObject {
  const managedFields = updateManagedFields(resource, live, next, { manager, subresource, now });
  const object = subresource === 'status' ? { ...structuredClone(live), status: next.status } : next;
  return stored(resource, object, managedFields);
}

function applied(resource: ApiResource, live: KubeObject | undefined, config: KubeObject, manager: string, now: number, force = false): KubeObject {
  const r = applyConfiguration(resource, live, config, { manager, subresource: '', now, force });
  return stored(resource, r.object, r.managedFields);
}

function entry(object: KubeObject, manager: string, operation = 'Update', subresource?: string): ManagedFieldsEntry | undefined {
  return (object.metadata?.managedFields as ManagedFieldsEntry[] | undefined)?.find(
    (e) => e.manager === manager && e.operation === operation && e.subresource === subresource,
  );
}

function conflictOf(fn: () => unknown): StatusError {
  try {
    fn();
  } catch (err) {
    if (err instanceof StatusError) return err;
    throw err;
  }
  assert.fail('expected a conflict');
}

const deployment = (spec: Record<string, unknown>, labels: Record<string, string> = { app: 'web' }): KubeObject => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', namespace: 'default', labels },
  spec: {
    selector: { matchLabels: { app: 'web' } },
    template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'nginx', image: 'nginx:1' }] } },
    ...spec,
  },
});

const configmap = (data: Record<string, string>): KubeObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm', namespace: 'default' }, data });

describe('updates (create, update, patch)', () => {
  it('gives the creator every field it set, defaults included, with upstream\'s "." entries', () => {
    const o = create(deployments, deployment({ replicas: 2 }), 'kubectl-create');
    const e = entry(o, 'kubectl-create')!;
    assert.equal(o.metadata!.managedFields!.length, 1);
    assert.equal(e.apiVersion, 'apps/v1');
    assert.equal(e.time, '2025-01-01T00:00:00Z');
    assert.equal(e.fieldsType, 'FieldsV1');
    const spec = e.fieldsV1!['f:spec'] as Record<string, any>;
    assert.deepEqual(e.fieldsV1!['f:metadata'], { 'f:labels': { '.': {}, 'f:app': {} } });
    assert.equal(spec['.'], undefined, 'spec is part of the zero value');
    assert.deepEqual(spec['f:strategy'], { 'f:rollingUpdate': { '.': {}, 'f:maxSurge': {}, 'f:maxUnavailable': {} }, 'f:type': {} });
    assert.deepEqual(Object.keys(spec['f:template']['f:spec']['f:containers']), ['k:{"name":"nginx"}']);
    assert.ok(spec['f:template']['f:spec']['f:containers']['k:{"name":"nginx"}']['f:imagePullPolicy']);
    assert.deepEqual(Object.keys(e), ['manager', 'operation', 'apiVersion', 'time', 'fieldsType', 'fieldsV1']);
  });

  it('moves changed fields to the writer and keeps the time of managers that changed nothing', () => {
    const created = create(configmaps, configmap({ a: '1', b: '2' }), 'kubectl-create');
    const next = structuredClone(created);
    next.data = { a: '1', b: '3', c: '4' };
    const o = write(configmaps, created, next, 'editor', later(60));
    assert.deepEqual(entry(o, 'kubectl-create')!.fieldsV1, { 'f:data': { '.': {}, 'f:a': {} } });
    assert.equal(entry(o, 'kubectl-create')!.time, '2025-01-01T00:00:00Z');
    assert.deepEqual(entry(o, 'editor')!.fieldsV1, { 'f:data': { 'f:b': {}, 'f:c': {} } });
    assert.equal(entry(o, 'editor')!.time, '2025-01-01T00:01:00Z');

    // The same manager again: one entry, merged; removing a field takes it from everyone.
    const again = structuredClone(o);
    again.data = { a: '1', b: '3', d: '5' };
    const o2 = write(configmaps, o, again, 'editor', later(120));
    assert.deepEqual(entry(o2, 'editor')!.fieldsV1, { 'f:data': { 'f:b': {}, 'f:d': {} } });
    assert.equal(o2.metadata!.managedFields!.length, 2);

    // A write that changes nothing changes no entry.
    const same = write(configmaps, o2, structuredClone(o2), 'someone', later(180));
    assert.deepEqual(same.metadata!.managedFields, o2.metadata!.managedFields);
  });

  it('records status writes under subresource "status", owning status only', () => {
    const pod = create(pods, { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [{ name: 'c', image: 'x' }] }, status: { phase: 'Running' } }, 'kubectl-run');
    assert.equal(entry(pod, 'kubectl-run')!.fieldsV1!['f:status'], undefined, 'the main resource never owns status');
    pod.status = { phase: 'Pending' };
    const next = structuredClone(pod);
    next.status = { phase: 'Running', podIP: '10.0.0.1' };
    next.spec = { containers: [{ name: 'c', image: 'changed' }] };
    const o = write(pods, pod, next, 'kubelet', later(5), 'status');
    assert.deepEqual(entry(o, 'kubelet', 'Update', 'status')!.fieldsV1, { 'f:status': { 'f:phase': {}, 'f:podIP': {} } });
    assert.deepEqual(entry(o, 'kubectl-run'), entry(pod, 'kubectl-run'));
  });

  it('takes managedFields sent with the object, clears them on [] or [{}], ignores invalid ones', () => {
    const created = create(configmaps, configmap({ a: '1' }), 'kubectl-create');
    const sent = structuredClone(created);
    sent.metadata!.managedFields = [{ manager: 'restored', operation: 'Update', apiVersion: 'v1', fieldsType: 'FieldsV1', fieldsV1: { 'f:data': { 'f:a': {} } } }];
    assert.deepEqual(write(configmaps, created, sent, 'x', later(1)).metadata!.managedFields, sent.metadata!.managedFields);
    for (const reset of [[], [{}]]) {
      const cleared = structuredClone(created);
      cleared.metadata!.managedFields = reset;
      cleared.data = { a: '2' };
      assert.equal(write(configmaps, created, cleared, 'x', later(1)).metadata!.managedFields, undefined);
    }
    const garbage = structuredClone(created);
    garbage.metadata!.managedFields = [{ manager: 'x', operation: 'Delete' }];
    assert.deepEqual(write(configmaps, created, garbage, 'x', later(1)).metadata!.managedFields, created.metadata!.managedFields);
  });

  it('does not start tracking an existing object nobody manages', () => {
    const untracked = stored(configmaps, configmap({ a: '1' }), undefined);
    const next = structuredClone(untracked);
    next.data = { a: '2' };
    assert.equal(updateManagedFields(configmaps, untracked, next, { manager: 'x', subresource: '', now: t0 }), undefined);
  });

  it('keeps at most ten Update entries, merging the oldest into ancient-changes', () => {
    let o = create(configmaps, configmap({ k0: '0' }), 'm0');
    for (let i = 1; i <= 11; i++) {
      const next = structuredClone(o);
      next.data = { ...(next.data as object), [`k${i}`]: String(i) };
      o = write(configmaps, o, next, `m${i}`, later(i));
    }
    const managers = o.metadata!.managedFields!.map((e) => (e as ManagedFieldsEntry).manager);
    assert.equal(managers.length, 10);
    assert.equal(managers[0], 'ancient-changes');
    assert.deepEqual(entry(o, 'ancient-changes')!.fieldsV1, { 'f:data': { '.': {}, 'f:k0': {}, 'f:k1': {}, 'f:k2': {} } });
  });

  it('names the manager from the User-Agent when no fieldManager is given', () => {
    assert.equal(requestManager(null, 'kubectl/v1.33.1 (linux/amd64) kubernetes/8adc0f0'), 'kubectl');
    assert.equal(requestManager('mine', 'kubectl/v1.33.1'), 'mine');
    assert.equal(requestManager(null, undefined), '');
    const o = create(configmaps, configmap({ a: '1' }), '');
    assert.ok(entry(o, 'unknown'));
  });
});

describe('server-side apply', () => {
  it('creates, then removes what the applier stops applying unless someone else owns it', () => {
    const first = applied(configmaps, undefined, configmap({ a: '1', b: '2', c: '3' }), 'alice', t0);
    assert.deepEqual(entry(first, 'alice', 'Apply')!.fieldsV1, { 'f:data': { 'f:a': {}, 'f:b': {}, 'f:c': {} } });
    assert.equal(entry(first, 'alice', 'Apply')!.apiVersion, 'v1');
    // bob applies c with the same value: shared ownership, no conflict.
    const shared = applied(configmaps, first, configmap({ c: '3' }), 'bob', later(1));
    assert.deepEqual(entry(shared, 'bob', 'Apply')!.fieldsV1, { 'f:data': { 'f:c': {} } });
    // alice drops b and c: b goes, c stays because bob still applies it.
    const pruned = applied(configmaps, shared, configmap({ a: '1' }), 'alice', later(2));
    assert.deepEqual(pruned.data, { a: '1', c: '3' });
    assert.deepEqual(entry(pruned, 'alice', 'Apply')!.fieldsV1, { 'f:data': { 'f:a': {} } });
  });

  it('keeps a field an updater owns when the applier drops it', () => {
    const first = applied(configmaps, undefined, configmap({ a: '1', b: '2' }), 'alice', t0);
    const next = structuredClone(first);
    next.data = { a: '1', b: '20' };
    const edited = write(configmaps, first, next, 'kubectl-edit', later(1));
    assert.deepEqual(entry(edited, 'alice', 'Apply')!.fieldsV1, { 'f:data': { 'f:a': {} } });
    const after = applied(configmaps, edited, configmap({ a: '1' }), 'alice', later(2));
    assert.deepEqual(after.data, { a: '1', b: '20' });
  });

  it('removes list-map items and granular map keys it applied before', () => {
    const two = deployment({ replicas: 1, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'a', image: 'a' }, { name: 'b', image: 'b' }] } } }, { app: 'web', tier: 'front' });
    const one = deployment({ replicas: 1, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'a', image: 'a' }] } } });
    const first = applied(deployments, undefined, two, 'kubectl', t0);
    const after = applied(deployments, first, one, 'kubectl', later(1));
    const spec = after.spec as any;
    assert.deepEqual(spec.template.spec.containers.map((c: any) => c.name), ['a']);
    assert.deepEqual(after.metadata!.labels, { app: 'web' });
    assert.equal(spec.strategy.type, 'RollingUpdate', 'unowned defaults stay');
  });

  it('refuses to change another manager\'s field, with upstream\'s message and causes', () => {
    const created = create(deployments, deployment({ replicas: 2 }), 'kubectl-client-side-apply');
    const err = conflictOf(() => applyConfiguration(deployments, created, deployment({ replicas: 3 }), { manager: 'ci', subresource: '', now: later(1), force: false }));
    assert.equal(err.code, 409);
    assert.equal(err.reason, 'Conflict');
    assert.equal(err.message, 'Apply failed with 1 conflict: conflict with "kubectl-client-side-apply" using apps/v1: .spec.replicas');
    assert.deepEqual(err.status.details, {
      causes: [{ reason: 'FieldManagerConflict', message: 'conflict with "kubectl-client-side-apply" using apps/v1', field: '.spec.replicas' }],
    });

    const forced = applied(deployments, created, deployment({ replicas: 3 }), 'ci', later(2), true);
    assert.equal((forced.spec as any).replicas, 3);
    assert.ok(entry(forced, 'ci', 'Apply')!.fieldsV1!['f:spec']);
    assert.equal((entry(forced, 'kubectl-client-side-apply')!.fieldsV1!['f:spec'] as any)['f:replicas'], undefined, 'the loser gives the field up');
  });

  it('lists several conflicts by manager', () => {
    let o = applied(configmaps, undefined, configmap({ a: '1', b: '2' }), 'alice', t0);
    const next = structuredClone(o);
    next.data = { a: '1', b: '2', c: '3' };
    o = write(configmaps, o, next, 'editor', later(1));
    const err = conflictOf(() => applyConfiguration(configmaps, o, configmap({ a: 'x', b: 'y', c: 'z' }), { manager: 'bob', subresource: '', now: later(2), force: false }));
    assert.equal(err.message, 'Apply failed with 3 conflicts: conflicts with "alice":\n- .data.a\n- .data.b\nconflicts with "editor" using v1:\n- .data.c');
    assert.equal(err.status.details!.causes!.length, 3);
  });

  it('changes nothing but ownership when the configuration matches, keeping the time', () => {
    const first = applied(configmaps, undefined, configmap({ a: '1' }), 'alice', t0);
    const r = applyConfiguration(configmaps, first, configmap({ a: '1' }), { manager: 'alice', subresource: '', now: later(9), force: false });
    assert.deepEqual(r.managedFields, first.metadata!.managedFields);
  });

  it('checks the configuration as upstream does', () => {
    const bad = (config: KubeObject) => conflictOf(() => applyConfiguration(configmaps, undefined, config, { manager: 'x', subresource: '', now: t0, force: false }));
    assert.equal(bad({ apiVersion: 'v2', kind: 'ConfigMap', metadata: { name: 'cm' } }).message, 'invalid object type: /v2, Kind=ConfigMap');
    const withFields = configmap({});
    withFields.metadata!.managedFields = [];
    assert.equal(bad(withFields).message, 'metadata.managedFields must be nil');
    const dup = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'default' }, spec: { containers: [{ name: 'a' }, { name: 'a' }] } };
    const err = conflictOf(() => applyConfiguration(pods, undefined, dup, { manager: 'x', subresource: '', now: t0, force: false }));
    assert.equal(err.code, 500);
    assert.equal(err.message, 'failed to create typed patch object (default/p; /v1, Kind=Pod): .spec.containers: duplicate entries for key [name="a"]');
  });

  it('credits what an untracked object holds to before-first-apply', () => {
    const untracked = stored(configmaps, configmap({ a: '1' }), undefined);
    const err = conflictOf(() => applyConfiguration(configmaps, untracked, configmap({ a: '2' }), { manager: 'x', subresource: '', now: t0, force: false }));
    assert.match(err.message, /conflict with "before-first-apply" using v1: \.data\.a/);
  });

  it('lets kubectl take over what client-side apply last applied', () => {
    const csa = configmap({ a: '1' });
    csa.metadata!.annotations = { 'kubectl.kubernetes.io/last-applied-configuration': JSON.stringify(configmap({ a: '1' })) };
    const created = create(configmaps, csa, 'kubectl-client-side-apply');
    const o = applied(configmaps, created, configmap({ a: '2' }), 'kubectl', later(1));
    assert.equal((o.data as any).a, '2');
    assert.equal(
      o.metadata!.annotations!['kubectl.kubernetes.io/last-applied-configuration'],
      '{"apiVersion":"v1","data":{"a":"2"},"kind":"ConfigMap","metadata":{"name":"cm","namespace":"default"}}\n',
      'the annotation follows what kubectl applies',
    );
    assert.throws(() => applyConfiguration(configmaps, created, configmap({ a: '2' }), { manager: 'other', subresource: '', now: later(1), force: false }), /Apply failed/);
  });

  it('treats lists of custom resources without list metadata as atomic', () => {
    const def: KindDefinition = {
      group: 'example.com',
      version: 'v1',
      kind: 'Widget',
      resource: 'widgets',
      namespaced: true,
      schema: {
        type: 'object',
        properties: {
          apiVersion: { type: 'string' },
          kind: { type: 'string' },
          metadata: { type: 'object' },
          spec: { type: 'object', properties: { items: { type: 'array', items: { type: 'object', properties: { name: { type: 'string' } } } }, size: { type: 'integer' } } },
        },
      },
    };
    const widgets = { ...toApiResource(def), customResource: { storageApiVersion: 'example.com/v1' } };
    const w = (spec: Record<string, unknown>): KubeObject => ({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' }, spec });
    const first = applied(widgets, undefined, w({ items: [{ name: 'a' }, { name: 'b' }], size: 1 }), 'alice', t0);
    assert.deepEqual(entry(first, 'alice', 'Apply')!.fieldsV1, { 'f:spec': { 'f:items': {}, 'f:size': {} } });
    const replaced = applied(widgets, first, w({ items: [{ name: 'c' }], size: 1 }), 'alice', later(1));
    assert.deepEqual((replaced.spec as any).items, [{ name: 'c' }]);
    const created = create(widgets, w({ size: 2 }), 'kubectl-create');
    assert.deepEqual(entry(created, 'kubectl-create')!.fieldsV1, { 'f:spec': { '.': {}, 'f:size': {} } }, 'a custom resource has no zero value');
  });
});

describe('scale', () => {
  it('moves the replicas field to the scaler, recorded without a time as upstream', () => {
    const first = applied(deployments, undefined, deployment({ replicas: 2 }), 'kubectl', t0);
    const next = structuredClone(first);
    (next.spec as any).replicas = 3;
    const entries = scaleManagedFields(deployments, first, next, { manager: 'kubectl', now: later(1) });
    const o = stored(deployments, next, entries);
    assert.deepEqual(entry(o, 'kubectl', 'Update', 'scale'), {
      manager: 'kubectl',
      operation: 'Update',
      apiVersion: 'apps/v1',
      fieldsType: 'FieldsV1',
      fieldsV1: { 'f:spec': { 'f:replicas': {} } },
      subresource: 'scale',
    });
    assert.equal((entry(o, 'kubectl', 'Apply')!.fieldsV1!['f:spec'] as any)['f:replicas'], undefined);
    assert.deepEqual(scaleManagedFields(deployments, o, structuredClone(o), { manager: 'hpa', now: later(2) }), o.metadata!.managedFields, 'same replicas: no change');
  });

  it('records nothing when nobody owns the replicas', () => {
    const first = applied(deployments, undefined, deployment({}), 'kubectl', t0);
    const next = structuredClone(first);
    (next.spec as any).replicas = 3;
    assert.deepEqual(scaleManagedFields(deployments, first, next, { manager: 'kubectl', now: later(1) }), first.metadata!.managedFields);
  });
});

describe('request options', () => {
  it('requires a field manager for apply and refuses force elsewhere, as 422 on PatchOptions', () => {
    assert.throws(() => validateWriteOptions('PatchOptions', null, { apply: true }), (err: StatusError) => {
      assert.equal(err.code, 422);
      assert.equal(err.message, 'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch');
      return true;
    });
    assert.throws(() => validateWriteOptions('PatchOptions', 'x', { force: 'true' }), /force: Forbidden: may not be specified for non-apply patch/);
    assert.throws(() => validateWriteOptions('CreateOptions', 'x'.repeat(129)), /fieldManager: Too long: may not be more than 128 bytes/);
    assert.throws(() => validateWriteOptions('UpdateOptions', 'a\u0007'), /invalid character U\+0007 \(at position 1\)/);
    validateWriteOptions('PatchOptions', 'kubectl', { apply: true, force: 'false' });
  });
});
