// One pass of making the runtime match one pod, as upstream's kuberuntime SyncPod/KillPod:
// - a pod that should run gets a ready sandbox (a new one, and all containers started again, if its
//   sandbox died), then its init containers one at a time in order (a sidecar, restartPolicy
//   Always, lets the next start once it has started), then its app containers;
// - an exited container is started again when the restart policy says so, after the crash back-off;
//   a container whose liveness or startup probe failed, or whose spec changed, is killed first;
// - killing runs the preStop hook and stops the container within the grace period left;
// - a pod that is terminal, deleted, or gone from the API is killed whole (containers, then
//   sandbox); old instances beyond the newest two of each container are removed.
// Each pass returns when the runtime has been asked for what this pass decided; it never waits on a
// container's progress, the next pass (woken by the PLEG, a probe, a timer) picks up from there.

import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { EventRecorder, EventType } from '../client/event-recorder.ts';
import type { Clock } from '../machinery/clock.ts';
import { parseQuantity } from '../machinery/quantity.ts';
import { computePodQOS } from '../api/core/v1/qos.ts';
import type { JSONObject } from '../api/core/v1/json.ts';
import { CrashBackoff, formatBackoff } from './crash-backoff.ts';
import { instancesOf, shouldRestart } from './pod-status.ts';
import type { ContainerConfig, ContainerRuntime, ContainerStatus as RuntimeContainerStatus, PodSandboxConfig, PodSandboxStatus } from './runtime/runtime.ts';
import { podFullName, type Container, type LifecycleHandler, type Pod } from './types.ts';

/** What a container needs from the pod's environment, prepared outside this module. */
export interface PreparedContainer {
  command: string[];
  args: string[];
  workingDir?: string;
  envs: { key: string; value: string }[];
  mounts: ContainerConfig['mounts'];
}

/** An error that leaves the container waiting with this reason (e.g. CreateContainerConfigError). */
export class ContainerWaitingError extends Error {
  readonly reason: string;
  constructor(reason: string, message: string) {
    super(message);
    this.name = 'ContainerWaitingError';
    this.reason = reason;
  }
}

export interface PodSyncDeps {
  runtime: ContainerRuntime;
  clock: Clock;
  recorder: EventRecorder;
  backoff: CrashBackoff;
  /** Root of the pods' log directories (upstream /var/log/pods). */
  logsDir: string;
  /** This kubelet's node: every sandbox it creates carries it (label k8ts.io/node-name). */
  nodeName: string;
  /** Sets up the pod's volumes; rejects with a message for a FailedMount event. */
  setUpVolumes(pod: Pod): Promise<void>;
  /** Env, command and mounts of a container; rejects with ContainerWaitingError for config errors. */
  prepareContainer(pod: Pod, container: Container, podIP: string): Promise<PreparedContainer>;
  /** Runs a lifecycle hook (postStart/preStop); rejects with a message when it fails. */
  runHook(pod: Pod, container: Container, containerId: string, handler: LifecycleHandler, podIP: string, timeoutSeconds: number): Promise<void>;
  /** Whether the running container passed its startup probe (true without one). */
  isStarted(pod: Pod, containerName: string): boolean;
  /** Why the running container must be killed (failed liveness or startup probe), if it must. */
  probeKill(pod: Pod, containerName: string): { message: string; gracePeriodSeconds: number } | undefined;
  /** Tells the prober about a container instance that started. */
  containerStarted(pod: Pod, container: Container, containerId: string, startedAt: number): void;
  log?: (message: string, fields?: Record<string, unknown>) => void;
}

/** What the kubelet remembers about a pod between passes. */
export interface PodSyncState {
  /** Why containers are waiting, for the status. */
  waiting: Map<string, { reason: string; message?: string }>;
  /** Set once the kubelet decided the pod is over (deadline exceeded). */
  terminal?: { phase: 'Failed' | 'Succeeded'; reason?: string; message?: string };
}

export function newPodSyncState(): PodSyncState {
  return { waiting: new Map() };
}

export interface PodRuntimeView {
  sandboxes: PodSandboxStatus[];
  containers: RuntimeContainerStatus[];
}

export interface SyncResult {
  /** When the pod should be looked at again regardless of events (back-off end), ms since epoch. */
  wakeAtMs?: number;
}

const minimumGraceSeconds = 2;

