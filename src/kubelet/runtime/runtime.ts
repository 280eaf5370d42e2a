// The container runtime contract of the kubelet, shaped after CRI v1 (runtime.v1.RuntimeService and
// ImageService): a pod is a sandbox that owns containers; the kubelet asks for sandboxes and containers
// to be created, started, stopped and removed, and reads their state back by listing (a generic PLEG).
// Every runtime (process, fake, cri) implements it, so the kubelet's pod workers never know which one runs.
//
// Guarantees every implementation gives:
// - ids are opaque, unique strings; a removed object is gone from every list.
// - listPodSandbox/listContainers return what exists now, including exited containers until removed.
// - a container's output goes to `<sandbox logDirectory>/<config.logPath>` in the CRI log format
//   (`<RFC3339Nano timestamp> stdout|stderr F|P <line>`), so the kubelet reads logs the same way for all.
// - stopContainer sends SIGTERM, waits up to timeoutSeconds, then SIGKILL; it resolves once the
//   container has exited (a container that already exited is not an error).
// - calls on an id that does not exist reject with NotFoundError.

import type { Duplex, Readable, Writable } from 'node:stream';

export const sandboxStates = ['ready', 'notready'] as const;
export type SandboxState = (typeof sandboxStates)[number];

export const containerStates = ['created', 'running', 'exited', 'unknown'] as const;
export type ContainerState = (typeof containerStates)[number];

export interface PodSandboxMetadata {
  name: string;
  namespace: string;
  uid: string;
  attempt: number;
}

export interface PortMapping {
  protocol: 'TCP' | 'UDP' | 'SCTP';
  containerPort: number;
  hostPort?: number;
  hostIp?: string;
}

export interface PodSandboxConfig {
  metadata: PodSandboxMetadata;
  hostname: string;
  /** Absolute directory where container logs of this sandbox go (created by the kubelet beforehand). */
  logDirectory: string;
  portMappings: PortMapping[];
  labels: Record<string, string>;
  annotations: Record<string, string>;
  /** Host network (hostNetwork: true): the sandbox shares the node's network. */
  hostNetwork: boolean;
  dnsConfig?: { servers: string[]; searches: string[]; options: string[] };
  /** cgroup parent for the pod, e.g. /kubepods/besteffort/pod<uid> (cri only). */
  cgroupParent?: string;
}

export interface PodSandboxStatus {
  id: string;
  metadata: PodSandboxMetadata;
  state: SandboxState;
  /** Milliseconds since the epoch. */
  createdAt: number;
  /** The pod's primary IP, and any further ones. Empty when the sandbox has no network yet. */
  ip: string;
  additionalIps: string[];
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

export interface Mount {
  containerPath: string;
  hostPath: string;
  readonly: boolean;
}

export interface ContainerMetadata {
  name: string;
  attempt: number;
}

export interface ContainerResources {
  cpuRequestMillis?: number;
  cpuLimitMillis?: number;
  memoryLimitBytes?: number;
}

export interface ContainerConfig {
  metadata: ContainerMetadata;
  image: string;
  /** The entrypoint, already resolved from the pod's command/args and the image's defaults. */
  command: string[];
  args: string[];
  workingDir?: string;
  envs: { key: string; value: string }[];
  mounts: Mount[];
  labels: Record<string, string>;
  annotations: Record<string, string>;
  /** Relative to the sandbox's logDirectory, e.g. `web/0.log`. */
  logPath: string;
  stdin: boolean;
  stdinOnce: boolean;
  tty: boolean;
  resources?: ContainerResources;
}

export interface ContainerStatus {
  id: string;
  podSandboxId: string;
  metadata: ContainerMetadata;
  state: ContainerState;
  /** Milliseconds since the epoch; 0 when it has not happened. */
  createdAt: number;
  startedAt: number;
  finishedAt: number;
  exitCode: number;
  /** Why it exited, CRI style: 'Completed', 'Error', 'OOMKilled', or a runtime's start failure reason. */
  reason: string;
  message: string;
  image: string;
  imageRef: string;
  /** Absolute path of this container's log file. */
  logPath: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

export interface ExecSyncResult {
  stdout: Buffer;
  stderr: Buffer;
  exitCode: number;
}

/** The streams of an interactive exec or attach; absent ones are not connected. */
export interface StreamIO {
  stdin?: Readable;
  stdout?: Writable;
  /** Ignored when tty is true: a terminal merges stderr into stdout. */
  stderr?: Writable;
  tty: boolean;
  /** Terminal size changes (tty only). */
  resize?: AsyncIterable<{ width: number; height: number }>;
}

export interface RuntimeVersion {
  runtimeName: string;
  runtimeVersion: string;
  runtimeApiVersion: string;
}

export interface ImageStatus {
  image: string;
  /** Content-addressed reference, e.g. sha256:...; for process/fake runtimes a stable made-up one. */
  imageRef: string;
  sizeBytes: number;
}

export interface ContainerFilter {
  podSandboxId?: string;
  state?: ContainerState;
}

export interface ContainerRuntime {
  /** 'process', 'fake' or 'cri'. */
  readonly name: string;
  version(): Promise<RuntimeVersion>;

  /** Ensures the image is present (no registry pulls on the process and fake runtimes). */
  pullImage(image: string): Promise<ImageStatus>;
  imageStatus(image: string): Promise<ImageStatus | undefined>;

  runPodSandbox(config: PodSandboxConfig): Promise<string>;
  stopPodSandbox(id: string): Promise<void>;
  removePodSandbox(id: string): Promise<void>;
  podSandboxStatus(id: string): Promise<PodSandboxStatus>;
  listPodSandbox(): Promise<PodSandboxStatus[]>;

  createContainer(podSandboxId: string, config: ContainerConfig, sandboxConfig: PodSandboxConfig): Promise<string>;
  startContainer(id: string): Promise<void>;
  stopContainer(id: string, timeoutSeconds: number): Promise<void>;
  removeContainer(id: string): Promise<void>;
  listContainers(filter?: ContainerFilter): Promise<ContainerStatus[]>;
  containerStatus(id: string): Promise<ContainerStatus>;

  /** Runs a command in a running container and collects its output (probes, hooks). */
  execSync(id: string, cmd: string[], timeoutSeconds: number): Promise<ExecSyncResult>;
  /** Runs a command in a running container wired to the given streams; resolves with its exit code. */
  exec(id: string, cmd: string[], io: StreamIO): Promise<number>;
  /** Connects the streams to the container's main process (its stdin, and its output from now on). */
  attach(id: string, io: StreamIO): Promise<void>;
  /** A connection to `port` inside the sandbox's network. */
  portForward(podSandboxId: string, port: number): Promise<Duplex>;

  /**
   * Releases the runtime. cri leaves sandboxes and containers running (a restarted kubelet adopts
   * them); the process and fake runtimes own their containers, which end with them.
   */
  close(): Promise<void>;
}

/** Rejection of a call that names a sandbox or container the runtime does not have. */
export class NotFoundError extends Error {
  constructor(what: string, id: string) {
    super(`${what} ${JSON.stringify(id)} not found`);
    this.name = 'NotFoundError';
  }
}
