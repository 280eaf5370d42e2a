// The cloud node controller (upstream controllers/node). A node registered by a kubelet started
// with --cloud-provider=external carries the node.cloudprovider.kubernetes.io/uninitialized
// NoSchedule taint; this controller asks the cloud for the instance's metadata and, in one update
// of the node, sets spec.providerID (when empty), the instance-type, zone and region labels (beta
// and GA) and any additional labels, and removes the taint; then it writes the cloud's addresses
// to status (keeping the Hostname the kubelet reported when the cloud gives none) and records
// "Synced". Nodes without the taint only get the beta/GA label pairs reconciled. Every
// nodeStatusUpdateFrequency (5 min) the addresses of every initialized node are refreshed from the
// cloud. Failures requeue the node with back-off; the taint stays until initialization succeeds.

import type { EventRecorder } from '../../../client/event-recorder.ts';
import type { SharedIndexInformer } from '../../../client/informer.ts';
import { WorkQueue } from '../../../client/workqueue.ts';
import type { Logger } from '../../../component-base/logging.ts';
import type { Clock } from '../../../machinery/clock.ts';
import type { InstanceMetadata, InstancesV2 } from '../../cloudprovider/cloud.ts';
import {
  labelFailureDomainBetaRegion,
  labelFailureDomainBetaZone,
  labelInstanceType,
  labelInstanceTypeStable,
  labelTopologyRegion,
  labelTopologyZone,
  taintExternalCloudProvider,
} from '../../cloudprovider/well-known.ts';
import { sleep, type ApiClient, type Controller } from '../../context.ts';
import type { CloudMetrics } from '../../metrics.ts';
import { names } from '../../names.ts';
import type { Node, NodeAddress } from '../../types.ts';
import { runWorkers } from '../../../component-base/controller-worker.ts';

const nodesRef = { group: '', version: 'v1', resource: 'nodes' };

/** Beta labels are the source of truth; the GA label follows (upstream labelReconcileInfo). */
const labelPairs: [primary: string, secondary: string][] = [
  [labelFailureDomainBetaZone, labelTopologyZone],
  [labelFailureDomainBetaRegion, labelTopologyRegion],
  [labelInstanceType, labelInstanceTypeStable],
];

const kubernetesNamespace = /(^|\.)(kubernetes|k8s)\.io\//;

export interface CloudNodeControllerOptions {
  client: ApiClient;
  nodes: SharedIndexInformer<Node>;
  instances: InstancesV2;
  recorder: EventRecorder;
  clock: Clock;
  log: Logger;
  metrics?: CloudMetrics;
  workers?: number;
  nodeStatusUpdateFrequencyMs?: number;
}

export function isTainted(node: Node): boolean {
  return (node.spec?.taints ?? []).some((t) => t.key === taintExternalCloudProvider);
}

/** The node as the cloud's metadata initializes it (labels, providerID, taint removed), without addresses. */
export function initializedNode(current: Node, metadata: InstanceMetadata, log?: Logger): Node {
  const next = structuredClone(current) as Node;
  next.spec ??= {};
  if (!next.spec.providerID && metadata.providerID) next.spec.providerID = metadata.providerID;
  const labels = (next.metadata.labels ??= {});
  if (metadata.instanceType) {
    labels[labelInstanceType] = metadata.instanceType;
    labels[labelInstanceTypeStable] = metadata.instanceType;
  }
  if (metadata.zone) {
    labels[labelFailureDomainBetaZone] = metadata.zone;
    labels[labelTopologyZone] = metadata.zone;
  }
  if (metadata.region) {
    labels[labelFailureDomainBetaRegion] = metadata.region;
    labels[labelTopologyRegion] = metadata.region;
  }
  for (const [k, v] of Object.entries(metadata.additionalLabels ?? {})) {
    if (kubernetesNamespace.test(k)) log?.warn('Discarding node label with kubernetes namespace', { label: k });
    else if (!(k in labels)) labels[k] = v;
  }
  const taints = (next.spec.taints ?? []).filter((t) => t.key !== taintExternalCloudProvider);
  if (taints.length) next.spec.taints = taints;
  else delete next.spec.taints;
  return next;
}

