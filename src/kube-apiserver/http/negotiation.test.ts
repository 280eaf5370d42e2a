import assert from 'node:assert/strict';
import { it } from 'node:test';
import { StatusError } from '../../machinery/status.ts';
import { negotiateDiscovery, negotiateObject } from './negotiation.ts';

it('serves the first acceptable representation, as kubectl lists them', () => {
  const kubectlGet = 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json';
  assert.deepEqual(negotiateObject(kubectlGet, true), { as: 'Table', version: 'v1', contentType: 'application/json;as=Table;v=v1;g=meta.k8s.io' });
  assert.equal(negotiateObject('application/json;as=Table;v=v1beta1;g=meta.k8s.io', true).as, 'Table');
  assert.deepEqual(negotiateObject('application/json;as=PartialObjectMetadataList;v=v1;g=meta.k8s.io', true), {
    as: 'PartialObjectMetadata',
    version: 'v1',
    list: true,
    contentType: 'application/json;as=PartialObjectMetadataList;v=v1;g=meta.k8s.io',
  });
  assert.equal(negotiateObject('application/json;as=Table;v=v9;g=meta.k8s.io, */*', true).as, 'object', 'an unknown transformation falls through');
  assert.deepEqual(negotiateObject('application/yaml', false), { as: 'object', format: 'yaml', contentType: 'application/yaml' });
  assert.equal(negotiateObject(undefined, false).as, 'object');
  assert.throws(() => negotiateObject('text/html', false), (err: unknown) => err instanceof StatusError && err.code === 406);
});

it('answers aggregated discovery in the version the client asked for', () => {
  const v133 = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json';
  assert.deepEqual(negotiateDiscovery(v133), { aggregated: 'v2', contentType: 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList' });
  const v127 = 'application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json';
  assert.equal(negotiateDiscovery(v127).aggregated, 'v2beta1');
  assert.equal(negotiateDiscovery('application/json').aggregated, undefined);
});
