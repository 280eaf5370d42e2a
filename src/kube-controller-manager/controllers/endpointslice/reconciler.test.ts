import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { FakeClock } from '../../../machinery/fake-clock.ts';
import { FakeClient, cacheOf, quietLogger } from '../../testing.ts';
import type { KubeObject, Pod } from '../../types.ts';
import type { Service } from '../endpoints/service-pods.ts';
import { EndpointSliceController } from './endpointslice-controller.ts';
import { reconcileSlices, type EndpointSlice, type SliceChanges } from './reconciler.ts';

const service: Service = {
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name: 'web', namespace: 'ns', uid: 'svc-uid', labels: { tier: 'front' } },
  spec: { selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 8080 }] },
};

function pod(i: number, o: { ready?: boolean; terminating?: boolean; node?: string } = {}): Pod {
  return {
    metadata: { name: `p${i}`, namespace: 'ns', uid: `p${i}-uid`, labels: { app: 'web' }, deletionTimestamp: o.terminating ? '2025-01-01T00:00:00Z' : undefined },
    spec: { nodeName: o.node ?? 'n1', containers: [{ name: 'c' }] },
    status: { phase: 'Running', podIP: `10.0.${Math.floor(i / 250)}.${(i % 250) + 1}`, conditions: [{ type: 'Ready', status: o.ready === false ? 'False' : 'True' }] },
  };
}

const labels = { tier: 'front', 'kubernetes.io/service-name': 'web', 'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io' };
const ports = [{ name: 'http', port: 8080, protocol: 'TCP' }];

function endpoint(i: number, conditions = { ready: true, serving: true, terminating: false }, zone?: string) {
  const p = pod(i);
  const e: Record<string, unknown> = { addresses: [p.status!.podIP], conditions, nodeName: 'n1' };
  if (zone) e.zone = zone;
  e.targetRef = { kind: 'Pod', namespace: 'ns', name: `p${i}`, uid: `p${i}-uid` };
  return e;
}

function existing(name: string, indexes: number[]): EndpointSlice {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name, namespace: 'ns', resourceVersion: '7', labels },
    addressType: 'IPv4',
    endpoints: indexes.map((i) => endpoint(i)) as unknown as EndpointSlice['endpoints'],
    ports,
  };
}

const range = (from: number, to: number) => Array.from({ length: to - from }, (_, k) => from + k);
const summary = (c: SliceChanges) => ({
  create: c.create.map((s) => s.endpoints.length),
  update: c.update.map((s) => `${s.metadata.name}:${s.endpoints.length}`),
  delete: c.delete.map((s) => s.metadata.name),
});

describe('reconcileSlices', () => {
  const cases: { name: string; pods: Pod[]; existing: EndpointSlice[]; want: ReturnType<typeof summary> }[] = [
    { name: 'a new Service gets one slice', pods: range(0, 3).map((i) => pod(i)), existing: [], want: { create: [3], update: [], delete: [] } },
    { name: 'at most 100 endpoints per slice', pods: range(0, 250).map((i) => pod(i)), existing: [], want: { create: [100, 100, 50], update: [], delete: [] } },
    { name: 'nothing changes: no writes', pods: range(0, 3).map((i) => pod(i)), existing: [existing('web-a', [0, 1, 2])], want: { create: [], update: [], delete: [] } },
    {
      name: 'a removed pod rewrites only its slice',
      pods: range(0, 150).filter((i) => i !== 120).map((i) => pod(i)),
      existing: [existing('web-a', range(0, 100)), existing('web-b', range(100, 150))],
      want: { create: [], update: ['web-b:49'], delete: [] },
    },
    {
      name: 'new pods fill slices with room before new slices are made',
      pods: range(0, 160).map((i) => pod(i)),
      existing: [existing('web-a', range(0, 100)), existing('web-b', range(100, 150))],
      want: { create: [], update: ['web-b:60'], delete: [] },
    },
    { name: 'emptied slices are deleted', pods: range(0, 2).map((i) => pod(i)), existing: [existing('web-a', [0, 1]), existing('web-b', [5, 6])], want: { create: [], update: [], delete: ['web-b'] } },
    { name: 'no endpoints leaves one empty placeholder', pods: [], existing: [existing('web-a', [0]), existing('web-b', [1])], want: { create: [], update: ['web-a:0'], delete: ['web-b'] } },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const changes = reconcileSlices({ service, pods: c.pods, nodeLabels: () => undefined, existing: c.existing });
      assert.deepEqual(summary(changes), c.want);
    });
  }

  test('a new slice carries labels, a controller reference to the Service, ports, conditions and zones', () => {
    const pods = [pod(0), pod(1, { ready: false }), pod(2, { terminating: true })];
    const { create } = reconcileSlices({ service, pods, nodeLabels: (n) => (n === 'n1' ? { 'topology.kubernetes.io/zone': 'z1' } : undefined), existing: [] });
    assert.equal(create.length, 1);
    const [slice] = create;
    assert.equal(slice.metadata.generateName, 'web-');
    assert.deepEqual(slice.metadata.labels, labels);
    assert.deepEqual(slice.metadata.ownerReferences, [{ apiVersion: 'v1', kind: 'Service', name: 'web', uid: 'svc-uid', controller: true, blockOwnerDeletion: true }]);
    assert.equal(slice.addressType, 'IPv4');
    assert.deepEqual(slice.ports, [{ name: 'http', port: 8080, protocol: 'TCP' }]);
    assert.deepEqual(slice.endpoints, [
      endpoint(0, { ready: true, serving: true, terminating: false }, 'z1'),
      endpoint(1, { ready: false, serving: false, terminating: false }, 'z1'),
      endpoint(2, { ready: false, serving: true, terminating: true }, 'z1'),
    ]);
  });
});

describe('EndpointSliceController.reconcile', () => {
  function setup(services: Service[], pods: Pod[], slices: EndpointSlice[]) {
    const fake = new FakeClient();
    const controller = new EndpointSliceController({
      client: fake.client,
      services: cacheOf(services),
      pods: cacheOf(pods),
      nodes: cacheOf<KubeObject>([]),
      endpointSlices: cacheOf(slices),
      clock: new FakeClock(),
      log: quietLogger,
    });
    return { fake, controller };
  }

  test('creates slices, then waits for the informer to see them before acting again', async () => {
    const { fake, controller } = setup([service], [pod(0)], []);
    await controller.reconcile('ns/web');
    assert.equal(fake.callsOf('create', 'endpointslices').length, 1);
    assert.deepEqual(await controller.reconcile('ns/web'), { requeueAfterMs: 100 });
    assert.equal(fake.callsOf('create', 'endpointslices').length, 1);
  });

  test('deletes the slices of a deleted Service', async () => {
    const { fake, controller } = setup([], [], [existing('web-a', [0])]);
    await controller.reconcile('ns/web');
    assert.deepEqual(fake.callsOf('delete', 'endpointslices').map((c) => c.ref.name), ['web-a']);
  });
});