/** The addresses to write: the cloud's, plus the node's Hostname when the cloud has none; undefined when nothing changes. */
export function addressesToWrite(current: readonly NodeAddress[], cloud: readonly NodeAddress[] | undefined): NodeAddress[] | undefined {
  if (!cloud?.length) return undefined;
  const next = cloud.map((a) => ({ type: a.type, address: a.address }));
  if (!next.some((a) => a.type === 'Hostname')) next.push(...current.filter((a) => a.type === 'Hostname'));
  // Upstream's nodeAddressesChangeDetected: compared by type, not order.
  const byType = new Map(current.map((a) => [a.type, a.address]));
  if (current.length === next.length && next.every((a) => byType.get(a.type) === a.address)) return undefined;
  return next;
}

/** The GA labels to set from their beta twins, or undefined when none differ. */
export function labelsToReconcile(labels: Record<string, string> | undefined): Record<string, string> | undefined {
  if (!labels) return undefined;
  const out: Record<string, string> = {};
  for (const [primary, secondary] of labelPairs) if (primary in labels && labels[secondary] !== labels[primary]) out[secondary] = labels[primary];
  return Object.keys(out).length ? out : undefined;
}

export class CloudNodeController implements Controller {
  readonly name = names.cloudNode;
  readonly #o: CloudNodeControllerOptions;
  readonly #queue: WorkQueue<string>;

  constructor(options: CloudNodeControllerOptions) {
    this.#o = options;
    this.#queue = new WorkQueue<string>({ name: 'Nodes', clock: options.clock });
    options.nodes.addEventHandler({
      onAdd: (n) => this.#queue.add(n.metadata.name!),
      onUpdate: (_, n) => this.#queue.add(n.metadata.name!),
    });
  }

  async run(signal: AbortSignal): Promise<void> {
    if (!(await this.#o.nodes.waitForSync(signal))) return;
    const statusLoop = (async () => {
      while (!signal.aborted) {
        await this.updateNodeStatus();
        await sleep(this.#o.clock, this.#o.nodeStatusUpdateFrequencyMs ?? 5 * 60_000, signal);
      }
    })();
    await runWorkers({ name: this.name, queue: this.#queue, workers: this.#o.workers ?? 1, reconcile: (k) => this.syncNode(k), log: this.#o.log, metrics: this.#o.metrics }, signal);
    await statusLoop;
  }

  /** Initializes a tainted node; reconciles the label pairs of any other. */
  async syncNode(name: string): Promise<void> {
    const cached = this.#o.nodes.lister.get(name);
    if (!cached) return;
    if (!isTainted(cached)) return this.#reconcileLabels(cached);
    this.#o.log.info('Initializing node with cloud provider', { node: name });
    const metadata = await this.#o.instances.instanceMetadata(structuredClone(cached) as Node);
    if (!metadata.providerID && !cached.spec?.providerID) throw new Error(`cloud provider does not set node provider ID for node ${name}`);
    const updated = await this.#o.client.update<Node>({ ...nodesRef, name }, initializedNode(cached, metadata, this.#o.log));
    await this.#writeAddresses(updated, metadata.nodeAddresses);
    this.#o.log.info('Successfully initialized node with cloud provider', { node: name, providerID: updated.spec?.providerID });
    this.#o.recorder.event(updated, 'Normal', 'Synced', 'Node synced successfully');
  }

  /** One pass of upstream's UpdateNodeStatus: addresses of every initialized node from the cloud. */
  async updateNodeStatus(): Promise<void> {
    for (const node of this.#o.nodes.lister.list()) {
      if (isTainted(node)) continue;
      try {
        const metadata = await this.#o.instances.instanceMetadata(structuredClone(node) as Node);
        await this.#writeAddresses(node, metadata.nodeAddresses);
      } catch (err) {
        this.#o.log.warn('Error updating node addresses from the cloud', { node: node.metadata.name, err: err instanceof Error ? err.message : String(err) });
      }
    }
  }

  async #writeAddresses(node: Node, cloud: NodeAddress[] | undefined): Promise<void> {
    const addresses = addressesToWrite(node.status?.addresses ?? [], cloud);
    if (!addresses) return;
    const next = structuredClone(node) as Node;
    next.status = { ...(next.status ?? {}), addresses };
    await this.#o.client.update<Node>({ ...nodesRef, name: node.metadata.name, subresource: 'status' }, next);
  }

  async #reconcileLabels(node: Node): Promise<void> {
    const labels = labelsToReconcile(node.metadata.labels);
    if (!labels) return;
    const next = structuredClone(node) as Node;
    next.metadata.labels = { ...next.metadata.labels, ...labels };
    await this.#o.client.update<Node>({ ...nodesRef, name: node.metadata.name }, next);
  }
}
