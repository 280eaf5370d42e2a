import assert from 'node:assert/strict';
import { test } from 'node:test';
import { node } from '../testing.ts';
import { CloudProviderError, type CloudProvider, type Instances, type Zones } from './cloud.ts';
import { instancesV2Of } from './instances-v2.ts';

function cloudWith(instances: Partial<Instances>, zones?: Zones): CloudProvider {
  const notFound = async () => {
    throw new CloudProviderError('InstanceNotFound');
  };
  const full: Instances = {
    nodeAddresses: notFound,
    nodeAddressesByProviderID: notFound,
    instanceID: notFound,
    instanceType: notFound,
    instanceTypeByProviderID: notFound,
    instanceExistsByProviderID: notFound,
    instanceShutdownByProviderID: notFound,
    ...instances,
  };
  return { providerName: 'old', loadBalancer: () => undefined, instances: () => full, instancesV2: () => undefined, zones: () => zones, routes: () => undefined, hasClusterID: () => true };
}

test('a provider with only Instances and Zones still answers metadata, existence and shutdown', async () => {
  const v2 = instancesV2Of(
    cloudWith(
      {
        instanceID: async (name) => `i-${name}`,
        nodeAddressesByProviderID: async (id) => [{ type: 'InternalIP', address: id === 'old://i-n1' ? '10.0.0.1' : '?' }],
        instanceType: async () => 'small',
        instanceExistsByProviderID: async (id) => id === 'old://i-n1',
        instanceShutdownByProviderID: async () => {
          throw new CloudProviderError('NotImplemented');
        },
      },
      { getZoneByProviderID: async () => ({ failureDomain: 'z1', region: 'r1' }), getZoneByNodeName: async () => ({ failureDomain: '', region: '' }) },
    ),
  )!;
  assert.deepEqual(await v2.instanceMetadata(node('n1')), { providerID: 'old://i-n1', instanceType: 'small', nodeAddresses: [{ type: 'InternalIP', address: '10.0.0.1' }], zone: 'z1', region: 'r1' });
  assert.equal(await v2.instanceExists(node('n1')), true);
  assert.equal(await v2.instanceExists(node('n2')), false);
  assert.equal(await v2.instanceExists(node('n1', { providerID: 'old://elsewhere' })), false, 'spec.providerID wins over the instance ID');
  assert.equal(await v2.instanceShutdown(node('n1')), false, 'NotImplemented: not shut down');
});

test('an instance unknown by provider ID and by name is InstanceNotFound', async () => {
  const v2 = instancesV2Of(cloudWith({ instanceID: async () => 'x' }))!;
  await assert.rejects(v2.instanceMetadata(node('n1')), (err) => err instanceof CloudProviderError && err.code === 'InstanceNotFound');
  assert.equal(await v2.instanceExists(node('n1')), false);
});

test('no Instances at all: no InstancesV2', () => {
  const cloud = cloudWith({});
  assert.equal(instancesV2Of({ ...cloud, instances: () => undefined }), undefined);
});
