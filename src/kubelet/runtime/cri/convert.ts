// The mapping between the kubelet's runtime contract and CRI v1 messages, as upstream's kuberuntime
// manager does it: configs become RunPodSandbox/CreateContainer requests, CRI statuses become contract
// statuses. Pure functions, no I/O.
//
// - A sandbox without a cgroupParent gets /kubepods/besteffort/pod<uid> (containerd needs one for its
//   stats, and runc creates the directories).
// - Host-network pods get NamespaceMode NODE for the network (and the sandbox's containers too); the
//   PID namespace is per container and IPC is the pod's, as upstream does for v1 pods.
// - CPU: shares from the request (the limit when only a limit is set; 2 when neither), CFS quota from
//   the limit over a 100 ms period; memory: the limit in bytes. 0 means "not set" to the runtime.
// - Times: CRI nanoseconds (decimal strings) become milliseconds; 0 stays 0.

import type {
  ContainerConfig,
  ContainerResources,
  ContainerState,
  ContainerStatus,
  ImageStatus,
  PodSandboxConfig,
  PodSandboxStatus,
} from '../runtime.ts';
import type {
  NamespaceMode,
  PbContainerConfig,
  PbContainerState,
  PbContainerStatus,
  PbImage,
  PbLinuxContainerResources,
  PbNamespaceOption,
  PbPodSandbox,
  PbPodSandboxConfig,
  PbPodSandboxStatus,
} from './client.ts';

const minShares = 2;
const maxShares = 262144;
const sharesPerCPU = 1024;
const quotaPeriod = 100_000;
const minQuota = 1000;

/** The pod's cgroup: the one given, or the best-effort one of upstream's cgroupfs layout. */
export function cgroupParentOf(config: PodSandboxConfig): string {
  return config.cgroupParent || `/kubepods/besteffort/pod${config.metadata.uid}`;
}

function namespaceOptions(hostNetwork: boolean): PbNamespaceOption {
  const network: NamespaceMode = hostNetwork ? 'NODE' : 'POD';
  return { network, pid: 'CONTAINER', ipc: 'POD' };
}

export function sandboxConfigToCri(config: PodSandboxConfig): PbPodSandboxConfig {
  const out: PbPodSandboxConfig = {
    metadata: { name: config.metadata.name, uid: config.metadata.uid, namespace: config.metadata.namespace, attempt: config.metadata.attempt },
    // A host-network pod has the node's hostname: runc refuses to set one without a private UTS namespace.
    hostname: config.hostNetwork ? '' : config.hostname,
    log_directory: config.logDirectory,
    port_mappings: config.portMappings.map((p) => ({
      protocol: p.protocol,
      container_port: p.containerPort,
      ...(p.hostPort ? { host_port: p.hostPort } : {}),
      ...(p.hostIp ? { host_ip: p.hostIp } : {}),
    })),
    labels: { ...config.labels },
    annotations: { ...config.annotations },
    linux: { cgroup_parent: cgroupParentOf(config), security_context: { namespace_options: namespaceOptions(config.hostNetwork) } },
  };
  if (config.dnsConfig) out.dns_config = { servers: [...config.dnsConfig.servers], searches: [...config.dnsConfig.searches], options: [...config.dnsConfig.options] };
  return out;
}

/** upstream's MilliCPUToShares. */
export function milliCPUToShares(milliCPU: number): number {
  if (milliCPU <= 0) return minShares;
  return Math.min(maxShares, Math.max(minShares, Math.floor((milliCPU * sharesPerCPU) / 1000)));
}

/** upstream's milliCPUToQuota: 0 (no quota) without a limit. */
export function milliCPUToQuota(milliCPU: number, period: number): number {
  if (milliCPU <= 0) return 0;
  return Math.max(minQuota, Math.floor((milliCPU * period) / 1000));
}

