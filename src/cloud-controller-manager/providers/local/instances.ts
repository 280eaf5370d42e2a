// The local cloud's instances: the machines are the nodes it has seen register (each Node object
// the provider watches, or is asked about, is a running instance named after it, with the
// addresses its kubelet reported). An instance is removed (terminated) or shut down (stopped)
// only through the cloud API (cloud-api.ts), as an operator would in a cloud console; a node
// registering again under a removed name with a new uid is a new machine and runs again.
// Liveness is the cloud's own check: a running instance whose kubelet endpoint
// (InternalIP:daemonEndpoints.kubeletEndpoint.Port) refuses or does not answer within a second
// counts as shut down; one without a kubelet endpoint is taken as up.
// Provider IDs are "local://<node name>"; instance type, zone and region come from the config.

import type { Clock } from '../../../machinery/clock.ts';
import { CloudProviderError, type InstanceMetadata, type InstancesV2 } from '../../cloudprovider/cloud.ts';
import { nodeAddress, type Node, type NodeAddress } from '../../types.ts';
import { tcpProbe } from './health-checker.ts';

export type InstanceState = 'running' | 'stopped' | 'terminated';

export interface Instance {
  name: string;
  providerID: string;
  state: InstanceState;
  /** The uid of the Node that registered it. */
  nodeUID?: string;
  addresses: NodeAddress[];
  kubeletPort?: number;
  instanceType: string;
  zone: string;
  region: string;
}

export interface LocalInstancesOptions {
  clock: Clock;
  instanceType: string;
  zone: string;
  region: string;
  /** How long the liveness check waits for the kubelet endpoint (default 1 s). */
  probeTimeoutMs?: number;
}

export const providerIDPrefix = 'local://';

export class LocalInstances implements InstancesV2 {
  readonly #o: LocalInstancesOptions;
  readonly #instances = new Map<string, Instance>();

  constructor(options: LocalInstancesOptions) {
    this.#o = options;
  }

  /** A node registered or reported: it is (or becomes again, as a new machine) an instance. */
  observe(node: Node): Instance {
    const name = node.metadata.name!;
    const uid = node.metadata.uid;
    let instance = this.#instances.get(name);
    if (!instance || (instance.state === 'terminated' && instance.nodeUID !== uid)) {
      const { instanceType, zone, region } = this.#o;
      instance = { name, providerID: `${providerIDPrefix}${name}`, state: 'running', nodeUID: uid, addresses: [], instanceType, zone, region };
      this.#instances.set(name, instance);
    }
    if (instance.state === 'terminated') return instance;
    instance.nodeUID = uid ?? instance.nodeUID;
    if (node.status?.addresses?.length) instance.addresses = node.status.addresses.map((a) => ({ type: a.type, address: a.address }));
    const port = node.status?.daemonEndpoints?.kubeletEndpoint?.Port;
    if (port !== undefined) instance.kubeletPort = port;
    return instance;
  }

  async instanceExists(node: Node): Promise<boolean> {
    return this.observe(node).state !== 'terminated';
  }

  async instanceShutdown(node: Node): Promise<boolean> {
    const instance = this.observe(node);
    if (instance.state === 'terminated') return false;
    if (instance.state === 'stopped') return true;
    const ip = instance.addresses.find((a) => a.type === 'InternalIP')?.address ?? nodeAddress(node);
    if (!ip || !instance.kubeletPort) return false;
    return !(await tcpProbe({ ip, port: instance.kubeletPort }, this.#o.probeTimeoutMs ?? 1_000, this.#o.clock));
  }

  async instanceMetadata(node: Node): Promise<InstanceMetadata> {
    const instance = this.observe(node);
    if (instance.state === 'terminated') throw new CloudProviderError('InstanceNotFound', `instance ${instance.providerID} was removed`);
    return {
      providerID: instance.providerID,
      instanceType: instance.instanceType,
      nodeAddresses: instance.addresses.length ? instance.addresses : (node.status?.addresses ?? []),
      zone: instance.zone,
      region: instance.region,
    };
  }

  list(): Instance[] {
    return [...this.#instances.values()].sort((a, b) => a.name.localeCompare(b.name));
  }

  get(name: string): Instance | undefined {
    return this.#instances.get(name);
  }

  /** Operator actions; false when the instance is unknown or already removed. */
  setState(name: string, state: InstanceState): boolean {
    const instance = this.#instances.get(name);
    if (!instance || instance.state === 'terminated') return false;
    instance.state = state;
    return true;
  }
}
