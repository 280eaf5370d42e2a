// The built-in resources: every kind of src/api, plus the subresources served by code
// here rather than by the generic store (pods/binding, pods/eviction, the pod streams proxied to
// kubelets, serviceaccounts/token).

import { builtinKinds } from '../api/builtin.ts';
import type { KindDefinition, KubeObject } from '../api/kind.ts';
import { coreToEvents, eventsToCore } from './conversion/events.ts';
import { storagePrefix, toApiResource, type ApiResource, type SubresourceInfo } from './registry/resources.ts';

const extraSubresources: Record<string, SubresourceInfo[]> = {
  '/pods': [
    { name: 'binding', kind: 'Binding', verbs: ['create'] },
    { name: 'eviction', group: 'policy', version: 'v1', kind: 'Eviction', verbs: ['create'] },
    // Proxied to the pod's kubelet (kubelet/pod-streams.ts).
    { name: 'log', kind: 'Pod', verbs: ['get'] },
    { name: 'exec', kind: 'PodExecOptions', verbs: ['create', 'get'] },
    { name: 'attach', kind: 'PodAttachOptions', verbs: ['create', 'get'] },
    { name: 'portforward', kind: 'PodPortForwardOptions', verbs: ['create', 'get'] },
  ],
  '/serviceaccounts': [{ name: 'token', group: 'authentication.k8s.io', version: 'v1', kind: 'TokenRequest', verbs: ['create'] }],
};

export function builtinResources(kinds: KindDefinition[] = builtinKinds()): ApiResource[] {
  return kinds.map((def) => {
    const resource = toApiResource(def, extraSubresources[`${def.group}/${def.resource}`] ?? []);
    if (def.group === '' && def.resource === 'namespaces') {
      // A namespace is deleted in two steps: Terminating until its content is gone and
      // namespaces/finalize has emptied spec.finalizers (the namespace controller's work).
      return {
        ...resource,
        subresources: [...resource.subresources, { name: 'finalize', kind: 'Namespace', verbs: ['update'] }],
        finalizers: (ns: KubeObject) => ((ns.spec as { finalizers?: string[] } | undefined)?.finalizers ?? []),
        prepareForDelete: (ns: KubeObject) => {
          ns.status = { ...((ns.status as object) ?? {}), phase: 'Terminating' };
        },
      };
    }
    if (def.group === 'events.k8s.io' && def.resource === 'events') {
      // Upstream keeps one set of Events, readable through both APIs.
      return { ...resource, keyPrefix: storagePrefix('', 'events'), conversion: { fromStorage: coreToEvents, toStorage: eventsToCore } };
    }
    return resource;
  });
}
