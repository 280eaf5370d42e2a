// ServiceAccount admission for pod creates (upstream plugin/pkg/admission/serviceaccount): the pod
// runs as spec.serviceAccountName ("default" when unset); it takes its ServiceAccount's
// imagePullSecrets when it names none; and unless automountServiceAccountToken is false on the pod
// (which wins) or on its ServiceAccount, it gets the projected volume kube-api-access-<5 random>
// (a bound token, the cluster CA from the kube-root-ca.crt ConfigMap, the namespace), mounted
// read-only at /var/run/secrets/kubernetes.io/serviceaccount in every init container and container
// with nothing mounted there yet. A pod that already has a kube-api-access-* volume keeps it, and
// mirror pods (the kubelet's static pods) are not given one.
//
// One departure from upstream: a pod whose ServiceAccount does not exist (yet) is admitted, as if
// its ServiceAccount set nothing. Upstream looks it up (retrying "default" for a second or two) and
// refuses the pod with "retry after the service account is created". Here the service account
// controller creates "default" right after a namespace appears, and a pod created in that gap
// would be refused for nothing; its token is requested by the kubelet, which retries until the
// ServiceAccount exists.

import type { KubeObject } from '../../api/kind.ts';
import { generateName } from '../../machinery/validation.ts';
import type { RequestContext } from '../handlers/context.ts';

export const defaultServiceAccountName = 'default';
export const serviceAccountVolumePrefix = 'kube-api-access-';
export const defaultAPITokenMountPath = '/var/run/secrets/kubernetes.io/serviceaccount';
/** serviceaccount.WarnOnlyBoundTokenExpirationSeconds: 1 h 7 s marks a token the kubelet refreshes. */
export const tokenExpirationSeconds = 3607;
export const rootCAConfigMapName = 'kube-root-ca.crt';
const mirrorPodAnnotation = 'kubernetes.io/config.mirror';

export interface ServiceAccount {
  automountServiceAccountToken?: boolean;
  imagePullSecrets?: { name?: string }[];
}

interface Container {
  volumeMounts?: { name: string; mountPath: string; readOnly?: boolean }[];
}

interface PodSpec {
  serviceAccountName?: string;
  serviceAccount?: string;
  automountServiceAccountToken?: boolean;
  imagePullSecrets?: { name?: string }[];
  volumes?: { name: string; [source: string]: unknown }[];
  initContainers?: Container[];
  containers?: Container[];
}

/** Admits a pod being created in `namespace`, looking its ServiceAccount up in the API server's cache. */
export function admitServiceAccount(ctx: RequestContext, namespace: string, pod: KubeObject): Promise<void> {
  return serviceAccount(pod, (name) => lookupServiceAccount(ctx, namespace, name));
}

/** The mutation itself; `lookup` answers undefined for a ServiceAccount that does not exist. */
export async function serviceAccount(pod: KubeObject, lookup: (name: string) => Promise<ServiceAccount | undefined>, volumeName = () => generateName(serviceAccountVolumePrefix)): Promise<void> {
  const spec = (pod.spec ??= {}) as PodSpec;
  if (!spec.serviceAccountName) spec.serviceAccountName = spec.serviceAccount || defaultServiceAccountName;
  spec.serviceAccount = spec.serviceAccountName;
  if (pod.metadata?.annotations?.[mirrorPodAnnotation] !== undefined) return;
  const sa = await lookup(spec.serviceAccountName);
  if (!spec.imagePullSecrets?.length && sa?.imagePullSecrets?.length) spec.imagePullSecrets = structuredClone(sa.imagePullSecrets);
  const automount = spec.automountServiceAccountToken ?? sa?.automountServiceAccountToken ?? true;
  if (automount) mountServiceAccountToken(spec, volumeName);
}

function mountServiceAccountToken(spec: PodSpec, volumeName: () => string): void {
  const existing = spec.volumes?.find((v) => v.name.startsWith(serviceAccountVolumePrefix));
  const name = existing?.name ?? volumeName();
  let needed = false;
  for (const c of [...(spec.initContainers ?? []), ...(spec.containers ?? [])]) {
    if (c.volumeMounts?.some((m) => m.mountPath === defaultAPITokenMountPath)) continue;
    (c.volumeMounts ??= []).push({ name, readOnly: true, mountPath: defaultAPITokenMountPath });
    needed = true;
  }
  if (needed && !existing) (spec.volumes ??= []).push({ name, projected: tokenVolumeSource() });
}

/** Upstream's TokenVolumeSource, defaultMode explicit (kubernetes#104464). */
export function tokenVolumeSource() {
  return {
    defaultMode: 0o644,
    sources: [
      { serviceAccountToken: { expirationSeconds: tokenExpirationSeconds, path: 'token' } },
      { configMap: { name: rootCAConfigMapName, items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
      { downwardAPI: { items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }] } },
    ],
  };
}

/** As upstream's lister first, then a read of the store for one the cache has not seen yet. */
async function lookupServiceAccount(ctx: RequestContext, namespace: string, name: string): Promise<ServiceAccount | undefined> {
  const resource = ctx.server.registry.get('', 'v1', 'serviceaccounts');
  if (!resource) return undefined;
  const store = ctx.server.storeFor(resource);
  await store.cache.start();
  const cached = store.cache.get(store.key(namespace, name));
  if (cached) return cached as ServiceAccount;
  return (await store.find(namespace, name)) as ServiceAccount | undefined;
}
