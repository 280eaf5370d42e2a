// Registers this kubelet's Node and keeps its status true, as upstream's kubelet_node_status:
// on start the Node is created (or, when it exists, its kubelet-owned labels are reconciled);
// then every updateIntervalMs the status (capacity, allocatable, conditions, addresses,
// daemonEndpoints, nodeInfo) is recomputed and written through nodes/<name>/status when it changed
// or when reportIntervalMs passed since the last write (liveness itself is the Lease's job).

import { arch, cpus, hostname as osHostname, platform, release, totalmem } from 'node:os';
import { statfsSync } from 'node:fs';
import { isAlreadyExists, isNotFound } from '../client/api-errors.ts';
import type { RestClient } from '../client/rest-client.ts';
import type { Clock, Timer } from '../machinery/clock.ts';
import { kubernetesVersion } from '../api/version.ts';
import { rfc3339, type Condition, type Node } from './types.ts';

const nodes = { group: '', version: 'v1', resource: 'nodes' };

export interface NodeStatusOptions {
  client: Pick<RestClient, 'create' | 'get' | 'patch'>;
  clock: Clock;
  nodeName: string;
  nodeIP: string;
  /** The kubelet server's port (status.daemonEndpoints.kubeletEndpoint.Port). */
  kubeletPort: () => number;
  /** e.g. process://0.1.0, containerd://1.6.20 */
  containerRuntimeVersion: () => string;
  labels?: Record<string, string>;
  taints?: { key: string; value?: string; effect: string }[];
  /** Overrides of the measured capacity, e.g. { cpu: '32', memory: '256Gi' } for hollow nodes. */
  capacity?: Record<string, string>;
  maxPods?: number;
  /** Where ephemeral storage is measured. */
  rootDir: string;
  /** Conditions other than Ready/MemoryPressure/DiskPressure/PIDPressure to report are not supported. */
  ready?: () => { ready: boolean; message?: string };
  updateIntervalMs?: number;
  reportIntervalMs?: number;
  log?: (message: string, fields?: Record<string, unknown>) => void;
}

/** The node's measured capacity, with overrides applied. */
export function nodeCapacity(options: Pick<NodeStatusOptions, 'capacity' | 'maxPods' | 'rootDir'>): Record<string, string> {
  let storage = '0';
  try {
    const fs = statfsSync(options.rootDir);
    storage = `${Math.floor((fs.blocks * fs.bsize) / 1024)}Ki`;
  } catch {
    // An unreadable root dir reports no ephemeral storage rather than failing registration.
  }
  return {
    cpu: String(cpus().length || 1),
    'ephemeral-storage': storage,
    'hugepages-1Gi': '0',
    'hugepages-2Mi': '0',
    memory: `${Math.floor(totalmem() / 1024)}Ki`,
    pods: String(options.maxPods ?? 110),
    ...options.capacity,
  };
}

function goArch(): string {
  const a = arch();
  return a === 'x64' ? 'amd64' : a === 'ia32' ? '386' : a;
}

export class NodeStatusManager {
  readonly #o: NodeStatusOptions;
  #lastStatus = '';
  #lastReportMs = 0;
  #transitions = new Map<string, { status: string; at: string }>();
  #timer: Timer | undefined;
  #stopped = false;
  #uid: string | undefined;

  constructor(options: NodeStatusOptions) {
    this.#o = options;
  }

  get uid(): string | undefined {
    return this.#uid;
  }

  /** Creates the Node, or reconciles the existing one; resolves once it exists with a status. */
  async register(signal?: AbortSignal): Promise<Node> {
    const o = this.#o;
    const labels = {
      'beta.kubernetes.io/arch': goArch(),
      'beta.kubernetes.io/os': platform(),
      'kubernetes.io/arch': goArch(),
      'kubernetes.io/hostname': o.nodeName,
      'kubernetes.io/os': platform(),
      ...o.labels,
    };
    const node: Node = {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: {
        name: o.nodeName,
        labels,
        annotations: { 'node.alpha.kubernetes.io/ttl': '0', 'volumes.kubernetes.io/controller-managed-attach-detach': 'true' },
      },
      spec: o.taints?.length ? { taints: o.taints } : {},
      // Registered with its status, as upstream's kubelet does: no reader ever sees a node without one.
      status: this.#status(o.clock.now()),
    };
    let registered: Node;
    try {
      registered = await o.client.create<Node>(nodes, node, { signal });
      o.log?.('Successfully registered node', { node: o.nodeName });
    } catch (err) {
      if (!isAlreadyExists(err)) throw err;
      // Upstream reconciles the labels it owns on an existing node and leaves the rest alone.
      registered = await o.client.patch<Node>({ ...nodes, name: o.nodeName }, { metadata: { labels } }, { type: 'strategic', signal });
    }
    this.#uid = registered.metadata.uid;
    await this.sync(true, signal);
    return registered;
  }

