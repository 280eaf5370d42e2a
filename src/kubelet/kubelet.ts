// The kubelet as a component: createKubelet(options) → { start(signal), ready, close() }.
// It registers its Node (and keeps its status and Lease), watches only the pods bound to it
// (fieldSelector spec.nodeName), adds its static pods (manifests, or pods given in code) with their
// mirror pods, and makes the container runtime match: one worker per pod runs PodSync passes,
// woken by API changes, by the PLEG (a relist of the runtime every second, and the runtime's own
// exit events where it has them), by probe results and by back-off timers. Statuses go to the API
// through the status manager; a deleted pod is killed gracefully and then deleted for good (grace
// 0). Its HTTPS server serves logs, exec, attach and port-forward to the API server.
// It never touches runtime objects it did not create (its sandboxes carry k8ts.io/node-name).

import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { EventBroadcaster } from '../client/event-recorder.ts';
import { DeletedFinalStateUnknown } from '../client/informer.ts';
import { SharedInformerFactory } from '../client/informer-factory.ts';
import { loadKubeconfig, type RestConfig } from '../client/kubeconfig.ts';
import { RestClient } from '../client/rest-client.ts';
import { isAlreadyExists } from '../client/api-errors.ts';
import { createCA, issueServingCertificate } from '../component-base/certificates.ts';
import { createLogger, type Logger } from '../component-base/logging.ts';
import { Registry, exponentialBuckets } from '../component-base/metrics.ts';
import { realClock, type Clock, type Timer } from '../machinery/clock.ts';
import { admitPod } from './admission.ts';
import { CrashBackoff } from './crash-backoff.ts';
import { NodeLease } from './node-lease.ts';
import { NodeStatusManager, nodeCapacity } from './node-status.ts';
import { createPodEnvironment } from './pod-environment.ts';
import { generatePodStatus } from './pod-status.ts';
import { PodSync, newPodSyncState, runtimeLabels, type PodRuntimeView, type PodSyncState } from './pod-sync.ts';
import type { ContainerEventSource } from './runtime/events.ts';
import type { ContainerRuntime, PodSandboxStatus } from './runtime/runtime.ts';
import { createKubeletServer, type KubeletServer } from './server/server.ts';
import { configMirrorAnnotation, isMirrorPod, mirrorPodFor, readManifestDir, staticPodFrom } from './static-pods.ts';
import { StatusManager } from './status-manager.ts';
import { podFullName, type Pod } from './types.ts';

export interface KubeletOptions {
  kubeconfig?: string;
  restConfig?: RestConfig;
  nodeName: string;
  /** The node's address, and every pod's on the process runtime (default 127.0.0.1). */
  nodeIP?: string;
  runtime: ContainerRuntime;
  /** Where pods' volumes, logs and the kubelet's certificate live. */
  rootDir: string;
  /** The kubelet API port (upstream 10250); 0 picks a free one; undefined serves none. */
  port?: number;
  bindAddress?: string;
  /** Serving certificate; without one a self-signed certificate is made. */
  tls?: { certPem: string; keyPem: string };
  /** CA of the clients (the API server) allowed to use the kubelet API. */
  clientCaPem?: string;
  /** A directory of static pod manifests. */
  staticPodPath?: string;
  /** Static pods given in code. */
  staticPods?: Pod[];
  labels?: Record<string, string>;
  taints?: { key: string; value?: string; effect: string }[];
  capacity?: Record<string, string>;
  maxPods?: number;
  /** 'external': register with the uninitialized taint for the cloud node controller. */
  cloudProvider?: string;
  nodeStatusUpdateFrequencyMs?: number;
  relistPeriodMs?: number;
  clock?: Clock;
  logger?: Logger;
}

export interface Kubelet {
  start(signal?: AbortSignal): Promise<void>;
  /** Resolves once the node is registered and the pod informer has synced. */
  readonly ready: Promise<void>;
  close(): Promise<void>;
  /** The bound kubelet API port (0 when none is served). */
  readonly port: number;
  readonly nodeName: string;
  readonly metrics: Registry;
}

interface Worker {
  running: boolean;
  pending: boolean;
  timer?: Timer;
  state: PodSyncState;
  /** The last pod seen (kept after it left the API, to kill it). */
  pod: Pod;
  /** Set once the API object is gone (or a static pod's manifest was removed). */
  gone: boolean;
  /** Set once the final delete was sent. */
  finalized: boolean;
  admitted?: boolean;
}