/** Labels and annotations by which the kubelet finds its objects in the runtime, as upstream's. */
export const runtimeLabels = {
  podName: 'io.kubernetes.pod.name',
  podNamespace: 'io.kubernetes.pod.namespace',
  podUID: 'io.kubernetes.pod.uid',
  containerName: 'io.kubernetes.container.name',
  containerHash: 'io.kubernetes.container.hash',
  /** The node whose kubelet created the sandbox: a kubelet touches no other sandbox. */
  nodeName: 'k8ts.io/node-name',
} as const;

export function podLogDir(logsDir: string, pod: Pod): string {
  return join(logsDir, `${pod.metadata.namespace}_${pod.metadata.name}_${pod.metadata.uid}`);
}

/** A stable hash of the parts of a container spec whose change means a restart. */
export function containerHash(c: Container): string {
  const json = JSON.stringify({ ...c, resources: undefined });
  let h = 0x811c9dc5;
  for (let i = 0; i < json.length; i++) h = Math.imul(h ^ json.charCodeAt(i), 0x01000193) >>> 0;
  return h.toString(16);
}

function newestSandbox(view: PodRuntimeView): PodSandboxStatus | undefined {
  return [...view.sandboxes].sort((a, b) => b.metadata.attempt - a.metadata.attempt || b.createdAt - a.createdAt)[0];
}

function graceSeconds(pod: Pod, override?: number): number {
  const g = override ?? pod.metadata.deletionGracePeriodSeconds ?? pod.spec.terminationGracePeriodSeconds ?? 30;
  return Math.max(g, 0);
}

export class PodSync {
  readonly #d: PodSyncDeps;

  constructor(deps: PodSyncDeps) {
    this.#d = deps;
  }

