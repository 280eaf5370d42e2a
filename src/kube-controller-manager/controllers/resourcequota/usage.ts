// A quota's observed usage and the status it should report, as upstream's quota.CalculateUsage
// and ResourceQuotaController.syncResourceQuota: usage is summed over the objects in the
// quota's namespace that match every scope, for the hard resources some evaluator tracks
// (each starting at zero); resources whose objects cannot be listed yet keep the usage last
// reported. status.hard mirrors spec.hard, status.used holds exactly the hard resources.

import { rec } from '../../../api/core/v1/json.ts';
import { quotaScopes, type Evaluator, type ScopeRequirement } from '../../../api/core/v1/quota/evaluators.ts';
import { add, equals, formatResourceList, mask, parseResourceList, type ResourceList } from '../../../api/core/v1/quota/resource-list.ts';
import type { KubeObject } from '../../../api/kind.ts';
import { newQuantity } from '../../../machinery/quantity.ts';

export interface UsageSource {
  evaluator: Evaluator;
  /** The namespace's objects of the evaluator's resource; undefined while they cannot be listed. */
  list(namespace: string): readonly KubeObject[] | undefined;
}

export interface CalculatedUsage {
  usage: ResourceList;
  /** Resources whose objects could not be listed ("pods", "deployments.apps"). */
  failed: string[];
}

export function calculateUsage(namespace: string, scopes: readonly ScopeRequirement[], hardNames: readonly string[], sources: readonly UsageSource[], now: number): CalculatedUsage {
  const potential = new Set(sources.flatMap((s) => s.evaluator.matchingResources(hardNames)));
  const matched = new Set(hardNames.filter((n) => potential.has(n)));
  const failed: string[] = [];
  let usage: ResourceList = new Map();
  for (const { evaluator, list } of sources) {
    const names = evaluator.matchingResources([...matched]);
    if (names.length === 0) continue;
    const objects = list(namespace);
    if (!objects) {
      failed.push(evaluator.group ? `${evaluator.resource}.${evaluator.group}` : evaluator.resource);
      for (const n of names) matched.delete(n);
      continue;
    }
    let used: ResourceList = new Map(names.map((n) => [n, newQuantity(0)]));
    for (const obj of objects) if (scopes.every((s) => evaluator.matchesScope(s, obj))) used = add(used, evaluator.usage(obj, now));
    usage = add(usage, used);
  }
  return { usage: mask(usage, matched), failed };
}

export interface QuotaStatus {
  hard: Record<string, string>;
  used: Record<string, string>;
}

/** The status to write, or undefined when the quota already reports it. */
export function quotaStatus(quota: KubeObject, sources: readonly UsageSource[], now: number): { status: QuotaStatus | undefined; failed: string[] } {
  const current = rec(quota.status);
  const hard = parseResourceList(rec(quota.spec).hard);
  const reportedUsed = parseResourceList(current.used);
  let dirty = current.hard === undefined || current.used === undefined || !equals(hard, parseResourceList(current.hard));
  const { usage, failed } = calculateUsage(quota.metadata?.namespace ?? '', quotaScopes(quota), [...hard.keys()], sources, now);
  const used = mask(new Map([...reportedUsed, ...usage]), hard.keys());
  dirty ||= !equals(used, reportedUsed);
  return { status: dirty ? { hard: formatResourceList(hard), used: formatResourceList(used) } : undefined, failed };
}
