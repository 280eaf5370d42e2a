// Server-side apply and managedFields with the real kubectl against a real `k8ts up`: what
// `kubectl apply --server-side` creates, prunes and refuses, which managers
// `--show-managed-fields` lists after create, scale, label and client-side apply, and the
// conflict kubectl prints, as upstream's.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startCluster, type Cluster } from '../support/k8ts-cluster.ts';

let cluster: Cluster;
before(async () => {
  cluster = await startCluster(['--disable-controller-manager', '--disable-agent']);
});
after(async () => {
  await cluster?.stop();
});

async function ok(args: string[], input?: string): Promise<string> {
  const r = await cluster.kubectl(args, { input });
  assert.equal(r.code, 0, `kubectl ${args.join(' ')} failed (${r.code}):\n${r.stderr}`);
  return r.stdout;
}

async function get(kind: string, name: string): Promise<Record<string, any>> {
  return JSON.parse(await ok(['get', kind, name, '-o', 'json', '--show-managed-fields']));
}

function entry(object: Record<string, any>, manager: string, operation: string, subresource?: string): Record<string, any> | undefined {
  return object.metadata.managedFields?.find(
    (e: Record<string, any>) => e.manager === manager && e.operation === operation && e.subresource === subresource,
  );
}

const deployment = (replicas: number, labels: Record<string, string>) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels: ${JSON.stringify(labels)}
spec:
  replicas: ${replicas}
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: nginx
        image: nginx:1.25
        ports:
        - containerPort: 80
