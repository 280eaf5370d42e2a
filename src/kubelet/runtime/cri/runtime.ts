// The cri runtime: pods and containers through a CRI v1 runtime (containerd) over gRPC, like upstream's
// remote runtime service. It keeps the ContainerRuntime guarantees with what containerd itself gives
// (CRI log files, stop with SIGTERM then SIGKILL after the timeout, exit codes and reasons).
//
// - Images are never pulled when present: pullImage asks ImageStatus first and calls PullImage only for
//   an absent image, failing with a message that names the image.
// - listPodSandbox/listContainers return full statuses: one List call, plus a status call only for
//   objects that are new or changed state since the last list (a status changes only with its state;
//   a sandbox's IP is fixed while it is ready).
// - Calls naming an id the runtime does not have reject with NotFoundError (containerd's RemovePodSandbox
//   and RemoveContainer succeed on unknown ids, so removal asks for the status first).
// - exec and attach use the streaming server's SPDY remote-command protocol (remote-command.ts),
//   port-forward its WebSocket protocol (port-forward.ts); every connection asks for a fresh URL.
// - After RemovePodSandbox the empty cgroup directories of the sandbox's cgroup parent are removed
//   (cgroups.ts).
// - close() closes the gRPC channel only: sandboxes and containers keep running, and a kubelet started
//   later finds them by their labels.

import { existsSync } from 'node:fs';
import type { Duplex } from 'node:stream';
import { realClock, type Clock } from '../../../machinery/clock.ts';
import {
  NotFoundError,
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
import { CgroupParents } from './cgroups.ts';
import type { Calls, CriClient, Method, PbContainerFilter, PbPodSandboxStatus } from './client.ts';
import {
  cgroupParentOf,
  containerConfigToCri,
  containerStateToCri,
  containerStatusFromCri,
  imageStatusFromCri,
  sandboxConfigToCri,
  sandboxStatusFromCri,
} from './convert.ts';
import { openPortForward } from './port-forward.ts';
import { runRemoteCommand, StreamsClosedError } from './remote-command.ts';

export interface CriRuntimeOptions {
  /** The CRI socket; default unix:///run/containerd/containerd.sock. */
  endpoint?: string;
  clock?: Clock;
  /** Deadline of each call, added to a call's own timeout (stop, exec); default 2 minutes as upstream. */
  timeoutMs?: number;
}

/** An execSync whose command did not finish within its timeout. */
export class TimeoutError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TimeoutError';
  }
}

export const defaultEndpoint = 'unix:///run/containerd/containerd.sock';
const defaultTimeoutMs = 2 * 60_000;
/** gRPC status codes. */
const deadlineExceeded = 4;
const notFoundCode = 5;

/** A gRPC error's status code, or undefined for other errors. */
function grpcCode(err: unknown): number | undefined {
  const code = (err as { code?: unknown } | undefined)?.code;
  return typeof code === 'number' ? code : undefined;
}

/** The gRPC client is loaded on first use, so that choosing another runtime costs nothing. */
async function connect(endpoint: string): Promise<CriClient> {
  const { createCriClient } = await import('./client.ts');
  return createCriClient(endpoint);
}

/** Whether a CRI runtime answers Version at `endpoint` within `timeoutMs`. */
export async function criAvailable(endpoint: string = defaultEndpoint, timeoutMs = 2000): Promise<boolean> {
  // No socket, no runtime: answered without loading gRPC.
  if (endpoint.startsWith('unix://') && !existsSync(endpoint.slice('unix://'.length))) return false;
  const client = await connect(endpoint);
  try {
    await client.call('Version', { version: 'v1' }, timeoutMs);
    return true;
  } catch {
    return false;
  } finally {
    client.close();
  }
}

