// Transactions for `nft -f -`: what the kernel's table holds (as far as the last successful
// transactions tell) and the commands that bring it to the desired state, as one atomic batch.
// A full transaction replaces the table (`add table` + `delete table` + everything: nothing
// left over from a previous run or a failed batch survives); an incremental one touches only
// the chains, sets and elements of the Services that changed. The state moves only when
// commit() is called after nft succeeded; after a failure the owner writes a full one.
//
// Incremental transactions are shaped so that nft 1.0 need not read the table back: any
// removal (`delete element`, `delete set`, `delete chain`) makes it list every chain and set
// of the table first, which about doubles a small transaction at 10,000 Services (a Service
// deletion with removals took 48-88 ms there, without them 16-24 ms). So a changed chain is
// `flush chain` plus `add chain NAME { rules }`; elements are added by re-declaring their set
// or map with `elements = { ... }` (which also tells nft about the sets the new rules name);
// an endpoint map whose values change is flushed and written whole (`flush map` reads only the
// sets); and what a Service no longer needs is not deleted but left stale: its chains are
// flushed at once, its elements and affinity sets stay (ruleset.ts says why each stale element
// is harmless). A sync deletes only where correctness needs it: a key a Service wants with
// another value (deleted and added again; the kernel keeps an element's value), a set defined
// anew, and a stale no-endpoint element whose key goes back into a dispatch map. Such a
// transaction reads the table anyway and takes every stale element and set along.
//
// The rest goes in cleanup transactions, off the sync path but serialized with syncs, at most
// one every staleChainDelayMs while something is stale. Each deletes the stale elements and
// sets, and the stale chains that have been flushed, and named by no element in the kernel,
// for staleChainDelayMs; stale elements that nothing reads (hairpin pairs, endpoint keys) wait
// until a cleanup has other work or lazyDeleteBatch of them have gathered. A chain named by a
// stale `service-ips` element is thus deleted by the cleanup after the one that deleted the
// element (about 2 s after the Service): the kernel refuses to delete a chain an element
// names, and kernels before 6.2 may still count a reference from an element deleted just
// before (Linux 6.18 accepts both in one batch). A failed cleanup changes nothing in the
// kernel; the owner then writes a full transaction.

import { containerCommand, containerDef, containerNames, elementId, elementText, parseElementId, skeletonCommands, verdictChain, type ContainerName, type RulesetOptions, type ServiceRuleset } from './ruleset.ts';

/** A transaction ready for nft; commit() records its effect once nft has applied it. */
export interface Plan {
  readonly script: string;
  /** Number of nft commands (0: nothing to do). */
  readonly commands: number;
  commit(): void;
}

/** How long a chain stays flushed, and unnamed by any element, before it is deleted; the cleanup period. */
export const staleChainDelayMs = 1000;
/** Stale elements of `lazy: 'batch'` containers that make a cleanup worth running on their own account. */
const lazyDeleteBatch = 256;

const tableComment = '{ comment "rules for kube-proxy" ; }';

/** Dispatch map → the container whose stale elements yield to its keys. */
const yielders = new Map(containerNames.flatMap((c) => (containerDef(c).yields ? [[containerDef(c).yields!, c] as const] : [])));

export class TableState {
  readonly #options: RulesetOptions;
  /** Rulesets in the kernel, by Service key. */
  #services = new Map<string, ServiceRuleset>();
  /** Elements in the kernel, by container: key → value. */
  #elements = new Map<ContainerName, Map<string, string>>();
  /** Elements (ids) in the kernel that no Service wants: stale, deleted by a cleanup. */
  #lazy = new Set<string>();
  /** Chain → number of elements in the kernel whose verdict names it. */
  #refs = new Map<string, number>();
  /** Flushed chains waiting for deletion, with the time since which neither rules nor elements name them. */
  #stale = new Map<string, number>();
  /** Affinity sets no rule names any more, with their definitions, waiting for deletion. */
  #staleSets = new Map<string, string>();
  #valid = false;

  constructor(options: RulesetOptions) {
    this.#options = options;
  }

  /** The kernel state is known (a full transaction succeeded and nothing failed since). */
  get valid(): boolean {
    return this.#valid;
  }

  invalidate(): void {
    this.#valid = false;
  }

  /** Whether stale objects wait for a cleanup transaction. */
  get cleanupPending(): boolean {
    return this.#stale.size > 0 || this.#staleSets.size > 0 || this.#lazy.size >= lazyDeleteBatch || this.#lazySoon();
  }

