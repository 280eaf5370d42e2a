import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { FakeClock } from '../../../machinery/fake-clock.ts';
import { FakeClient, cacheOf, quietLogger } from '../../testing.ts';
import type { Pod } from '../../types.ts';
import { desiredSubsets, EndpointsController, type Endpoints } from './endpoints-controller.ts';
import type { Service } from './service-pods.ts';

const clock = new FakeClock(Date.UTC(2025, 0, 1, 12));

function svc(spec: Service['spec'] = {}, labels?: Record<string, string>): Service {
  return { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'ns', uid: 'svc-uid', labels }, spec: { selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 8080 }], ...spec } };
}

function pod(name: string, ip: string | undefined, o: { ready?: boolean; node?: string; phase?: string; terminating?: boolean; labels?: Record<string, string>; ports?: { name: string; containerPort: number }[]; restartPolicy?: string } = {}): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'ns', uid: `${name}-uid`, resourceVersion: '1', labels: o.labels ?? { app: 'web' }, deletionTimestamp: o.terminating ? '2025-01-01T12:00:00Z' : undefined },
    spec: { nodeName: o.node ?? 'n1', restartPolicy: o.restartPolicy, containers: [{ name: 'c', ports: o.ports ?? [] }] },
    status: { phase: o.phase ?? 'Running', podIP: ip, conditions: [{ type: 'Ready', status: o.ready === false ? 'False' : 'True' }] },
  };
}

const addr = (name: string, ip: string, node = 'n1') => ({ ip, nodeName: node, targetRef: { kind: 'Pod', namespace: 'ns', name, uid: `${name}-uid` } });

describe('desiredSubsets', () => {
  const cases: { name: string; service: Service; pods: Pod[]; want: unknown }[] = [
    {
      name: 'ready and not-ready pods, sorted by IP, unselected and IP-less pods left out',
      service: svc(),
      pods: [pod('b', '10.0.0.2'), pod('a', '10.0.0.1'), pod('c', '10.0.0.3', { ready: false }), pod('other', '10.0.0.9', { labels: { app: 'x' } }), pod('noip', undefined)],
      want: [{ ports: [{ name: 'http', port: 8080, protocol: 'TCP' }], addresses: [addr('a', '10.0.0.1'), addr('b', '10.0.0.2')], notReadyAddresses: [addr('c', '10.0.0.3')] }],
    },
    {
      name: 'named targetPort resolved per pod; pods with other numbers get their own subset, pods without it are left out',
      service: svc({ ports: [{ port: 80, targetPort: 'web' }] }),
      pods: [
        pod('a', '10.0.0.1', { ports: [{ name: 'web', containerPort: 8080 }] }),
        pod('b', '10.0.0.2', { ports: [{ name: 'web', containerPort: 9090 }] }),
        pod('c', '10.0.0.3'),
      ],
      want: [
        { ports: [{ port: 8080, protocol: 'TCP' }], addresses: [addr('a', '10.0.0.1')] },
        { ports: [{ port: 9090, protocol: 'TCP' }], addresses: [addr('b', '10.0.0.2')] },
      ],
    },
    {
      name: 'terminating pods are excluded, terminal pods too',
      service: svc(),
      pods: [pod('a', '10.0.0.1', { terminating: true }), pod('b', '10.0.0.2', { phase: 'Failed', restartPolicy: 'Never' })],
      want: [],
    },
    {
      name: 'publishNotReadyAddresses lists not-ready and terminating pods as ready',
      service: svc({ publishNotReadyAddresses: true }),
      pods: [pod('a', '10.0.0.1', { terminating: true }), pod('b', '10.0.0.2', { ready: false })],
      want: [{ ports: [{ name: 'http', port: 8080, protocol: 'TCP' }], addresses: [addr('a', '10.0.0.1'), addr('b', '10.0.0.2')] }],
    },
    { name: 'a Service without a selector has none', service: svc({ selector: undefined }), pods: [pod('a', '10.0.0.1')], want: [] },
  ];
  for (const c of cases) test(c.name, () => assert.deepEqual(desiredSubsets(c.service, c.pods), c.want));
});

function setup(services: Service[], pods: Pod[], endpoints: Endpoints[] = []) {
  const fake = new FakeClient();
  const controller = new EndpointsController({ client: fake.client, services: cacheOf(services), pods: cacheOf(pods), endpoints: cacheOf(endpoints), clock, log: quietLogger });
  return { fake, controller };
}

describe('EndpointsController.reconcile', () => {
  test('creates the Endpoints with the Service labels and the managed-by label', async () => {
    const { fake, controller } = setup([svc({}, { tier: 'front' })], [pod('a', '10.0.0.1')]);
    await controller.reconcile('ns/web');
    const [create] = fake.callsOf('create', 'endpoints');
    const body = create.body as Endpoints;
    assert.equal(body.metadata.name, 'web');
    assert.deepEqual(body.metadata.labels, { tier: 'front', 'endpoints.kubernetes.io/managed-by': 'endpoint-controller', 'endpointslice.kubernetes.io/skip-mirror': 'true' });
    assert.deepEqual(body.subsets, [{ ports: [{ name: 'http', port: 8080, protocol: 'TCP' }], addresses: [addr('a', '10.0.0.1')] }]);
  });

  test('writes nothing when the Endpoints is already right, updates it when a pod turns not ready', async () => {
    const service = svc();
    const current: Endpoints = {
      apiVersion: 'v1',
      kind: 'Endpoints',
      metadata: { name: 'web', namespace: 'ns', resourceVersion: '5', labels: { 'endpoints.kubernetes.io/managed-by': 'endpoint-controller', 'endpointslice.kubernetes.io/skip-mirror': 'true' } },
      subsets: desiredSubsets(service, [pod('a', '10.0.0.1')]),
    };
    const same = setup([service], [pod('a', '10.0.0.1')], [current]);
    await same.controller.reconcile('ns/web');
    assert.equal(same.fake.calls.length, 0);
    const changed = setup([service], [pod('a', '10.0.0.1', { ready: false })], [current]);
    await changed.controller.reconcile('ns/web');
    const [update] = changed.fake.callsOf('update', 'endpoints');
    assert.equal((update.body as Endpoints).metadata.resourceVersion, '5');
    assert.deepEqual((update.body as Endpoints).subsets, [{ ports: [{ name: 'http', port: 8080, protocol: 'TCP' }], notReadyAddresses: [addr('a', '10.0.0.1')] }]);
  });

  test('deletes its Endpoints when the Service is gone, but not one it does not manage', async () => {
    const managed: Endpoints = { metadata: { name: 'web', namespace: 'ns', uid: 'ep-uid', labels: { 'endpoints.kubernetes.io/managed-by': 'endpoint-controller' } } };
    const gone = setup([], [], [managed]);
    await gone.controller.reconcile('ns/web');
    assert.deepEqual(gone.fake.callsOf('delete', 'endpoints').map((c) => c.ref.name), ['web']);
    const foreign = setup([], [], [{ metadata: { name: 'web', namespace: 'ns' } }]);
    await foreign.controller.reconcile('ns/web');
    assert.equal(foreign.fake.calls.length, 0);
  });

  test('leaves Services without a selector alone', async () => {
    const { fake, controller } = setup([svc({ selector: undefined })], [pod('a', '10.0.0.1')]);
    await controller.reconcile('ns/web');
    assert.equal(fake.calls.length, 0);
  });
});
