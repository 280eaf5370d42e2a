// Container lifecycle events, after CRI's GetContainerEvents (ContainerEventType): a runtime that owns its
// containers tells listeners at once when one is created, starts, stops or is deleted, so the kubelet's PLEG
// can relist without waiting for the next period. Events are hints: the state to act on is always read back
// through listContainers/containerStatus.

export const containerEventTypes = ['created', 'started', 'stopped', 'deleted'] as const;
export type ContainerEventType = (typeof containerEventTypes)[number];

export interface ContainerEvent {
  type: ContainerEventType;
  containerId: string;
  podSandboxId: string;
  /** Milliseconds since the epoch. */
  at: number;
}

export type ContainerEventListener = (event: ContainerEvent) => void;

/** Runtimes that report container events implement this beside ContainerRuntime. */
export interface ContainerEventSource {
  /** Adds a listener; the returned function removes it. A throwing listener does not affect others. */
  onEvent(listener: ContainerEventListener): () => void;
}

export class ContainerEvents implements ContainerEventSource {
  #listeners = new Set<ContainerEventListener>();

  onEvent(listener: ContainerEventListener): () => void {
    const wrapped: ContainerEventListener = (event) => listener(event);
    this.#listeners.add(wrapped);
    return () => this.#listeners.delete(wrapped);
  }

  emit(event: ContainerEvent): void {
    for (const listener of this.#listeners) {
      try {
        listener(event);
      } catch {
        // A listener's failure is its own; the runtime's state has already changed.
      }
    }
  }

  get size(): number {
    return this.#listeners.size;
  }
}
