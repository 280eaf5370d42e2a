// NodeName: a pod that names its node (spec.nodeName) fits only there.

import type { Plugin } from '../../framework/interfaces.ts';
import { unresolvable } from '../../framework/status.ts';

export const name = 'NodeName';
export const errReason = "node(s) didn't match the requested node name";

export function newNodeName(): Plugin {
  return {
    name,
    events: ['NodeAdd'],
    filter(_state, pod, node) {
      const wanted = pod.spec?.nodeName;
      return wanted && wanted !== node.name ? unresolvable(errReason) : undefined;
    },
  };
}
