import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CycleState } from '../../framework/cycle-state.ts';
import { makeNode, makeNodeInfo, makePod } from '../../framework/testing.ts';
import type { ContainerPort } from '../../types.ts';
import { newNodePorts } from './node-ports.ts';

const withPorts = (name: string, ...ports: ContainerPort[]) => makePod(name, { containers: [{ name: 'c', ports }] });

test('NodePorts filter, as upstream cases', () => {
  const cases: { name: string; pod: ContainerPort[]; existing: ContainerPort[]; fits: boolean }[] = [
    { name: 'nothing running', pod: [{ containerPort: 80, hostPort: 8080 }], existing: [], fits: true },
    { name: 'other port', pod: [{ containerPort: 80, hostPort: 8080 }], existing: [{ containerPort: 80, hostPort: 9090 }], fits: true },
    { name: 'same port', pod: [{ containerPort: 80, hostPort: 8080 }], existing: [{ containerPort: 80, hostPort: 8080 }], fits: false },
    { name: 'same port, other protocol', pod: [{ containerPort: 53, hostPort: 53, protocol: 'UDP' }], existing: [{ containerPort: 53, hostPort: 53, protocol: 'TCP' }], fits: true },
    { name: 'different IPs', pod: [{ containerPort: 80, hostPort: 8080, hostIP: '127.0.0.1' }], existing: [{ containerPort: 80, hostPort: 8080, hostIP: '127.0.0.2' }], fits: true },
    { name: '0.0.0.0 conflicts with a specific IP', pod: [{ containerPort: 80, hostPort: 8080 }], existing: [{ containerPort: 80, hostPort: 8080, hostIP: '127.0.0.1' }], fits: false },
    { name: 'a specific IP conflicts with 0.0.0.0', pod: [{ containerPort: 80, hostPort: 8080, hostIP: '127.0.0.1' }], existing: [{ containerPort: 80, hostPort: 8080, hostIP: '0.0.0.0' }], fits: false },
    { name: 'containerPort only is no host port', pod: [{ containerPort: 80 }], existing: [{ containerPort: 80, hostPort: 80 }], fits: true },
  ];
  for (const c of cases) {
    const plugin = newNodePorts();
    const state = new CycleState();
    const pod = withPorts('p', ...c.pod);
    const pre = plugin.preFilter!(state, pod, []);
    const node = makeNodeInfo(makeNode('n'), withPorts('old', ...c.existing));
    const s = pre?.code === 'Skip' ? undefined : plugin.filter!(state, pod, node);
    assert.equal(s === undefined, c.fits, c.name);
    if (s) assert.deepEqual([s.code, s.message], ['Unschedulable', "node(s) didn't have free ports for the requested pod ports"]);
  }
});
