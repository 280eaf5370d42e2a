// How many pods a budget expects when it is given as a percentage or as maxUnavailable: the
// sum of spec.replicas over the controllers of its pods, as upstream's disruption controller
// finds them. A pod's controller reference is followed to a ReplicationController, to a
// Deployment through its ReplicaSet, to a ReplicaSet that no Deployment controls, or to a
// StatefulSet (all from the informer caches, matched by uid); any other kind is read through
// its scale subresource, found by discovery. Pods without a controller reference are
// "unmanaged" and left out; a pod whose controller cannot be found is an error.

import { isNotFound } from '../../../client/api-errors.ts';
import type { SharedIndexInformer } from '../../../client/informer.ts';
import type { ApiClient } from '../../context.ts';
import { controllerRef } from '../../pod-conditions.ts';
import type { Deployment, KubeObject, OwnerReference, Pod, ReplicaSet } from '../../types.ts';
import type { ReplicationController } from '../replicationcontroller/conversion.ts';
import type { StatefulSet } from '../statefulset/stateful-pod.ts';

interface ControllerScale {
  uid: string;
  replicas: number;
}

/** A pod matched by the budget has a controller reference that leads nowhere. */
export class NoControllersError extends Error {}

export interface PodControllerSources {
  client: ApiClient;
  replicationControllers: SharedIndexInformer<ReplicationController>;
  replicaSets: SharedIndexInformer<ReplicaSet>;
  deployments: SharedIndexInformer<Deployment>;
  statefulSets: SharedIndexInformer<StatefulSet>;
}

interface Scale extends KubeObject {
  spec?: { replicas?: number };
}

interface ResourceListDoc {
  resources?: { name: string; kind: string }[];
}

function groupVersionOf(apiVersion: string): { group: string; version: string } {
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? { group: '', version: apiVersion } : { group: apiVersion.slice(0, slash), version: apiVersion.slice(slash + 1) };
}

function refIs(ref: OwnerReference, kind: string, groups: readonly string[]): boolean {
  return ref.kind === kind && groups.includes(groupVersionOf(ref.apiVersion).group);
}

const appsGroups = ['apps', 'extensions'];

export class PodControllers {
  readonly #s: PodControllerSources;

  constructor(sources: PodControllerSources) {
    this.#s = sources;
  }

  /** The sum of the controllers' replicas, and the names of the pods without a controller. */
  async expectedScale(pods: readonly Pod[]): Promise<{ expected: number; unmanaged: string[] }> {
    const scales = new Map<string, number>();
    const unmanaged: string[] = [];
    for (const pod of pods) {
      const ref = controllerRef(pod);
      if (!ref) {
        unmanaged.push(pod.metadata.name ?? '');
        continue;
      }
      if (scales.has(ref.uid)) continue;
      const found = await this.#find(ref, pod.metadata.namespace ?? '');
      if (!found) throw new NoControllersError(`found no controllers for pod "${pod.metadata.name}"`);
      scales.set(found.uid, found.replicas);
    }
    let expected = 0;
    for (const n of scales.values()) expected += n;
    return { expected, unmanaged };
  }

  async #find(ref: OwnerReference, namespace: string): Promise<ControllerScale | undefined> {
    return (
      this.#replicationController(ref, namespace) ??
      this.#deployment(ref, namespace) ??
      this.#replicaSet(ref, namespace) ??
      this.#statefulSet(ref, namespace) ??
      (await this.#scale(ref, namespace))
    );
  }

  #replicationController(ref: OwnerReference, namespace: string): ControllerScale | undefined {
    if (!refIs(ref, 'ReplicationController', [''])) return undefined;
    const rc = this.#s.replicationControllers.lister.namespace(namespace).get(ref.name);
    return rc?.metadata.uid === ref.uid ? { uid: ref.uid, replicas: rc.spec.replicas ?? 1 } : undefined;
  }

  #ownedReplicaSet(ref: OwnerReference, namespace: string): ReplicaSet | undefined {
    if (!refIs(ref, 'ReplicaSet', appsGroups)) return undefined;
    const rs = this.#s.replicaSets.lister.namespace(namespace).get(ref.name);
    return rs?.metadata.uid === ref.uid ? rs : undefined;
  }

  #deployment(ref: OwnerReference, namespace: string): ControllerScale | undefined {
    const rs = this.#ownedReplicaSet(ref, namespace);
    const owner = rs && controllerRef(rs);
    if (!owner || !refIs(owner, 'Deployment', appsGroups)) return undefined;
    const d = this.#s.deployments.lister.namespace(namespace).get(owner.name);
    return d?.metadata.uid === owner.uid ? { uid: owner.uid, replicas: d.spec.replicas ?? 1 } : undefined;
  }

  #replicaSet(ref: OwnerReference, namespace: string): ControllerScale | undefined {
    const rs = this.#ownedReplicaSet(ref, namespace);
    if (!rs || controllerRef(rs)?.kind === 'Deployment') return undefined;
    return { uid: ref.uid, replicas: rs.spec.replicas ?? 1 };
  }

  #statefulSet(ref: OwnerReference, namespace: string): ControllerScale | undefined {
    if (!refIs(ref, 'StatefulSet', ['apps'])) return undefined;
    const ss = this.#s.statefulSets.lister.namespace(namespace).get(ref.name);
    return ss?.metadata.uid === ref.uid ? { uid: ref.uid, replicas: ss.spec.replicas ?? 1 } : undefined;
  }

  /** Any other kind: its resource by discovery, then GET <resource>/<name>/scale. */
  async #scale(ref: OwnerReference, namespace: string): Promise<ControllerScale | undefined> {
    const { group, version } = groupVersionOf(ref.apiVersion);
    const doc = await this.#s.client.request<ResourceListDoc | undefined>('GET', group ? `/apis/${group}/${version}` : `/api/${version}`);
    const resources = doc?.resources ?? [];
    const resource = resources.find((r) => r.kind === ref.kind && !r.name.includes('/'));
    if (!resource) throw new Error(`no matches for kind "${ref.kind}" in version "${ref.apiVersion}"`);
    let scale: Scale;
    try {
      scale = await this.#s.client.get<Scale>({ group, version, resource: resource.name, namespace, name: ref.name, subresource: 'scale' });
    } catch (err) {
      if (!isNotFound(err)) throw err;
      // Either the object is gone or the kind has no scale subresource; only the latter is an error.
      if (!resources.some((r) => r.name === `${resource.name}/scale`)) {
        throw new Error(`${group ? `${resource.name}.${group}` : resource.name} does not implement the scale subresource`);
      }
      return undefined;
    }
    return scale.metadata?.uid === ref.uid ? { uid: ref.uid, replicas: scale.spec?.replicas ?? 0 } : undefined;
  }
}
