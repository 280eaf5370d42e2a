// The fake runtime, kwok-style hollow: sandboxes and containers are records and nothing runs. It backs
// fake nodes in scale tests, so it costs a few objects per pod: no process, no timer (unless a test asks for
// a container to exit), and at most one empty log file per container so that reading logs works.
//
// Behaviour: a sandbox gets the next IP of the pod CIDR (released when it is removed; host-network sandboxes
// get the node IP); a started container runs until it is stopped, then has exited with code 0 (Completed);
// exec succeeds with no output; port-forward is not supported. Tests may inject exits and exec results.

import { containerName, containerStatus, newId, Records, sandboxName, sandboxStatus, type ContainerRecord, type SandboxRecord } from '../records.ts';
import { mkdir, open } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Duplex, Writable } from 'node:stream';
import { realClock, type Clock, type Timer } from '../../../machinery/clock.ts';
import { ContainerEvents, type ContainerEventSource, type ContainerEventType } from '../events.ts';
import { imageRef, normalizeImage } from '../image.ts';
import {
  type ContainerConfig,
  type ContainerFilter,
  type ContainerRuntime,
  type ContainerStatus,
  type ExecSyncResult,
  type ImageStatus,
  type PodSandboxConfig,
  type PodSandboxStatus,
  type RuntimeVersion,
  type StreamIO,
} from '../runtime.ts';
import { IPAllocator } from '../ip-allocator.ts';

/** How an injected container exit happens: `afterMs` after the start, with this code (and reason). */
export interface InjectedExit {
  exitCode: number;
  afterMs: number;
  /** Default: 'Completed' for code 0, else 'Error'. */
  reason?: string;
  message?: string;
}

export interface InjectedExecResult {
  exitCode: number;
  stdout?: string | Buffer;
  stderr?: string | Buffer;
}

export interface FakeRuntimeOptions {
  clock?: Clock;
  /** Where sandbox IPs come from (IPv4); default 10.88.0.0/16. */
  podCIDR?: string;
  /** The IP of host-network sandboxes; default the CIDR's first address. */
  nodeIP?: string;
  /** Create an empty log file for each started container (default true). */
  writeLogs?: boolean;
  /** Makes a started container exit by itself (a crash, a completed job); undefined: it runs until stopped. */
  containerExits?: (config: ContainerConfig) => InjectedExit | undefined;
  /** The result of an exec or execSync; undefined: exit code 0 with no output. */
  exec?: (config: ContainerConfig, cmd: string[]) => InjectedExecResult | undefined;
}

export interface FakeRuntime extends ContainerRuntime, ContainerEventSource {}

interface Sandbox extends SandboxRecord {
  /** Whether `ip` came from the allocator. */
  allocated: boolean;
}

interface Container extends ContainerRecord<Sandbox> {
  exitTimer?: Timer;
  /** Attach calls waiting for the container to exit. */
  waiters?: Set<() => void>;
}


