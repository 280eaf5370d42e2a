// The members a built-in kind always has, as its Go zero value serialises: metadata, spec and
// status and the struct-valued (not pointer) fields below them as empty objects, and the
// slices without omitempty (a pod spec's containers) as null. Upstream compares a create
// against that zero value and every update between typed objects that carry these members,
// so they never count as added by themselves: a create owns `f:spec: {f:replicas: {}}` with no
// "." for spec, while a pointer such as spec.strategy.rollingUpdate is added ("."). Custom
// resources are unstructured: their zero value is empty and nothing is filled in.

import type { KubeObject } from '../../api/kind.ts';
import { isObject, type JSONObject } from '../patch/json-value.ts';
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

function structPaths(resource: ApiResource): string[] {
  if (resource.customResource) return [];
  const top = ['metadata', 'spec', 'status'].filter((f) => {
    const s = resource.def.schema.properties?.[f];
    return s?.type === 'object' && s.properties !== undefined;
  });
  return [...top, ...(nestedStructs[`${resource.group}/${resource.kind}`] ?? [])];
}

/** The zero value of the kind: what a create is compared against. */
export function zeroValue(resource: ApiResource): KubeObject {
  return withStructs({}, resource);
}

/** A copy of object with the kind's always-present structs filled in where their parent exists. */
export function withStructs(object: KubeObject, resource: ApiResource): KubeObject {
  const paths = structPaths(resource);
  if (paths.length === 0) return object;
  const out = structuredClone(object);
  for (const entry of paths) {
    const [path, zero] = entry.endsWith('=null') ? [entry.slice(0, -'=null'.length), null] : [entry, {}];
    const parts = path.split('.');
    let node: JSONObject | undefined = out;
    for (const part of parts.slice(0, -1)) node = isObject(node?.[part]) ? (node[part] as JSONObject) : undefined;
    const last = parts[parts.length - 1];
    if (node && (node[last] === undefined || (zero !== null && node[last] === null))) node[last] = zero;
  }
  return out;
}
