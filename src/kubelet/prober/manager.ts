// The kubelet's probe manager, as upstream's prober.Manager: one worker per container probe of every
// pod it is given (app containers and sidecar init containers), fed with the container instances
// the kubelet sees, answering what the pod status needs (started, ready) and what the pod worker
// needs (which container a failed liveness or startup probe wants killed, and with which grace
// period). Every probe run is reported through onResult with the event upstream would record;
// `changed` marks the runs that moved a result. Timers run on the injected clock, and close()
// (or removePod) leaves none behind.

import { kubernetesVersion } from '../../api/version.ts';
import { realClock } from '../../machinery/clock.ts';
import type { Clock } from '../../machinery/clock.ts';
import type { Logger } from '../../component-base/logging.ts';
import type { Container, Pod } from '../types.ts';
import type { ExecRunner } from './exec.ts';
import { probeKill } from './kill.ts';
import type { ProbeKill } from './kill.ts';
import type { ProberMetrics } from './metrics.ts';
import { probeTypes } from './probe.ts';
import type { ProbeType } from './probe.ts';
import { createProber } from './prober.ts';
import type { Prober } from './prober.ts';
import { containerStarted, Worker } from './worker.ts';
import type { ContainerEntry, ContainerInstance, PodEntry, ProbeUpdate, ResultState, WorkerContext } from './worker.ts';

export type { ContainerInstance, ProbeUpdate, ResultState } from './worker.ts';
export type { ProbeType } from './probe.ts';
export type { ProbeKill } from './kill.ts';

export interface ProbeManagerOptions {
  /** Runs exec probes (runtime.execSync). */
  runtime: ExecRunner;
  clock?: Clock;
  /** The pod's IP for httpGet, tcpSocket and grpc probes; default: status.podIP of the pod last added. */
  podIP?: (podUID: string) => string | undefined;
  /** Called after every probe run (see ProbeUpdate); exceptions are logged, not thrown. */
  onResult?: (update: ProbeUpdate) => void;
  metrics?: ProberMetrics;
  logger?: Logger;
  /** Default `kube-probe/<major>.<minor>` of the Kubernetes version k8ts implements. */
  userAgent?: string;
  /** Source of the start-up jitter for containers a restarted kubelet adopts; default Math.random. */
  random?: () => number;
  /** Replaces the probe runners (tests). */
  prober?: Prober;
}

export interface ProbeManager {
  /** Starts workers for the pod's probes; adding a pod again takes in its changes (deletion). */
  addPod(pod: Pod): void;
  /** Stops the pod's workers and forgets its results. */
  removePod(podUID: string): void;
  /** Removes every pod not in `desired`. */
  cleanupPods(desired: Iterable<string>): void;
  /** Stops liveness and startup probing of a terminating pod; readiness keeps going. */
  stopLivenessAndStartup(podUID: string): void;
  /** Tells the manager about a container instance: created, started, stopped, or replaced (new id). */
  updateContainer(podUID: string, containerName: string, instance: ContainerInstance): void;
  /** containerStatuses[].started: running, and the startup probe (if any) succeeded. */
  isStarted(podUID: string, containerName: string): boolean;
  /** containerStatuses[].ready: started, and the readiness probe (if any) succeeded. */
  isReady(podUID: string, containerName: string): boolean;
  /** A probe's result for the container's current instance; undefined without that probe or instance. */
  result(podUID: string, containerName: string, probeType: ProbeType): ResultState | undefined;
  /** Why the running container must be killed: it failed its liveness or startup probe. */
  probeKill(podUID: string, containerName: string): ProbeKill | undefined;
  close(): Promise<void>;
}

/** The containers probes run in: app containers, and init containers that keep running (sidecars). */
function probedContainers(pod: Pod): Container[] {
  return [...(pod.spec.initContainers ?? []).filter((c) => c.restartPolicy === 'Always'), ...(pod.spec.containers ?? [])];
}

function toMillis(t: number | string): number {
  if (typeof t === 'number') return t;
  const ms = Date.parse(t);
  return Number.isNaN(ms) ? 0 : ms;
}

