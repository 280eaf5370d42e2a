// Transactions for `nft -f -`: what the kernel's table holds (as far as the last successful
// transactions tell) and the commands that bring it to the desired state, as one atomic batch.
// A full transaction replaces the table (`add table` + `delete table` + everything: nothing
// left over from a previous run or a failed batch survives); an incremental one touches only
// the chains, sets and elements of the Services that changed. The state moves only when
// commit() is called after nft succeeded; after a failure the owner writes a full one.
//
// Incremental transactions are shaped so that nft 1.0 need not read the table back, which
// costs it a dump of every chain: a changed chain is `flush chain` plus `add chain NAME
// { rules }`, elements are added by re-declaring their set or map with `elements = { ... }`
// (which also tells nft about the sets the new rules name); only removals (`delete element`,
// `delete set`) make nft read the table. Chains no longer used are flushed at once and
// deleted by a later cleanup transaction, as upstream does, because kernels before 6.2 may
// still count a reference from a map element deleted just before.

import { containerCommand, containerDef, elementText, parseElementId, skeletonCommands, type ContainerName, type RulesetOptions, type ServiceRuleset } from './ruleset.ts';

/** A transaction ready for nft; commit() records its effect once nft has applied it. */
export interface Plan {
  readonly script: string;
  /** Number of nft commands (0: nothing to do). */
  readonly commands: number;
  commit(): void;
}

/** How long a chain stays flushed before it is deleted. */
export const staleChainDelayMs = 1000;
/** Stale lazily deleted elements kept before a transaction deletes them on its own account. */
const lazyDeleteBatch = 256;

const tableComment = '{ comment "rules for kube-proxy" ; }';

export class TableState {
  readonly #options: RulesetOptions;
  /** Rulesets in the kernel, by Service key. */
  #services = new Map<string, ServiceRuleset>();
  /** Elements in the kernel, by container: key → value. */
  #elements = new Map<ContainerName, Map<string, string>>();
  /** Elements (ids) of lazily cleaned containers in the kernel but no longer wanted. */
  #lazy = new Set<string>();
  /** Flushed chains waiting for deletion, with the time they became unused. */
  #stale = new Map<string, number>();
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

  get staleChains(): ReadonlyMap<string, number> {
    return this.#stale;
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
        this.#lazy.clear();
        this.#stale.clear();
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
    const deleteSets: string[] = [];
    const addSets = new Map<string, string>();
    const newlyStale: string[] = [];
    const revived: string[] = [];
    const services = new Map<string, ServiceRuleset | undefined>();

    for (const key of changed) {
      const old = this.#services.get(key);
      const neu = desired.get(key);
      services.set(key, neu);
      let setRedefined = false;
      for (const [name, spec] of neu?.sets ?? []) {
        const prev = old?.sets.get(name);
        if (prev !== undefined && prev !== spec) {
          deleteSets.push(name);
          setRedefined = true;
        }
        // Declared even when unchanged, so nft knows the sets the rewritten rules name.
        addSets.set(name, spec);
      }
      for (const name of old?.sets.keys() ?? []) if (!neu?.sets.has(name)) deleteSets.push(name);
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
    for (const id of new Set(elementIds)) {
      const want = winner(id);
      const { container, key } = parseElementId(id);
      const have = this.#elements.get(container)?.get(key);
      if (want !== undefined) lazy.delete(id);
      if (want === have) continue;
      if (have !== undefined) {
        if (want === undefined && containerDef(container).lazyDelete) {
          lazy.add(id);
          continue;
        }
        change(container).deletes.add(key);
      }
      if (want !== undefined) change(container).sets.set(key, want);
    }
    // An endpoint map whose elements change value is flushed and written whole: `flush map`
    // makes nft read only the sets, where `delete element` makes it read every chain.
    for (const [c, ch] of changes) if (containerDef(c).refill && ch.deletes.size > 0) ch.refill = true;
    // Removals make nft read the table anyway: take the lazily kept ones along.
    const deleting = [...changes.values()].some((ch) => !ch.refill && ch.deletes.size > 0) || deleteSets.length > 0;
    if (lazy.size > 0 && (deleting || lazy.size >= lazyDeleteBatch)) {
      for (const id of lazy) {
        const { container, key } = parseElementId(id);
        if (changes.get(container)?.refill) continue;
        // Without other removals, endpoint maps are refilled rather than read back.
        if (!deleting && containerDef(container).refill) change(container).refill = true;
        else change(container).deletes.add(key);
      }
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
    const effective = flushes.length + changes.size + deleteSets.length + declares.length + contents.length;
    return {
      script: effective ? `${lines.join('\n')}\n` : '',
      commands: effective ? lines.length : 0,
      commit: () => {
        for (const [key, rs] of services) {
          if (rs) this.#services.set(key, rs);
          else this.#services.delete(key);
        }
        for (const [c, ch] of changes) {
          const content = refilled.get(c);
          if (content) {
            this.#elements.set(c, content);
            continue;
          }
          let have = this.#elements.get(c);
          if (!have) this.#elements.set(c, (have = new Map()));
          for (const key of ch.deletes) have.delete(key);
          for (const [key, value] of ch.sets) have.set(key, value);
        }
        this.#lazy = lazy;
        for (const name of newlyStale) this.#stale.set(name, now);
        for (const name of revived) this.#stale.delete(name);
      },
    };
  }

  /** Deletes the chains flushed at least staleChainDelayMs before now. */
  cleanup(now: number): Plan {
    const names = [...this.#stale].filter(([, since]) => now - since >= staleChainDelayMs).map(([name]) => name);
    const lines = names.map((name) => `delete chain ip ${this.#options.table} ${name}`);
    return {
      script: lines.length ? `${lines.join('\n')}\n` : '',
      commands: lines.length,
      // Called after a failure too: the chains are empty, and the next full transaction
      // removes whatever is left.
      commit: () => {
        for (const name of names) this.#stale.delete(name);
      },
    };
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