`;

describe('kubectl apply --server-side', () => {
  it('creates the object and records the applier as its Apply manager', async () => {
    assert.match(await ok(['apply', '--server-side', '-f', '-'], deployment(2, { app: 'web', tier: 'front' })), /deployment\.apps\/web serverside-applied/);
    const live = await get('deployment', 'web');
    assert.equal(live.spec.replicas, 2);
    assert.equal(live.spec.strategy.type, 'RollingUpdate', 'defaults are filled in as on any create');
    const applied = entry(live, 'kubectl', 'Apply');
    assert.ok(applied, JSON.stringify(live.metadata.managedFields));
    assert.equal(applied.apiVersion, 'apps/v1');
    assert.equal(applied.fieldsType, 'FieldsV1');
    assert.match(applied.time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.deepEqual(applied.fieldsV1, {
      'f:metadata': { 'f:labels': { 'f:app': {}, 'f:tier': {} } },
      'f:spec': {
        'f:replicas': {},
        'f:selector': {},
        'f:template': {
          'f:metadata': { 'f:labels': { 'f:app': {} } },
          'f:spec': {
            'f:containers': {
              'k:{"name":"nginx"}': {
                '.': {},
                'f:image': {},
                'f:name': {},
                'f:ports': { 'k:{"containerPort":80,"protocol":"TCP"}': { '.': {}, 'f:containerPort': {} } },
              },
            },
          },
        },
      },
    });
    const plain = JSON.parse(await ok(['get', 'deployment', 'web', '-o', 'json']));
    assert.equal(plain.metadata.managedFields, undefined, 'kubectl hides managedFields unless asked');
  });

  it('removes a field the applier no longer applies, and keeps one another manager owns', async () => {
    await ok(['label', 'deployment', 'web', 'owner=ops']);
    assert.deepEqual(entry(await get('deployment', 'web'), 'kubectl-label', 'Update')?.fieldsV1, { 'f:metadata': { 'f:labels': { 'f:owner': {} } } });
    // The applied configuration drops tier (only kubectl applied it) and never had owner.
    assert.match(await ok(['apply', '--server-side', '-f', '-'], deployment(2, { app: 'web' })), /serverside-applied/);
    const live = await get('deployment', 'web');
    assert.deepEqual(live.metadata.labels, { app: 'web', owner: 'ops' });
    assert.deepEqual(entry(live, 'kubectl', 'Apply')?.fieldsV1['f:metadata'], { 'f:labels': { 'f:app': {} } });
  });

  it('conflicts with the manager that scaled, as upstream words it, until forced', async () => {
    assert.match(await ok(['scale', 'deployment', 'web', '--replicas=3']), /scaled/);
    const scaled = await get('deployment', 'web');
    const scaler = entry(scaled, 'kubectl', 'Update', 'scale');
    assert.deepEqual(scaler?.fieldsV1, { 'f:spec': { 'f:replicas': {} } }, JSON.stringify(scaled.metadata.managedFields));
    assert.equal(entry(scaled, 'kubectl', 'Apply')?.fieldsV1['f:spec']['f:replicas'], undefined, 'the applier lost replicas');

    const r = await cluster.kubectl(['apply', '--server-side', '-f', '-'], { input: deployment(5, { app: 'web' }) });
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /^error: Apply failed with 1 conflict: conflict with "kubectl" with subresource "scale" using apps\/v1: \.spec\.replicas\n/);
    assert.match(r.stderr, /--force-conflicts/);
    assert.equal((await get('deployment', 'web')).spec.replicas, 3, 'a conflict changes nothing');

    // Applying the live value instead shares ownership: no conflict.
    assert.match(await ok(['apply', '--server-side', '-f', '-'], deployment(3, { app: 'web' })), /serverside-applied/);
    const shared = await get('deployment', 'web');
    assert.ok(entry(shared, 'kubectl', 'Apply')?.fieldsV1['f:spec']['f:replicas']);
    assert.ok(entry(shared, 'kubectl', 'Update', 'scale'));

    assert.match(await ok(['apply', '--server-side', '--force-conflicts', '-f', '-'], deployment(5, { app: 'web' })), /serverside-applied/);
    const forced = await get('deployment', 'web');
    assert.equal(forced.spec.replicas, 5);
    assert.equal(entry(forced, 'kubectl', 'Update', 'scale'), undefined, 'the scaler lost its only field');
  });

  it('shows each manager with --show-managed-fields', async () => {
    const out = await ok(['get', 'deployment', 'web', '-o', 'yaml', '--show-managed-fields']);
    assert.match(out, /managedFields:\n {2}- apiVersion: apps\/v1\n {4}fieldsType: FieldsV1\n {4}fieldsV1:\n {6}f:metadata:\n/);
    assert.match(out, /manager: kubectl\n {4}operation: Apply\n/);
    assert.match(out, /manager: kubectl-label\n {4}operation: Update\n/);
    assert.doesNotMatch(await ok(['get', 'deployment', 'web', '-o', 'yaml']), /managedFields/);
  });

  it('creates with kubectl create as an Update by kubectl-create, defaults included', async () => {
    await ok(['create', 'deployment', 'made', '--image=nginx', '--port=80']);
    const made = await get('deployment', 'made');
    assert.equal(made.metadata.managedFields.length, 1);
    const created = entry(made, 'kubectl-create', 'Update');
    assert.ok(created);
    assert.deepEqual(created.fieldsV1['f:metadata'], { 'f:labels': { '.': {}, 'f:app': {} } });
    assert.deepEqual(created.fieldsV1['f:spec']['f:strategy'], { 'f:rollingUpdate': { '.': {}, 'f:maxSurge': {}, 'f:maxUnavailable': {} }, 'f:type': {} });
    assert.deepEqual(created.fieldsV1['f:spec']['f:template']['f:spec']['f:containers']['k:{"name":"nginx"}']['f:ports'], {
      '.': {},
      'k:{"containerPort":80,"protocol":"TCP"}': { '.': {}, 'f:containerPort': {}, 'f:protocol': {} },
    });
  });

  it('takes over from client-side apply without conflicts', async () => {
    const cm = (a: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  a: "${a}"\n  b: "2"\n`;
    await ok(['apply', '-f', '-'], cm('1'));
    assert.ok(entry(await get('configmap', 'settings'), 'kubectl-client-side-apply', 'Update'));
    assert.match(await ok(['apply', '--server-side', '-f', '-'], cm('10')), /serverside-applied/);
    const live = await get('configmap', 'settings');
    assert.deepEqual(live.data, { a: '10', b: '2' });
    assert.deepEqual(entry(live, 'kubectl', 'Apply')?.fieldsV1['f:data'], { 'f:a': {}, 'f:b': {} });
    assert.match(live.metadata.annotations['kubectl.kubernetes.io/last-applied-configuration'], /"a":"10"/);
  });

  it('refuses an apply without a field manager', async () => {
    const r = await cluster.kubectl(['apply', '--server-side', '--field-manager=', '-f', '-'], { input: deployment(5, { app: 'web' }) });
    assert.notEqual(r.code, 0);
    // kubectl words a 422 from its details: PatchOptions.meta.k8s.io "" is invalid: ...
    assert.equal(r.stderr, 'The PatchOptions "" is invalid: fieldManager: Required value: is required for apply patch\n');
  });
});
