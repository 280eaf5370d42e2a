// A profile: the plugins one schedulerName runs at each extension point, built from the
// registry, the default plugin set and a profile of the configuration file, with upstream's
// merge rules (a disabled "*" drops every default; an enabled plugin that is also a default
// takes the default's place, others are appended; score weights from the config, else the
// default's weight, else 1). It runs the extension points and turns what plugins return into
// the cycle's outcome.
// Filters run as upstream's RunFilterPluginsWithNominatedPods: on a node with nominated pods of
// at least the pod's priority (other than the pod itself), the filters first run with those
// pods added to a copy of the node (PreFilter extensions updating a copy of the cycle state),
// so a pod never takes room freed for a pod it must yield to; when that passes they run again
// on the node as it is, because filters such as pod affinity may pass only thanks to the
// nominated pods, which may yet land elsewhere.

import type { Clock } from '../../machinery/clock.ts';
import type { ExtensionPoint, PluginRef, PluginSet, ProfileConfig } from '../config.ts';
import { podPriority, type Pod } from '../types.ts';
import { CycleState } from './cycle-state.ts';
import type { ClusterEvent, Handle, NodeInfoLister, NodeScore, Plugin, PluginFactory, PodNominator } from './interfaces.ts';
import { maxNodeScore } from './interfaces.ts';
import type { NodeInfo, PodInfo } from './node-info.ts';
import { asError, Code, Status } from './status.ts';

export type Registry = Record<string, PluginFactory>;

function runFilters(plugins: readonly Plugin[], state: CycleState, pod: Pod, node: NodeInfo): Status | undefined {
  for (const p of plugins) {
    let s: Status | undefined;
    try {
      s = p.filter!(state, pod, node);
    } catch (err) {
      s = asError(err);
    }
    if (s && s.code !== Code.Success) {
      // As upstream, an Unresolvable node stays Unresolvable; the first failing plugin decides.
      return s.withPlugin(p.name);
    }
  }
  return undefined;
}

type Point = Exclude<ExtensionPoint, 'multiPoint'>;
const methodOf: Record<Point, keyof Plugin> = {
  preFilter: 'preFilter',
  filter: 'filter',
  postFilter: 'postFilter',
  preScore: 'preScore',
  score: 'score',
  reserve: 'reserve',
  bind: 'bind',
};

function mergeRefs(defaults: PluginRef[], custom: PluginSet | undefined): PluginRef[] {
  if (!custom) return defaults;
  const disabled = new Set((custom.disabled ?? []).map((r) => r.name));
  const enabled = custom.enabled ?? [];
  const byName = new Map(enabled.map((r) => [r.name, r]));
  const out: PluginRef[] = [];
  for (const d of defaults) {
    if (disabled.has('*') || disabled.has(d.name)) continue;
    const replacement = byName.get(d.name);
    out.push(replacement ? { name: d.name, weight: replacement.weight || d.weight } : d);
    byName.delete(d.name);
  }
  for (const r of enabled) if (byName.has(r.name)) out.push(r);
  return out;
}

export interface FrameworkOptions {
  registry: Registry;
  /** The default multiPoint plugins with their default score weights. */
  defaultPlugins: PluginRef[];
  profile: ProfileConfig;
  nodeInfos: NodeInfoLister;
  clock: Clock;
  nominator?: PodNominator;
  listers?: Handle['listers'];
  bindPod?: Handle['bindPod'];
  namespaceLabels?: Handle['namespaceLabels'];
  deletePod?: Handle['deletePod'];
  recordEvent?: Handle['recordEvent'];
  clearNominatedNodeName?: Handle['clearNominatedNodeName'];
}

export class Framework {
  readonly profileName: string;
  readonly preFilterPlugins: Plugin[] = [];
  readonly filterPlugins: Plugin[] = [];
  readonly postFilterPlugins: Plugin[] = [];
  readonly preScorePlugins: Plugin[] = [];
  readonly scorePlugins: { plugin: Plugin; weight: number }[] = [];
  readonly reservePlugins: Plugin[] = [];
  readonly bindPlugins: Plugin[] = [];
  readonly #plugins = new Map<string, Plugin>();
  readonly #nominator: PodNominator | undefined;
  readonly handle: Handle;

