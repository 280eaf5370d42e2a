// Deleting everything in a terminating namespace, as upstream's namespacedResourcesDeleter:
// for every namespaced resource discovery lists with list and delete verbs, delete the
// collection (or, without deletecollection, each object) with background propagation, then
// count what remains. The result says what was left and why, in the shape of the namespace's
// status conditions (NamespaceDeletionDiscoveryFailure, NamespaceDeletionContentFailure,
// NamespaceContentRemaining, NamespaceFinalizersRemaining, with upstream's reasons and
// messages), and how long to wait before looking again (pods' grace periods, or 15 s for
// objects held by finalizers). Objects remaining without a finalizer count as a failure.

import { isNotFound } from '../../../client/api-errors.ts';
import type { ApiClient } from '../../context.ts';
import type { ApiResourceInfo, DiscoveryResult } from '../../discovery.ts';
import type { Condition, KubeObject, Namespace, Pod } from '../../types.ts';

export const finalizerEstimateSeconds = 15;

export interface ContentDeletionResult {
  /** Seconds to wait before the namespace can be finalized (0: nothing to wait for). */
  estimate: number;
  errors: string[];
  conditions: Condition[];
}

const conditionOrder = [
  'NamespaceDeletionDiscoveryFailure',
  'NamespaceDeletionGroupVersionParsingFailure',
  'NamespaceDeletionContentFailure',
  'NamespaceContentRemaining',
  'NamespaceFinalizersRemaining',
];

function gvrName(r: ApiResourceInfo): string {
  return `${r.resource}.${r.group}`;
}

function podEstimate(items: KubeObject[]): number {
  let estimate = 0;
  for (const pod of items as Pod[]) {
    const phase = pod.status?.phase;
    if (phase === 'Succeeded' || phase === 'Failed') continue;
    const grace = pod.metadata.deletionGracePeriodSeconds ?? (pod.spec?.terminationGracePeriodSeconds as number | undefined) ?? 30;
    estimate = Math.max(estimate, grace);
  }
  return estimate;
}

export async function deleteAllContent(client: ApiClient, namespace: string, discovery: DiscoveryResult): Promise<ContentDeletionResult> {
  const errors: string[] = [];
  const remaining = new Map<string, number>();
  const finalizers = new Map<string, number>();
  let estimate = 0;
  const deletable = discovery.resources.filter((r) => r.namespaced && r.verbs.includes('list') && r.verbs.includes('delete'));
  for (const r of deletable) {
    const ref = { group: r.group, version: r.version, resource: r.resource, namespace };
    try {
      let collectionDeleted = false;
      if (r.verbs.includes('deletecollection')) {
        try {
          await client.deleteCollection(ref, { propagationPolicy: 'Background' });
          collectionDeleted = true;
        } catch (err) {
          if (!isNotFound(err) && (err as { status?: { code?: number } }).status?.code !== 405) throw err;
        }
      }
      if (!collectionDeleted) {
        const list = await client.list(ref);
        for (const item of list.items) {
          try {
            await client.delete({ ...ref, name: item.metadata?.name }, { propagationPolicy: 'Background' });
          } catch (err) {
            if (!isNotFound(err)) throw err;
          }
        }
      }
      const left = (await client.list(ref)).items;
      if (left.length === 0) continue;
      remaining.set(gvrName(r), left.length);
      let withFinalizers = 0;
      for (const item of left) {
        const fs = item.metadata?.finalizers ?? [];
        if (fs.length > 0) withFinalizers++;
        for (const f of fs) finalizers.set(f, (finalizers.get(f) ?? 0) + 1);
      }
      let gvrEstimate = r.group === '' && r.resource === 'pods' ? podEstimate(left) : 0;
      if (gvrEstimate === 0) {
        if (withFinalizers === 0) throw new Error(`unexpected items still remain in namespace: ${namespace} for gvr: ${r.group}/${r.version}, Resource=${r.resource}`);
        gvrEstimate = finalizerEstimateSeconds;
      }
      estimate = Math.max(estimate, gvrEstimate);
    } catch (err) {
      errors.push(err instanceof Error ? err.message : String(err));
    }
  }
  return { estimate, errors, conditions: conditionsFor(discovery, errors, remaining, finalizers) };
}

function conditionsFor(discovery: DiscoveryResult, errors: string[], remaining: Map<string, number>, finalizers: Map<string, number>): Condition[] {
  const c = (type: string, on: boolean, reasonTrue: string, messageTrue: string, reasonFalse: string, messageFalse: string): Condition =>
    on ? { type, status: 'True', reason: reasonTrue, message: messageTrue } : { type, status: 'False', reason: reasonFalse, message: messageFalse };
  const failed = [...discovery.failed].map(([gv, e]) => `${gv}: ${e}`).sort();
  const left = [...remaining].map(([gvr, n]) => `${gvr} has ${n} resource instances`).sort();
  const held = [...finalizers].map(([f, n]) => `${f} in ${n} resource instances`).sort();
  return [
    c('NamespaceDeletionDiscoveryFailure', failed.length > 0, 'DiscoveryFailed', `Discovery failed for some groups, ${failed.length} failing: ${failed.join(', ')}`, 'ResourcesDiscovered', 'All resources successfully discovered'),
    c('NamespaceDeletionGroupVersionParsingFailure', false, '', '', 'ParsedGroupVersions', 'All legacy kube types successfully parsed'),
    c('NamespaceDeletionContentFailure', errors.length > 0, 'ContentDeletionFailed', `Failed to delete all resource types, ${errors.length} remaining: ${errors.join(', ')}`, 'ContentDeleted', 'All content successfully deleted, may be waiting on finalization'),
    c('NamespaceContentRemaining', left.length > 0, 'SomeResourcesRemain', `Some resources are remaining: ${left.join(', ')}`, 'ContentRemoved', 'All content successfully removed'),
    c('NamespaceFinalizersRemaining', held.length > 0, 'SomeFinalizersRemain', `Some content in the namespace has finalizers remaining: ${held.join(', ')}`, 'ContentHasNoFinalizers', 'All content-preserving finalizers finished'),
  ];
}

/** The namespace's conditions with `next` merged in; lastTransitionTime kept where nothing changed. Undefined when unchanged. */
export function mergeConditions(ns: Namespace, next: Condition[], now: string): Condition[] | undefined {
  const current = ns.status?.conditions ?? [];
  let changed = false;
  const merged = [...current.filter((c) => !conditionOrder.includes(c.type))];
  for (const type of conditionOrder) {
    const want = next.find((c) => c.type === type);
    const have = current.find((c) => c.type === type);
    if (!want) {
      if (have) merged.push(have);
      continue;
    }
    if (have && have.status === want.status && have.reason === want.reason && have.message === want.message) {
      merged.push(have);
      continue;
    }
    changed = true;
    merged.push({ ...want, lastTransitionTime: now });
  }
  return changed ? merged : undefined;
}
