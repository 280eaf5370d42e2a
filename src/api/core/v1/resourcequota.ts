// The ResourceQuota kind: hard limits per standard (or qualified) resource name and scopes,
// status written only through the status subresource, and the REQUEST/LIMIT/AGE table
// ("requests.cpu: 500m/1, pods: 3/10").

import type { StatusCause } from '../../../machinery/status.ts';
import type { ColumnDefinition, KindDefinition, KubeObject } from '../../kind.ts';
import { kindSchema } from '../../meta.ts';
import { age, ageColumn } from '../../printing.ts';
import { list, obj, str } from '../../schema.ts';
import { resourceList } from './common.ts';
import { child, invalid, key } from './field-errors.ts';
import { rec, stringsOf } from './json.ts';
import { isQualifiedName, nameIsDNSSubdomain } from './names.ts';
import { validateObjectMeta, validateObjectMetaUpdate } from './object-meta.ts';
import { parseQuantity } from './quantity.ts';

export const scopedResourceSelectorRequirement = obj(
  {
    scopeName: str('The name of the scope that the selector applies to.'),
    operator: str("Represents a scope's relationship to a set of values."),
    values: list(str(), 'An array of string values.', { 'x-kubernetes-list-type': 'atomic' }),
  },
  { required: ['scopeName', 'operator'] },
);

export const resourceQuotaSchema = kindSchema('ResourceQuota sets aggregate quota restrictions enforced per namespace', {
  spec: obj(
    {
      hard: resourceList('hard is the set of desired hard limits for each named resource.'),
      scopes: list(str(), 'A collection of filters that must match each object tracked by a quota.', { 'x-kubernetes-list-type': 'atomic' }),
      scopeSelector: obj(
        {
          matchExpressions: list(scopedResourceSelectorRequirement, 'A list of scope selector requirements by scope of the resources.', {
            'x-kubernetes-list-type': 'atomic',
          }),
        },
        { 'x-kubernetes-map-type': 'atomic', description: 'scopeSelector is also a collection of filters like scopes that must match each object tracked by a quota.' },
      ),
    },
    { description: 'Spec defines the desired quota.' },
  ),
  status: obj(
    {
      hard: resourceList('Hard is the set of enforced hard limits for each named resource.'),
      used: resourceList('Used is the current observed total usage of the resource in the namespace.'),
    },
    { description: 'Status defines the actual enforced quota and its current usage.' },
  ),
});

export const resourceQuotaColumns: ColumnDefinition[] = [
  { name: 'Request', type: 'string', priority: 0, description: "Request represents a minimum amount of cpu/memory that a container may consume." },
  { name: 'Limit', type: 'string', priority: 0, description: "Limits control the maximum amount of cpu/memory that a container may use independent of contention on the node." },
  ageColumn,
];

function quotaCells(q: KubeObject, now: number): unknown[] {
  const status = rec(q.status);
  const hard = rec(status.hard);
  const used = rec(status.used);
  const requests: string[] = [];
  const limits: string[] = [];
  for (const name of Object.keys(hard).sort()) {
    const entry = `${name}: ${String(used[name] ?? '0')}/${String(hard[name])}`;
    const parts = name.split('.');
    (parts.length > 1 && parts[0] === 'limits' ? limits : requests).push(entry);
  }
  return [requests.join(', '), limits.join(', '), age(q, now)];
}

const standardQuotaResources = new Set([
  'pods', 'services', 'replicationcontrollers', 'resourcequotas', 'secrets', 'configmaps', 'persistentvolumeclaims',
  'services.nodeports', 'services.loadbalancers', 'cpu', 'memory', 'requests.cpu', 'requests.memory', 'requests.storage',
  'requests.ephemeral-storage', 'limits.cpu', 'limits.memory', 'limits.ephemeral-storage', 'ephemeral-storage', 'storage',
]);
const standardScopes = ['Terminating', 'NotTerminating', 'BestEffort', 'NotBestEffort', 'PriorityClass', 'CrossNamespacePodAffinity', 'VolumeAttributesClass'];

function validateHard(hard: unknown, field: string): StatusCause[] {
  const errs: StatusCause[] = [];
  for (const [name, q] of Object.entries(rec(hard))) {
    const p = key(field, name);
    const nameErrs = isQualifiedName(name).map((m) => invalid(p, name, m));
    if (!nameErrs.length && !name.includes('/') && !standardQuotaResources.has(name) && !name.startsWith('count/') && !name.startsWith('requests.hugepages-'))
      nameErrs.push(invalid(p, name, 'must be a standard resource for quota'));
    errs.push(...nameErrs);
    const n = parseQuantity(q);
    if (n !== undefined && n < 0n) errs.push(invalid(p, String(q), 'must be greater than or equal to 0'));
  }
  return errs;
}

function validateResourceQuota(q: KubeObject): StatusCause[] {
  const errs = validateObjectMeta(q, true, nameIsDNSSubdomain);
  const spec = rec(q.spec);
  errs.push(...validateHard(spec.hard, 'spec.hard'));
  const scopes = stringsOf(spec.scopes);
  for (const s of scopes) if (!standardScopes.includes(s)) errs.push(invalid('spec.scopes', scopes, 'unsupported scope'));
  if ((scopes.includes('BestEffort') && scopes.includes('NotBestEffort')) || (scopes.includes('Terminating') && scopes.includes('NotTerminating')))
    errs.push(invalid('spec.scopes', scopes, 'conflicting scopes'));
  return errs;
}

export const resourceQuota: KindDefinition = {
  group: '',
  version: 'v1',
  kind: 'ResourceQuota',
  resource: 'resourcequotas',
  namespaced: true,
  shortNames: ['quota'],
  schema: resourceQuotaSchema,
  status: true,
  table: { columns: resourceQuotaColumns, cells: quotaCells },
  strategy: {
    validate: validateResourceQuota,
    validateUpdate: (o, old) => {
      const errs = validateObjectMetaUpdate(o, old);
      const scopes = new Set(stringsOf(rec(o.spec).scopes));
      const oldScopes = new Set(stringsOf(rec(old.spec).scopes));
      if (scopes.size !== oldScopes.size || [...scopes].some((s) => !oldScopes.has(s)))
        errs.push(invalid(child('spec', 'scopes'), stringsOf(rec(o.spec).scopes), 'field is immutable'));
      return errs;
    },
    prepareForCreate: (o) => {
      o.status = {};
    },
    prepareForUpdate: (o, old) => {
      o.status = structuredClone(old.status);
    },
  },
};