  constructor(options: FrameworkOptions) {
    this.profileName = options.profile.schedulerName;
    const args = new Map((options.profile.pluginConfig ?? []).map((c) => [c.name, c.args ?? {}]));
    this.#nominator = options.nominator;
    this.handle = {
      nodeInfos: options.nodeInfos,
      nominator: options.nominator,
      listers: options.listers,
      clock: options.clock,
      bindPod: options.bindPod,
      namespaceLabels: options.namespaceLabels,
      deletePod: options.deletePod,
      recordEvent: options.recordEvent,
      clearNominatedNodeName: options.clearNominatedNodeName,
      runFilterPlugins: (state, pod, node) => this.runFilterPlugins(state, pod, node),
      runFilterPluginsWithNominatedPods: (state, pod, node) => this.runFilterPluginsWithNominatedPods(state, pod, node),
      runPreFilterExtensionRemovePod: (state, pod, removed, node) => this.runPreFilterExtensionRemovePod(state, pod, removed, node),
      runPreFilterExtensionAddPod: (state, pod, added, node) => this.runPreFilterExtensionAddPod(state, pod, added, node),
    };
    const instance = (name: string): Plugin => {
      let p = this.#plugins.get(name);
      if (!p) {
        const factory = options.registry[name];
        if (!factory) throw new Error(`profile ${JSON.stringify(this.profileName)}: plugin "${name}" does not exist`);
        p = factory(args.get(name) ?? {}, this.handle);
        this.#plugins.set(name, p);
      }
      return p;
    };
    for (const name of args.keys()) if (!options.registry[name]) throw new Error(`profile ${JSON.stringify(this.profileName)}: pluginConfig for plugin "${name}" which does not exist`);

    const plugins = options.profile.plugins ?? {};
    const multiPoint = mergeRefs(options.defaultPlugins, plugins.multiPoint);
    const weights = new Map(multiPoint.map((r) => [r.name, r.weight]));
    const lists: Record<Exclude<Point, 'score'>, Plugin[]> = {
      preFilter: this.preFilterPlugins,
      filter: this.filterPlugins,
      postFilter: this.postFilterPlugins,
      preScore: this.preScorePlugins,
      reserve: this.reservePlugins,
      bind: this.bindPlugins,
    };
    for (const point of Object.keys(methodOf) as Point[]) {
      const method = methodOf[point];
      const defaults = multiPoint.filter((r) => typeof instance(r.name)[method] === 'function');
      for (const ref of mergeRefs(defaults, plugins[point])) {
        const p = instance(ref.name);
        if (typeof p[method] !== 'function') throw new Error(`profile ${JSON.stringify(this.profileName)}: plugin "${ref.name}" does not extend ${point} plugin`);
        if (point === 'score') this.scorePlugins.push({ plugin: p, weight: ref.weight || weights.get(ref.name) || 1 });
        else lists[point].push(p);
      }
    }
    if (this.bindPlugins.length === 0) throw new Error(`profile ${JSON.stringify(this.profileName)}: at least one bind plugin is needed`);
  }

  /** Cluster events that may make a pod rejected by `plugin` schedulable (all, when unknown). */
  eventsOf(plugin: string): readonly ClusterEvent[] | undefined {
    return this.#plugins.get(plugin)?.events;
  }

  newCycleState(): CycleState {
    return new CycleState();
  }

  /** undefined when every PreFilter passed; otherwise the first status that did not. */
  runPreFilterPlugins(state: CycleState, pod: Pod, nodes: readonly NodeInfo[]): Status | undefined {
    for (const p of this.preFilterPlugins) {
      let s: Status | undefined;
      try {
        s = p.preFilter!(state, pod, nodes);
      } catch (err) {
        s = asError(err);
      }
      if (!s || s.code === Code.Success) continue;
      if (s.code === Code.Skip) {
        state.skipFilterPlugins.add(p.name);
        continue;
      }
      return s.withPlugin(p.name);
    }
    return undefined;
  }

  /** PreFilter extensions after a dry run took `removed` off (or put `added` on) `node`. */
  runPreFilterExtensionRemovePod(state: CycleState, pod: Pod, removed: PodInfo, node: NodeInfo): void {
    for (const p of this.preFilterPlugins) if (!state.skipFilterPlugins.has(p.name)) p.preFilterRemovePod?.(state, pod, removed, node);
  }

  runPreFilterExtensionAddPod(state: CycleState, pod: Pod, added: PodInfo, node: NodeInfo): void {
    for (const p of this.preFilterPlugins) if (!state.skipFilterPlugins.has(p.name)) p.preFilterAddPod?.(state, pod, added, node);
  }

  runFilterPlugins(state: CycleState, pod: Pod, node: NodeInfo): Status | undefined {
    return runFilters(this.#activeFilterPlugins(state), state, pod, node);
  }

  runFilterPluginsWithNominatedPods(state: CycleState, pod: Pod, node: NodeInfo): Status | undefined {
    return this.#filterWithNominatedPods(this.#activeFilterPlugins(state), state, pod, node);
  }

  /**
   * runFilterPluginsWithNominatedPods for the many nodes of one cycle: which plugins a
   * PreFilter skipped is worked out once, not per node.
   */
  nodeFilter(state: CycleState): (pod: Pod, node: NodeInfo) => Status | undefined {
    const plugins = this.#activeFilterPlugins(state);
    return (pod, node) => this.#filterWithNominatedPods(plugins, state, pod, node);
  }

  #filterWithNominatedPods(plugins: readonly Plugin[], state: CycleState, pod: Pod, node: NodeInfo): Status | undefined {
    const nominated = this.#nominator?.nominatedPodsForNode(node.name);
    if (!nominated?.length) return runFilters(plugins, state, pod, node);
    let withNominated: { state: CycleState; node: NodeInfo } | undefined;
    try {
      withNominated = this.#addNominatedPods(nominated, state, pod, node);
    } catch (err) {
      return asError(err);
    }
    if (!withNominated) return runFilters(plugins, state, pod, node);
    return runFilters(plugins, withNominated.state, pod, withNominated.node) ?? runFilters(plugins, state, pod, node);
  }

