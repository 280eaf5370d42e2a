import assert from 'node:assert/strict';
import { test } from 'node:test';
import { until } from '../../../../test/support/until.ts';
import { FakeClock } from '../../../machinery/fake-clock.ts';
import { StatusError } from '../../../machinery/status.ts';
import { cacheOf, FakeClient, fakeSource, quietLogger } from '../../testing.ts';
import type { Namespace } from '../../types.ts';
import { description, descriptionAnnotation, Publisher, type ConfigMap } from './publisher.ts';

const ca = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';

function ns(name: string, phase = 'Active'): Namespace {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name, resourceVersion: '1' }, status: { phase } };
}

function cm(namespace: string, data: Record<string, string> = { 'ca.crt': ca }, annotations: Record<string, string> = { [descriptionAnnotation]: description }): ConfigMap {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'kube-root-ca.crt', namespace, resourceVersion: '7', annotations, labels: { team: 'x' } }, data };
}

function publisher(fake: FakeClient, namespaces: Namespace[], configMaps: ConfigMap[]) {
  return new Publisher({ client: fake.client, namespaces: cacheOf(namespaces), configMaps: cacheOf(configMaps), rootCA: ca, clock: new FakeClock(), log: quietLogger });
}

test('creates kube-root-ca.crt with the CA and upstream description in a namespace without one', async () => {
  const fake = new FakeClient();
  await publisher(fake, [ns('a')], []).reconcile('a');
  const creates = fake.callsOf('create', 'configmaps');
  assert.equal(creates.length, 1);
  assert.equal(creates[0].ref.namespace, 'a');
  assert.deepEqual(creates[0].body, {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'kube-root-ca.crt', namespace: 'a', annotations: { 'kubernetes.io/description': description } },
    data: { 'ca.crt': ca },
  });
  assert.match(description, /^Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes\.default\.svc\. No other usage is guaranteed across distributions of Kubernetes clusters\.$/);
});

test('leaves a correct ConfigMap alone; restores edited data or a removed description, keeping the rest', async () => {
  const fake = new FakeClient();
  await publisher(fake, [ns('a')], [cm('a')]).reconcile('a');
  assert.equal(fake.calls.length, 0);

  for (const edited of [cm('a', { 'ca.crt': 'forged' }), cm('a', { 'ca.crt': ca, extra: 'x' }), cm('a', { 'ca.crt': ca }, { other: 'kept' })]) {
    const f = new FakeClient();
    await publisher(f, [ns('a')], [edited]).reconcile('a');
    const updates = f.callsOf('update', 'configmaps');
    assert.equal(updates.length, 1);
    const body = updates[0].body as ConfigMap;
    assert.deepEqual(body.data, { 'ca.crt': ca });
    assert.equal(body.metadata?.annotations?.[descriptionAnnotation], description);
    assert.equal(body.metadata?.resourceVersion, '7', 'conditional on the cached copy');
    assert.deepEqual(body.metadata?.labels, { team: 'x' });
    if (edited.metadata?.annotations?.other) assert.equal(body.metadata?.annotations?.other, 'kept');
  }
});

test('terminating or unknown namespaces get nothing; a create refused because the namespace terminates is not retried', async () => {
  const fake = new FakeClient();
  await publisher(fake, [ns('gone', 'Terminating')], []).reconcile('gone');
  await publisher(fake, [], []).reconcile('unknown');
  assert.equal(fake.calls.length, 0);

  const refused = new FakeClient();
  refused.fail = () =>
    new StatusError(403, 'Forbidden', 'configmaps "kube-root-ca.crt" is forbidden: unable to create new content in namespace a because it is being terminated', {
      causes: [{ reason: 'NamespaceTerminating', message: 'namespace a is being terminated', field: 'metadata.namespace' }],
    });
  await publisher(refused, [ns('a')], []).reconcile('a');

  const failing = new FakeClient();
  failing.fail = () => new StatusError(500, 'InternalError', 'boom');
  await assert.rejects(publisher(failing, [ns('a')], []).reconcile('a'), /boom/);
});

test('running: publishes in every namespace, and again when the ConfigMap is edited or deleted', async () => {
  const namespaces = fakeSource([ns('a'), ns('b')]);
  const configMaps = fakeSource<ConfigMap>([cm('b')]);
  const fake = new FakeClient();
  const controller = new Publisher({ client: fake.client, namespaces: namespaces.informer, configMaps: configMaps.informer, rootCA: ca, clock: new FakeClock(), log: quietLogger });
  const abort = new AbortController();
  namespaces.informer.start(abort.signal);
  configMaps.informer.start(abort.signal);
  const run = controller.run(abort.signal);
  const creates = () => fake.callsOf('create', 'configmaps').map((c) => c.ref.namespace);
  try {
    await until('the first create', async () => creates().length === 1);
    assert.deepEqual(creates(), ['a']);

    configMaps.emit('MODIFIED', cm('b', { 'ca.crt': 'forged' }));
    await until('the edit undone', async () => fake.callsOf('update', 'configmaps').length === 1);

    configMaps.emit('DELETED', cm('b'));
    await until('the deleted ConfigMap recreated', async () => creates().length === 2);
    assert.deepEqual(creates(), ['a', 'b']);

    namespaces.emit('ADDED', ns('c'));
    await until('a new namespace served', async () => creates().includes('c'));
  } finally {
    abort.abort();
    await run;
    await Promise.all([namespaces.informer.stop(), configMaps.informer.stop()]);
  }
});
