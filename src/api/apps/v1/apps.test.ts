import assert from 'node:assert/strict';
import { test } from 'node:test';
import { create, stored, update } from '../../core/v1/strategy-harness.ts';
import { controllerRevision } from './controllerrevision.ts';
import { daemonSet } from './daemonset.ts';
import { deployment } from './deployment.ts';
import { replicaSet } from './replicaset.ts';
import { statefulSet } from './statefulset.ts';

const now = Date.parse('2024-01-01T00:03:00Z');
const template = { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'nginx', image: 'nginx:1.25' }, { name: 'log', image: 'busybox' }] } };
const web = { metadata: { name: 'web' }, spec: { selector: { matchLabels: { app: 'web' } }, template } };

test('deployment defaults as upstream', () => {
  const { object, errors } = create(deployment, web);
  assert.deepEqual(errors, []);
  const spec = object.spec as any;
  assert.equal(spec.replicas, 1);
  assert.deepEqual(spec.strategy, { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' } });
  assert.equal(spec.revisionHistoryLimit, 10);
  assert.equal(spec.progressDeadlineSeconds, 600);
  assert.equal(spec.template.spec.restartPolicy, 'Always');
  assert.equal(spec.template.spec.containers[0].imagePullPolicy, 'IfNotPresent');
  assert.equal(spec.template.spec.enableServiceLinks, undefined, 'templates do not get Pod-only defaults');
  assert.deepEqual(object.status, {});
});

test('deployment validation: selector required and matching the template', () => {
  const mismatch = create(deployment, { ...web, spec: { ...web.spec, selector: { matchLabels: { app: 'api' } } } }).errors;
  assert.deepEqual(mismatch, ['spec.template.metadata.labels: Invalid value: {"app":"web"}: `selector` does not match template `labels`']);
  const missing = create(deployment, { metadata: { name: 'web' }, spec: { template } }).errors;
  assert.deepEqual(missing, ['spec.selector: Required value', 'spec.template.metadata.labels: Invalid value: {"app":"web"}: `selector` does not match template `labels`']);
  const negative = create(deployment, { ...web, spec: { ...web.spec, replicas: -1 } }).errors;
  assert.deepEqual(negative, ['spec.replicas: Invalid value: -1: must be greater than or equal to 0']);
  const empty = create(deployment, { ...web, spec: { ...web.spec, selector: {} } }).errors;
  assert.deepEqual(empty, ['spec.selector: Invalid value: {}: empty selector is invalid for deployment']);
  const strategy = create(deployment, { ...web, spec: { ...web.spec, strategy: { rollingUpdate: { maxUnavailable: 0, maxSurge: 0 } } } }).errors;
  assert.deepEqual(strategy, ['spec.strategy.rollingUpdate.maxUnavailable: Invalid value: 0: may not be 0 when `maxSurge` is 0']);
});

test('the deployment selector is immutable', () => {
  const old = stored(deployment, web);
  const next = structuredClone(old);
  (next.spec as any).selector = { matchLabels: { app: 'web', tier: 'x' } };
  (next.spec as any).template.metadata.labels.tier = 'x';
  assert.deepEqual(update(deployment, next, old).errors, ['spec.selector: Invalid value: {"matchLabels":{"app":"web","tier":"x"}}: field is immutable']);
  const scaled = structuredClone(old);
  (scaled.spec as any).replicas = 3;
  assert.deepEqual(update(deployment, scaled, old).errors, []);
});

test('deployment table', () => {
  const d = stored(deployment, web);
  d.status = { replicas: 1, readyReplicas: 1, updatedReplicas: 1, availableReplicas: 1 };
  assert.deepEqual(deployment.table!.cells(d, now), ['1/1', 1, 1, '3m', 'nginx,log', 'nginx:1.25,busybox', 'app=web']);
  assert.deepEqual(
    deployment.table!.columns.map((c) => c.name),
    ['Ready', 'Up-to-date', 'Available', 'Age', 'Containers', 'Images', 'Selector'],
  );
});

test('replica sets: defaults, immutable selector, table, field selector', () => {
  const rs = stored(replicaSet, web);
  assert.equal((rs.spec as any).replicas, 1);
  assert.deepEqual(rs.status, { replicas: 0 });
  assert.deepEqual(replicaSet.table!.cells(rs, now), [1, 0, 0, '3m', 'nginx,log', 'nginx:1.25,busybox', 'app=web']);
  assert.equal(replicaSet.fields!['status.replicas'](rs), '0');
  const never = create(replicaSet, { ...web, spec: { ...web.spec, template: { ...template, spec: { ...template.spec, restartPolicy: 'Never' } } } }).errors;
  assert.deepEqual(never, ['spec.template.spec.restartPolicy: Unsupported value: "Never": supported values: "Always"']);
});

test('stateful sets: defaults, claim templates, forbidden updates, table', () => {
  const sts = stored(statefulSet, {
    metadata: { name: 'db' },
    spec: {
      serviceName: 'db',
      selector: { matchLabels: { app: 'db' } },
      template: { metadata: { labels: { app: 'db' } }, spec: { containers: [{ name: 'pg', image: 'postgres' }] } },
      volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }],
    },
  });
  const spec = sts.spec as any;
  assert.equal(spec.podManagementPolicy, 'OrderedReady');
  assert.deepEqual(spec.updateStrategy, { type: 'RollingUpdate', rollingUpdate: { partition: 0 } });
  assert.deepEqual(spec.persistentVolumeClaimRetentionPolicy, { whenDeleted: 'Retain', whenScaled: 'Retain' });
  assert.equal(spec.replicas, 1);
  assert.equal(spec.revisionHistoryLimit, 10);
  assert.equal(spec.volumeClaimTemplates[0].spec.volumeMode, 'Filesystem');
  assert.deepEqual(spec.volumeClaimTemplates[0].status, { phase: 'Pending' });
  sts.status = { replicas: 1, readyReplicas: 1 };
  assert.deepEqual(statefulSet.table!.cells(sts, now), ['1/1', '3m', 'pg', 'postgres']);
  const next = structuredClone(sts);
  (next.spec as any).serviceName = 'other';
  assert.deepEqual(update(statefulSet, next, sts).errors, [
    "spec: Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden",
  ]);
  const scaled = structuredClone(sts);
  (scaled.spec as any).replicas = 3;
  assert.deepEqual(update(statefulSet, scaled, sts).errors, []);
});

