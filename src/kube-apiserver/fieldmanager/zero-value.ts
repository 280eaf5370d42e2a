// The members a built-in kind always has, as its Go zero value serialises: metadata, spec and
// status and the struct-valued (not pointer) fields below them as empty objects, and the
// slices without omitempty (a pod spec's containers) as null. Upstream compares a create
// against that zero value and every update between typed objects that carry these members,
// so they never count as added by themselves: a create owns `f:spec: {f:replicas: {}}` with no
// "." for spec, while a pointer such as spec.strategy.rollingUpdate is added ("."). Custom
// resources are unstructured: their zero value is empty and nothing is filled in.

import type { KubeObject } from '../../api/kind.ts';
import { clone, isObject, type JSONObject } from '../patch/json-value.ts';
import type { ApiResource } from '../registry/resources.ts';

const podTemplate = ['spec.template', 'spec.template.metadata', 'spec.template.spec', 'spec.template.spec.containers=null'];

/** Struct fields below the top level (and null slices, marked "=null"), by group/kind. */
const nestedStructs: Record<string, string[]> = {
  'apps/Deployment': [...podTemplate, 'spec.strategy'],
  'apps/ReplicaSet': podTemplate,
  'apps/StatefulSet': [...podTemplate, 'spec.updateStrategy'],
  'apps/DaemonSet': [...podTemplate, 'spec.updateStrategy'],
  'batch/Job': podTemplate,
  'batch/CronJob': [
    'spec.jobTemplate',
    'spec.jobTemplate.metadata',
    'spec.jobTemplate.spec',
    'spec.jobTemplate.spec.template',
    'spec.jobTemplate.spec.template.metadata',
    'spec.jobTemplate.spec.template.spec',
    'spec.jobTemplate.spec.template.spec.containers=null',
  ],
  '/Pod': ['spec.containers=null'],
  '/Service': ['status.loadBalancer'],
  '/Node': ['status.daemonEndpoints', 'status.daemonEndpoints.kubeletEndpoint', 'status.nodeInfo'],
  '/Event': ['involvedObject', 'source'],
  'events.k8s.io/Event': ['regarding', 'deprecatedSource'],
  '/PersistentVolumeClaim': ['spec.resources'],
  'apiextensions.k8s.io/CustomResourceDefinition': ['spec.names', 'status.acceptedNames'],
};

interface StructPath {
  /** The parents to walk down, then the field to fill. */
  parents: string[];
  field: string;
  /** null: only fill a missing field, with null; otherwise a missing or null field gets {}. */
  zero: null | 'object';
}

// Worked out once per kind: every create and update of every object asks for them.
const structPathsByResource = new WeakMap<ApiResource, StructPath[]>();

function structPaths(resource: ApiResource): StructPath[] {
  let paths = structPathsByResource.get(resource);
  if (!paths) {
    paths = structPathEntries(resource).map((entry) => {
      const isNull = entry.endsWith('=null');
      const parts = (isNull ? entry.slice(0, -'=null'.length) : entry).split('.');
      return { parents: parts.slice(0, -1), field: parts[parts.length - 1], zero: isNull ? null : 'object' };
    });
    structPathsByResource.set(resource, paths);
  }
  return paths;
}

function structPathEntries(resource: ApiResource): string[] {
  if (resource.customResource) return [];
  const top = ['metadata', 'spec', 'status'].filter((f) => {
    const s = resource.def.schema.properties?.[f];
    return s?.type === 'object' && s.properties !== undefined;
  });
  return [...top, ...(nestedStructs[`${resource.group}/${resource.kind}`] ?? [])];
}

/** The zero value of the kind: what a create is compared against. */
export function zeroValue(resource: ApiResource): KubeObject {
  return fillStructs({}, resource);
}

/** A copy of object with the kind's always-present structs filled in where their parent exists. */
export function withStructs(object: KubeObject, resource: ApiResource): KubeObject {
  return structPaths(resource).length === 0 ? object : fillStructs(clone(object), resource);
}

/** withStructs on an object the caller owns: fills it in place. */
export function fillStructs(out: KubeObject, resource: ApiResource): KubeObject {
  for (const { parents, field, zero } of structPaths(resource)) {
    let node: JSONObject | undefined = out;
    for (const part of parents) node = isObject(node?.[part]) ? (node[part] as JSONObject) : undefined;
    if (node && (node[field] === undefined || (zero !== null && node[field] === null))) node[field] = zero === null ? null : {};
  }
  return out;
}
