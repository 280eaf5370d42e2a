// One way for controllers to ask about instances, whatever a provider implements: its InstancesV2,
// or else one built from Instances and Zones the way upstream's cloud node and node lifecycle
// controllers fall back to them (provider ID from spec.providerID or "<provider>://<instanceID>";
// lookups by provider ID first, by node name when that fails; an instance not found does not
// exist and is not shut down; a provider without instance IDs leaves the provider ID empty; a shutdown check the provider has not implemented says "not shut down").

import type { Node } from '../types.ts';
import { isInstanceNotFound, isNotImplemented, type CloudProvider, type InstanceMetadata, type Instances, type InstancesV2, type Zones } from './cloud.ts';

export function instancesV2Of(cloud: CloudProvider): InstancesV2 | undefined {
  const v2 = cloud.instancesV2();
  if (v2) return v2;
  const v1 = cloud.instances();
  return v1 ? new InstancesFromV1(cloud.providerName, v1, cloud.zones()) : undefined;
}

async function eitherOf<T>(byProviderID: () => Promise<T>, byName: () => Promise<T>, what: string): Promise<T> {
  try {
    return await byProviderID();
  } catch (first) {
    try {
      return await byName();
    } catch (second) {
      if (isInstanceNotFound(first) && isInstanceNotFound(second)) throw second;
      throw new Error(`${what}: by provider ID: ${String(first instanceof Error ? first.message : first)}; by node name: ${String(second instanceof Error ? second.message : second)}`);
    }
  }
}

class InstancesFromV1 implements InstancesV2 {
  readonly #provider: string;
  readonly #instances: Instances;
  readonly #zones: Zones | undefined;

  constructor(provider: string, instances: Instances, zones: Zones | undefined) {
    this.#provider = provider;
    this.#instances = instances;
    this.#zones = zones;
  }

  async #providerID(node: Node): Promise<string> {
    if (node.spec?.providerID) return node.spec.providerID;
    return `${this.#provider}://${await this.#instances.instanceID(node.metadata.name!)}`;
  }

  async instanceExists(node: Node): Promise<boolean> {
    try {
      return await this.#instances.instanceExistsByProviderID(await this.#providerID(node));
    } catch (err) {
      if (isInstanceNotFound(err)) return false;
      throw err;
    }
  }

  async instanceShutdown(node: Node): Promise<boolean> {
    try {
      return await this.#instances.instanceShutdownByProviderID(await this.#providerID(node));
    } catch (err) {
      if (isInstanceNotFound(err) || isNotImplemented(err)) return false;
      throw err;
    }
  }

  async instanceMetadata(node: Node): Promise<InstanceMetadata> {
    const name = node.metadata.name!;
    let providerID = node.spec?.providerID ?? '';
    if (!providerID) {
      try {
        providerID = await this.#providerID(node);
      } catch (err) {
        if (!isNotImplemented(err)) throw err;
      }
    }
    const nodeAddresses = await eitherOf(() => this.#instances.nodeAddressesByProviderID(providerID), () => this.#instances.nodeAddresses(name), 'NodeAddresses');
    const instanceType = await eitherOf(() => this.#instances.instanceTypeByProviderID(providerID), () => this.#instances.instanceType(name), 'InstanceType');
    const metadata: InstanceMetadata = { providerID, instanceType, nodeAddresses };
    if (this.#zones) {
      const zones = this.#zones;
      const zone = await eitherOf(() => zones.getZoneByProviderID(providerID), () => zones.getZoneByNodeName(name), 'Zone');
      if (zone.failureDomain) metadata.zone = zone.failureDomain;
      if (zone.region) metadata.region = zone.region;
    }
    return metadata;
  }
}
