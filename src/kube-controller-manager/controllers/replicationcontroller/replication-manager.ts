// The ReplicationController controller (upstream pkg/controller/replication): the ReplicaSet
// controller's logic, unchanged, run over core/v1 ReplicationControllers, as upstream builds
// its ReplicationManager from the ReplicaSet base controller with adapters. Here the adapters
// are views and translations:
// - the ReplicaSet logic reads ReplicationControllers as ReplicaSets (map selector as
//   matchLabels) and pods with their ReplicationController references shown as ReplicaSet
//   ones, through informers projected from the shared ones (no extra watch);
// - its writes go to replicationcontrollers (get, status) and pods with the references turned
//   back into kind ReplicationController, apiVersion v1;
// - its events are recorded on the ReplicationController, from "replication-controller";
// - its metrics are counted under this controller's name.
// So everything the ReplicaSet controller guarantees (claiming, slow-start creates, ranked
// deletes, expectations, status with observedGeneration and ReplicaFailure) holds for
// ReplicationControllers, and `kubectl scale rc` works through the scale subresource.

import type { EventRecorder } from '../../../client/event-recorder.ts';
import type { SharedIndexInformer } from '../../../client/informer.ts';
import type { ResourceRef } from '../../../client/rest-client.ts';
import type { Logger } from '../../../component-base/logging.ts';
import type { Clock } from '../../../machinery/clock.ts';
import type { ApiClient, Controller } from '../../context.ts';
import type { ControllerMetrics } from '../../../component-base/controller-metrics.ts';
import type { KubeObject, OwnerReference, Pod, ReplicaSet } from '../../types.ts';
import type { ReconcileResult } from '../../../component-base/controller-worker.ts';
import { ReplicaSetController } from '../replicaset/replica-set-controller.ts';
import { ownerReferencesToRC, podAsSeenByReplicaSets, toReplicaSet, toReplicationController, type ReplicationController } from './conversion.ts';
import { projectedInformer } from './projected-informer.ts';

export const controllerName = 'replicationcontroller-controller';
/** The event source component upstream's replication manager records under. */
export const eventComponent = 'replication-controller';

const replicationControllers = { group: '', version: 'v1', resource: 'replicationcontrollers' };

export interface ReplicationManagerOptions {
  client: ApiClient;
  replicationControllers: SharedIndexInformer<ReplicationController>;
  pods: SharedIndexInformer<Pod>;
  recorder: EventRecorder;
  clock: Clock;
  log: Logger;
  workers?: number;
  metrics?: ControllerMetrics;
  burstReplicas?: number;
}

const isReplicaSets = (ref: ResourceRef) => ref.group === 'apps' && ref.resource === 'replicasets';
const isPods = (ref: ResourceRef) => ref.group === '' && ref.resource === 'pods';

function rcRef(ref: ResourceRef): ResourceRef {
  return { ...ref, ...replicationControllers };
}

/** A pod body or patch with its owner references in ReplicationController terms. */
function podWrite<T>(body: T): T {
  const meta = (body as { metadata?: { ownerReferences?: OwnerReference[] } })?.metadata;
  if (!meta?.ownerReferences) return body;
  return { ...body, metadata: { ...meta, ownerReferences: ownerReferencesToRC(meta.ownerReferences) } };
}

/** The API as the ReplicaSet logic expects it, served by replicationcontrollers. */
export function replicaSetClientFor(client: ApiClient): ApiClient {
  return {
    get: async <T>(ref: ResourceRef, options?: Parameters<ApiClient['get']>[1]) => {
      if (!isReplicaSets(ref)) return client.get<T>(ref, options);
      return toReplicaSet(await client.get<ReplicationController>(rcRef(ref), options)) as T;
    },
    update: async <T>(ref: ResourceRef, body: T, options?: Parameters<ApiClient['update']>[2]) => {
      if (!isReplicaSets(ref)) return client.update<T>(ref, body, options);
      const rc = toReplicationController(body as ReplicaSet);
      return toReplicaSet(await client.update<ReplicationController>(rcRef(ref), rc, options)) as T;
    },
    create: <T>(ref: ResourceRef, body: T, options?: Parameters<ApiClient['create']>[2]) => client.create<T>(ref, isPods(ref) ? podWrite(body) : body, options),
    patch: <T>(ref: ResourceRef, patch: unknown, options: Parameters<ApiClient['patch']>[2]) => client.patch<T>(ref, isPods(ref) ? podWrite(patch) : patch, options),
    list: (ref, options) => client.list(ref, options),
    delete: (ref, options) => client.delete(ref, options),
    deleteCollection: (ref, options) => client.deleteCollection(ref, options),
    request: (method, path, init) => client.request(method, path, init),
  };
}

export class ReplicationManager implements Controller {
  readonly name = controllerName;
  readonly #inner: ReplicaSetController;
  readonly #views: SharedIndexInformer<KubeObject>[];

  constructor(options: ReplicationManagerOptions) {
    const rcView = projectedInformer(options.replicationControllers, toReplicaSet, 'replicationcontrollers as replicasets');
    const podView = projectedInformer(options.pods, podAsSeenByReplicaSets, 'pods as owned by replicasets');
    this.#views = [rcView, podView] as unknown as SharedIndexInformer<KubeObject>[];
    const metrics = options.metrics;
    this.#inner = new ReplicaSetController({
      client: replicaSetClientFor(options.client),
      replicaSets: rcView,
      pods: podView,
      recorder: { event: (obj, type, reason, message) => options.recorder.event(toReplicationController(obj as ReplicaSet), type, reason, message) },
      clock: options.clock,
      log: options.log,
      workers: options.workers,
      burstReplicas: options.burstReplicas,
      metrics: metrics && {
        reconciled: (_name, result, ms) => metrics.reconciled(controllerName, result, ms),
        retried: () => metrics.retried(controllerName),
        setLeader: (leading) => metrics.setLeader(leading),
      },
    });
  }

  async run(signal: AbortSignal): Promise<void> {
    for (const view of this.#views) view.start(signal);
    try {
      await this.#inner.run(signal);
    } finally {
      await Promise.all(this.#views.map((v) => v.stop()));
    }
  }

  /** One reconcile of a ReplicationController key (namespace/name). */
  reconcile(key: string): Promise<ReconcileResult | void> {
    return this.#inner.reconcile(key);
  }
}