export function createProbeManager(options: ProbeManagerOptions): ProbeManager {
  const clock = options.clock ?? realClock;
  const userAgent = options.userAgent ?? `kube-probe/${kubernetesVersion.major}.${kubernetesVersion.minor}`;
  const pods = new Map<string, PodEntry>();
  const pending = new Set<Promise<void>>();
  let closed = false;

  const ctx: WorkerContext = {
    clock,
    prober: options.prober ?? createProber({ runtime: options.runtime, clock, userAgent }),
    metrics: options.metrics,
    logger: options.logger,
    startTime: clock.now(),
    random: options.random ?? Math.random,
    podIP: (entry) => options.podIP?.(entry.pod.metadata.uid ?? '') ?? entry.pod.status?.podIP,
    report(update) {
      try {
        options.onResult?.(update);
      } catch (err) {
        options.logger?.error('Probe result handler failed', { pod: update.podName, container: update.containerName, err });
      }
    },
    track(done) {
      pending.add(done);
      void done.finally(() => pending.delete(done));
    },
  };

  const container = (podUID: string, name: string): { pod: PodEntry; c: ContainerEntry } | undefined => {
    const pod = pods.get(podUID);
    const c = pod?.containers.get(name);
    return pod && c ? { pod, c } : undefined;
  };

  function removePod(podUID: string): void {
    const entry = pods.get(podUID);
    if (!entry) return;
    for (const c of entry.containers.values()) for (const w of Object.values(c.workers)) w.stop();
    pods.delete(podUID);
  }

  function isStarted(podUID: string, name: string): boolean {
    const found = container(podUID, name);
    return !!found && containerStarted(found.c);
  }

  function result(podUID: string, name: string, probeType: ProbeType): ResultState | undefined {
    const c = container(podUID, name)?.c;
    const w = c?.workers[probeType];
    return w && c.instance && w.containerId === c.instance.containerId ? w.result : undefined;
  }

  return {
    addPod(pod) {
      const uid = pod.metadata.uid;
      if (closed || !uid) return;
      let entry = pods.get(uid);
      if (entry) entry.pod = pod;
      else pods.set(uid, (entry = { pod, containers: new Map() }));
      for (const spec of probedContainers(pod)) {
        if (entry.containers.has(spec.name)) continue;
        const c: ContainerEntry = { spec, workers: {} };
        entry.containers.set(spec.name, c);
        for (const t of probeTypes) {
          const probe = spec[`${t}Probe`];
          if (probe) c.workers[t] = new Worker(ctx, entry, c, t, probe);
        }
      }
    },

    removePod,

    cleanupPods(desired) {
      const keep = new Set(desired);
      for (const uid of [...pods.keys()]) if (!keep.has(uid)) removePod(uid);
    },

    stopLivenessAndStartup(podUID) {
      for (const c of pods.get(podUID)?.containers.values() ?? []) {
        c.workers.liveness?.retire();
        c.workers.startup?.retire();
      }
    },

    updateContainer(podUID, name, instance) {
      const found = container(podUID, name);
      if (!found) return;
      found.c.instance = { containerId: instance.containerId, startedAt: toMillis(instance.startedAt) || clock.now(), running: instance.running };
      for (const t of probeTypes) found.c.workers[t]?.sync();
    },

    isStarted,

    isReady(podUID, name) {
      if (!isStarted(podUID, name)) return false;
      const readiness = container(podUID, name)!.c.workers.readiness;
      return !readiness || result(podUID, name, 'readiness') === 'success';
    },

    result,

    probeKill(podUID, name) {
      const found = container(podUID, name);
      if (!found?.c.instance?.running) return undefined;
      if (result(podUID, name, 'liveness') === 'failure') return probeKill(found.pod.pod, found.c.spec, 'LivenessProbe');
      if (result(podUID, name, 'startup') === 'failure') return probeKill(found.pod.pod, found.c.spec, 'StartupProbe');
      return undefined;
    },

    async close() {
      closed = true;
      for (const uid of [...pods.keys()]) removePod(uid);
      await Promise.allSettled([...pending]);
    },
  };
}
