import assert from 'node:assert/strict';
import { test } from 'node:test';
import { podRequests } from './resource.ts';
import { makePod } from './testing.ts';

test('pod requests: containers summed, init containers as max, sidecars, overhead, non-zero defaults', () => {
  const cases: { name: string; pod: Parameters<typeof makePod>[1]; want: { cpu: number; memory: number }; nonZero?: boolean }[] = [
    { name: 'one container', pod: { requests: { cpu: '500m', memory: '1Gi' } }, want: { cpu: 500, memory: 1 << 30 } },
    {
      // upstream's example: init 2 cpu / 3G dominates memory, containers 3 cpu dominate cpu
      name: 'init containers take the max per resource',
      pod: {
        initContainers: [
          { name: 'i1', resources: { requests: { cpu: '2', memory: '1G' } } },
          { name: 'i2', resources: { requests: { cpu: '2', memory: '3G' } } },
        ],
        containers: [
          { name: 'c1', resources: { requests: { cpu: '2', memory: '1G' } } },
          { name: 'c2', resources: { requests: { cpu: '1', memory: '1G' } } },
        ],
      },
      want: { cpu: 3000, memory: 3e9 },
    },
    {
      name: 'sidecars add to the containers and to later init containers',
      pod: {
        initContainers: [
          { name: 'sidecar', restartPolicy: 'Always', resources: { requests: { cpu: '1' } } },
          { name: 'init', resources: { requests: { cpu: '3' } } },
        ],
        containers: [{ name: 'c', resources: { requests: { cpu: '1' } } }],
      },
      want: { cpu: 4000, memory: 0 },
    },
    { name: 'overhead is added', pod: { requests: { cpu: '100m' }, overhead: { cpu: '250m', memory: '120Mi' } }, want: { cpu: 350, memory: 120 * 1024 * 1024 } },
    { name: 'pod-level requests replace the aggregate', pod: { requests: { cpu: '1' }, resources: { requests: { cpu: '2' } } }, want: { cpu: 2000, memory: 0 } },
    { name: 'best effort is zero', pod: {}, want: { cpu: 0, memory: 0 } },
    { name: 'best effort counts 100m/200Mi when non-zero', pod: {}, want: { cpu: 100, memory: 200 * 1024 * 1024 }, nonZero: true },
    { name: 'non-zero fills only what is missing', pod: { requests: { cpu: '2' } }, want: { cpu: 2000, memory: 200 * 1024 * 1024 }, nonZero: true },
  ];
  for (const c of cases) {
    const r = podRequests(makePod('p', c.pod), c.nonZero);
    assert.deepEqual({ cpu: r.milliCPU, memory: r.memory }, c.want, c.name);
  }
});

test('extended resources and ephemeral-storage are tracked', () => {
  const r = podRequests(makePod('p', { requests: { 'example.com/gpu': '2', 'ephemeral-storage': '1Gi' } }));
  assert.equal(r.scalar.get('example.com/gpu'), 2);
  assert.equal(r.ephemeralStorage, 1 << 30);
});
