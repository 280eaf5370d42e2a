// The parts of core/v1 Pod, ConfigMap, Secret and Service the kubelet reads to build a container's
// environment and volumes, typed with upstream's JSON field names. Objects may come from informer
// caches, so these are read-only views; nothing here changes them.

import type { KubeObject, ObjectMeta } from '../../api/kind.ts';
import type { Volume } from '../volumes/types.ts';

/** A resource list as JSON carries it: quantities as strings (or plain numbers). */
export type ResourceList = Readonly<Record<string, string | number>>;

export interface ResourceRequirements {
  readonly limits?: ResourceList;
  readonly requests?: ResourceList;
}

export interface ObjectFieldSelector {
  /** Defaults to "v1". */
  readonly apiVersion?: string;
  readonly fieldPath: string;
}

export interface ResourceFieldSelector {
  /** Required in volumes, optional (the container itself) in env. */
  readonly containerName?: string;
  readonly resource: string;
  /** A quantity; absent or zero means 1. */
  readonly divisor?: string | number;
}

export interface KeySelector {
  readonly name?: string;
  readonly key: string;
  readonly optional?: boolean;
}

export interface EnvVarSource {
  readonly fieldRef?: ObjectFieldSelector;
  readonly resourceFieldRef?: ResourceFieldSelector;
  readonly configMapKeyRef?: KeySelector;
  readonly secretKeyRef?: KeySelector;
}

export interface EnvVar {
  readonly name: string;
  readonly value?: string;
  readonly valueFrom?: EnvVarSource;
}

export interface EnvFromSource {
  readonly prefix?: string;
  readonly configMapRef?: { readonly name?: string; readonly optional?: boolean };
  readonly secretRef?: { readonly name?: string; readonly optional?: boolean };
}

export interface VolumeMount {
  readonly name: string;
  readonly mountPath: string;
  readonly readOnly?: boolean;
  readonly subPath?: string;
  readonly subPathExpr?: string;
  readonly mountPropagation?: string;
}

export interface Container {
  readonly name: string;
  readonly image?: string;
  readonly command?: readonly string[];
  readonly args?: readonly string[];
  readonly env?: readonly EnvVar[];
  readonly envFrom?: readonly EnvFromSource[];
  readonly volumeMounts?: readonly VolumeMount[];
  readonly resources?: ResourceRequirements;
}

export interface PodSpec {
  readonly nodeName?: string;
  readonly serviceAccountName?: string;
  /** Defaults to true. */
  readonly enableServiceLinks?: boolean;
  readonly containers?: readonly Container[];
  readonly initContainers?: readonly Container[];
  readonly ephemeralContainers?: readonly Container[];
  readonly volumes?: readonly Volume[];
}

export interface Pod extends KubeObject {
  metadata?: ObjectMeta;
  readonly spec?: PodSpec;
  readonly status?: {
    readonly hostIP?: string;
    readonly hostIPs?: readonly { readonly ip: string }[];
    readonly podIP?: string;
    readonly podIPs?: readonly { readonly ip: string }[];
  };
}

export interface ConfigMap extends KubeObject {
  readonly data?: Readonly<Record<string, string>>;
  /** Values are base64, as in JSON. */
  readonly binaryData?: Readonly<Record<string, string>>;
}

export interface Secret extends KubeObject {
  /** Values are base64, as in JSON. */
  readonly data?: Readonly<Record<string, string>>;
  readonly type?: string;
}

export interface ServicePort {
  readonly name?: string;
  readonly port: number;
  readonly protocol?: string;
}

export interface Service extends KubeObject {
  readonly spec?: {
    readonly clusterIP?: string;
    readonly ports?: readonly ServicePort[];
  };
}

/** What the kubelet asks the API server for when it builds a pod's environment and volumes. */
export interface TokenRequest {
  /** Empty: the API server's own audiences. */
  audiences: string[];
  expirationSeconds: number;
  /** The pod the token is bound to. */
  pod: { name: string; uid: string };
}

export interface IssuedToken {
  token: string;
  /** RFC 3339. */
  expirationTimestamp: string;
}

/**
 * Where configMaps, secrets and service account tokens come from. get* resolve to undefined when
 * the object does not exist (NotFound); any other failure rejects.
 */
export interface PodResourceSource {
  getConfigMap(namespace: string, name: string): Promise<ConfigMap | undefined>;
  getSecret(namespace: string, name: string): Promise<Secret | undefined>;
  requestServiceAccountToken(namespace: string, serviceAccount: string, request: TokenRequest): Promise<IssuedToken>;
}

/** One variable of a container's environment, in the runtime's shape. */
export interface EnvEntry {
  key: string;
  value: string;
}
