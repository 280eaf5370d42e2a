import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fitErrorMessage, newDiagnosis } from './fit-error.ts';
import { unresolvable, unschedulable } from './status.ts';

test('the FailedScheduling message counts reasons over nodes, sorted as upstream', () => {
  const d = newDiagnosis();
  d.nodeToStatus.set('cp', unresolvable('node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }'));
  d.nodeToStatus.set('a', unschedulable('Insufficient cpu'));
  d.nodeToStatus.set('b', unschedulable('Insufficient cpu', 'Insufficient memory'));
  assert.equal(
    fitErrorMessage(3, d),
    '0/3 nodes are available: 1 Insufficient memory, 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, 2 Insufficient cpu.',
  );
  d.postFilterMsg = 'preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.';
  // upstream appends " <msg>." after the PostFilter message too, hence the two dots.
  assert.match(fitErrorMessage(3, d), /2 Insufficient cpu\. preemption: 0\/3 nodes are available: 3 Preemption is not helpful for scheduling\.\.$/);
});

test('a PreFilter rejection is reported once, not per node', () => {
  const d = newDiagnosis();
  d.preFilterMsg = 'pod has unbound immediate PersistentVolumeClaims';
  d.nodeToStatus.set('a', unresolvable(d.preFilterMsg));
  assert.equal(fitErrorMessage(2, d), '0/2 nodes are available: pod has unbound immediate PersistentVolumeClaims.');
});
