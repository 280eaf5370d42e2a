import assert from 'node:assert/strict';
import { test } from 'node:test';
import { generatePodStatus, podPhase, shouldRestart, type PodStatusInput } from './pod-status.ts';
import type { ContainerStatus as RuntimeContainerStatus } from './runtime/runtime.ts';
import type { Pod } from './types.ts';

const now = Date.parse('2026-01-01T00:00:10Z');

function pod(spec: Partial<Pod['spec']> = {}): Pod {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'default', uid: 'u1' }, spec: { containers: [{ name: 'c', image: 'busybox' }], ...spec } };
}

function instance(name: string, attempt: number, state: RuntimeContainerStatus['state'], exitCode = 0): RuntimeContainerStatus {
  return {
    id: `${name}-${attempt}`,
    podSandboxId: 's1',
    metadata: { name, attempt },
    state,
    createdAt: now - 5000 + attempt,
    startedAt: state === 'created' ? 0 : now - 4000,
    finishedAt: state === 'exited' ? now - 1000 : 0,
    exitCode,
    reason: state === 'exited' ? (exitCode === 0 ? 'Completed' : 'Error') : '',
    message: '',
    image: 'docker.io/library/busybox:latest',
    imageRef: 'sha256:abc',
    logPath: `/logs/${name}/${attempt}.log`,
    labels: {},
    annotations: {},
  };
}

function input(p: Pod, containers: RuntimeContainerStatus[], extra: Partial<PodStatusInput> = {}): PodStatusInput {
  return {
    pod: p,
    sandbox: { id: 's1', metadata: { name: 'p', namespace: 'default', uid: 'u1', attempt: 0 }, state: 'ready', createdAt: now - 6000, ip: '127.64.0.2', additionalIps: [], labels: {}, annotations: {} },
    containers,
    waiting: new Map(),
    probes: () => ({ ready: true, started: true }),
    runtimeName: 'process',
    nodeIP: '127.0.0.1',
    now,
    ...extra,
  };
}

test('a running container makes a Running, Ready pod with the sandbox IP', () => {
  const s = generatePodStatus(input(pod(), [instance('c', 0, 'running')]));
  assert.equal(s.phase, 'Running');
  assert.equal(s.podIP, '127.64.0.2');
  assert.equal(s.hostIP, '127.0.0.1');
  assert.deepEqual(s.containerStatuses?.[0].state, { running: { startedAt: '2026-01-01T00:00:06Z' } });
  assert.equal(s.containerStatuses?.[0].containerID, 'process://c-0');
  assert.deepEqual(
    s.conditions?.map((c) => [c.type, c.status]),
    [['PodReadyToStartContainers', 'True'], ['Initialized', 'True'], ['Ready', 'True'], ['ContainersReady', 'True']],
  );
});

test('a crash-looping container waits with its reason, last state and restart count', () => {
  const waiting = new Map([['c', { reason: 'CrashLoopBackOff', message: 'back-off 20s restarting failed container=c pod=p_default(u1)' }]]);
  const s = generatePodStatus(input(pod(), [instance('c', 2, 'exited', 3), instance('c', 1, 'exited', 3)], { waiting }));
  const c = s.containerStatuses![0];
  assert.equal(s.phase, 'Running', 'restartPolicy Always keeps the pod Running');
  assert.equal(c.state.waiting?.reason, 'CrashLoopBackOff');
  assert.equal(c.lastState.terminated?.exitCode, 3);
  assert.equal(c.restartCount, 2);
  assert.equal(c.ready, false);
  const ready = s.conditions?.find((x) => x.type === 'Ready');
  assert.equal(ready?.reason, 'ContainersNotReady');
  assert.equal(ready?.message, 'containers with unready status: [c]');
});

test('phase follows the restart policy once every container exited', () => {
  const done = [instance('c', 0, 'exited', 0)];
  const failed = [instance('c', 0, 'exited', 1)];
  assert.equal(generatePodStatus(input(pod({ restartPolicy: 'Never' }), done)).phase, 'Succeeded');
  assert.equal(generatePodStatus(input(pod({ restartPolicy: 'Never' }), failed)).phase, 'Failed');
  assert.equal(generatePodStatus(input(pod({ restartPolicy: 'OnFailure' }), done)).phase, 'Succeeded');
  assert.equal(generatePodStatus(input(pod({ restartPolicy: 'OnFailure' }), failed)).phase, 'Running');
  const terminal = generatePodStatus(input(pod({ restartPolicy: 'Never' }), done));
  assert.equal(terminal.conditions?.find((c) => c.type === 'Ready')?.reason, 'PodCompleted');
});

test('init containers run first: Pending and PodInitializing until they succeed', () => {
  const p = pod({ initContainers: [{ name: 'init', image: 'busybox' }] });
  const s = generatePodStatus(input(p, [instance('init', 0, 'running')]));
  assert.equal(s.phase, 'Pending');
  assert.equal(s.containerStatuses?.[0].state.waiting?.reason, 'PodInitializing');
  assert.equal(s.conditions?.find((c) => c.type === 'Initialized')?.message, 'containers with incomplete status: [init]');
  const after = generatePodStatus(input(p, [instance('init', 0, 'exited', 0), instance('c', 0, 'running')]));
  assert.equal(after.phase, 'Running');
  assert.equal(after.initContainerStatuses?.[0].state.terminated?.reason, 'Completed');
  const failedInit = podPhase(
    pod({ restartPolicy: 'Never', initContainers: [{ name: 'init' }] }),
    [{ name: 'init', state: { terminated: { exitCode: 1 } }, lastState: {}, ready: false, restartCount: 0, image: '', imageID: '' }],
    [],
  );
  assert.equal(failedInit, 'Failed');
});

test('a condition keeps its transition time while its status stays, and a terminal phase never changes back', () => {
  const first = generatePodStatus(input(pod(), [instance('c', 0, 'running')]));
  const later = generatePodStatus(input({ ...pod(), status: { ...first } }, [instance('c', 0, 'running')], { now: now + 60_000 }));
  assert.deepEqual(later.conditions, first.conditions);
  const stuck = generatePodStatus(input({ ...pod(), status: { phase: 'Failed' } }, [instance('c', 1, 'running')]));
  assert.equal(stuck.phase, 'Failed');
});

test('restart decisions by policy, and sidecars always restart', () => {
  const p = pod({ restartPolicy: 'OnFailure' });
  assert.equal(shouldRestart(p, { name: 'c' }, 0, false), false);
  assert.equal(shouldRestart(p, { name: 'c' }, 2, false), true);
  assert.equal(shouldRestart(pod({ restartPolicy: 'Never' }), { name: 'i' }, 1, true), false);
  assert.equal(shouldRestart(pod({ restartPolicy: 'Never' }), { name: 's', restartPolicy: 'Always' }, 0, true), true);
});
