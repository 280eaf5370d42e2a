// Typed unary calls to a CRI v1 runtime (RuntimeService and ImageService) over one gRPC channel.
//
// api.proto is loaded once per process with the upstream field names (keepCase). Int64 fields arrive
// as decimal strings (longs: String) so that nanosecond times keep every digit; enums arrive as
// their names; absent fields arrive as their defaults. Every call has a deadline; a call that fails
// rejects with the gRPC error (its `code` and `details`).

import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';

/** The loaded api.proto (its methods' serializers pin the wire format in tests). */
export const definition = protoLoader.loadSync(fileURLToPath(new URL('./api.proto', import.meta.url)), {
  keepCase: true,
  longs: String,
  enums: String,
  defaults: true,
  oneofs: true,
});
const runtimeV1 = (grpc.loadPackageDefinition(definition).runtime as grpc.GrpcObject).v1 as grpc.GrpcObject;

/** As upstream's kubelet: ExecSync output may be up to 16 MiB on each stream. */
const maxMessageBytes = 64 * 1024 * 1024;

/** An int64 as sent: a safe integer or a decimal string. As received: a decimal string. */
export type Int64 = number | string;
export type NamespaceMode = 'POD' | 'CONTAINER' | 'NODE' | 'TARGET';
export type PbSandboxState = 'SANDBOX_READY' | 'SANDBOX_NOTREADY';
export type PbContainerState = 'CONTAINER_CREATED' | 'CONTAINER_RUNNING' | 'CONTAINER_EXITED' | 'CONTAINER_UNKNOWN';

export interface PbPodSandboxMetadata {
  name: string;
  uid: string;
  namespace: string;
  attempt: number;
}

export interface PbPortMapping {
  protocol: 'TCP' | 'UDP' | 'SCTP';
  container_port: number;
  host_port?: number;
  host_ip?: string;
}

export interface PbNamespaceOption {
  network: NamespaceMode;
  pid: NamespaceMode;
  ipc: NamespaceMode;
}

export interface PbPodSandboxConfig {
  metadata: PbPodSandboxMetadata;
  hostname: string;
  log_directory: string;
  dns_config?: { servers: string[]; searches: string[]; options: string[] };
  port_mappings: PbPortMapping[];
  labels: Record<string, string>;
  annotations: Record<string, string>;
  linux: { cgroup_parent: string; security_context: { namespace_options: PbNamespaceOption } };
}