  /** Starts periodic status updates. */
  start(): void {
    const tick = () => {
      if (this.#stopped) return;
      this.sync(false).catch((err: unknown) => this.#o.log?.('Error updating node status, will retry', { err: String(err) }))
        .finally(() => {
          if (!this.#stopped) this.#timer = this.#o.clock.setTimeout(tick, this.#o.updateIntervalMs ?? 10_000);
        });
    };
    this.#timer = this.#o.clock.setTimeout(tick, this.#o.updateIntervalMs ?? 10_000);
  }

  stop(): void {
    this.#stopped = true;
    if (this.#timer) this.#o.clock.clearTimeout(this.#timer);
  }

  /** Writes the status if it changed, or if forced, or if the report interval passed. */
  async sync(force = false, signal?: AbortSignal): Promise<void> {
    const o = this.#o;
    const now = o.clock.now();
    const status = this.#status(now);
    const comparable = JSON.stringify({ ...status, conditions: (status.conditions as Condition[]).map((c) => ({ ...c, lastHeartbeatTime: undefined })) });
    if (!force && comparable === this.#lastStatus && now - this.#lastReportMs < (o.reportIntervalMs ?? 5 * 60_000)) {
      // Someone else may have changed the node's conditions (the node lifecycle controller marks a
      // node Unknown when it misses heartbeats): then the truth is posted again at once.
      const current = await o.client.get<Node>({ ...nodes, name: o.nodeName }, { signal }).catch((err: unknown) => {
        if (isNotFound(err)) return undefined;
        throw err;
      });
      const posted = new Map(((current?.status?.conditions as Condition[] | undefined) ?? []).map((c) => [c.type, c.status]));
      if (current && (status.conditions as Condition[]).every((c) => posted.get(c.type) === c.status)) return;
    }
    try {
      await o.client.patch({ ...nodes, name: o.nodeName, subresource: 'status' }, { status }, { type: 'strategic', signal });
    } catch (err) {
      if (isNotFound(err) && !this.#stopped) {
        // The node was deleted (by the cloud node lifecycle, or by hand): register it again, as upstream does on restart.
        o.log?.('Node was deleted; registering it again', { node: o.nodeName });
        await this.register(signal);
        return;
      }
      throw err;
    }
    this.#lastStatus = comparable;
    this.#lastReportMs = now;
  }

  #condition(type: string, status: 'True' | 'False', reason: string, message: string, now: string): Record<string, unknown> {
    const previous = this.#transitions.get(type);
    if (!previous || previous.status !== status) this.#transitions.set(type, { status, at: now });
    return { type, status, lastHeartbeatTime: now, lastTransitionTime: this.#transitions.get(type)!.at, reason, message };
  }

  #status(nowMs: number): Record<string, unknown> {
    const o = this.#o;
    const now = rfc3339(nowMs);
    const capacity = nodeCapacity(o);
    const ready = o.ready?.() ?? { ready: true };
    return {
      capacity,
      allocatable: capacity,
      conditions: [
        this.#condition('MemoryPressure', 'False', 'KubeletHasSufficientMemory', 'kubelet has sufficient memory available', now),
        this.#condition('DiskPressure', 'False', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure', now),
        this.#condition('PIDPressure', 'False', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available', now),
        ready.ready
          ? this.#condition('Ready', 'True', 'KubeletReady', 'kubelet is posting ready status', now)
          : this.#condition('Ready', 'False', 'KubeletNotReady', ready.message ?? 'container runtime is down', now),
      ],
      addresses: [
        { type: 'InternalIP', address: o.nodeIP },
        { type: 'Hostname', address: o.nodeName },
      ],
      daemonEndpoints: { kubeletEndpoint: { Port: o.kubeletPort() } },
      nodeInfo: {
        machineID: '',
        systemUUID: '',
        bootID: '',
        kernelVersion: release(),
        osImage: `${platform()} (${osHostname()})`,
        containerRuntimeVersion: o.containerRuntimeVersion(),
        kubeletVersion: kubernetesVersion.gitVersion,
        kubeProxyVersion: kubernetesVersion.gitVersion,
        operatingSystem: platform(),
        architecture: goArch(),
      },
    };
  }
}
