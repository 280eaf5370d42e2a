// The nominator, as upstream's: which pending pods are nominated to which node, so the filters
// can count them there (see Framework). A pod is nominated
// - by what the API says, its status.nominatedNodeName, when the queue first sees it or an
//   update changes that field (to another node, or away: then the nomination goes);
// - by this scheduler's own preemption, at once, before its status write comes back; an
//   update that still carries no nominatedNodeName keeps that nomination;
// and it stops being nominated when it is bound or assumed, deleted, or a failed cycle
// clears it. Entries are keyed by UID; at most one node per pod.

import type { PodNominator } from '../framework/interfaces.ts';
import { podInfoOf, type PodInfo } from '../framework/node-info.ts';
import { podKey, type Pod } from '../types.ts';

const none: readonly PodInfo[] = Object.freeze([]);

function idOf(pod: Pod): string {
  return pod.metadata?.uid || podKey(pod);
}

export interface NominatorOptions {
  /** True for a pod the scheduler has assumed on a node: it is never nominated. */
  isAssumed?: (pod: Pod) => boolean;
}

export class Nominator implements PodNominator {
  readonly #byNode = new Map<string, Map<string, PodInfo>>();
  readonly #nodeOf = new Map<string, string>();
  readonly #isAssumed: (pod: Pod) => boolean;

  constructor(options: NominatorOptions = {}) {
    this.#isAssumed = options.isAssumed ?? (() => false);
  }

  /**
   * Nominates `pod` to `nodeName`; without one, to its status.nominatedNodeName (upstream's
   * ModeNoop); '' only clears. Bound and assumed pods are not nominated.
   */
  add(pod: Pod, nodeName?: string): void {
    this.delete(pod);
    const node = nodeName ?? pod.status?.nominatedNodeName ?? '';
    if (!node || pod.spec?.nodeName || this.#isAssumed(pod)) return;
    const id = idOf(pod);
    this.#nodeOf.set(id, node);
    let pods = this.#byNode.get(node);
    if (!pods) this.#byNode.set(node, (pods = new Map()));
    pods.set(id, podInfoOf(pod));
  }

  /** A newer object of a pending pod: keeps its own nomination unless the API now says otherwise. */
  update(oldPod: Pod, newPod: Pod): void {
    const keep = !oldPod.status?.nominatedNodeName && !newPod.status?.nominatedNodeName ? this.#nodeOf.get(idOf(oldPod)) : undefined;
    this.delete(oldPod);
    this.add(newPod, keep);
  }

  delete(pod: Pod): void {
    const id = idOf(pod);
    const node = this.#nodeOf.get(id);
    if (node === undefined) return;
    this.#nodeOf.delete(id);
    const pods = this.#byNode.get(node);
    pods?.delete(id);
    if (pods?.size === 0) this.#byNode.delete(node);
  }

  nominatedPodsForNode(nodeName: string): readonly PodInfo[] {
    const pods = this.#byNode.get(nodeName);
    return pods ? [...pods.values()] : none;
  }

  nominatedNodeName(pod: Pod): string | undefined {
    return this.#nodeOf.get(idOf(pod));
  }

  /** How many pods are nominated. */
  get size(): number {
    return this.#nodeOf.size;
  }
}
