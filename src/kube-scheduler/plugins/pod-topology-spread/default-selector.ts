// The selector default topology spread constraints count pods with, as upstream's
// helper.DefaultSelector: the labels of every Service in the pod's namespace whose selector
// matches the pod (a Service without a selector matches nothing), then those of the pod's
// controller (its ownerReference with controller: true) when that is a ReplicationController
// (its label map) or an apps/v1 ReplicaSet or StatefulSet (its label selector's requirements);
// a controller that is not in the cache, or of another kind, adds nothing. Empty when nothing
// selects the pod: then the pod gets no default constraints.

import { everything, fromLabelSelector, LabelSelector, selectorFromSet, type LabelSelectorSpec } from '../../../machinery/labels.ts';
import type { Listers } from '../../framework/interfaces.ts';
import type { Pod, SelectingController } from '../../types.ts';

export function defaultSelector(pod: Pod, listers: Listers | undefined): LabelSelector {
  if (!listers) return everything;
  const namespace = pod.metadata?.namespace ?? '';
  const labels = pod.metadata?.labels ?? {};
  let set: Record<string, string> = {};
  for (const service of listers.services(namespace)) {
    const selector = service.spec?.selector;
    if (!selector) continue;
    if (selectorFromSet(selector).matches(labels)) set = { ...set, ...selector };
  }
  const owner = pod.metadata?.ownerReferences?.find((r) => r.controller === true);
  if (!owner) return selectorFromSet(set);
  if (owner.apiVersion === 'v1' && owner.kind === 'ReplicationController') {
    const rc = listers.replicationController(namespace, owner.name);
    if (rc) set = { ...set, ...rc.spec?.selector };
    return selectorFromSet(set);
  }
  let controller: SelectingController | undefined;
  if (owner.apiVersion === 'apps/v1' && owner.kind === 'ReplicaSet') controller = listers.replicaSet(namespace, owner.name);
  else if (owner.apiVersion === 'apps/v1' && owner.kind === 'StatefulSet') controller = listers.statefulSet(namespace, owner.name);
  const base = selectorFromSet(set);
  if (!controller) return base;
  let other: LabelSelector;
  try {
    other = fromLabelSelector(controller.spec?.selector as LabelSelectorSpec | null | undefined);
  } catch {
    return base;
  }
  // A null selector (nothing) has no requirements to add.
  if (other.nothing) return base;
  return new LabelSelector([...base.requirements, ...other.requirements]);
}