export function createFakeRuntime(options: FakeRuntimeOptions = {}): FakeRuntime {
  const clock = options.clock ?? realClock;
  const ips = new IPAllocator(options.podCIDR ?? '10.88.0.0/16');
  const nodeIP = options.nodeIP ?? ips.gateway;
  const writeLogs = options.writeLogs ?? true;
  const events = new ContainerEvents();
  const records = new Records<Sandbox, Container>();
  const { sandboxes, containers } = records;
  const getSandbox = (id: string) => records.sandbox(id);
  const getContainer = (id: string) => records.container(id);
  const reserveName = (name: string, id: string) => records.reserveName(name, id);
  let closed = false;

  const emit = (type: ContainerEventType, c: Container) => {
    if (events.size > 0) events.emit({ type, containerId: c.id, podSandboxId: c.sandbox.id, at: clock.now() });
  };




  function exit(c: Container, exitCode: number, reason?: string, message = ''): void {
    if (c.state !== 'running') return;
    if (c.exitTimer) clock.clearTimeout(c.exitTimer);
    c.exitTimer = undefined;
    c.state = 'exited';
    c.finishedAt = clock.now();
    c.exitCode = exitCode;
    c.reason = reason ?? (exitCode === 0 ? 'Completed' : 'Error');
    c.message = message;
    if (c.waiters) for (const wake of c.waiters) wake();
    c.waiters = undefined;
    emit('stopped', c);
  }

  function requireRunning(c: Container): void {
    if (c.state !== 'running') throw new Error(`container ${JSON.stringify(c.id)} is not running (state ${c.state})`);
  }



  async function stopContainer(id: string): Promise<void> {
    exit(getContainer(id), 0);
  }

  async function removeContainer(id: string): Promise<void> {
    const c = getContainer(id);
    exit(c, 0);
    containers.delete(id);
    c.sandbox.containers.delete(id);
    records.releaseName(c.name, id);
    emit('deleted', c);
  }

  function execResult(c: Container, cmd: string[]): ExecSyncResult {
    requireRunning(c);
    const r = options.exec?.(c.config, cmd);
    return { exitCode: r?.exitCode ?? 0, stdout: Buffer.from(r?.stdout ?? ''), stderr: Buffer.from(r?.stderr ?? '') };
  }

  const images = (image: string): ImageStatus => ({ image: normalizeImage(image), imageRef: imageRef(image), sizeBytes: 0 });

  return {
    name: 'fake',

    async version(): Promise<RuntimeVersion> {
      return { runtimeName: 'fake', runtimeVersion: '0.1.0', runtimeApiVersion: 'v1' };
    },

    async pullImage(image: string): Promise<ImageStatus> {
      return images(image);
    },

    async imageStatus(image: string): Promise<ImageStatus | undefined> {
      return images(image);
    },

    async runPodSandbox(config: PodSandboxConfig): Promise<string> {
      if (closed) throw new Error('the runtime is closed');
      const id = newId();
      const name = sandboxName(config);
      reserveName(name, id);
      let ip = nodeIP;
      if (!config.hostNetwork) {
        try {
          ip = ips.allocate();
        } catch (err) {
          records.releaseName(name, id);
          throw err;
        }
      }
      sandboxes.set(id, { id, config: structuredClone(config), name, state: 'ready', createdAt: clock.now(), ip, allocated: !config.hostNetwork, containers: new Set() });
      return id;
    },

    async stopPodSandbox(id: string): Promise<void> {
      const s = getSandbox(id);
      s.state = 'notready';
      for (const cid of s.containers) exit(containers.get(cid)!, 0);
    },

    async removePodSandbox(id: string): Promise<void> {
      const s = getSandbox(id);
      s.state = 'notready';
      for (const cid of [...s.containers]) await removeContainer(cid);
      sandboxes.delete(id);
      records.releaseName(s.name, id);
      if (s.allocated) ips.release(s.ip);
    },

    async podSandboxStatus(id: string): Promise<PodSandboxStatus> {
      return sandboxStatus(getSandbox(id));
    },

    async listPodSandbox(): Promise<PodSandboxStatus[]> {
      return [...sandboxes.values()].map(sandboxStatus);
    },

    async createContainer(podSandboxId: string, config: ContainerConfig, sandboxConfig: PodSandboxConfig): Promise<string> {
      const s = getSandbox(podSandboxId);
      if (s.state !== 'ready') throw new Error(`sandbox container ${JSON.stringify(podSandboxId)} is not running`);
      const id = newId();
      const name = containerName(config, sandboxConfig);
      reserveName(name, id);
      const c: Container = {
        id,
        sandbox: s,
        config: structuredClone(config),
        name,
        image: normalizeImage(config.image),
        imageRef: imageRef(config.image),
        logPath: join(s.config.logDirectory, config.logPath),
        state: 'created',
        createdAt: clock.now(),
        startedAt: 0,
        finishedAt: 0,
        exitCode: 0,
        reason: '',
        message: '',
      };
      containers.set(id, c);
      s.containers.add(id);
      emit('created', c);
      return id;
    },

    async startContainer(id: string): Promise<void> {
      const c = getContainer(id);
      if (c.state !== 'created') throw new Error(`container ${JSON.stringify(id)} is ${c.state}, not created`);
      if (writeLogs) {
        await mkdir(dirname(c.logPath), { recursive: true });
        await (await open(c.logPath, 'a')).close();
        if (containers.get(id) !== c || c.state !== 'created') return;
      }
      c.state = 'running';
      c.startedAt = clock.now();
      emit('started', c);
      const injected = options.containerExits?.(c.config);
      if (injected) c.exitTimer = clock.setTimeout(() => exit(c, injected.exitCode, injected.reason, injected.message), injected.afterMs);
    },

    stopContainer: (id: string) => stopContainer(id),
    removeContainer,

    async listContainers(filter?: ContainerFilter): Promise<ContainerStatus[]> {
      const out: ContainerStatus[] = [];
      const all = filter?.podSandboxId === undefined;
      const ids = all ? containers.keys() : (sandboxes.get(filter.podSandboxId!)?.containers ?? new Set<string>()).values();
      for (const id of ids) {
        const c = containers.get(id)!;
        if (filter?.state === undefined || c.state === filter.state) out.push(containerStatus(c));
      }
      return out;
    },

    async containerStatus(id: string): Promise<ContainerStatus> {
      return containerStatus(getContainer(id));
    },

    async execSync(id: string, cmd: string[]): Promise<ExecSyncResult> {
      return execResult(getContainer(id), cmd);
    },

    async exec(id: string, cmd: string[], io: StreamIO): Promise<number> {
      const r = execResult(getContainer(id), cmd);
      const write = (w: Writable | undefined, data: Buffer) =>
        data.length > 0 && w ? new Promise<void>((resolve) => w.write(data, () => resolve())) : Promise.resolve();
      await write(io.stdout, r.stdout);
      await write(io.tty ? io.stdout : io.stderr, r.stderr);
      return r.exitCode;
    },

    async attach(id: string, io: StreamIO): Promise<void> {
      const c = getContainer(id);
      requireRunning(c);
      // Nothing is written; the attach lasts until the container exits or the client goes away.
      await new Promise<void>((resolve) => {
        const waiters = (c.waiters ??= new Set());
        const done = () => {
          waiters.delete(done);
          resolve();
        };
        waiters.add(done);
        const outputs = [io.stdout, io.stderr].filter((w) => w !== undefined);
        for (const w of outputs) w.once('close', done);
        if (outputs.length === 0) io.stdin?.once('end', done).once('close', done);
        io.stdin?.resume();
      });
    },

    async portForward(podSandboxId: string, port: number): Promise<Duplex> {
      getSandbox(podSandboxId);
      throw new Error(`port forwarding to port ${port} is not supported by the fake runtime`);
    },

    async close(): Promise<void> {
      closed = true;
      for (const c of containers.values()) {
        if (c.exitTimer) clock.clearTimeout(c.exitTimer);
        c.exitTimer = undefined;
        if (c.waiters) for (const wake of c.waiters) wake();
        c.waiters = undefined;
      }
    },

    onEvent: (listener) => events.onEvent(listener),
  };
}