export interface PbPodSandboxStatus {
  id: string;
  metadata: PbPodSandboxMetadata | null;
  state: PbSandboxState;
  created_at: string;
  network: { ip: string; additional_ips: { ip: string }[] } | null;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

export interface PbPodSandbox {
  id: string;
  metadata: PbPodSandboxMetadata | null;
  state: PbSandboxState;
  created_at: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

export interface PbMount {
  container_path: string;
  host_path: string;
  readonly: boolean;
}

export interface PbLinuxContainerResources {
  cpu_period: Int64;
  cpu_quota: Int64;
  cpu_shares: Int64;
  memory_limit_in_bytes: Int64;
}

export interface PbContainerConfig {
  metadata: { name: string; attempt: number };
  image: { image: string };
  command: string[];
  args: string[];
  working_dir: string;
  envs: { key: string; value: string }[];
  mounts: PbMount[];
  labels: Record<string, string>;
  annotations: Record<string, string>;
  log_path: string;
  stdin: boolean;
  stdin_once: boolean;
  tty: boolean;
  linux: { resources: PbLinuxContainerResources; security_context: { namespace_options: PbNamespaceOption } };
}

export interface PbContainer {
  id: string;
  pod_sandbox_id: string;
  metadata: { name: string; attempt: number } | null;
  image: { image: string } | null;
  image_ref: string;
  state: PbContainerState;
  created_at: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

export interface PbContainerStatus {
  id: string;
  metadata: { name: string; attempt: number } | null;
  state: PbContainerState;
  created_at: string;
  started_at: string;
  finished_at: string;
  exit_code: number;
  image: { image: string } | null;
  image_ref: string;
  reason: string;
  message: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  log_path: string;
}

export interface PbImage {
  id: string;
  repo_tags: string[];
  size: string;
}

export interface PbContainerFilter {
  id?: string;
  state?: { state: PbContainerState };
  pod_sandbox_id?: string;
  label_selector?: Record<string, string>;
}

/** The requests and responses of the calls the cri runtime makes. */
export interface Calls {
  Version: [{ version: string }, { version: string; runtime_name: string; runtime_version: string; runtime_api_version: string }];
  RunPodSandbox: [{ config: PbPodSandboxConfig }, { pod_sandbox_id: string }];
  StopPodSandbox: [{ pod_sandbox_id: string }, object];
  RemovePodSandbox: [{ pod_sandbox_id: string }, object];
  PodSandboxStatus: [{ pod_sandbox_id: string; verbose?: boolean }, { status: PbPodSandboxStatus | null; info: Record<string, string> }];
  ListPodSandbox: [{ filter?: { id?: string; state?: { state: PbSandboxState }; label_selector?: Record<string, string> } }, { items: PbPodSandbox[] }];
  CreateContainer: [{ pod_sandbox_id: string; config: PbContainerConfig; sandbox_config: PbPodSandboxConfig }, { container_id: string }];
  StartContainer: [{ container_id: string }, object];
  StopContainer: [{ container_id: string; timeout: Int64 }, object];
  RemoveContainer: [{ container_id: string }, object];
  ListContainers: [{ filter?: PbContainerFilter }, { containers: PbContainer[] }];
  ContainerStatus: [{ container_id: string }, { status: PbContainerStatus | null }];
  ExecSync: [{ container_id: string; cmd: string[]; timeout: Int64 }, { stdout: Buffer; stderr: Buffer; exit_code: number }];
  Exec: [{ container_id: string; cmd: string[]; tty: boolean; stdin: boolean; stdout: boolean; stderr: boolean }, { url: string }];
  Attach: [{ container_id: string; stdin: boolean; tty: boolean; stdout: boolean; stderr: boolean }, { url: string }];
  PortForward: [{ pod_sandbox_id: string; port: number[] }, { url: string }];
  ImageStatus: [{ image: { image: string } }, { image: PbImage | null }];
  PullImage: [{ image: { image: string } }, { image_ref: string }];
}

export type Method = keyof Calls;
const imageMethods = new Set<Method>(['ImageStatus', 'PullImage']);

type Unary = (request: unknown, metadata: grpc.Metadata, options: grpc.CallOptions, callback: (err: grpc.ServiceError | null, response: unknown) => void) => void;

export interface CriClient {
  readonly endpoint: string;
  /** Calls `method`; the call fails with DEADLINE_EXCEEDED after `timeoutMs`. */
  call<M extends Method>(method: M, request: Calls[M][0], timeoutMs: number): Promise<Calls[M][1]>;
  close(): void;
}

/** A channel to the CRI runtime at `endpoint` (e.g. unix:///run/containerd/containerd.sock). */
export function createCriClient(endpoint: string): CriClient {
  const options: grpc.ChannelOptions = {
    'grpc.max_receive_message_length': maxMessageBytes,
    'grpc.max_send_message_length': maxMessageBytes,
  };
  const RuntimeService = runtimeV1.RuntimeService as grpc.ServiceClientConstructor;
  const ImageService = runtimeV1.ImageService as grpc.ServiceClientConstructor;
  const runtime = new RuntimeService(endpoint, grpc.credentials.createInsecure(), options);
  // The image service shares the runtime service's channel.
  const images = new ImageService(endpoint, grpc.credentials.createInsecure(), { ...options, channelOverride: runtime.getChannel() });
  return {
    endpoint,
    call(method, request, timeoutMs) {
      const client = imageMethods.has(method) ? images : runtime;
      const fn = (client as unknown as Record<string, Unary>)[method].bind(client);
      return new Promise((resolve, reject) => {
        fn(request, new grpc.Metadata(), { deadline: new Date(Date.now() + timeoutMs) }, (err, response) => {
          if (err) reject(err);
          else resolve(response as never);
        });
      });
    },
    close() {
      images.close();
      runtime.close();
    },
  };
}