  /** Replaces the whole table with the desired rulesets and element winners. */
  full(desired: ReadonlyMap<string, ServiceRuleset>, elements: ReadonlyMap<string, string>): Plan {
    const t = `ip ${this.#options.table}`;
    const lines = [`add table ${t} ${tableComment}`, `delete table ${t}`, `add table ${t} ${tableComment}`, ...skeletonCommands(this.#options)];
    // Empty chains and sets first, then elements, then rules: the kernel's loop checks on each
    // `goto` walk the target chain, which is cheapest while it is still empty.
    for (const rs of desired.values()) for (const name of rs.chains.keys()) lines.push(`add chain ${t} ${name}`);
    for (const rs of desired.values()) for (const [name, spec] of rs.sets) lines.push(`add set ${t} ${name} { ${spec} }`);
    const byContainer = groupElements(elements);
    const text = (c: ContainerName, items: [string, string][]) => items.map(([k, v]) => elementText(c, k, v));
    for (const [c, items] of byContainer) if (c !== 'hairpin-endpoints') lines.push(containerCommand(this.#options.table, c, text(c, items)));
    for (const rs of desired.values()) for (const [name, rules] of rs.chains) if (rules) lines.push(`add chain ${t} ${name} { ${rules} ; }`);
    const hairpin = byContainer.get('hairpin-endpoints');
    if (hairpin) lines.push(containerCommand(this.#options.table, 'hairpin-endpoints', text('hairpin-endpoints', hairpin)));
    return {
      script: `${lines.join('\n')}\n`,
      commands: lines.length,
      commit: () => {
        this.#services = new Map(desired);
        this.#elements = new Map([...byContainer].map(([c, items]) => [c, new Map(items.map(([k, v]) => [k, v]))]));
        this.#refs.clear();
        for (const items of byContainer.values()) for (const [, value] of items) this.#ref(value);
        this.#lazy.clear();
        this.#stale.clear();
        this.#staleSets.clear();
        this.#valid = true;
      },
    };
  }

  /**
   * Brings the Services in `changed` to their desired rulesets and the elements in `elementIds`
   * to their current winners (winner(id) undefined: no Service wants it).
   */
  diff(changed: Iterable<string>, desired: ReadonlyMap<string, ServiceRuleset>, elementIds: Iterable<string>, winner: (id: string) => string | undefined, now: number): Plan {
    const t = `ip ${this.#options.table}`;
    const flushes: string[] = [];
    const declares: string[] = [];
    const contents: string[] = [];
    const deleteSets = new Set<string>();
    const addSets = new Map<string, string>();
    const newlyStale: string[] = [];
    const revived: string[] = [];
    const newlyStaleSets = new Map<string, string>();
    const services = new Map<string, ServiceRuleset | undefined>();

    for (const key of changed) {
      const old = this.#services.get(key);
      const neu = desired.get(key);
      services.set(key, neu);
      let setRedefined = false;
      for (const [name, spec] of neu?.sets ?? []) {
        const prev = old?.sets.get(name) ?? this.#staleSets.get(name);
        // The kernel keeps a set's definition: another one means delete and add, after the
        // rules that name the set are flushed.
        if (prev !== undefined && prev !== spec) {
          deleteSets.add(name);
          setRedefined ||= old?.sets.has(name) ?? false;
        }
        // Declared even when unchanged, so nft knows the sets the rewritten rules name.
        addSets.set(name, spec);
      }
      for (const [name, spec] of old?.sets ?? []) if (!neu?.sets.has(name)) newlyStaleSets.set(name, spec);
      for (const [name, rules] of neu?.chains ?? []) {
        const prev = old?.chains.get(name);
        if (prev === undefined) {
          if (this.#stale.has(name)) revived.push(name);
          else declares.push(name);
        } else if (prev === rules && !setRedefined) continue;
        else flushes.push(name);
        if (rules) contents.push(`add chain ${t} ${name} { ${rules} ; }`);
      }
      for (const name of old?.chains.keys() ?? []) {
        if (neu?.chains.has(name)) continue;
        flushes.push(name);
        newlyStale.push(name);
      }
    }

    // Per container: keys to delete, keys to set, and whether to flush it and write it whole.
    const changes = new Map<ContainerName, { deletes: Set<string>; sets: Map<string, string>; refill: boolean }>();
    const change = (c: ContainerName) => {
      let ch = changes.get(c);
      if (!ch) changes.set(c, (ch = { deletes: new Set(), sets: new Map(), refill: false }));
      return ch;
    };
    const lazy = new Set(this.#lazy);
    const ids = new Set(elementIds);
    for (const id of ids) {
      const want = winner(id);
      const { container, key } = parseElementId(id);
      const have = this.#elements.get(container)?.get(key);
      if (want !== undefined) lazy.delete(id);
      if (want === have) continue;
      if (have !== undefined) {
        if (want === undefined) {
          lazy.add(id);
          continue;
        }
        // The kernel refuses to overwrite an element's value: delete it and add it again.
        change(container).deletes.add(key);
      }
      if (want !== undefined) change(container).sets.set(key, want);
    }
    // A stale no-endpoint element whose key a dispatch map now holds would reject or drop,
    // before DNAT, the traffic that map sends on: it goes in this transaction.
    for (const id of ids) {
      const { container, key } = parseElementId(id);
      const yields = containerDef(container).yields;
      const staleContainer = yields ? container : yielders.get(container);
      if (!staleContainer) continue;
      const staleId = elementId(staleContainer, key);
      if (!lazy.has(staleId) || winner(elementId(yields ?? container, key)) === undefined) continue;
      lazy.delete(staleId);
      change(staleContainer).deletes.add(key);
    }
    // An endpoint map whose elements change value is flushed and written whole: `flush map`
    // makes nft read only the sets, where `delete element` makes it read every chain.
    for (const [c, ch] of changes) if (containerDef(c).refill && ch.deletes.size > 0) ch.refill = true;
    // Removals make nft read the table anyway: the stale elements and sets go along.
    const deleting = [...changes.values()].some((ch) => !ch.refill && ch.deletes.size > 0) || deleteSets.size > 0;
    if (deleting) {
      for (const id of lazy) {
        const { container, key } = parseElementId(id);
        if (!changes.get(container)?.refill) change(container).deletes.add(key);
      }
      // Their rules are flushed by now, in an earlier transaction or in this one.
      for (const name of [...this.#staleSets.keys(), ...newlyStaleSets.keys()]) if (!addSets.has(name)) deleteSets.add(name);
    }
    // Stale keys go with the deletions, or with the flush of their map.
    for (const id of lazy) {
      const { container, key } = parseElementId(id);
      const ch = changes.get(container);
      if (!ch || (!ch.refill && !ch.deletes.has(key))) continue;
      ch.deletes.add(key);
      lazy.delete(id);
    }
    /** The whole content of the maps refilled (small: endpoint maps only). */
    const refilled = new Map<ContainerName, Map<string, string>>();
    for (const [c, ch] of changes) {
      if (!ch.refill) continue;
      const content = new Map(this.#elements.get(c));
      for (const key of ch.deletes) content.delete(key);
      for (const [key, value] of ch.sets) content.set(key, value);
      refilled.set(c, content);
    }

    const lines: string[] = [];
    for (const name of flushes) lines.push(`flush chain ${t} ${name}`);
    for (const [c, ch] of changes) {
      if (ch.refill) lines.push(`flush map ${t} ${c}`);
      else if (ch.deletes.size > 0) lines.push(`delete element ${t} ${c} { ${[...ch.deletes].join(', ')} }`);
    }
    for (const name of deleteSets) lines.push(`delete set ${t} ${name}`);
    for (const [name, spec] of addSets) lines.push(`add set ${t} ${name} { ${spec} }`);
    for (const name of declares) lines.push(`add chain ${t} ${name}`);
    const written = new Set<ContainerName>();
    for (const [c, ch] of changes) {
      const items = ch.refill ? [...refilled.get(c)!] : [...ch.sets];
      if (items.length === 0) continue;
      lines.push(containerCommand(this.#options.table, c, items.map(([k, v]) => elementText(c, k, v))));
      written.add(c);
    }
    // nft resolves the maps the new rules name from this transaction only.
    const named = new Set(contents.flatMap((c) => c.match(/@endpoint-addrs-\d+/g) ?? []).map((m) => m.slice(1) as ContainerName));
    for (const map of named) if (!written.has(map)) lines.push(containerCommand(this.#options.table, map));
    lines.push(...contents);
    // Declaring sets alone changes nothing: a plan with only those is empty.
    const effective = flushes.length + changes.size + deleteSets.size + declares.length + contents.length;
    return {
      script: effective ? `${lines.join('\n')}\n` : '',
      commands: effective ? lines.length : 0,
      commit: () => {
        for (const [key, rs] of services) {
          if (rs) this.#services.set(key, rs);
          else this.#services.delete(key);
        }
        for (const name of newlyStale) this.#stale.set(name, now);
        for (const name of revived) this.#stale.delete(name);
        for (const [name, spec] of newlyStaleSets) this.#staleSets.set(name, spec);
        for (const name of addSets.keys()) this.#staleSets.delete(name);
        for (const name of deleteSets) if (!addSets.has(name)) this.#staleSets.delete(name);
        for (const [c, ch] of changes) {
          let have = this.#elements.get(c);
          if (!have) this.#elements.set(c, (have = new Map()));
          const content = refilled.get(c);
          if (content) {
            for (const value of have.values()) this.#unref(value, now);
            for (const value of content.values()) this.#ref(value);
            this.#elements.set(c, content);
            continue;
          }
          for (const key of ch.deletes) this.#deleteElement(have, key, now);
          for (const [key, value] of ch.sets) {
            this.#deleteElement(have, key, now);
            have.set(key, value);
            this.#ref(value);
          }
        }
        this.#lazy = lazy;
      },
    };
  }

  /**
   * Deletes what is stale: every stale element and set, and the chains flushed and named by no
   * element for staleChainDelayMs (those named by an element deleted now go next time).
   */
  cleanup(now: number): Plan {
    const t = `ip ${this.#options.table}`;
    const chains = [...this.#stale].filter(([name, since]) => now - since >= staleChainDelayMs && !this.#refs.has(name)).map(([name]) => name);
    const sets = [...this.#staleSets.keys()];
    // A few stale elements that nothing reads wait for a cleanup with other work.
    const elements = chains.length > 0 || sets.length > 0 || this.#lazy.size >= lazyDeleteBatch || this.#lazySoon() ? [...this.#lazy] : [];
    const byContainer = new Map<ContainerName, string[]>();
    for (const id of elements) {
      const { container, key } = parseElementId(id);
      const keys = byContainer.get(container);
      if (keys) keys.push(key);
      else byContainer.set(container, [key]);
    }
    const lines = [
      ...[...byContainer].map(([c, keys]) => `delete element ${t} ${c} { ${keys.join(', ')} }`),
      ...chains.map((name) => `delete chain ${t} ${name}`),
      ...sets.map((name) => `delete set ${t} ${name}`),
    ];
    return {
      script: lines.length ? `${lines.join('\n')}\n` : '',
      commands: lines.length,
      commit: () => {
        for (const [c, keys] of byContainer) {
          const have = this.#elements.get(c);
          if (have) for (const key of keys) this.#deleteElement(have, key, now);
        }
        for (const id of elements) this.#lazy.delete(id);
        for (const name of chains) this.#stale.delete(name);
        for (const name of sets) this.#staleSets.delete(name);
      },
    };
  }

  #lazySoon(): boolean {
    for (const id of this.#lazy) if (containerDef(parseElementId(id).container).lazy === 'soon') return true;
    return false;
  }

  #ref(value: string): void {
    const chain = verdictChain(value);
    if (chain) this.#refs.set(chain, (this.#refs.get(chain) ?? 0) + 1);
  }

  /** One element fewer names the chain; the last one gone starts its stale delay again. */
  #unref(value: string, now: number): void {
    const chain = verdictChain(value);
    if (!chain) return;
    const n = (this.#refs.get(chain) ?? 0) - 1;
    if (n > 0) {
      this.#refs.set(chain, n);
      return;
    }
    this.#refs.delete(chain);
    if (this.#stale.has(chain)) this.#stale.set(chain, now);
  }

  #deleteElement(have: Map<string, string>, key: string, now: number): void {
    const value = have.get(key);
    if (value === undefined) return;
    have.delete(key);
    this.#unref(value, now);
  }
}

function groupElements(elements: ReadonlyMap<string, string>): Map<ContainerName, [string, string][]> {
  const out = new Map<ContainerName, [string, string][]>();
  for (const [id, value] of elements) {
    const { container, key } = parseElementId(id);
    const list = out.get(container);
    if (list) list.push([key, value]);
    else out.set(container, [[key, value]]);
  }
  return out;
}