export function linuxResources(resources: ContainerResources | undefined): PbLinuxContainerResources {
  const request = resources?.cpuRequestMillis ?? 0;
  const limit = resources?.cpuLimitMillis ?? 0;
  return {
    cpu_period: quotaPeriod,
    cpu_quota: milliCPUToQuota(limit, quotaPeriod),
    cpu_shares: milliCPUToShares(request === 0 && limit > 0 ? limit : request),
    memory_limit_in_bytes: resources?.memoryLimitBytes ?? 0,
  };
}

export function containerConfigToCri(config: ContainerConfig, sandbox: PodSandboxConfig): PbContainerConfig {
  return {
    metadata: { name: config.metadata.name, attempt: config.metadata.attempt },
    image: { image: config.image },
    command: [...config.command],
    args: [...config.args],
    working_dir: config.workingDir ?? '',
    envs: config.envs.map((e) => ({ key: e.key, value: e.value })),
    mounts: config.mounts.map((m) => ({ container_path: m.containerPath, host_path: m.hostPath, readonly: m.readonly })),
    labels: { ...config.labels },
    annotations: { ...config.annotations },
    log_path: config.logPath,
    stdin: config.stdin,
    stdin_once: config.stdinOnce,
    tty: config.tty,
    linux: { resources: linuxResources(config.resources), security_context: { namespace_options: namespaceOptions(sandbox.hostNetwork) } },
  };
}

/** CRI nanoseconds since the epoch (int64 as a decimal string or number) to milliseconds. */
export function nanosToMillis(ns: string | number | null | undefined): number {
  if (ns === null || ns === undefined || ns === '' || ns === 0 || ns === '0') return 0;
  return Number(BigInt(ns) / 1_000_000n);
}

const containerStates: Record<PbContainerState, ContainerState> = {
  CONTAINER_CREATED: 'created',
  CONTAINER_RUNNING: 'running',
  CONTAINER_EXITED: 'exited',
  CONTAINER_UNKNOWN: 'unknown',
};

export function containerStateFromCri(state: PbContainerState | string): ContainerState {
  return containerStates[state as PbContainerState] ?? 'unknown';
}

export function containerStateToCri(state: ContainerState): PbContainerState {
  return (Object.keys(containerStates) as PbContainerState[]).find((k) => containerStates[k] === state)!;
}

function metadataOf(m: { name: string; uid: string; namespace: string; attempt: number } | null) {
  return { name: m?.name ?? '', namespace: m?.namespace ?? '', uid: m?.uid ?? '', attempt: m?.attempt ?? 0 };
}

/** A sandbox's status; `ip` is PodSandboxStatus's network (ListPodSandbox has none). */
export function sandboxStatusFromCri(s: PbPodSandboxStatus | PbPodSandbox, network?: PbPodSandboxStatus['network']): PodSandboxStatus {
  const net = network !== undefined ? network : 'network' in s ? s.network : null;
  return {
    id: s.id,
    metadata: metadataOf(s.metadata),
    state: s.state === 'SANDBOX_READY' ? 'ready' : 'notready',
    createdAt: nanosToMillis(s.created_at),
    ip: net?.ip ?? '',
    additionalIps: (net?.additional_ips ?? []).map((p) => p.ip).filter((ip) => ip !== ''),
    labels: { ...s.labels },
    annotations: { ...s.annotations },
  };
}

export function containerStatusFromCri(s: PbContainerStatus, podSandboxId: string): ContainerStatus {
  return {
    id: s.id,
    podSandboxId,
    metadata: { name: s.metadata?.name ?? '', attempt: s.metadata?.attempt ?? 0 },
    state: containerStateFromCri(s.state),
    createdAt: nanosToMillis(s.created_at),
    startedAt: nanosToMillis(s.started_at),
    finishedAt: nanosToMillis(s.finished_at),
    exitCode: s.exit_code,
    reason: s.reason,
    message: s.message,
    image: s.image?.image ?? '',
    imageRef: s.image_ref,
    logPath: s.log_path,
    labels: { ...s.labels },
    annotations: { ...s.annotations },
  };
}

export function imageStatusFromCri(image: PbImage, requested: string): ImageStatus {
  return { image: image.repo_tags[0] ?? requested, imageRef: image.id, sizeBytes: Number(image.size) };
}
