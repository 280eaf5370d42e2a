import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CycleState } from '../../framework/cycle-state.ts';
import { makeNode, makeNodeInfo, makePod } from '../../framework/testing.ts';
import { newNodeName } from './node-name.ts';

test('NodeName filter', () => {
  const cases = [
    { name: 'no nodeName fits anywhere', nodeName: undefined, node: 'a', want: undefined },
    { name: 'matching nodeName fits', nodeName: 'a', node: 'a', want: undefined },
    { name: 'other node is rejected', nodeName: 'b', node: 'a', want: ['UnschedulableAndUnresolvable', "node(s) didn't match the requested node name"] },
  ];
  for (const c of cases) {
    const s = newNodeName().filter!(new CycleState(), makePod('p', { nodeName: c.nodeName }), makeNodeInfo(makeNode(c.node)));
    assert.deepEqual(s && [s.code, s.message], c.want, c.name);
  }
});
