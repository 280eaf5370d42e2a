// What the kubelet's pod workers need from the rest of the node, in one place: volumes (set up,
// refreshed, torn down), a container's environment, command and mounts, lifecycle hooks, the prober
// (results wake the pod's worker; failures become Unhealthy events), and the host side of the
// kubelet server (finding a pod's containers for logs, exec, attach and port-forward).

import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { join } from 'node:path';
import type { EventRecorder } from '../client/event-recorder.ts';
import { SharedInformerFactory } from '../client/informer-factory.ts';
import type { SharedIndexInformer } from '../client/informer.ts';
import type { RestClient } from '../client/rest-client.ts';
import type { Clock } from '../machinery/clock.ts';
import { makeEnvironment } from './env/environment.ts';
import { ContainerConfigError } from './env/errors.ts';
import { expandCommand } from './env/expansion.ts';
import { restPodResourceSource } from './env/resource-source.ts';
import type { Service } from './env/types.ts';
import { instancesOf } from './pod-status.ts';
import { ContainerWaitingError, podLogDir, type PodRuntimeView, type PreparedContainer } from './pod-sync.ts';
import { createProbeManager, type ProbeManager } from './prober/manager.ts';
import type { ContainerRuntime } from './runtime/runtime.ts';
import type { ContainerTarget, KubeletServerHost } from './server/server.ts';
import { makeMounts } from './volumes/mounts.ts';
import type { PodVolume } from './volumes/types.ts';
import { createVolumeManager } from './volumes/volume-manager.ts';
import type { Container, LifecycleHandler, Pod } from './types.ts';

export interface PodEnvironmentOptions {
  client: RestClient;
  runtime: ContainerRuntime;
  clock: Clock;
  podsDir: string;
  logsDir: string;
  nodeName: string;
  nodeIP: string;
  allocatable: () => Record<string, string>;
  /** A probe result changed: the pod's status (and maybe its containers) must be looked at again. */
  onProbeChange: (podUID: string) => void;
  recorder: EventRecorder;
  log?: (message: string, fields?: Record<string, unknown>) => void;
}

export interface PodEnvironment {
  readonly probes: ProbeManager;
  addPod(pod: Pod): void;
  /** Tells the prober which container instances the runtime has now. */
  observe(pod: Pod, view: PodRuntimeView): void;
  setUpVolumes(pod: Pod): Promise<void>;
  prepareContainer(pod: Pod, container: Container, podIP: string): Promise<PreparedContainer>;
  runHook(pod: Pod, container: Container, containerId: string, handler: LifecycleHandler, podIP: string, timeoutSeconds: number): Promise<void>;
  removePod(pod: Pod): Promise<void>;
  serverHost(
    pods: () => Pod[],
    find: (namespace: string, name: string) => Promise<{ uid: string; pod: Pod; view: PodRuntimeView } | undefined>,
  ): KubeletServerHost;
  close(): Promise<void>;
}

