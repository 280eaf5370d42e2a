// The root CA certificate publisher (upstream pkg/controller/certificates/rootcacertpublisher):
// every namespace that is not terminating has the ConfigMap kube-root-ca.crt whose ca.crt is the
// cluster CA (PEM) that signs the API server's serving certificate, with the annotation saying
// what it is for. It is created when a namespace appears, recreated when deleted and written back
// when its data or annotation is changed (other annotations and labels are left as they are).
// Pods read it through the kube-api-access-* volume the ServiceAccount admission adds.

import { hasStatusCause, isNotFound } from '../../../client/api-errors.ts';
import { DeletedFinalStateUnknown, type SharedIndexInformer } from '../../../client/informer.ts';
import { WorkQueue } from '../../../client/workqueue.ts';
import type { Logger } from '../../../component-base/logging.ts';
import type { Clock } from '../../../machinery/clock.ts';
import type { ApiClient, Controller } from '../../context.ts';
import type { ControllerMetrics } from '../../../component-base/controller-metrics.ts';
import type { KubeObject, Namespace } from '../../types.ts';
import { runWorkers, type ReconcileResult } from '../../../component-base/controller-worker.ts';
import { names } from '../../names.ts';

export const controllerName = names.rootCACertificatePublisher;
export const rootCACertConfigMapName = 'kube-root-ca.crt';
export const descriptionAnnotation = 'kubernetes.io/description';
export const description =
  'Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. ' +
  'No other usage is guaranteed across distributions of Kubernetes clusters.';
const configMaps = { group: '', version: 'v1', resource: 'configmaps' };

export interface ConfigMap extends KubeObject {
  data?: Record<string, string>;
}

export interface PublisherOptions {
  client: ApiClient;
  namespaces: SharedIndexInformer<Namespace>;
  /** ConfigMaps named kube-root-ca.crt (others are ignored). */
  configMaps: SharedIndexInformer<ConfigMap>;
  /** PEM of the CA bundle to publish. */
  rootCA: string;
  clock: Clock;
  log: Logger;
  workers?: number;
  metrics?: ControllerMetrics;
}

export class Publisher implements Controller {
  readonly name = controllerName;
  readonly queue: WorkQueue<string>;
  readonly #o: PublisherOptions;

  constructor(options: PublisherOptions) {
    this.#o = options;
    this.queue = new WorkQueue<string>({ name: 'root_ca_cert_publisher', clock: options.clock });
    options.namespaces.addEventHandler({
      onAdd: (ns) => this.queue.add(ns.metadata.name!),
      onUpdate: (_old, ns) => {
        if ((ns.status?.phase ?? 'Active') === 'Active') this.queue.add(ns.metadata.name!);
      },
    });
    const changed = (cm: ConfigMap) => {
      if (cm.metadata?.name === rootCACertConfigMapName && cm.metadata.namespace) this.queue.add(cm.metadata.namespace);
    };
    options.configMaps.addEventHandler({
      onUpdate: (_old, cm) => changed(cm),
      onDelete: (obj) => changed(obj instanceof DeletedFinalStateUnknown ? obj.obj : obj),
    });
  }

  async run(signal: AbortSignal): Promise<void> {
    const synced = await Promise.all([this.#o.namespaces.waitForSync(signal), this.#o.configMaps.waitForSync(signal)]);
    if (!synced.every(Boolean)) {
      this.queue.shutDown();
      return;
    }
    if (!this.#o.rootCA) this.#o.log.warn('no root CA to publish: the client config has none and none was given; ca.crt will be empty');
    await runWorkers({ name: this.name, queue: this.queue, workers: this.#o.workers ?? 1, reconcile: (k) => this.reconcile(k), log: this.#o.log, metrics: this.#o.metrics }, signal);
  }

  async reconcile(namespace: string): Promise<ReconcileResult | void> {
    const ns = this.#o.namespaces.lister.get(namespace);
    if (!ns || ns.metadata.deletionTimestamp || (ns.status?.phase ?? 'Active') !== 'Active') return;
    const data = { 'ca.crt': this.#o.rootCA };
    const cm = this.#o.configMaps.lister.namespace(namespace).get(rootCACertConfigMapName);
    if (!cm) {
      try {
        await this.#o.client.create<ConfigMap>(
          { ...configMaps, namespace },
          { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: rootCACertConfigMapName, namespace, annotations: { [descriptionAnnotation]: description } }, data },
        );
      } catch (err) {
        // Not retried when the namespace is gone or terminating, as upstream.
        if (isNotFound(err) || hasStatusCause(err, 'NamespaceTerminating')) return;
        throw err;
      }
      return;
    }
    const sameData = Object.keys(cm.data ?? {}).length === 1 && cm.data?.['ca.crt'] === data['ca.crt'];
    if (sameData && cm.metadata?.annotations?.[descriptionAnnotation]) return;
    const next = structuredClone(cm);
    next.data = data;
    next.metadata = { ...next.metadata, annotations: { ...next.metadata?.annotations, [descriptionAnnotation]: description } };
    // Carries the cached resourceVersion: a 409 requeues and reads the newer copy.
    await this.#o.client.update({ ...configMaps, namespace, name: rootCACertConfigMapName }, next);
  }
}
