// NodePorts: a pod asking for host ports fits only on nodes where none of them is in use
// (0.0.0.0 conflicting with every address), counting assumed pods.

import type { Plugin } from '../../framework/interfaces.ts';
import { forEachHostPort } from '../../framework/node-info.ts';
import { skip, unschedulable } from '../../framework/status.ts';

export const name = 'NodePorts';
export const errReason = "node(s) didn't have free ports for the requested pod ports";
const preFilterKey = `PreFilter${name}`;

interface Wanted {
  ip: string | undefined;
  protocol: string | undefined;
  port: number;
}

export function newNodePorts(): Plugin {
  return {
    name,
    events: ['NodeAdd', 'AssignedPodDelete'],
    preFilter(state, pod) {
      const wanted: Wanted[] = [];
      forEachHostPort(pod, (ip, protocol, port) => wanted.push({ ip, protocol, port }));
      if (wanted.length === 0) return skip;
      state.write(preFilterKey, wanted);
      return undefined;
    },
    filter(state, _pod, node) {
      if (node.usedPorts.size === 0) return undefined;
      for (const w of state.read<Wanted[]>(preFilterKey)) if (node.usedPorts.conflicts(w.ip, w.protocol, w.port)) return unschedulable(errReason);
      return undefined;
    },
  };
}
