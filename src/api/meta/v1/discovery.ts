// The legacy discovery documents: APIVersions (GET /api), APIGroupList (GET /apis) and
// APIResourceList (GET /api/v1, /apis/<group>/<version>). Schemas for the OpenAPI document.

import type { Schema } from '../../schema.ts';
import { bool, list, obj, str } from '../../schema.ts';

const typeMeta = {
  apiVersion: str('APIVersion defines the versioned schema of this representation of an object.'),
  kind: str('Kind is a string value representing the REST resource this object represents.'),
};

export const serverAddressByClientCIDRSchema: Schema = obj(
  {
    clientCIDR: str('The CIDR with which clients can match their IP to figure out the server address that they should use.'),
    serverAddress: str('Address of this server, suitable for a client that matches the above CIDR. This can be a hostname, hostname:port, IP or IP:port.'),
  },
  { description: 'ServerAddressByClientCIDR helps the client to determine the server address that they should use, depending on the clientCIDR that they match.', required: ['clientCIDR', 'serverAddress'] },
);

const serverAddresses = list(
  serverAddressByClientCIDRSchema,
  'a map of client CIDR to server address that is serving this group. This is to help clients reach servers in the most network-efficient way possible.',
  { 'x-kubernetes-list-type': 'atomic' },
);

export const groupVersionForDiscoverySchema: Schema = obj(
  {
    groupVersion: str('groupVersion specifies the API group and version in the form "group/version"'),
    version: str('version specifies the version in the form of "version". This is to save the clients the trouble of splitting the GroupVersion.'),
  },
  { description: 'GroupVersion contains the "group/version" and "version" string of a version.', required: ['groupVersion', 'version'] },
);

export const apiGroupSchema: Schema = obj(
  {
    ...typeMeta,
    name: str('name is the name of the group.'),
    versions: list(groupVersionForDiscoverySchema, 'versions are the versions supported in this group.', { 'x-kubernetes-list-type': 'atomic' }),
    preferredVersion: groupVersionForDiscoverySchema,
    serverAddressByClientCIDRs: serverAddresses,
  },
  { description: 'APIGroup contains the name, the supported versions, and the preferred version of a group.', required: ['name', 'versions'] },
);

export const apiGroupListSchema: Schema = obj(
  { ...typeMeta, groups: list(apiGroupSchema, 'groups is a list of APIGroup.', { 'x-kubernetes-list-type': 'atomic' }) },
  { description: 'APIGroupList is a list of APIGroup, to allow clients to discover the API at /apis.', required: ['groups'] },
);

export const apiVersionsSchema: Schema = obj(
  {
    ...typeMeta,
    versions: list(str(), 'versions are the api versions that are available.', { 'x-kubernetes-list-type': 'atomic' }),
    serverAddressByClientCIDRs: serverAddresses,
  },
  { description: 'APIVersions lists the versions that are available, to allow clients to discover the API at /api, which is the root path of the legacy v1 API.', required: ['versions', 'serverAddressByClientCIDRs'] },
);

export const apiResourceSchema: Schema = obj(
  {
    name: str('name is the plural name of the resource.'),
    singularName: str('singularName is the singular name of the resource.  This allows clients to handle plural and singular opaquely. The singularName is more correct for reporting status on a single item and both singular and plural are allowed from the kubectl CLI interface.'),
    namespaced: bool('namespaced indicates if a resource is namespaced or not.'),
    group: str('group is the preferred group of the resource.  Empty implies the group of the containing resource list. For subresources, this may have a different value, for example: Scale".'),
    version: str('version is the preferred version of the resource.  Empty implies the version of the containing resource list For subresources, this may have a different value, for example: v1 (while inside a v1beta1 version of the core resource\'s group)".'),
    kind: str("kind is the kind for the resource (e.g. 'Foo' is the kind for a resource 'foo')"),
    verbs: list(str(), 'verbs is a list of supported kube verbs (this includes get, list, watch, create, update, patch, delete, deletecollection, and proxy)', { 'x-kubernetes-list-type': 'atomic' }),
    shortNames: list(str(), 'shortNames is a list of suggested short names of the resource.', { 'x-kubernetes-list-type': 'atomic' }),
    categories: list(str(), "categories is a list of the grouped resources this resource belongs to (e.g. 'all')", { 'x-kubernetes-list-type': 'atomic' }),
    storageVersionHash: str('The hash value of the storage version, the version this resource is converted to when written to the data store.'),
  },
  { description: 'APIResource specifies the name of a resource and whether it is namespaced.', required: ['name', 'singularName', 'namespaced', 'kind', 'verbs'] },
);

export const apiResourceListSchema: Schema = obj(
  {
    ...typeMeta,
    groupVersion: str('groupVersion is the group and version this APIResourceList is for.'),
    resources: list(apiResourceSchema, 'resources contains the name of the resources and if they are namespaced.', { 'x-kubernetes-list-type': 'atomic' }),
  },
  { description: 'APIResourceList is a list of APIResource, it is used to expose the name of the resources supported in a specific group and version, and if the resource is namespaced.', required: ['groupVersion', 'resources'] },
);
