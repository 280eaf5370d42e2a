import assert from 'node:assert/strict';
import { test } from 'node:test';
import { admitPod, podRequests } from './admission.ts';
import type { Container, Pod } from './types.ts';

function pod(containers: Container[], initContainers?: Container[]): Pod {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers, ...(initContainers ? { initContainers } : {}) } };
}

const allocatable = { cpu: '2', memory: '4Gi', pods: '3' };

test('requests: app containers add up, an init container counts alone, sidecars add to both', () => {
  const p = pod(
    [
      { name: 'a', resources: { requests: { cpu: '500m' } } },
      { name: 'b', resources: { requests: { cpu: '250m' } } },
    ],
    [
      { name: 'init', resources: { requests: { cpu: '1' } } },
      { name: 'side', restartPolicy: 'Always', resources: { requests: { cpu: '100m' } } },
    ],
  );
  assert.equal(podRequests(p).get('cpu'), 1000n, 'max(750m + 100m of the sidecar, 1000m of the init container alone)');
  const sidecarFirst = pod([{ name: 'a', resources: { requests: { cpu: '500m' } } }], [{ name: 'side', restartPolicy: 'Always', resources: { requests: { cpu: '600m' } } }, { name: 'init', resources: { requests: { cpu: '1' } } }]);
  assert.equal(podRequests(sidecarFirst).get('cpu'), 1600n, 'the init container runs beside the sidecar started before it');
});

test('a pod that does not fit is rejected with OutOf<resource> and upstream message', () => {
  const running = [pod([{ name: 'a', resources: { requests: { cpu: '1500m' } } }])];
  const verdict = admitPod(pod([{ name: 'b', resources: { requests: { cpu: '1' } } }]), running, allocatable);
  assert.deepEqual(verdict, { admit: false, reason: 'OutOfcpu', message: "Node didn't have enough resource: cpu, requested: 1000, used: 1500, capacity: 2000" });
  assert.deepEqual(admitPod(pod([{ name: 'b', resources: { requests: { cpu: '500m' } } }]), running, allocatable), { admit: true });
});

test('the pod count is a resource too', () => {
  const three = [pod([{ name: 'a' }]), pod([{ name: 'b' }]), pod([{ name: 'c' }])];
  const verdict = admitPod(pod([{ name: 'd' }]), three, allocatable);
  assert.equal(verdict.admit, false);
  assert.equal(!verdict.admit && verdict.reason, 'OutOfpods');
});
