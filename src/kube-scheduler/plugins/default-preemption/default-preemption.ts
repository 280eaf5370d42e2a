// DefaultPreemption, diagnosis half: when no node fits, says per node whether evicting
// lower-priority pods could help, with upstream's wording ("Preemption is not helpful for
// scheduling" for Unresolvable nodes, "No preemption victims found for incoming pod" where
// no pod has a lower priority, else the filter reason that remains with them gone). Evicting
// victims and nominating a node is not implemented yet: when some node would fit after
// evictions, the message says so instead of preempting.

import { fitErrorMessage, newDiagnosis } from '../../framework/fit-error.ts';
import type { Handle, Plugin } from '../../framework/interfaces.ts';
import { Code, unresolvable, unschedulable, type Status } from '../../framework/status.ts';
import { podPriority } from '../../types.ts';

export const name = 'DefaultPreemption';
export const notHelpful = 'Preemption is not helpful for scheduling';
export const noVictims = 'No preemption victims found for incoming pod';

export function newDefaultPreemption(_args: unknown, handle: Handle): Plugin {
  return {
    name,
    postFilter(state, pod, filtered) {
      if (pod.spec?.preemptionPolicy === 'Never') return { status: unschedulable('preemption: not eligible due to preemptionPolicy=Never.') };
      const nodes = handle.nodeInfos.list();
      const diagnosis = newDiagnosis();
      const helpful: string[] = [];
      const priority = podPriority(pod);
      for (const node of nodes) {
        const status: Status | undefined = filtered.get(node.name);
        if (!status || status.code === Code.UnschedulableAndUnresolvable) {
          diagnosis.nodeToStatus.set(node.name, unresolvable(notHelpful));
          continue;
        }
        const victims = [...node.pods.entries()].filter(([, info]) => podPriority(info.pod) < priority);
        if (victims.length === 0) {
          diagnosis.nodeToStatus.set(node.name, unresolvable(noVictims));
          continue;
        }
        const without = node.clone();
        for (const [key] of victims) without.removePod(key);
        const after = handle.runFilterPlugins(state, pod, without);
        if (after?.code === Code.Error) return { status: after };
        if (after && after.code !== Code.Success) diagnosis.nodeToStatus.set(node.name, after);
        else helpful.push(node.name);
      }
      if (helpful.length > 0) {
        return { status: unschedulable(`preemption: evicting lower-priority pods would make room on ${helpful.length} node(s), but preemption is not implemented yet`) };
      }
      return { status: unschedulable(`preemption: ${fitErrorMessage(nodes.length, diagnosis)}`) };
    },
  };
}
