// The API status of a pod, computed from what the runtime reports, as upstream's
// generateAPIPodStatus / convertToAPIContainerStatuses / getPhase:
// - per container, the newest instance gives state (running, terminated, or waiting with the
//   kubelet's reason such as CrashLoopBackOff), the instance before it gives lastState, and the
//   attempt number gives restartCount;
// - phase: Pending until initialized and every container has started once; Running while any runs
//   (or will be restarted); Succeeded when all exited 0 and none will be restarted; Failed when one
//   failed and none will be restarted. A terminal phase never changes back;
// - conditions PodReadyToStartContainers, Initialized, ContainersReady and Ready (kubelet-owned),
//   keeping lastTransitionTime while a condition's status stays; other conditions are left as are.

import { computePodQOS } from '../api/core/v1/qos.ts';
import type { JSONObject } from '../api/core/v1/json.ts';
import type { ContainerStatus as RuntimeContainerStatus, PodSandboxStatus } from './runtime/runtime.ts';
import { rfc3339, type Condition, type Container, type ContainerState, type ContainerStatus, type Pod, type PodStatus } from './types.ts';

export interface ContainerProbeState {
  ready: boolean;
  started: boolean;
}

export interface PodStatusInput {
  pod: Pod;
  /** The pod's newest sandbox, if any. */
  sandbox?: PodSandboxStatus;
  /** All instances of the pod's containers the runtime still has. */
  containers: readonly RuntimeContainerStatus[];
  /** Why a container is waiting, as the last sync found (CrashLoopBackOff, CreateContainerConfigError, ...). */
  waiting: ReadonlyMap<string, { reason: string; message?: string }>;
  probes: (containerName: string, containerId: string) => ContainerProbeState;
  runtimeName: string;
  nodeIP: string;
  now: number;
  /** Set when the kubelet decided the pod is over (deadline exceeded, admission rejected). */
  terminal?: { phase: 'Failed' | 'Succeeded'; reason?: string; message?: string };
}

/** Instances of one container, newest first. */
export function instancesOf(containers: readonly RuntimeContainerStatus[], name: string): RuntimeContainerStatus[] {
  return containers.filter((c) => c.metadata.name === name).sort((a, b) => b.metadata.attempt - a.metadata.attempt || b.createdAt - a.createdAt);
}

/** Whether a container that exited should be started again under the pod's restart policy. */
export function shouldRestart(pod: Pod, container: Container, exitCode: number, isInit: boolean): boolean {
  if (isInit && container.restartPolicy === 'Always') return true;
  const policy = pod.spec.restartPolicy ?? 'Always';
  if (isInit) return policy !== 'Never' && exitCode !== 0;
  if (policy === 'Always') return true;
  if (policy === 'OnFailure') return exitCode !== 0;
  return false;
}

function timeOf(ms: number): string | null {
  return ms > 0 ? rfc3339(ms) : null;
}

function terminatedOf(c: RuntimeContainerStatus, runtimeName: string): ContainerState {
  return {
    terminated: {
      exitCode: c.exitCode,
      reason: c.reason || (c.exitCode === 0 ? 'Completed' : 'Error'),
      ...(c.message ? { message: c.message } : {}),
      startedAt: timeOf(c.startedAt),
      finishedAt: timeOf(c.finishedAt),
      containerID: `${runtimeName}://${c.id}`,
    },
  };
}

function containerStatus(input: PodStatusInput, container: Container, isInit: boolean, defaultWaiting: string): ContainerStatus {
  const [latest, previous] = instancesOf(input.containers, container.name);
  const status: ContainerStatus = {
    name: container.name,
    state: {},
    lastState: {},
    ready: false,
    restartCount: latest ? latest.metadata.attempt : 0,
    image: container.image ?? '',
    imageID: latest?.imageRef ?? '',
    started: false,
  };
  if (latest) status.containerID = `${input.runtimeName}://${latest.id}`;
  const waiting = input.waiting.get(container.name);
  if (!latest) {
    status.state = { waiting: waiting ?? { reason: defaultWaiting } };
    return status;
  }
  if (latest.state === 'running') {
    const probe = input.probes(container.name, latest.id);
    status.state = { running: { startedAt: rfc3339(latest.startedAt) } };
    status.ready = probe.ready;
    status.started = probe.started;
    if (previous) status.lastState = terminatedOf(previous, input.runtimeName);
    return status;
  }
  if (latest.state === 'exited') {
    const restarting = !input.terminal && shouldRestart(input.pod, container, latest.exitCode, isInit) && waiting !== undefined;
    if (restarting) {
      status.state = { waiting };
      status.lastState = terminatedOf(latest, input.runtimeName);
    } else {
      status.state = terminatedOf(latest, input.runtimeName);
      if (previous) status.lastState = terminatedOf(previous, input.runtimeName);
    }
    return status;
  }
  // Created but not (yet) started, or unknown.
  status.state = { waiting: waiting ?? { reason: defaultWaiting } };
  if (previous) status.lastState = terminatedOf(previous, input.runtimeName);
  return status;
}

function isSidecar(c: Container): boolean {
  return c.restartPolicy === 'Always';
}