export function createPodEnvironment(o: PodEnvironmentOptions): PodEnvironment {
  const source = restPodResourceSource(o.client);
  const volumes = createVolumeManager({ podsDir: o.podsDir, source, clock: o.clock, nodeAllocatable: o.allocatable });
  const podVolumes = new Map<string, Map<string, PodVolume>>();
  const pods = new Map<string, Pod>();
  const podIPs = new Map<string, string>();
  let services: SharedIndexInformer<Service> | undefined;
  let factory: SharedInformerFactory | undefined;
  const stop = new AbortController();

  const probes = createProbeManager({
    runtime: o.runtime,
    clock: o.clock,
    podIP: (uid) => podIPs.get(uid),
    onResult: (update) => {
      const pod = pods.get(update.podUID);
      if (update.event && pod) o.recorder.event(pod, update.event.type, update.event.reason, update.event.message);
      if (update.changed) o.onProbeChange(update.podUID);
    },
  });

  /** Services for the service-link variables; the informer starts with the first container that needs it. */
  async function serviceList(): Promise<Service[]> {
    if (!services) {
      factory = new SharedInformerFactory(o.client, { clock: o.clock });
      services = factory.informerFor<Service>({ group: '', version: 'v1', resource: 'services' });
      factory.start(stop.signal);
    }
    await services.waitForSync(stop.signal);
    return services.indexer.list();
  }

  async function requestHook(url: URL, timeoutMs: number): Promise<void> {
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    await new Promise<void>((resolve, reject) => {
      const req = send(url, { method: 'GET', timeout: timeoutMs, rejectUnauthorized: false }, (res) => {
        res.resume();
        res.on('end', () => ((res.statusCode ?? 500) < 400 ? resolve() : reject(new Error(`HTTP lifecycle hook (${url.pathname}) for Container in Pod failed with statuscode: ${res.statusCode}`))));
      });
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', reject);
      req.end();
    });
  }

  return {
    probes,
    addPod(pod) {
      pods.set(pod.metadata.uid ?? '', pod);
      probes.addPod(pod);
    },
    observe(pod, view) {
      const uid = pod.metadata.uid ?? '';
      pods.set(uid, pod);
      const sandbox = [...view.sandboxes].sort((a, b) => b.metadata.attempt - a.metadata.attempt)[0];
      if (sandbox?.ip) podIPs.set(uid, pod.spec.hostNetwork ? o.nodeIP : sandbox.ip);
      for (const c of [...(pod.spec.initContainers ?? []), ...pod.spec.containers]) {
        const latest = instancesOf(view.containers, c.name)[0];
        if (latest && latest.state !== 'created') {
          probes.updateContainer(uid, c.name, { containerId: latest.id, startedAt: latest.startedAt, running: latest.state === 'running' });
        }
      }
    },
    async setUpVolumes(pod) {
      const uid = pod.metadata.uid ?? '';
      if (podVolumes.has(uid)) {
        await volumes.refresh(pod).catch((err: unknown) => o.log?.('Volume refresh failed', { pod: pod.metadata.name, err: String(err) }));
        return;
      }
      podVolumes.set(uid, await volumes.setUpPodVolumes(pod));
    },
    async prepareContainer(pod, container, podIP) {
      const uid = pod.metadata.uid ?? '';
      try {
        const envs = await makeEnvironment(
          pod,
          container,
          {
            podIPs: podIP ? [podIP] : [],
            hostIPs: [o.nodeIP],
            nodeAllocatable: o.allocatable(),
            // Even without service links a pod gets the kubernetes service's variables.
            services: await serviceList(),
            onWarning: (reason, message) => o.recorder.event(pod, 'Warning', reason, message),
          },
          source,
        );
        const { command, args } = expandCommand(container.command, container.args, envs);
        const mounts = await makeMounts(container, podVolumes.get(uid) ?? new Map(), envs);
        return { command, args, ...(container.workingDir ? { workingDir: container.workingDir } : {}), envs, mounts };
      } catch (err) {
        if (err instanceof ContainerConfigError) throw new ContainerWaitingError('CreateContainerConfigError', err.message);
        throw err;
      }
    },
    async runHook(pod, container, containerId, handler, podIP, timeoutSeconds) {
      if (handler.exec?.command) {
        const r = await o.runtime.execSync(containerId, handler.exec.command, timeoutSeconds);
        if (r.exitCode !== 0) throw new Error(`Exec lifecycle hook (${JSON.stringify(handler.exec.command)}) for Container "${container.name}" in Pod "${pod.metadata.name}_${pod.metadata.namespace}(${pod.metadata.uid})" failed - error: command '${handler.exec.command.join(' ')}' exited with ${r.exitCode}: ${r.stderr.toString() || r.stdout.toString()}`);
        return;
      }
      if (handler.httpGet) {
        const g = handler.httpGet;
        const port = typeof g.port === 'number' ? g.port : (container.ports?.find((p) => p.name === g.port)?.containerPort ?? Number(g.port));
        const host = g.host || podIP || podIPs.get(pod.metadata.uid ?? '') || o.nodeIP;
        await requestHook(new URL(`${(g.scheme ?? 'HTTP').toLowerCase()}://${host.includes(':') ? `[${host}]` : host}:${port}${g.path ?? '/'}`), timeoutSeconds * 1000);
        return;
      }
      if (handler.sleep) {
        await new Promise((r) => setTimeout(r, Math.min(handler.sleep!.seconds, timeoutSeconds) * 1000));
      }
    },
    async removePod(pod) {
      const uid = pod.metadata.uid ?? '';
      probes.removePod(uid);
      pods.delete(uid);
      podIPs.delete(uid);
      if (podVolumes.delete(uid)) await volumes.tearDownPodVolumes(uid).catch((err: unknown) => o.log?.('Volume teardown failed', { pod: pod.metadata.name, err: String(err) }));
    },
    serverHost(listPods, find) {
      const targetOf = async (namespace: string, name: string, containerName: string | undefined, previous: boolean): Promise<ContainerTarget | undefined> => {
        const found = await find(namespace, name);
        if (!found) return undefined;
        const all = [...(found.pod.spec.initContainers ?? []), ...found.pod.spec.containers];
        const spec = containerName ? all.find((c) => c.name === containerName) : found.pod.spec.containers.length === 1 ? found.pod.spec.containers[0] : undefined;
        if (!spec) return undefined;
        const instance = instancesOf(found.view.containers, spec.name)[previous ? 1 : 0];
        if (!instance) return undefined;
        return {
          pod: found.pod,
          containerName: spec.name,
          containerId: instance.id,
          running: instance.state === 'running',
          logPath: instance.logPath || join(podLogDir(o.logsDir, found.pod), spec.name, `${instance.metadata.attempt}.log`),
        };
      };
      return {
        pods: listPods,
        container: targetOf,
        async sandbox(namespace, name) {
          const found = await find(namespace, name);
          const ready = found?.view.sandboxes.filter((s) => s.state === 'ready').sort((a, b) => b.metadata.attempt - a.metadata.attempt)[0];
          return ready?.id;
        },
        async isRunning(containerId) {
          try {
            return (await o.runtime.containerStatus(containerId)).state === 'running';
          } catch {
            return false;
          }
        },
        exec: (id, cmd, io) => o.runtime.exec(id, cmd, io),
        attach: (id, io) => o.runtime.attach(id, io),
        portForward: (sandboxId, port) => o.runtime.portForward(sandboxId, port),
        async summary() {
          return { node: { nodeName: o.nodeName, startTime: new Date(o.clock.now()).toISOString() }, pods: listPods().map((p) => ({ podRef: { name: p.metadata.name, namespace: p.metadata.namespace, uid: p.metadata.uid } })) };
        },
      };
    },
    async close() {
      stop.abort();
      await factory?.shutdown();
      await probes.close();
    },
  };
}