export function createCriRuntime(options: CriRuntimeOptions = {}): ContainerRuntime {
  const endpoint = options.endpoint ?? defaultEndpoint;
  const timeoutMs = options.timeoutMs ?? defaultTimeoutMs;
  const clock = options.clock ?? realClock;
  let client: Promise<CriClient> | undefined;
  const cgroups = new CgroupParents();
  /** Cgroup parents of the sandboxes this runtime ran (an adopted one is read from its verbose status). */
  const cgroupParents = new Map<string, string>();
  /** Container id → its sandbox id (ContainerStatus does not carry it). */
  const sandboxOf = new Map<string, string>();
  /** Last full status per container; valid while the container's listed state is the same. */
  const containerCache = new Map<string, ContainerStatus>();
  /** Network of ready sandboxes. */
  const networks = new Map<string, PbPodSandboxStatus['network']>();
  let closed = false;

  /** Calls `method` with the runtime's deadline plus `extraMs`; NOT_FOUND becomes NotFoundError(what, id). */
  async function call<M extends Method>(method: M, request: Calls[M][0], extraMs = 0, notFound?: [what: string, id: string]): Promise<Calls[M][1]> {
    if (closed) throw new Error('the runtime is closed');
    try {
      client ??= connect(endpoint);
      return await (await client).call(method, request, timeoutMs + extraMs);
    } catch (err) {
      if (notFound && grpcCode(err) === notFoundCode) throw new NotFoundError(notFound[0], notFound[1]);
      throw err;
    }
  }

  async function getSandboxStatus(id: string, verbose = false) {
    const res = await call('PodSandboxStatus', { pod_sandbox_id: id, verbose }, 0, ['pod sandbox', id]);
    if (!res.status) throw new NotFoundError('pod sandbox', id);
    return res;
  }

  async function fetchContainerStatus(id: string, podSandboxId?: string): Promise<ContainerStatus> {
    const res = await call('ContainerStatus', { container_id: id }, 0, ['container', id]);
    if (!res.status) throw new NotFoundError('container', id);
    let sandboxId = podSandboxId ?? sandboxOf.get(id);
    if (sandboxId === undefined) {
      const listed = await call('ListContainers', { filter: { id } });
      sandboxId = listed.containers.find((c) => c.id === id)?.pod_sandbox_id ?? '';
      if (sandboxId) sandboxOf.set(id, sandboxId);
    }
    const status = containerStatusFromCri(res.status, sandboxId);
    containerCache.set(id, status);
    return status;
  }

  function forgetContainer(id: string): void {
    sandboxOf.delete(id);
    containerCache.delete(id);
  }

  /** The sandbox's cgroup parent: remembered, or from containerd's verbose status of an adopted one. */
  function cgroupParentFromInfo(info: Record<string, string>): string | undefined {
    try {
      const parsed = JSON.parse(info.info ?? '{}') as { config?: { linux?: { cgroup_parent?: string } } };
      return parsed.config?.linux?.cgroup_parent || undefined;
    } catch {
      return undefined;
    }
  }

  const sleep = (ms: number) => new Promise<void>((resolve) => clock.setTimeout(resolve, ms));

  async function removeCgroups(cgroupParent: string, podUID: string): Promise<void> {
    // The sandbox's own cgroup goes with its task; should that lag behind, the pod's stays busy a moment.
    for (let attempt = 0; ; attempt++) {
      cgroups.cleanup(cgroupParent, podUID);
      if (!cgroups.busy(cgroupParent, podUID) || attempt === 10) return;
      await sleep(100);
    }
  }

  const runtime: ContainerRuntime = {
    name: 'cri',

    async version(): Promise<RuntimeVersion> {
      const v = await call('Version', { version: 'v1' });
      return { runtimeName: v.runtime_name, runtimeVersion: v.runtime_version, runtimeApiVersion: v.runtime_api_version };
    },

    async imageStatus(image: string): Promise<ImageStatus | undefined> {
      const res = await call('ImageStatus', { image: { image } });
      return res.image ? imageStatusFromCri(res.image, image) : undefined;
    },

    async pullImage(image: string): Promise<ImageStatus> {
      const present = await runtime.imageStatus(image);
      if (present) return present;
      try {
        await call('PullImage', { image: { image } });
      } catch (err) {
        const details = (err as { details?: string }).details || (err as Error).message;
        throw new Error(`image ${JSON.stringify(image)} is not on this node and pulling it failed: ${details}`);
      }
      const pulled = await runtime.imageStatus(image);
      if (!pulled) throw new Error(`image ${JSON.stringify(image)} is not on this node after pulling it`);
      return pulled;
    },

    async runPodSandbox(config: PodSandboxConfig): Promise<string> {
      const request = sandboxConfigToCri(config);
      const cgroupParent = cgroupParentOf(config);
      cgroups.prepare(cgroupParent);
      let id: string;
      try {
        id = (await call('RunPodSandbox', { config: request })).pod_sandbox_id;
      } catch (err) {
        // Whatever runc made of the chain for a sandbox that never ran (nothing still in use).
        cgroups.cleanup(cgroupParent, config.metadata.uid);
        throw err;
      }
      cgroupParents.set(id, cgroupParent);
      return id;
    },

    async stopPodSandbox(id: string): Promise<void> {
      await call('StopPodSandbox', { pod_sandbox_id: id }, 0, ['pod sandbox', id]);
      networks.delete(id);
    },

    async removePodSandbox(id: string): Promise<void> {
      const known = cgroupParents.get(id);
      const { status, info } = await getSandboxStatus(id, known === undefined);
      const cgroupParent = known ?? cgroupParentFromInfo(info);
      await call('RemovePodSandbox', { pod_sandbox_id: id });
      cgroupParents.delete(id);
      networks.delete(id);
      for (const [cid, sid] of sandboxOf) if (sid === id) forgetContainer(cid);
      if (cgroupParent) await removeCgroups(cgroupParent, status!.metadata?.uid ?? '');
    },

    async podSandboxStatus(id: string): Promise<PodSandboxStatus> {
      const { status } = await getSandboxStatus(id);
      return sandboxStatusFromCri(status!);
    },

    async listPodSandbox(): Promise<PodSandboxStatus[]> {
      const { items } = await call('ListPodSandbox', {});
      const listed = new Set(items.map((s) => s.id));
      for (const id of networks.keys()) if (!listed.has(id)) networks.delete(id);
      const out = await Promise.all(
        items.map(async (s) => {
          if (s.state !== 'SANDBOX_READY') return sandboxStatusFromCri(s, null);
          let network = networks.get(s.id);
          if (network === undefined) {
            const res = await call('PodSandboxStatus', { pod_sandbox_id: s.id }).catch((err: unknown) => {
              if (grpcCode(err) === notFoundCode) return undefined;
              throw err;
            });
            if (!res?.status) return undefined;
            network = res.status.network;
            if (res.status.state === 'SANDBOX_READY') networks.set(s.id, network);
            return sandboxStatusFromCri(res.status);
          }
          return sandboxStatusFromCri(s, network);
        }),
      );
      return out.filter((s): s is PodSandboxStatus => s !== undefined);
    },

    async createContainer(podSandboxId: string, config: ContainerConfig, sandboxConfig: PodSandboxConfig): Promise<string> {
      const res = await call(
        'CreateContainer',
        { pod_sandbox_id: podSandboxId, config: containerConfigToCri(config, sandboxConfig), sandbox_config: sandboxConfigToCri(sandboxConfig) },
        0,
        ['pod sandbox', podSandboxId],
      );
      sandboxOf.set(res.container_id, podSandboxId);
      return res.container_id;
    },

    async startContainer(id: string): Promise<void> {
      containerCache.delete(id);
      await call('StartContainer', { container_id: id }, 0, ['container', id]);
    },

    async stopContainer(id: string, timeoutSeconds: number): Promise<void> {
      const timeout = Math.max(0, Math.ceil(timeoutSeconds));
      await call('StopContainer', { container_id: id, timeout }, timeout * 1000, ['container', id]);
    },

    async removeContainer(id: string): Promise<void> {
      await call('ContainerStatus', { container_id: id }, 0, ['container', id]);
      await call('RemoveContainer', { container_id: id });
      forgetContainer(id);
    },

    async listContainers(filter?: ContainerFilter): Promise<ContainerStatus[]> {
      const f: PbContainerFilter = {};
      if (filter?.podSandboxId !== undefined) f.pod_sandbox_id = filter.podSandboxId;
      if (filter?.state !== undefined) f.state = { state: containerStateToCri(filter.state) };
      const { containers } = await call('ListContainers', { filter: f });
      if (filter === undefined || (filter.podSandboxId === undefined && filter.state === undefined)) {
        const listed = new Set(containers.map((c) => c.id));
        for (const id of containerCache.keys()) if (!listed.has(id)) forgetContainer(id);
      }
      const out = await Promise.all(
        containers.map(async (c) => {
          sandboxOf.set(c.id, c.pod_sandbox_id);
          const cached = containerCache.get(c.id);
          if (cached && cached.state !== 'unknown' && containerStateToCri(cached.state) === c.state) return cached;
          return fetchContainerStatus(c.id, c.pod_sandbox_id).catch((err: unknown) => {
            // Removed between the list and the status call: it is not there any more.
            if (err instanceof NotFoundError) return undefined;
            throw err;
          });
        }),
      );
      return out.filter((c): c is ContainerStatus => c !== undefined).map((c) => structuredClone(c));
    },

    async containerStatus(id: string): Promise<ContainerStatus> {
      return structuredClone(await fetchContainerStatus(id));
    },

    async execSync(id: string, cmd: string[], timeoutSeconds: number): Promise<ExecSyncResult> {
      const timeout = Math.max(0, Math.ceil(timeoutSeconds));
      try {
        const res = await call('ExecSync', { container_id: id, cmd, timeout }, timeout > 0 ? timeout * 1000 : Infinity, ['container', id]);
        return { stdout: Buffer.from(res.stdout), stderr: Buffer.from(res.stderr), exitCode: res.exit_code };
      } catch (err) {
        if (grpcCode(err) === deadlineExceeded) throw new TimeoutError(`command ${JSON.stringify(cmd.join(' '))} timed out after ${timeout}s`);
        throw err;
      }
    },

    async exec(id: string, cmd: string[], io: StreamIO): Promise<number> {
      const streams = { stdin: io.stdin !== undefined, stdout: io.stdout !== undefined, stderr: !io.tty && io.stderr !== undefined, tty: io.tty };
      const { url } = await call('Exec', { container_id: id, cmd, ...streams }, 0, ['container', id]);
      return runRemoteCommand(url, streams, io, timeoutMs);
    },

    async attach(id: string, io: StreamIO): Promise<void> {
      const streams = { stdin: io.stdin !== undefined, stdout: io.stdout !== undefined, stderr: !io.tty && io.stderr !== undefined, tty: io.tty };
      const { url } = await call('Attach', { container_id: id, ...streams }, 0, ['container', id]);
      try {
        await runRemoteCommand(url, streams, io, timeoutMs);
      } catch (err) {
        // The caller detaching is how an attach usually ends.
        if (!(err instanceof StreamsClosedError)) throw err;
      }
    },

    async portForward(podSandboxId: string, port: number): Promise<Duplex> {
      const { url } = await call('PortForward', { pod_sandbox_id: podSandboxId, port: [port] }, 0, ['pod sandbox', podSandboxId]);
      return openPortForward(url, port, timeoutMs);
    },

    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      (await client)?.close();
    },
  };
  return runtime;
}