test('daemon sets: defaults, exactly one of maxSurge and maxUnavailable, table', () => {
  const ds = stored(daemonSet, { metadata: { name: 'agent' }, spec: { selector: { matchLabels: { app: 'web' } }, template: { ...template, spec: { ...template.spec, nodeSelector: { disk: 'ssd' } } } } });
  assert.deepEqual((ds.spec as any).updateStrategy, { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } });
  assert.equal((ds.spec as any).revisionHistoryLimit, 10);
  ds.status = { desiredNumberScheduled: 2, currentNumberScheduled: 2, numberReady: 1, updatedNumberScheduled: 2, numberAvailable: 1 };
  assert.deepEqual(daemonSet.table!.cells(ds, now), [2, 2, 1, 2, 1, 'disk=ssd', '3m', 'nginx,log', 'nginx:1.25,busybox', 'app=web']);
  const both = create(daemonSet, { ...web, spec: { ...web.spec, updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 1 } } } }).errors;
  assert.deepEqual(both, ['spec.updateStrategy.rollingUpdate.maxSurge: Invalid value: 1: may not be set when maxUnavailable is non-zero']);
  assert.equal(daemonSet.scale, undefined);
});

test('daemon sets: maxSurge with maxUnavailable 0 is a valid rolling update; not both 0, not both set', () => {
  const p = 'spec.updateStrategy.rollingUpdate';
  const cases: { rollingUpdate: Record<string, unknown>; errors: string[] }[] = [
    { rollingUpdate: { maxUnavailable: 0, maxSurge: 1 }, errors: [] },
    { rollingUpdate: { maxUnavailable: 0, maxSurge: '25%' }, errors: [] },
    { rollingUpdate: { maxUnavailable: '0%', maxSurge: '100%' }, errors: [] },
    { rollingUpdate: { maxUnavailable: 0, maxSurge: 0 }, errors: [`${p}.maxUnavailable: Required value: cannot be 0 when maxSurge is 0`] },
    { rollingUpdate: { maxUnavailable: '0%', maxSurge: '0%' }, errors: [`${p}.maxUnavailable: Required value: cannot be 0 when maxSurge is 0`] },
    { rollingUpdate: { maxUnavailable: '10%', maxSurge: '10%' }, errors: [`${p}.maxSurge: Invalid value: "10%": may not be set when maxUnavailable is non-zero`] },
    { rollingUpdate: { maxUnavailable: 0, maxSurge: '150%' }, errors: [`${p}.maxSurge: Invalid value: "150%": must not be greater than 100%`] },
  ];
  for (const c of cases) {
    const errors = create(daemonSet, { ...web, spec: { ...web.spec, updateStrategy: { type: 'RollingUpdate', rollingUpdate: c.rollingUpdate } } }).errors;
    assert.deepEqual(errors, c.errors, JSON.stringify(c.rollingUpdate));
  }
});

test('controller revisions: data is mandatory and immutable, CONTROLLER names the owner', () => {
  assert.deepEqual(create(controllerRevision, { metadata: { name: 'r' }, revision: 1 }).errors, ['data: Required value: data is mandatory']);
  const rev = stored(controllerRevision, {
    metadata: { name: 'db-5d8b', ownerReferences: [{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'db', uid: 'u', controller: true }] },
    data: { spec: { template: {} } },
    revision: 2,
  });
  assert.deepEqual(controllerRevision.table!.cells(rev, now), ['statefulset.apps/db', 2, '3m']);
  assert.deepEqual(update(controllerRevision, { ...rev, data: { other: 1 } }, rev).errors, ['data: Invalid value: {"other":1}: field is immutable']);
});
