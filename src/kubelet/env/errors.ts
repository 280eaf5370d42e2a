// The error a container's configuration (environment, mounts) could not be built with. The kubelet
// shows it as the container's waiting state: reason CreateContainerConfigError, this message.

export class ContainerConfigError extends Error {
  /** The waiting reason upstream's kubelet reports. */
  readonly reason = 'CreateContainerConfigError';

  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'ContainerConfigError';
  }
}

/** A ContainerConfigError as is; anything else (a network failure, say) wrapped with its message. */
export function asContainerConfigError(err: unknown): ContainerConfigError {
  if (err instanceof ContainerConfigError) return err;
  return new ContainerConfigError(err instanceof Error ? err.message : String(err), { cause: err });
}
