// The scheduler's cache: one NodeInfo per node with the pods assigned to it, fed by the pod and
// node informers and by the scheduler's own assumptions. Guarantees:
// - an assumed pod counts on its node from assumePod() on, so the next cycle sees it before
//   the watch confirms the binding; the confirming add replaces it (on the node it really
//   landed on), forgetPod() takes it back when binding fails;
// - an assumption whose binding finished but that no watch event confirms within `ttlMs`
//   expires (a timer on the injected clock runs only while such assumptions exist);
// - pods may arrive before their node: they are kept and counted once the node appears;
// - image states are shared per image name, so "how many nodes hold it" stays current.

import { realClock, type Clock, type Timer } from '../../machinery/clock.ts';
import type { NodeInfoLister } from '../framework/interfaces.ts';
import { NodeInfo, noImages, podInfoOf, type ImageState } from '../framework/node-info.ts';
import { podKey, type Node, type Pod } from '../types.ts';

interface PodState {
  pod: Pod;
  nodeName: string;
  assumed: boolean;
  bindingFinished: boolean;
  /** When an assumed pod whose binding finished expires (ms on the clock). */
  deadline?: number;
}

interface SharedImageState extends ImageState {
  nodes: Set<string>;
}

export interface CacheOptions {
  clock?: Clock;
  /** How long an assumed, bound pod may wait for its watch event (default 30 s). */
  ttlMs?: number;
  /** How often expired assumptions are looked for (default 1 s). */
  cleanupPeriodMs?: number;
  log?: (message: string) => void;
}

export class Cache implements NodeInfoLister {
  readonly #clock: Clock;
  readonly #ttlMs: number;
  readonly #cleanupPeriodMs: number;
  readonly #log: (message: string) => void;
  readonly #nodes = new Map<string, NodeInfo>();
  /** Nodes known only through pods assigned to them. */
  readonly #ghostNodes = new Set<string>();
  readonly #pods = new Map<string, PodState>();
  readonly #images = new Map<string, SharedImageState>();
  #list: NodeInfo[] | undefined;
  #withAffinity: NodeInfo[] | undefined;
  #withRequiredAntiAffinity: NodeInfo[] | undefined;
  #timer: Timer | undefined;
  #closed = false;

  constructor(options: CacheOptions = {}) {
    this.#clock = options.clock ?? realClock;
    this.#ttlMs = options.ttlMs ?? 30_000;
    this.#cleanupPeriodMs = options.cleanupPeriodMs ?? 1_000;
    this.#log = options.log ?? (() => {});
  }

  /** Nodes with a Node object, in a stable order (by name). */
  list(): readonly NodeInfo[] {
    this.#list ??= [...this.#nodes.values()].filter((n) => !this.#ghostNodes.has(n.name)).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    return this.#list;
  }

  havePodsWithAffinityList(): readonly NodeInfo[] {
    this.#withAffinity ??= this.list().filter((n) => n.podsWithAffinity > 0);
    return this.#withAffinity;
  }

  havePodsWithRequiredAntiAffinityList(): readonly NodeInfo[] {
    this.#withRequiredAntiAffinity ??= this.list().filter((n) => n.podsWithRequiredAntiAffinity > 0);
    return this.#withRequiredAntiAffinity;
  }

  get(name: string): NodeInfo | undefined {
    return this.#ghostNodes.has(name) ? undefined : this.#nodes.get(name);
  }

  get nodeCount(): number {
    return this.#nodes.size - this.#ghostNodes.size;
  }

  addNode(node: Node): void {
    const name = node.metadata?.name ?? '';
    let info = this.#nodes.get(name);
    if (info) {
      this.#removeImages(info);
      info.setNode(node);
      this.#ghostNodes.delete(name);
    } else {
      info = new NodeInfo(node);
      this.#nodes.set(name, info);
    }
    this.#addImages(info);
    this.#nodesChanged();
  }

  updateNode(node: Node): void {
    this.addNode(node);
  }

  removeNode(node: Node): void {
    const name = node.metadata?.name ?? '';
    const info = this.#nodes.get(name);
    if (!info) return;
    this.#removeImages(info);
    // Pods still assigned to it keep counting until they are deleted, as upstream.
    if (info.pods.size > 0) this.#ghostNodes.add(name);
    else this.#nodes.delete(name);
    this.#nodesChanged();
  }