  #event(pod: Pod, type: EventType, reason: string, message: string): void {
    this.#d.recorder.event(pod, type, reason, message);
  }

  /** Makes the runtime run the pod as its spec says. */
  async sync(pod: Pod, view: PodRuntimeView, state: PodSyncState): Promise<SyncResult> {
    const d = this.#d;
    const result: SyncResult = {};
    const wakeAt = (ms: number) => {
      result.wakeAtMs = result.wakeAtMs === undefined ? ms : Math.min(result.wakeAtMs, ms);
    };

    // The sandbox: reuse the newest ready one, else start over with a new one.
    let sandbox = newestSandbox(view);
    if (!sandbox || sandbox.state !== 'ready') {
      const neverStarted = !sandbox;
      const anyStarted = view.containers.length > 0;
      const policy = pod.spec.restartPolicy ?? 'Always';
      if (!neverStarted && anyStarted && policy === 'Never' && view.containers.every((c) => c.state === 'exited')) {
        // Nothing would run in a new sandbox.
        return result;
      }
      if (sandbox) await this.#killContainers(pod, view.containers.filter((c) => c.state === 'running'), 0, 'sandbox changed');
      if (!neverStarted) this.#event(pod, 'Normal', 'SandboxChanged', 'Pod sandbox changed, it will be killed and re-created.');
      try {
        await d.setUpVolumes(pod);
      } catch (err) {
        this.#event(pod, 'Warning', 'FailedMount', errorMessage(err));
        wakeAt(d.clock.now() + 2_000);
        return result;
      }
      const config = this.sandboxConfig(pod, sandbox ? sandbox.metadata.attempt + 1 : 0);
      await mkdir(config.logDirectory, { recursive: true });
      try {
        const id = await d.runtime.runPodSandbox(config);
        sandbox = await d.runtime.podSandboxStatus(id);
      } catch (err) {
        this.#event(pod, 'Warning', 'FailedCreatePodSandBox', `Failed to create pod sandbox: ${errorMessage(err)}`);
        wakeAt(d.clock.now() + 2_000);
        return result;
      }
      // Containers of an older sandbox do not count in the new one: start afresh, keeping attempts.
      view = { sandboxes: [sandbox], containers: view.containers.filter((c) => c.state !== 'running') };
    } else {
      try {
        await d.setUpVolumes(pod);
      } catch (err) {
        this.#event(pod, 'Warning', 'FailedMount', errorMessage(err));
      }
    }
    const sandboxConfig = this.sandboxConfig(pod, sandbox.metadata.attempt);
    const podIP = sandbox.ip;

    // Kill what must die: failed probes and changed specs.
    const all = [...(pod.spec.initContainers ?? []), ...pod.spec.containers];
    for (const container of all) {
      const latest = instancesOf(view.containers, container.name)[0];
      if (!latest || latest.state !== 'running') continue;
      const probeKill = d.probeKill(pod, container.name);
      const changed = latest.labels[runtimeLabels.containerHash] !== undefined && latest.labels[runtimeLabels.containerHash] !== containerHash(container);
      if (probeKill || changed) {
        const restart = shouldRestart(pod, container, 137, (pod.spec.initContainers ?? []).includes(container));
        const message = probeKill ? `${probeKill.message}${restart ? ', will be restarted' : ''}` : `Container ${container.name} definition changed, will be restarted`;
        await this.#killContainer(pod, container, latest, probeKill?.gracePeriodSeconds, message);
        latest.state = 'exited';
        latest.exitCode = latest.exitCode || 137;
        latest.finishedAt = d.clock.now();
      }
    }

    // Init containers in order.
    for (const container of pod.spec.initContainers ?? []) {
      const sidecar = container.restartPolicy === 'Always';
      const latest = instancesOf(view.containers, container.name)[0];
      if (!latest || latest.state === 'created' || latest.state === 'unknown') {
        await this.#start(pod, container, latest, sandbox, sandboxConfig, state, podIP, wakeAt);
        return result;
      }
      if (latest.state === 'running') {
        if (sidecar && d.isStarted(pod, container.name)) continue;
        return result;
      }
      if (!sidecar && latest.exitCode === 0) continue;
      if (!shouldRestart(pod, container, latest.exitCode, true)) return result;
      await this.#restart(pod, container, latest, sandbox, sandboxConfig, state, podIP, wakeAt);
      if (!sidecar) return result;
    }

    // App containers.
    for (const container of pod.spec.containers) {
      const latest = instancesOf(view.containers, container.name)[0];
      if (!latest || latest.state === 'created' || latest.state === 'unknown') {
        await this.#start(pod, container, latest, sandbox, sandboxConfig, state, podIP, wakeAt);
        continue;
      }
      if (latest.state === 'running') {
        state.waiting.delete(container.name);
        continue;
      }
      if (!shouldRestart(pod, container, latest.exitCode, false)) {
        state.waiting.delete(container.name);
        continue;
      }
      await this.#restart(pod, container, latest, sandbox, sandboxConfig, state, podIP, wakeAt);
    }
    await this.#removeOldInstances(view, pod);
    return result;
  }

  async #restart(
    pod: Pod,
    container: Container,
    latest: RuntimeContainerStatus,
    sandbox: PodSandboxStatus,
    sandboxConfig: PodSandboxConfig,
    state: PodSyncState,
    podIP: string,
    wakeAt: (ms: number) => void,
  ): Promise<void> {
    const d = this.#d;
    const key = `${pod.metadata.uid}/${container.name}/${containerHash(container)}`;
    const backoff = d.backoff.inBackoff(key, latest.finishedAt || d.clock.now());
    if (backoff) {
      const message = `back-off ${formatBackoff(backoff.delayMs)} restarting failed container=${container.name} pod=${pod.metadata.name}_${pod.metadata.namespace}(${pod.metadata.uid})`;
      const first = state.waiting.get(container.name)?.reason !== 'CrashLoopBackOff' || state.waiting.get(container.name)?.message !== message;
      state.waiting.set(container.name, { reason: 'CrashLoopBackOff', message });
      if (first) this.#event(pod, 'Warning', 'BackOff', `Back-off restarting failed container ${container.name} in pod ${pod.metadata.name}_${pod.metadata.namespace}(${pod.metadata.uid})`);
      wakeAt(backoff.untilMs);
      return;
    }
    d.backoff.next(key);
    await this.#start(pod, container, latest, sandbox, sandboxConfig, state, podIP, wakeAt);
  }

  async #start(
    pod: Pod,
    container: Container,
    previous: RuntimeContainerStatus | undefined,
    sandbox: PodSandboxStatus,
    sandboxConfig: PodSandboxConfig,
    state: PodSyncState,
    podIP: string,
    wakeAt: (ms: number) => void,
  ): Promise<void> {
    const d = this.#d;
    const attempt = previous ? (previous.state === 'created' || previous.state === 'unknown' ? previous.metadata.attempt : previous.metadata.attempt + 1) : 0;
    if (previous && (previous.state === 'created' || previous.state === 'unknown')) {
      await d.runtime.removeContainer(previous.id).catch(() => undefined);
    }
    const image = container.image ?? '';
    try {
      await d.runtime.pullImage(image);
    } catch (err) {
      state.waiting.set(container.name, { reason: 'ErrImagePull', message: errorMessage(err) });
      this.#event(pod, 'Warning', 'Failed', `Failed to pull image "${image}": ${errorMessage(err)}`);
      wakeAt(d.clock.now() + 10_000);
      return;
    }
    this.#event(pod, 'Normal', 'Pulled', `Container image "${image}" already present on machine`);
    let prepared: PreparedContainer;
    try {
      prepared = await d.prepareContainer(pod, container, podIP);
    } catch (err) {
      const reason = err instanceof ContainerWaitingError ? err.reason : 'CreateContainerConfigError';
      state.waiting.set(container.name, { reason, message: errorMessage(err) });
      this.#event(pod, 'Warning', 'Failed', `Error: ${errorMessage(err)}`);
      wakeAt(d.clock.now() + 5_000);
      return;
    }
    const config: ContainerConfig = {
      metadata: { name: container.name, attempt },
      image,
      command: prepared.command,
      args: prepared.args,
      ...(prepared.workingDir ? { workingDir: prepared.workingDir } : {}),
      envs: prepared.envs,
      mounts: prepared.mounts,
      labels: {
        [runtimeLabels.podName]: pod.metadata.name ?? '',
        [runtimeLabels.podNamespace]: pod.metadata.namespace ?? '',
        [runtimeLabels.podUID]: pod.metadata.uid ?? '',
        [runtimeLabels.containerName]: container.name,
        [runtimeLabels.containerHash]: containerHash(container),
      },
      annotations: { 'io.kubernetes.container.restartCount': String(attempt) },
      logPath: join(container.name, `${attempt}.log`),
      stdin: container.stdin ?? false,
      stdinOnce: container.stdinOnce ?? false,
      tty: container.tty ?? false,
      resources: resourcesOf(container),
    };
    let id: string;
    try {
      id = await d.runtime.createContainer(sandbox.id, config, sandboxConfig);
    } catch (err) {
      state.waiting.set(container.name, { reason: 'CreateContainerError', message: errorMessage(err) });
      this.#event(pod, 'Warning', 'Failed', `Error: ${errorMessage(err)}`);
      wakeAt(d.clock.now() + 5_000);
      return;
    }
    this.#event(pod, 'Normal', 'Created', `Created container: ${container.name}`);
    state.waiting.delete(container.name);
    try {
      await d.runtime.startContainer(id);
    } catch (err) {
      this.#event(pod, 'Warning', 'Failed', `Error: failed to start container "${container.name}": ${errorMessage(err)}`);
      return;
    }
    this.#event(pod, 'Normal', 'Started', `Started container ${container.name}`);
    d.containerStarted(pod, container, id, d.clock.now());
    const postStart = container.lifecycle?.postStart;
    if (postStart) {
      try {
        await d.runHook(pod, container, id, postStart, podIP, graceSeconds(pod));
      } catch (err) {
        this.#event(pod, 'Warning', 'FailedPostStartHook', `PostStartHook failed: ${errorMessage(err)}`);
        const status = await d.runtime.containerStatus(id).catch(() => undefined);
        if (status) await this.#killContainer(pod, container, status, undefined, `FailedPostStartHook`);
      }
    }
  }

  sandboxConfig(pod: Pod, attempt: number): PodSandboxConfig {
    const ports = [...(pod.spec.initContainers ?? []), ...pod.spec.containers].flatMap((c) =>
      (c.ports ?? []).filter((p) => p.hostPort).map((p) => ({ protocol: p.protocol ?? 'TCP', containerPort: p.containerPort, hostPort: p.hostPort, ...(p.hostIP ? { hostIp: p.hostIP } : {}) })),
    );
    return {
      metadata: { name: pod.metadata.name ?? '', namespace: pod.metadata.namespace ?? '', uid: pod.metadata.uid ?? '', attempt },
      hostname: pod.spec.hostname ?? pod.metadata.name ?? '',
      logDirectory: podLogDir(this.#d.logsDir, pod),
      portMappings: ports,
      labels: {
        ...pod.metadata.labels,
        [runtimeLabels.podName]: pod.metadata.name ?? '',
        [runtimeLabels.podNamespace]: pod.metadata.namespace ?? '',
        [runtimeLabels.podUID]: pod.metadata.uid ?? '',
        [runtimeLabels.nodeName]: this.#d.nodeName,
      },
      annotations: { ...pod.metadata.annotations },
      hostNetwork: pod.spec.hostNetwork ?? false,
      cgroupParent: cgroupParentOf(pod),
    };
  }

  /**
   * Stops every container of the pod (gracefully, within gracePeriodSeconds or the pod's own) and
   * then its sandboxes. Resolves once all have stopped.
   */
  async killPod(pod: Pod, view: PodRuntimeView, gracePeriodSeconds?: number): Promise<void> {
    const running = view.containers.filter((c) => c.state === 'running');
    await this.#killContainers(pod, running, gracePeriodSeconds, undefined);
    for (const s of view.sandboxes) {
      if (s.state === 'ready') await this.#d.runtime.stopPodSandbox(s.id).catch((err: unknown) => this.#d.log?.('StopPodSandbox failed', { pod: podFullName(pod), err: errorMessage(err) }));
    }
  }

  /** Removes every runtime object of the pod (after killPod). */
  async removePod(view: PodRuntimeView): Promise<void> {
    for (const c of view.containers) await this.#d.runtime.removeContainer(c.id).catch(() => undefined);
    for (const s of view.sandboxes) await this.#d.runtime.removePodSandbox(s.id).catch(() => undefined);
  }

  async #killContainers(pod: Pod, running: RuntimeContainerStatus[], gracePeriodSeconds: number | undefined, message: string | undefined): Promise<void> {
    const specs = new Map([...(pod.spec.initContainers ?? []), ...pod.spec.containers].map((c) => [c.name, c]));
    await Promise.all(
      running.map((c) => {
        const spec = specs.get(c.metadata.name) ?? { name: c.metadata.name };
        return this.#killContainer(pod, spec, c, gracePeriodSeconds, message);
      }),
    );
  }

  async #killContainer(pod: Pod, container: Container, status: RuntimeContainerStatus, gracePeriodSeconds: number | undefined, message: string | undefined): Promise<void> {
    const d = this.#d;
    let grace = graceSeconds(pod, gracePeriodSeconds);
    if (gracePeriodSeconds === undefined && pod.metadata.deletionTimestamp === undefined) {
      grace = Math.max(grace, minimumGraceSeconds);
    }
    this.#event(pod, 'Normal', 'Killing', message ?? `Stopping container ${container.name}`);
    const started = d.clock.now();
    const preStop = container.lifecycle?.preStop;
    if (preStop && grace > 0 && status.state === 'running') {
      try {
        await withTimeout(d.runHook(pod, container, status.id, preStop, '', grace), grace * 1000);
      } catch (err) {
        this.#event(pod, 'Warning', 'FailedPreStopHook', `PreStopHook failed: ${errorMessage(err)}`);
      }
    }
    const left = Math.max(0, grace - Math.ceil((d.clock.now() - started) / 1000));
    await d.runtime.stopContainer(status.id, left).catch((err: unknown) => d.log?.('StopContainer failed', { pod: podFullName(pod), container: container.name, err: errorMessage(err) }));
  }

  async #removeOldInstances(view: PodRuntimeView, pod: Pod): Promise<void> {
    for (const container of [...(pod.spec.initContainers ?? []), ...pod.spec.containers]) {
      for (const old of instancesOf(view.containers, container.name).slice(2)) {
        if (old.state !== 'running') await this.#d.runtime.removeContainer(old.id).catch(() => undefined);
      }
    }
    const newest = newestSandbox(view);
    for (const s of view.sandboxes) {
      if (s !== newest && s.state !== 'ready') {
        const inUse = view.containers.some((c) => c.podSandboxId === s.id && c.state === 'running');
        if (!inUse) await this.#d.runtime.removePodSandbox(s.id).catch(() => undefined);
      }
    }
  }
}

function resourcesOf(c: Container): ContainerConfig['resources'] {
  const quantity = (v: string | number | undefined) => {
    if (v === undefined) return undefined;
    try {
      return parseQuantity(v);
    } catch {
      return undefined;
    }
  };
  const out: NonNullable<ContainerConfig['resources']> = {};
  const cpuRequest = quantity(c.resources?.requests?.cpu);
  const cpuLimit = quantity(c.resources?.limits?.cpu);
  const memory = quantity(c.resources?.limits?.memory);
  if (cpuRequest) out.cpuRequestMillis = cpuRequest.milliValue();
  if (cpuLimit) out.cpuLimitMillis = cpuLimit.milliValue();
  if (memory) out.memoryLimitBytes = memory.value();
  return out;
}

/** The pod's cgroup by QoS class, as upstream's cgroupfs driver names it. */
export function cgroupParentOf(pod: Pod): string {
  const qos = pod.status?.qosClass ?? computePodQOS(pod.spec as unknown as JSONObject);
  const uid = pod.metadata.uid ?? '';
  return qos === 'Guaranteed' ? `/kubepods/pod${uid}` : `/kubepods/${qos.toLowerCase()}/pod${uid}`;
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

async function withTimeout<T>(p: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    return await Promise.race([p, new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}