/** Upstream's getPhase over the containers' API statuses. */
export function podPhase(pod: Pod, init: readonly ContainerStatus[], app: readonly ContainerStatus[]): NonNullable<PodStatus['phase']> {
  const policy = pod.spec.restartPolicy ?? 'Always';
  let pendingInitialization = false;
  let failedInitialization = false;
  for (const [i, c] of (pod.spec.initContainers ?? []).entries()) {
    const s = init[i];
    if (isSidecar(c)) {
      if (!s?.started) pendingInitialization = true;
      continue;
    }
    const t = s?.state.terminated;
    if (t && t.exitCode === 0) continue;
    if (t && policy === 'Never') failedInitialization = true;
    else if (s?.lastState.terminated && policy === 'Never' && s.lastState.terminated.exitCode !== 0) failedInitialization = true;
    pendingInitialization = true;
  }
  if (failedInitialization) return 'Failed';
  let running = 0;
  let waiting = 0;
  let stopped = 0;
  let succeeded = 0;
  for (const s of app) {
    if (s.state.running) running++;
    else if (s.state.terminated) {
      stopped++;
      if (s.state.terminated.exitCode === 0) succeeded++;
    } else if (s.state.waiting) {
      if (s.lastState.terminated) stopped++;
      else waiting++;
    }
  }
  if (pendingInitialization) return 'Pending';
  if (waiting > 0) return 'Pending';
  if (running > 0) return 'Running';
  if (stopped > 0) {
    if (policy === 'Always') return 'Running';
    if (stopped === succeeded) return 'Succeeded';
    if (policy === 'Never') return 'Failed';
    return 'Running';
  }
  return 'Pending';
}

function names(list: readonly ContainerStatus[]): string {
  return `[${list.map((s) => s.name).join(' ')}]`;
}

export function generatePodStatus(input: PodStatusInput): PodStatus {
  const { pod } = input;
  const old = pod.status ?? {};
  const initStatuses = (pod.spec.initContainers ?? []).map((c) => containerStatus(input, c, true, 'PodInitializing'));
  const initDone = (pod.spec.initContainers ?? []).every((c, i) => (isSidecar(c) ? initStatuses[i].started : initStatuses[i].state.terminated?.exitCode === 0));
  const appStatuses = pod.spec.containers.map((c) => containerStatus(input, c, false, initDone ? 'ContainerCreating' : 'PodInitializing'));
  let phase = input.terminal?.phase ?? podPhase(pod, initStatuses, appStatuses);
  if (old.phase === 'Succeeded' || old.phase === 'Failed') phase = old.phase;
  const terminal = phase === 'Succeeded' || phase === 'Failed';
  if (terminal) {
    for (const s of [...initStatuses, ...appStatuses]) s.ready = false;
  }

  const now = rfc3339(input.now);
  const previous = new Map((old.conditions ?? []).map((c) => [c.type, c]));
  const condition = (type: string, ok: boolean, reason?: string, message?: string): Condition => {
    const status = ok ? 'True' : 'False';
    const before = previous.get(type);
    return {
      type,
      status,
      ...(reason && !ok ? { reason } : {}),
      ...(message && !ok ? { message } : {}),
      lastProbeTime: null,
      lastTransitionTime: before && before.status === status && before.lastTransitionTime ? before.lastTransitionTime : now,
    };
  };
  const sandboxReady = input.sandbox?.state === 'ready' && !terminal;
  const sidecarStatuses = (pod.spec.initContainers ?? []).flatMap((c, i) => (isSidecar(c) ? [initStatuses[i]] : []));
  const unready = [...sidecarStatuses, ...appStatuses].filter((s) => !s.ready);
  const incompleteInit = (pod.spec.initContainers ?? []).flatMap((c, i) => (isSidecar(c) ? [] : initStatuses[i].state.terminated?.exitCode === 0 ? [] : [initStatuses[i]]));
  const containersReady = unready.length === 0 && !terminal;
  const gates = (pod.spec.readinessGates ?? []).map((g) => g.conditionType);
  const unmetGates = gates.filter((g) => previous.get(g)?.status !== 'True');
  const kubeletConditions: Condition[] = [
    condition('PodReadyToStartContainers', sandboxReady),
    condition('Initialized', terminal || incompleteInit.length === 0, 'ContainersNotInitialized', `containers with incomplete status: ${names(incompleteInit)}`),
    condition(
      'ContainersReady',
      containersReady,
      terminal ? 'PodCompleted' : 'ContainersNotReady',
      terminal ? undefined : `containers with unready status: ${names(unready)}`,
    ),
    condition(
      'Ready',
      containersReady && unmetGates.length === 0,
      terminal ? 'PodCompleted' : unready.length ? 'ContainersNotReady' : 'ReadinessGatesNotReady',
      terminal ? undefined : unready.length ? `containers with unready status: ${names(unready)}` : `corresponding condition of pod readiness gate "${unmetGates.join('", "')}" does not exist.`,
    ),
  ];
  const owned = new Set(kubeletConditions.map((c) => c.type));
  const conditions = [...(old.conditions ?? []).filter((c) => !owned.has(c.type)), ...kubeletConditions];
  const order = ['PodReadyToStartContainers', 'Initialized', 'Ready', 'ContainersReady', 'PodScheduled'];
  conditions.sort((a, b) => (order.indexOf(a.type) + 100) % 100 - (order.indexOf(b.type) + 100) % 100);

  const podIP = pod.spec.hostNetwork ? input.nodeIP : (input.sandbox?.ip ?? old.podIP);
  const status: PodStatus = {
    phase,
    conditions,
    hostIP: input.nodeIP,
    hostIPs: [{ ip: input.nodeIP }],
    ...(podIP ? { podIP, podIPs: [{ ip: podIP }, ...(pod.spec.hostNetwork ? [] : (input.sandbox?.additionalIps ?? []).map((ip) => ({ ip })))] } : {}),
    startTime: old.startTime ?? now,
    qosClass: old.qosClass ?? computePodQOS(pod.spec as unknown as JSONObject),
    containerStatuses: appStatuses,
  };
  if (initStatuses.length) status.initContainerStatuses = initStatuses;
  if (input.terminal?.reason) status.reason = input.terminal.reason;
  if (input.terminal?.message) status.message = input.terminal.message;
  return status;
}