function unwrap<T>(obj: T | DeletedFinalStateUnknown<T>): T {
  return obj instanceof DeletedFinalStateUnknown ? obj.obj : obj;
}

export function createKubelet(options: KubeletOptions): Kubelet {
  const clock = options.clock ?? realClock;
  const log = options.logger ?? createLogger('kubelet');
  const restConfig = options.restConfig ?? (options.kubeconfig ? loadKubeconfig(options.kubeconfig, { userAgent: 'kubelet' }) : undefined);
  if (!restConfig) throw new Error('kubelet: a kubeconfig or restConfig is required');
  const client = new RestClient(restConfig);
  const nodeName = options.nodeName;
  const nodeIP = options.nodeIP ?? '127.0.0.1';
  const runtime = options.runtime;
  const rootDir = options.rootDir;
  const podsDir = join(rootDir, 'pods');
  const logsDir = join(rootDir, 'logs', 'pods');
  const registry = new Registry();
  const metrics = {
    podStartDuration: registry.histogram('kubelet_pod_start_sli_duration_seconds', 'Duration in seconds from a pod\'s creation to its containers running, as the kubelet saw it', [], exponentialBuckets(0.05, 2, 12)),
    syncs: registry.counter('kubelet_pod_worker_syncs_total', 'Pod sync passes by result', ['result']),
  };
  const broadcaster = new EventBroadcaster({ client, clock, log: (m) => log.warn(m) });
  const recorder = broadcaster.recorderFor('kubelet', nodeName);
  const backoff = new CrashBackoff({ clock });
  const statusManager = new StatusManager({ client, log: (m, f) => log.warn(m, f) });
  const stop = new AbortController();
  const workers = new Map<string, Worker>();
  /** Mirror pods in the API by full name. */
  const mirrors = new Map<string, Pod>();
  /** Static pods by uid. */
  const staticPods = new Map<string, Pod>();
  let server: KubeletServer | undefined;
  let runtimeVersion = `${runtime.name}://unknown`;
  /** The runtime's own name (containerd, process, fake): the scheme of container IDs. */
  let runtimeName = runtime.name;
  let relistTimer: Timer | undefined;
  let stopEvents: (() => void) | undefined;
  let staticTimer: Timer | undefined;
  const fingerprints = new Map<string, string>();
  let resolveReady!: () => void;
  const ready = new Promise<void>((r) => (resolveReady = r));
  ready.catch(() => undefined);

  const taints = [...(options.taints ?? [])];
  if (options.cloudProvider === 'external') taints.push({ key: 'node.cloudprovider.kubernetes.io/uninitialized', value: 'true', effect: 'NoSchedule' });
  const nodeStatus = new NodeStatusManager({
    client,
    clock,
    nodeName,
    nodeIP,
    kubeletPort: () => server?.port ?? 0,
    containerRuntimeVersion: () => runtimeVersion,
    labels: options.labels,
    taints,
    capacity: options.capacity,
    maxPods: options.maxPods,
    rootDir,
    updateIntervalMs: options.nodeStatusUpdateFrequencyMs,
    log: (m, f) => log.info(m, f),
  });
  const lease = new NodeLease({ client, clock, nodeName, nodeUID: () => nodeStatus.uid, log: (m, f) => log.warn(m, f) });

  const env = createPodEnvironment({
    client,
    runtime,
    clock,
    podsDir,
    nodeName,
    nodeIP,
    allocatable: () => nodeCapacity({ capacity: options.capacity, maxPods: options.maxPods, rootDir }),
    logsDir,
    onProbeChange: (podUID) => dispatch(podUID),
    recorder,
    log: (m, f) => log.info(m, f),
  });
  const podSync = new PodSync({
    runtime,
    clock,
    recorder,
    backoff,
    logsDir,
    nodeName,
    setUpVolumes: (pod) => env.setUpVolumes(pod),
    prepareContainer: (pod, container, podIP) => env.prepareContainer(pod, container, podIP),
    runHook: (pod, container, id, handler, podIP, timeout) => env.runHook(pod, container, id, handler, podIP, timeout),
    isStarted: (pod, name) => env.probes.isStarted(pod.metadata.uid ?? '', name),
    probeKill: (pod, name) => env.probes.probeKill(pod.metadata.uid ?? '', name),
    containerStarted: (pod, container, id, startedAt) => env.probes.updateContainer(pod.metadata.uid ?? '', container.name, { containerId: id, startedAt, running: true }),
    log: (m, f) => log.info(m, f),
  });

  /** Whether this kubelet created a sandbox: it never touches others (another node's, a user's). */
  const ours = (s: PodSandboxStatus) => s.labels[runtimeLabels.nodeName] === nodeName;

  /** The runtime's view of one pod. */
  async function viewOf(uid: string): Promise<PodRuntimeView> {
    const sandboxes = (await runtime.listPodSandbox()).filter((s) => s.metadata.uid === uid && ours(s));
    const containers = (await Promise.all(sandboxes.map((s) => runtime.listContainers({ podSandboxId: s.id })))).flat();
    return { sandboxes, containers };
  }

  /** The object whose status shows a pod: itself, or a static pod's mirror. */
  function apiPodFor(pod: Pod): Pod | undefined {
    if (!staticPods.has(pod.metadata.uid ?? '')) return pod;
    return mirrors.get(podFullName(pod));
  }

  function dispatch(uid: string): void {
    const w = workers.get(uid);
    if (!w || stop.signal.aborted) return;
    if (w.running) {
      w.pending = true;
      return;
    }
    w.running = true;
    void (async () => {
      do {
        w.pending = false;
        if (w.timer) {
          clock.clearTimeout(w.timer);
          w.timer = undefined;
        }
        try {
          const wakeAt = await syncWorker(uid, w);
          metrics.syncs.inc({ result: 'success' });
          if (wakeAt !== undefined && workers.get(uid) === w) {
            w.timer = clock.setTimeout(() => dispatch(uid), Math.max(0, wakeAt - clock.now()));
          }
        } catch (err) {
          metrics.syncs.inc({ result: 'error' });
          if (!stop.signal.aborted) {
            log.warn('Error syncing pod, will retry', { pod: podFullName(w.pod), err: err instanceof Error ? err.message : String(err) });
            w.timer = clock.setTimeout(() => dispatch(uid), 1_000);
          }
        }
      } while (w.pending && !stop.signal.aborted);
      w.running = false;
    })();
  }

  function podUpdated(pod: Pod): void {
    const uid = pod.metadata.uid ?? '';
    let w = workers.get(uid);
    if (!w) {
      w = { running: false, pending: false, state: newPodSyncState(), pod, gone: false, finalized: false };
      workers.set(uid, w);
    }
    w.pod = pod;
    dispatch(uid);
  }

  function podGone(uid: string): void {
    const w = workers.get(uid);
    if (!w) return;
    w.gone = true;
    dispatch(uid);
  }

  async function syncWorker(uid: string, w: Worker): Promise<number | undefined> {
    const pod = w.pod;
    let view = await viewOf(uid);
    if (w.gone) {
      // Gone from the API (or its manifest removed): kill whatever still runs, then forget it.
      const grace = pod.metadata.deletionGracePeriodSeconds ?? pod.spec.terminationGracePeriodSeconds ?? 30;
      await podSync.killPod(pod, view, Math.max(grace, 0));
      await podSync.removePod(await viewOf(uid));
      await env.removePod(pod);
      backoff.forget(`${uid}/`);
      statusManager.forget(uid);
      fingerprints.delete(uid);
      if (w.timer) clock.clearTimeout(w.timer);
      workers.delete(uid);
      return undefined;
    }
    if (w.admitted === undefined) {
      const others = [...workers.values()].filter((o) => o !== w && o.admitted && !o.gone && !isTerminal(o.pod)).map((o) => o.pod);
      const verdict = isTerminal(pod) ? { admit: true as const } : admitPod(pod, others, nodeCapacity({ capacity: options.capacity, maxPods: options.maxPods, rootDir }));
      w.admitted = verdict.admit;
      if (!verdict.admit) {
        recorder.event(pod, 'Warning', verdict.reason, verdict.message);
        w.state.terminal = { phase: 'Failed', reason: verdict.reason, message: `Pod was rejected: ${verdict.message}` };
      } else {
        env.addPod(pod);
      }
    }
    const deadline = pod.spec.activeDeadlineSeconds;
    const startedMs = pod.status?.startTime ? Date.parse(pod.status.startTime) : undefined;
    let wakeAt: number | undefined;
    if (deadline !== undefined && startedMs !== undefined && !w.state.terminal) {
      const endMs = startedMs + deadline * 1000;
      if (clock.now() >= endMs) {
        w.state.terminal = { phase: 'Failed', reason: 'DeadlineExceeded', message: 'Pod was active on the node longer than the specified deadline' };
        recorder.event(pod, 'Normal', 'DeadlineExceeded', 'Pod was active on the node longer than the specified deadline');
      } else wakeAt = endMs;
    }

    const statusOf = (v: PodRuntimeView) =>
      generatePodStatus({
        pod: { ...pod, status: apiPodFor(pod)?.status ?? pod.status },
        sandbox: [...v.sandboxes].sort((a, b) => b.metadata.attempt - a.metadata.attempt)[0],
        containers: v.containers,
        waiting: w.state.waiting,
        probes: (name) => ({ ready: env.probes.isReady(uid, name), started: env.probes.isStarted(uid, name) }),
        runtimeName,
        nodeIP,
        now: clock.now(),
        terminal: w.state.terminal,
      });

    const deleting = pod.metadata.deletionTimestamp !== undefined && pod.metadata.deletionTimestamp !== null;
    let status = statusOf(view);
    const terminal = status.phase === 'Succeeded' || status.phase === 'Failed';
    if (deleting || terminal || !w.admitted) {
      await podSync.killPod(pod, view, deleting ? Math.max(pod.metadata.deletionGracePeriodSeconds ?? 0, 0) : undefined);
      view = await viewOf(uid);
      status = statusOf(view);
      await writeStatus(pod, status);
      const stillRunning = view.containers.some((c) => c.state === 'running');
      if (deleting && !stillRunning && !w.finalized && !staticPods.has(uid)) {
        w.finalized = true;
        env.removePod(pod).catch(() => undefined);
        await statusManager.deletePod(pod);
      }
      return undefined;
    }
    env.observe(pod, view);
    const result = await podSync.sync(pod, view, w.state);
    view = await viewOf(uid);
    env.observe(pod, view);
    status = statusOf(view);
    fingerprints.set(uid, fingerprint(view));
    if (status.phase === 'Running' && pod.status?.phase !== 'Running' && pod.metadata.creationTimestamp) {
      metrics.podStartDuration.observe({}, Math.max(0, clock.now() - Date.parse(pod.metadata.creationTimestamp)) / 1000);
    }
    await writeStatus(pod, status);
    if (result.wakeAtMs !== undefined) wakeAt = wakeAt === undefined ? result.wakeAtMs : Math.min(wakeAt, result.wakeAtMs);
    return wakeAt;
  }

  async function writeStatus(pod: Pod, status: NonNullable<Pod['status']>): Promise<void> {
    const target = apiPodFor(pod);
    if (!target) return;
    await statusManager.set(target, status);
  }

  function isTerminal(pod: Pod): boolean {
    return pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed';
  }

  function fingerprint(view: PodRuntimeView): string {
    return [...view.sandboxes.map((s) => `${s.id}:${s.state}`), ...view.containers.map((c) => `${c.id}:${c.state}`)].sort().join(',');
  }

  /** The generic PLEG: relists the runtime and wakes the workers of pods whose containers changed. */
  async function relist(): Promise<void> {
    const sandboxes = (await runtime.listPodSandbox()).filter(ours);
    const containers = await runtime.listContainers();
    const bySandbox = new Map(sandboxes.map((s) => [s.id, s]));
    const views = new Map<string, PodRuntimeView>();
    for (const s of sandboxes) {
      const uid = s.labels[runtimeLabels.podUID] ?? s.metadata.uid;
      if (!views.has(uid)) views.set(uid, { sandboxes: [], containers: [] });
      views.get(uid)!.sandboxes.push(s);
    }
    for (const c of containers) {
      const s = bySandbox.get(c.podSandboxId);
      if (!s) continue;
      views.get(s.labels[runtimeLabels.podUID] ?? s.metadata.uid)?.containers.push(c);
    }
    for (const [uid, view] of views) {
      const fp = fingerprint(view);
      if (fingerprints.get(uid) === fp) continue;
      fingerprints.set(uid, fp);
      if (workers.has(uid)) dispatch(uid);
      else if (podsSynced) {
        // Left over from a pod this kubelet no longer knows (e.g. deleted while it was down).
        const meta = view.sandboxes[0].metadata;
        const orphan: Pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: meta.name, namespace: meta.namespace, uid }, spec: { containers: [] } };
        workers.set(uid, { running: false, pending: false, state: newPodSyncState(), pod: orphan, gone: true, finalized: true });
        dispatch(uid);
      }
    }
  }
  let podsSynced = false;

  function scheduleRelist(): void {
    if (stop.signal.aborted) return;
    relistTimer = clock.setTimeout(() => {
      relist()
        .catch((err: unknown) => log.warn('PLEG relist failed', { err: String(err) }))
        .finally(scheduleRelist);
    }, options.relistPeriodMs ?? 1_000);
  }

  // Static pods and their mirrors.
  async function syncStaticPods(): Promise<void> {
    const wanted = new Map<string, Pod>();
    for (const p of options.staticPods ?? []) {
      const pod = staticPodFrom(p, nodeName, 'file');
      wanted.set(pod.metadata.uid!, pod);
    }
    if (options.staticPodPath) {
      for (const { pod: p } of await readManifestDir(options.staticPodPath, (m, f) => log.warn(m, f))) {
        const pod = staticPodFrom(p, nodeName, 'file');
        wanted.set(pod.metadata.uid!, pod);
      }
    }
    for (const [uid, pod] of staticPods) {
      if (!wanted.has(uid)) {
        staticPods.delete(uid);
        const mirror = mirrors.get(podFullName(pod));
        if (mirror && mirror.metadata.annotations?.[configMirrorAnnotation] === uid) {
          await client.delete({ group: '', version: 'v1', resource: 'pods', namespace: mirror.metadata.namespace, name: mirror.metadata.name }, { gracePeriodSeconds: 0, preconditions: { uid: mirror.metadata.uid } }).catch(() => undefined);
        }
        podGone(uid);
      }
    }
    for (const [uid, pod] of wanted) {
      if (!staticPods.has(uid)) {
        staticPods.set(uid, pod);
        podUpdated(pod);
      }
      await ensureMirror(pod);
    }
  }

  async function ensureMirror(pod: Pod): Promise<void> {
    const existing = mirrors.get(podFullName(pod));
    if (existing && existing.metadata.annotations?.[configMirrorAnnotation] === pod.metadata.uid && !existing.metadata.deletionTimestamp) return;
    const ref = { group: '', version: 'v1', resource: 'pods', namespace: pod.metadata.namespace };
    if (existing) {
      await client.delete({ ...ref, name: existing.metadata.name }, { gracePeriodSeconds: 0, preconditions: { uid: existing.metadata.uid } }).catch(() => undefined);
    }
    try {
      const created = await client.create<Pod>(ref, mirrorPodFor(pod, { name: nodeName, uid: nodeStatus.uid }));
      mirrors.set(podFullName(pod), created);
      dispatch(pod.metadata.uid ?? '');
    } catch (err) {
      if (!isAlreadyExists(err)) log.warn('Failed creating a mirror pod', { pod: podFullName(pod), err: String(err) });
    }
  }

  function scheduleStaticSync(): void {
    if (stop.signal.aborted || (!options.staticPodPath && !options.staticPods?.length)) return;
    staticTimer = clock.setTimeout(() => {
      syncStaticPods()
        .catch((err: unknown) => log.warn('Static pod sync failed', { err: String(err) }))
        .finally(scheduleStaticSync);
    }, 20_000);
  }

  const factory = new SharedInformerFactory(client, { clock, log: (m) => log.info(m) });
  const podInformer = factory.informerFor<Pod>({ group: '', version: 'v1', resource: 'pods', fieldSelector: `spec.nodeName=${nodeName}` });
  podInformer.addEventHandler({
    onAdd(pod) {
      if (isMirrorPod(pod)) {
        mirrors.set(podFullName(pod), pod);
        const uid = pod.metadata.annotations?.[configMirrorAnnotation] ?? '';
        if (staticPods.has(uid)) dispatch(uid);
        return;
      }
      podUpdated(pod);
    },
    onUpdate(_old, pod) {
      if (isMirrorPod(pod)) {
        mirrors.set(podFullName(pod), pod);
        if (pod.metadata.deletionTimestamp) {
          const uid = pod.metadata.annotations?.[configMirrorAnnotation] ?? '';
          const staticPod = staticPods.get(uid);
          // A mirror pod is never really terminated: delete it at once; it is created again.
          void client.delete({ group: '', version: 'v1', resource: 'pods', namespace: pod.metadata.namespace, name: pod.metadata.name }, { gracePeriodSeconds: 0, preconditions: { uid: pod.metadata.uid } }).catch(() => undefined);
          if (staticPod) mirrors.delete(podFullName(pod));
        }
        return;
      }
      podUpdated(pod);
    },
    onDelete(obj) {
      const pod = unwrap(obj);
      if (isMirrorPod(pod)) {
        const name = podFullName(pod);
        if (mirrors.get(name)?.metadata.uid === pod.metadata.uid) mirrors.delete(name);
        const staticPod = staticPods.get(pod.metadata.annotations?.[configMirrorAnnotation] ?? '');
        if (staticPod && !stop.signal.aborted) void ensureMirror(staticPod);
        return;
      }
      podGone(pod.metadata.uid ?? '');
    },
  });

  const kubelet: Kubelet = {
    ready,
    nodeName,
    metrics: registry,
    get port() {
      return server?.port ?? 0;
    },
    async start(signal?: AbortSignal) {
      signal?.addEventListener('abort', () => void kubelet.close(), { once: true });
      await mkdir(podsDir, { recursive: true });
      await mkdir(logsDir, { recursive: true });
      const v = await runtime.version();
      runtimeVersion = `${v.runtimeName}://${v.runtimeVersion}`;
      runtimeName = v.runtimeName;
      if (options.port !== undefined) {
        const tls = options.tls ?? (await selfSigned(nodeName, nodeIP));
        server = createKubeletServer({
          bindAddress: options.bindAddress ?? nodeIP,
          port: options.port,
          certPem: tls.certPem,
          keyPem: tls.keyPem,
          clientCaPem: options.clientCaPem,
          registry,
          host: env.serverHost(
            () => [...workers.values()].filter((w) => !w.gone).map((w) => w.pod),
            async (namespace, name) => {
              for (const [uid, w] of workers) if (w.pod.metadata.namespace === namespace && w.pod.metadata.name === name && !w.gone) return { uid, pod: w.pod, view: await viewOf(uid) };
              return undefined;
            },
          ),
          log: (m, f) => log.warn(m, f),
        });
        await server.start();
      }
      await nodeStatus.register(stop.signal);
      nodeStatus.start();
      lease.start();
      factory.start(stop.signal);
      await podInformer.waitForSync(stop.signal);
      podsSynced = true;
      await syncStaticPods().catch((err: unknown) => log.warn('Static pod sync failed', { err: String(err) }));
      scheduleStaticSync();
      const events = (runtime as Partial<ContainerEventSource>).onEvent;
      if (events) stopEvents = events.call(runtime, () => void relist().catch(() => undefined));
      scheduleRelist();
      log.info('Kubelet started', { node: nodeName, runtime: runtimeVersion, port: server?.port });
      resolveReady();
    },
    async close() {
      if (stop.signal.aborted) return;
      stop.abort();
      stopEvents?.();
      if (relistTimer) clock.clearTimeout(relistTimer);
      if (staticTimer) clock.clearTimeout(staticTimer);
      for (const w of workers.values()) if (w.timer) clock.clearTimeout(w.timer);
      nodeStatus.stop();
      lease.stop();
      await factory.shutdown();
      await statusManager.close();
      await env.close();
      await server?.close();
      await runtime.close();
      await broadcaster.close();
      client.close();
    },
  };
  return kubelet;
}

async function selfSigned(nodeName: string, nodeIP: string): Promise<{ certPem: string; keyPem: string }> {
  const ca = await createCA({ commonName: `${nodeName}-ca` });
  return issueServingCertificate(ca, { commonName: nodeName, dnsNames: [nodeName, 'localhost'], ips: [nodeIP, '127.0.0.1'] });
}

