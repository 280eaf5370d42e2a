// Why a pod's volumes could not be set up. The kubelet reports each VolumeError as a Warning event
// with reason FailedMount and this message (`MountVolume.SetUp failed for volume "x" : ...`), as
// upstream does, and keeps the pod's containers waiting (ContainerCreating) until a retry works.

export class VolumeError extends Error {
  /** The event reason upstream's kubelet reports. */
  readonly reason = 'FailedMount';
  readonly volumeName: string;

  constructor(volumeName: string, message: string, options?: ErrorOptions) {
    super(`MountVolume.SetUp failed for volume "${volumeName}" : ${message}`, options);
    this.name = 'VolumeError';
    this.volumeName = volumeName;
  }
}

/** A volume whose type this kubelet has no plugin for (persistentVolumeClaim, nfs, csi, ...). */
export class UnsupportedVolumeError extends VolumeError {
  readonly volumeType: string;

  constructor(volumeName: string, volumeType: string) {
    super(volumeName, `volume type "${volumeType}" is not supported by this kubelet`);
    this.name = 'UnsupportedVolumeError';
    this.volumeType = volumeType;
  }
}

/** Some of a pod's volumes failed; `errors` has one VolumeError per failed volume. */
export class PodVolumesError extends Error {
  readonly errors: readonly VolumeError[];

  constructor(errors: readonly VolumeError[]) {
    const names = errors.map((e) => e.volumeName).sort();
    super(`unmounted volumes=[${names.join(' ')}]: ${errors.map((e) => e.message).join('; ')}`);
    this.name = 'PodVolumesError';
    this.errors = errors;
  }
}

/** Several errors as one, the way upstream's utilerrors.NewAggregate prints them. */
export function aggregate(errors: readonly Error[]): Error | undefined {
  const messages = [...new Set(errors.map((e) => e.message))];
  if (messages.length === 0) return undefined;
  if (messages.length === 1) return errors[0];
  return new Error(`[${messages.join(', ')}]`);
}