  /** Copies of the cycle state and node with the nominated pods that outrank or equal `pod`; undefined when there are none. */
  #addNominatedPods(nominated: readonly PodInfo[], state: CycleState, pod: Pod, node: NodeInfo): { state: CycleState; node: NodeInfo } | undefined {
    const priority = podPriority(pod);
    const uid = pod.metadata?.uid;
    let out: { state: CycleState; node: NodeInfo } | undefined;
    for (const info of nominated) {
      if (podPriority(info.pod) < priority || info.pod.metadata?.uid === uid) continue;
      out ??= { state: state.clone(), node: node.clone() };
      out.node.addPod(info);
      this.runPreFilterExtensionAddPod(out.state, pod, info, out.node);
    }
    return out;
  }

  #activeFilterPlugins(state: CycleState): readonly Plugin[] {
    return state.skipFilterPlugins.size === 0 ? this.filterPlugins : this.filterPlugins.filter((p) => !state.skipFilterPlugins.has(p.name));
  }

  /**
   * The first plugin that succeeds decides. Otherwise the pod stays unschedulable, and the
   * nomination to keep is the last one a plugin gave ('' clears it; undefined leaves it).
   */
  runPostFilterPlugins(state: CycleState, pod: Pod, filtered: ReadonlyMap<string, Status>): { status: Status; nominatedNodeName?: string } {
    const messages: string[] = [];
    let nominatedNodeName: string | undefined;
    for (const p of this.postFilterPlugins) {
      let r: { status: Status; nominatedNodeName?: string };
      try {
        r = p.postFilter!(state, pod, filtered);
      } catch (err) {
        r = { status: asError(err) };
      }
      if (r.status.isSuccess()) return r;
      if (r.status.code === Code.Error) return { status: r.status.withPlugin(p.name) };
      if (r.nominatedNodeName !== undefined) nominatedNodeName = r.nominatedNodeName;
      if (r.status.message) messages.push(r.status.message);
    }
    return { status: new Status(Code.Unschedulable, messages), nominatedNodeName };
  }

  /** Weighted, normalized sum of every score plugin per node. */
  runScorePlugins(state: CycleState, pod: Pod, nodes: readonly NodeInfo[]): NodeScore[] {
    for (const p of this.preScorePlugins) {
      const s = p.preScore!(state, pod, nodes);
      if (s?.code === Code.Skip) state.skipScorePlugins.add(p.name);
      else if (s && s.code !== Code.Success) throw new Error(`running PreScore plugin ${p.name}: ${s.message}`);
    }
    const totals: NodeScore[] = nodes.map((n) => ({ name: n.name, score: 0 }));
    const invalid = (plugin: Plugin, s: number) => new Error(`plugin ${plugin.name} returns an invalid score ${s}, it should in the range of [0, 100] after normalizing`);
    for (const { plugin, weight } of this.scorePlugins) {
      if (state.skipScorePlugins.has(plugin.name)) continue;
      if (!plugin.normalizeScore) {
        // Scores go straight into the totals: no per-plugin list for plugins that do not normalize.
        for (let i = 0; i < nodes.length; i++) {
          const s = plugin.score!(state, pod, nodes[i]);
          if (!(s >= 0 && s <= maxNodeScore)) throw invalid(plugin, s);
          totals[i].score += s * weight;
        }
        continue;
      }
      const scores: NodeScore[] = nodes.map((n) => ({ name: n.name, score: plugin.score!(state, pod, n) }));
      plugin.normalizeScore(state, pod, scores);
      for (let i = 0; i < scores.length; i++) {
        const s = scores[i].score;
        if (!(s >= 0 && s <= maxNodeScore)) throw invalid(plugin, s);
        totals[i].score += s * weight;
      }
    }
    return totals;
  }

  runReservePlugins(state: CycleState, pod: Pod, nodeName: string): Status | undefined {
    for (const p of this.reservePlugins) {
      const s = p.reserve!(state, pod, nodeName);
      if (s && s.code !== Code.Success) return s.withPlugin(p.name);
    }
    return undefined;
  }

  runUnreservePlugins(state: CycleState, pod: Pod, nodeName: string): void {
    for (const p of [...this.reservePlugins].reverse()) p.unreserve?.(state, pod, nodeName);
  }

  /** The first bind plugin that does not Skip binds the pod. */
  async runBindPlugins(state: CycleState, pod: Pod, nodeName: string, signal: AbortSignal): Promise<Status | undefined> {
    for (const p of this.bindPlugins) {
      const s = await p.bind!(state, pod, nodeName, signal);
      if (s?.code === Code.Skip) continue;
      return s && s.code !== Code.Success ? s.withPlugin(p.name) : undefined;
    }
    return new Status(Code.Error, ['all bind plugins skipped the pod']);
  }
}
