import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KubeObject } from '../../../api/kind.ts';
import type { SharedIndexInformer } from '../../../client/informer.ts';
import { until } from '../../../../test/support/until.ts';
import { FakeClock } from '../../../machinery/fake-clock.ts';
import type { ApiResourceInfo } from '../../discovery.ts';
import { fakeSource, FakeClient, quietLogger } from '../../testing.ts';
import { ResourceQuotaController } from './resource-quota-controller.ts';

const verbs = ['create', 'delete', 'get', 'list', 'watch'];
const info = (resource: string, namespaced = true): ApiResourceInfo => ({ group: '', version: 'v1', resource, kind: resource, namespaced, verbs });

function pod(name: string): KubeObject {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'ns', uid: name, resourceVersion: '1' }, spec: { containers: [{ name: 'c', image: 'i', resources: { requests: { cpu: '100m' } } }] } };
}

const quota: KubeObject = { apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'q', namespace: 'ns', resourceVersion: '3' }, spec: { hard: { pods: '2', 'requests.cpu': '1' } } };

test('fills in status, recalculates when a counted object goes away, and on every resync', async () => {
  const clock = new FakeClock();
  const quotas = fakeSource([quota]);
  const sources = { pods: fakeSource([pod('a'), pod('b')]), secrets: fakeSource<KubeObject>([]), events: fakeSource<KubeObject>([]) };
  const requested: string[] = [];
  const abort = new AbortController();
  const informers = {
    informerFor: <T extends KubeObject>(target: { resource: string }) => {
      requested.push(target.resource);
      return sources[target.resource as keyof typeof sources].informer as unknown as SharedIndexInformer<T>;
    },
    start: () => {
      for (const s of Object.values(sources)) s.informer.start(abort.signal);
    },
  };
  const fake = new FakeClient();
  const controller = new ResourceQuotaController({
    client: fake.client,
    quotas: quotas.informer,
    informers,
    discover: async () => ({ resources: [info('pods'), info('secrets'), info('events'), info('nodes', false), { ...info('bindings'), verbs: ['create'] }], failed: new Map() }),
    clock,
    log: quietLogger,
    workers: 1,
  });
  quotas.informer.start(abort.signal);
  const run = controller.run(abort.signal);
  const writes = () => fake.callsOf('update', 'resourcequotas').map((c) => [c.ref.subresource, (c.body as KubeObject).status]);
  try {
    await until('the first status', async () => writes().length === 1);
    assert.deepEqual(requested.sort(), ['pods', 'secrets'], 'quotable: namespaced, create/list/watch/delete, not events');
    assert.deepEqual(writes()[0], ['status', { hard: { pods: '2', 'requests.cpu': '1' }, used: { pods: '2', 'requests.cpu': '200m' } }]);
    assert.equal((fake.callsOf('update', 'resourcequotas')[0].body as KubeObject).metadata?.resourceVersion, '3', 'conditional on the cached quota');

    // The server now reports it; status changes alone do not trigger a recalculation.
    quotas.emit('MODIFIED', { ...quota, metadata: { ...quota.metadata, resourceVersion: '4' }, status: { hard: { pods: '2', 'requests.cpu': '1' }, used: { pods: '2', 'requests.cpu': '200m' } } });
    sources.pods.emit('MODIFIED', { ...pod('a'), metadata: { ...pod('a').metadata, labels: { x: 'y' }, resourceVersion: '5' } });
    sources.pods.emit('DELETED', pod('b'));
    await until('a recalculation', async () => writes().length === 2);
    assert.deepEqual(writes()[1], ['status', { hard: { pods: '2', 'requests.cpu': '1' }, used: { pods: '1', 'requests.cpu': '100m' } }]);

    // An admission charge the controller does not know about is corrected by the resync.
    quotas.emit('MODIFIED', { ...quota, metadata: { ...quota.metadata, resourceVersion: '6' }, status: { hard: { pods: '2', 'requests.cpu': '1' }, used: { pods: '2', 'requests.cpu': '1' } } });
    await until('the resync', async () => {
      clock.advance(60_000);
      return writes().length === 3;
    });
    assert.deepEqual(writes()[2], ['status', { hard: { pods: '2', 'requests.cpu': '1' }, used: { pods: '1', 'requests.cpu': '100m' } }]);
  } finally {
    abort.abort();
    await run;
    await Promise.all([quotas.informer.stop(), ...Object.values(sources).map((s) => s.informer.stop())]);
  }
});
