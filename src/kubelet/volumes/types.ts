// The volume sources of a Pod the kubelet reads, typed with upstream's JSON field names (read-only
// views). Sources this kubelet cannot set up are still named here so it can say which one it got.

import type { ObjectFieldSelector, ResourceFieldSelector } from '../env/types.ts';

export interface KeyToPath {
  readonly key: string;
  readonly path: string;
  readonly mode?: number;
}

export interface HostPathVolumeSource {
  readonly path: string;
  /** "", DirectoryOrCreate, Directory, FileOrCreate, File, Socket, CharDevice, BlockDevice. */
  readonly type?: string;
}

export interface EmptyDirVolumeSource {
  /** "" (node disk) or Memory; both are a plain directory here. */
  readonly medium?: string;
  readonly sizeLimit?: string | number;
}

export interface ConfigMapVolumeSource {
  readonly name?: string;
  readonly items?: readonly KeyToPath[];
  readonly defaultMode?: number;
  readonly optional?: boolean;
}

export interface SecretVolumeSource {
  readonly secretName?: string;
  readonly items?: readonly KeyToPath[];
  readonly defaultMode?: number;
  readonly optional?: boolean;
}

export interface DownwardAPIVolumeFile {
  readonly path: string;
  readonly fieldRef?: ObjectFieldSelector;
  readonly resourceFieldRef?: ResourceFieldSelector;
  readonly mode?: number;
}

export interface DownwardAPIVolumeSource {
  readonly items?: readonly DownwardAPIVolumeFile[];
  readonly defaultMode?: number;
}

export interface ServiceAccountTokenProjection {
  readonly audience?: string;
  /** Defaults to 3600. */
  readonly expirationSeconds?: number;
  readonly path: string;
}

export interface VolumeProjection {
  readonly configMap?: { readonly name?: string; readonly items?: readonly KeyToPath[]; readonly optional?: boolean };
  readonly secret?: { readonly name?: string; readonly items?: readonly KeyToPath[]; readonly optional?: boolean };
  readonly downwardAPI?: { readonly items?: readonly DownwardAPIVolumeFile[] };
  readonly serviceAccountToken?: ServiceAccountTokenProjection;
  readonly [source: string]: unknown;
}

export interface ProjectedVolumeSource {
  readonly sources?: readonly VolumeProjection[];
  readonly defaultMode?: number;
}

export interface Volume {
  readonly name: string;
  readonly hostPath?: HostPathVolumeSource;
  readonly emptyDir?: EmptyDirVolumeSource;
  readonly configMap?: ConfigMapVolumeSource;
  readonly secret?: SecretVolumeSource;
  readonly downwardAPI?: DownwardAPIVolumeSource;
  readonly projected?: ProjectedVolumeSource;
  /** persistentVolumeClaim, nfs, csi, ephemeral, image, ...: not set up by this kubelet. */
  readonly [source: string]: unknown;
}

/** A set-up volume: where it is on the host, and whether containers must mount it read-only. */
export interface PodVolume {
  hostPath: string;
  readOnly: boolean;
}
