// The bookkeeping the runtimes that live in the kubelet's own process (process, fake) share:
// sandbox and container records with ids as containerd makes them (64 hex digits), names reserved
// the way containerd reserves them (a second sandbox or container of one name is refused), lookups
// that fail with NotFoundError, and the CRI-shaped statuses the contract returns.

import { randomBytes } from 'node:crypto';
import { NotFoundError, type ContainerConfig, type ContainerState, type ContainerStatus, type PodSandboxConfig, type PodSandboxStatus, type SandboxState } from './runtime.ts';

export interface SandboxRecord {
  id: string;
  config: PodSandboxConfig;
  name: string;
  state: SandboxState;
  createdAt: number;
  ip: string;
  containers: Set<string>;
}

export interface ContainerRecord<S extends SandboxRecord = SandboxRecord> {
  id: string;
  sandbox: S;
  config: ContainerConfig;
  name: string;
  image: string;
  imageRef: string;
  logPath: string;
  state: ContainerState;
  createdAt: number;
  startedAt: number;
  finishedAt: number;
  exitCode: number;
  reason: string;
  message: string;
}

export const newId = (): string => randomBytes(32).toString('hex');

export class Records<S extends SandboxRecord, C extends ContainerRecord<S>> {
  readonly sandboxes = new Map<string, S>();
  readonly containers = new Map<string, C>();
  readonly #names = new Map<string, string>();

  sandbox(id: string): S {
    const s = this.sandboxes.get(id);
    if (!s) throw new NotFoundError('pod sandbox', id);
    return s;
  }

  container(id: string): C {
    const c = this.containers.get(id);
    if (!c) throw new NotFoundError('container', id);
    return c;
  }

  /** Reserves a name for an id, or fails as containerd does when it is taken. */
  reserveName(name: string, id: string): void {
    const owner = this.#names.get(name);
    if (owner !== undefined) throw new Error(`failed to reserve name ${JSON.stringify(name)}: name ${JSON.stringify(name)} is reserved for ${JSON.stringify(owner)}`);
    this.#names.set(name, id);
  }

  /** Frees a name if `id` holds it. */
  releaseName(name: string, id: string): void {
    if (this.#names.get(name) === id) this.#names.delete(name);
  }
}

/** Sandbox names as containerd builds them: name_namespace_uid_attempt. */
export function sandboxName(config: PodSandboxConfig): string {
  const m = config.metadata;
  return `${m.name}_${m.namespace}_${m.uid}_${m.attempt}`;
}

/** Container names as containerd builds them: container_sandbox-name_namespace_uid_attempt. */
export function containerName(config: ContainerConfig, sandboxConfig: PodSandboxConfig): string {
  const m = sandboxConfig.metadata;
  return `${config.metadata.name}_${m.name}_${m.namespace}_${m.uid}_${config.metadata.attempt}`;
}

export function sandboxStatus(s: SandboxRecord): PodSandboxStatus {
  return {
    id: s.id,
    metadata: { ...s.config.metadata },
    state: s.state,
    createdAt: s.createdAt,
    ip: s.ip,
    additionalIps: [],
    labels: { ...s.config.labels },
    annotations: { ...s.config.annotations },
  };
}

export function containerStatus(c: ContainerRecord): ContainerStatus {
  return {
    id: c.id,
    podSandboxId: c.sandbox.id,
    metadata: { ...c.config.metadata },
    state: c.state,
    createdAt: c.createdAt,
    startedAt: c.startedAt,
    finishedAt: c.finishedAt,
    exitCode: c.exitCode,
    reason: c.reason,
    message: c.message,
    image: c.image,
    imageRef: c.imageRef,
    logPath: c.logPath,
    labels: { ...c.config.labels },
    annotations: { ...c.config.annotations },
  };
}