  /** Counts `pod` (with spec.nodeName set to its chosen node) before the binding is confirmed. */
  assumePod(pod: Pod): void {
    const key = podKey(pod);
    if (this.#pods.has(key)) throw new Error(`pod ${key} is in the cache, so can't be assumed`);
    const nodeName = pod.spec?.nodeName ?? '';
    this.#pods.set(key, { pod, nodeName, assumed: true, bindingFinished: false });
    this.#addToNode(pod, nodeName);
  }

  /** The binding call returned: the assumption now expires unless the watch confirms it in time. */
  finishBinding(pod: Pod): void {
    const state = this.#pods.get(podKey(pod));
    if (!state?.assumed) return;
    state.bindingFinished = true;
    state.deadline = this.#clock.now() + this.#ttlMs;
    this.#scheduleCleanup();
  }

  /** Undoes an assumption (binding failed). */
  forgetPod(pod: Pod): void {
    const key = podKey(pod);
    const state = this.#pods.get(key);
    if (!state?.assumed) return;
    this.#removeFromNode(key, state.nodeName);
    this.#pods.delete(key);
  }

  isAssumed(pod: Pod): boolean {
    return this.#pods.get(podKey(pod))?.assumed ?? false;
  }

  /** An assigned pod seen through the watch (confirms an assumption). */
  addPod(pod: Pod): void {
    const key = podKey(pod);
    const state = this.#pods.get(key);
    const nodeName = pod.spec?.nodeName ?? '';
    if (state) this.#removeFromNode(key, state.nodeName);
    this.#pods.set(key, { pod, nodeName, assumed: false, bindingFinished: false });
    this.#addToNode(pod, nodeName);
  }

  updatePod(pod: Pod): void {
    this.addPod(pod);
  }

  removePod(pod: Pod): void {
    const key = podKey(pod);
    const state = this.#pods.get(key);
    if (!state) return;
    this.#removeFromNode(key, state.nodeName);
    this.#pods.delete(key);
  }

  /** Assumed pods whose deadline passed are dropped (their node no longer counts them). */
  cleanupExpiredAssumedPods(): void {
    const now = this.#clock.now();
    for (const [key, state] of this.#pods) {
      if (!state.assumed || !state.bindingFinished || state.deadline === undefined || state.deadline > now) continue;
      this.#log(`assumed pod ${key} on node ${state.nodeName} expired: its binding was never confirmed`);
      this.#removeFromNode(key, state.nodeName);
      this.#pods.delete(key);
    }
  }

  get podCount(): number {
    return this.#pods.size;
  }

  close(): void {
    this.#closed = true;
    if (this.#timer) this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #scheduleCleanup(): void {
    if (this.#timer || this.#closed) return;
    this.#timer = this.#clock.setTimeout(() => {
      this.#timer = undefined;
      this.cleanupExpiredAssumedPods();
      for (const s of this.#pods.values()) {
        if (s.assumed && s.bindingFinished) {
          this.#scheduleCleanup();
          break;
        }
      }
    }, this.#cleanupPeriodMs);
    this.#timer.unref?.();
  }

  #nodesChanged(): void {
    this.#list = this.#withAffinity = this.#withRequiredAntiAffinity = undefined;
  }

  /** Drops the affinity lists when a pod change moved `info` into or out of them. */
  #affinityChanged(info: NodeInfo, hadAffinity: boolean, hadRequiredAntiAffinity: boolean): void {
    if (hadAffinity !== info.podsWithAffinity > 0) this.#withAffinity = undefined;
    if (hadRequiredAntiAffinity !== info.podsWithRequiredAntiAffinity > 0) this.#withRequiredAntiAffinity = undefined;
  }

  #addToNode(pod: Pod, nodeName: string): void {
    let info = this.#nodes.get(nodeName);
    if (!info) {
      info = new NodeInfo({ metadata: { name: nodeName } });
      this.#nodes.set(nodeName, info);
      this.#ghostNodes.add(nodeName);
    }
    const hadAffinity = info.podsWithAffinity > 0;
    const hadRequiredAntiAffinity = info.podsWithRequiredAntiAffinity > 0;
    info.addPod(podInfoOf(pod));
    this.#affinityChanged(info, hadAffinity, hadRequiredAntiAffinity);
  }

  #removeFromNode(key: string, nodeName: string): void {
    const info = this.#nodes.get(nodeName);
    if (!info) return;
    const hadAffinity = info.podsWithAffinity > 0;
    const hadRequiredAntiAffinity = info.podsWithRequiredAntiAffinity > 0;
    info.removePod(key);
    this.#affinityChanged(info, hadAffinity, hadRequiredAntiAffinity);
    if (this.#ghostNodes.has(nodeName) && info.pods.size === 0) {
      this.#nodes.delete(nodeName);
      this.#ghostNodes.delete(nodeName);
    }
  }

  #addImages(info: NodeInfo): void {
    const states = new Map<string, ImageState>();
    for (const image of info.node.status?.images ?? []) {
      for (const name of image.names ?? []) {
        let state = this.#images.get(name);
        if (!state) this.#images.set(name, (state = { size: image.sizeBytes ?? 0, numNodes: 0, nodes: new Set() }));
        state.nodes.add(info.name);
        state.numNodes = state.nodes.size;
        states.set(name, state);
      }
    }
    info.imageStates = states.size > 0 ? states : noImages;
  }

  #removeImages(info: NodeInfo): void {
    for (const name of info.imageStates.keys()) {
      const state = this.#images.get(name);
      if (!state) continue;
      state.nodes.delete(info.name);
      state.numNodes = state.nodes.size;
      if (state.nodes.size === 0) this.#images.delete(name);
    }
    info.imageStates = noImages;
  }
}
