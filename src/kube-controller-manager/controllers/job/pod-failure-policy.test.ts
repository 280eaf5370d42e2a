import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Pod } from '../../types.ts';
import { matchPodFailurePolicy, type PodFailurePolicy } from './pod-failure-policy.ts';

function failedPod(o: { containers?: [string, number | undefined][]; init?: [string, number][]; conditions?: [string, string][] } = {}): Pod {
  const statuses = (list: [string, number | undefined][]) =>
    list.map(([name, exitCode]) => ({ name, state: exitCode === undefined ? { running: {} } : { terminated: { exitCode } } }));
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'pi-x', namespace: 'ns' },
    status: {
      phase: 'Failed',
      containerStatuses: statuses(o.containers ?? []),
      initContainerStatuses: statuses(o.init ?? []),
      conditions: (o.conditions ?? []).map(([type, status]) => ({ type, status })),
    },
  };
}

const onExit = (action: string, operator: string, values: number[], containerName?: string): PodFailurePolicy => ({
  rules: [{ action, onExitCodes: { operator, values, ...(containerName ? { containerName } : {}) } }],
});

test('matchPodFailurePolicy: exit codes, containers and pod conditions', () => {
  const cases = [
    { name: 'no policy: counts', policy: undefined, pod: failedPod({ containers: [['main', 1]] }), want: { counts: true } },
    { name: 'no rule matches: counts', policy: onExit('FailJob', 'In', [42]), pod: failedPod({ containers: [['main', 1]] }), want: { counts: true } },
    {
      name: 'In: FailJob with the container, pod and rule index',
      policy: { rules: [{ action: 'Ignore', onExitCodes: { operator: 'In', values: [3] } }, { action: 'FailJob', onExitCodes: { operator: 'In', values: [1, 42] } }] },
      pod: failedPod({ containers: [['sidecar', 0], ['main', 42]] }),
      want: { action: 'FailJob', counts: true, failJobMessage: 'Container main for pod ns/pi-x failed with exit code 42 matching FailJob rule at index 1' },
    },
    { name: 'NotIn', policy: onExit('Ignore', 'NotIn', [1, 2]), pod: failedPod({ containers: [['main', 5]] }), want: { action: 'Ignore', counts: false } },
    { name: 'NotIn never matches exit code 0', policy: onExit('Ignore', 'NotIn', [1]), pod: failedPod({ containers: [['main', 0], ['other', undefined]] }), want: { counts: true } },
    { name: 'containerName restricts the match', policy: onExit('FailJob', 'In', [42], 'other'), pod: failedPod({ containers: [['main', 42], ['other', 1]] }), want: { counts: true } },
    {
      name: 'init containers are checked after the others',
      policy: onExit('FailJob', 'In', [9]),
      pod: failedPod({ containers: [['main', undefined]], init: [['setup', 9]] }),
      want: { action: 'FailJob', counts: true, failJobMessage: 'Container setup for pod ns/pi-x failed with exit code 9 matching FailJob rule at index 0' },
    },
    { name: 'Count', policy: onExit('Count', 'In', [1]), pod: failedPod({ containers: [['main', 1]] }), want: { action: 'Count', counts: true } },
    { name: 'FailIndex', policy: onExit('FailIndex', 'In', [1]), pod: failedPod({ containers: [['main', 1]] }), want: { action: 'FailIndex', counts: true } },
    {
      name: 'onPodConditions: FailJob names the condition',
      policy: { rules: [{ action: 'FailJob', onPodConditions: [{ type: 'ConfigIssue', status: 'True' }, { type: 'DisruptionTarget', status: 'True' }] }] },
      pod: failedPod({ conditions: [['Ready', 'False'], ['DisruptionTarget', 'True']] }),
      want: { action: 'FailJob', counts: true, failJobMessage: 'Pod ns/pi-x has condition DisruptionTarget matching FailJob rule at index 0' },
    },
    {
      name: 'onPodConditions: the status must match',
      policy: { rules: [{ action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget', status: 'True' }] }] },
      pod: failedPod({ conditions: [['DisruptionTarget', 'False']] }),
      want: { counts: true },
    },
  ];
  for (const c of cases) assert.deepEqual(matchPodFailurePolicy(c.policy, c.pod), c.want, c.name);
});
