// The nftables proxier: Services made real by one nft table (family ip, IPv4 only) that the
// kernel applies to every packet, so connections go straight to endpoints with no process in
// the path. syncService(key, ...) only records what a Service wants (its ruleset, see
// ruleset.ts); commit() writes everything recorded since the last commit as one atomic nft
// transaction: the whole table the first time and after any failure, afterwards only the
// chains, sets and elements of the Services that changed. Map elements are claimed per
// Service; when two Services claim one key (a NodePort or ClusterIP:port reused while the old
// Service is still known) the first keeps it, as the userspace proxier keeps its listener.
// Transactions, the cleanups that delete what syncs left stale (off the sync path, see
// transaction.ts) and close() run one at a time. close() leaves the table in place, as
// upstream does, so traffic keeps flowing across restarts; deleteTable() (`k8ts proxy
// --cleanup`) removes it.

import { readFileSync, writeFileSync } from 'node:fs';
import { isIPv4 } from 'node:net';
import type { Logger } from '../../component-base/logging.ts';
import type { Registry } from '../../component-base/metrics.ts';
import type { Clock, Timer } from '../../machinery/clock.ts';
import { endpointsFromSlices, portKey } from '../endpoints.ts';
import { servicePortsOf } from '../service-port.ts';
import type { EndpointSlice, Service } from '../types.ts';
import { nftablesMetrics, type NFTablesMetrics } from './metrics.ts';
import { nftCommand, type NFT } from './nft.ts';
import { containerDef, endpointMapCount, parseElementId, serviceRuleset, type EndpointBlocks, type RulesetOptions, type ServiceRuleset } from './ruleset.ts';
import { staleChainDelayMs, TableState, type Plan } from './transaction.ts';

export const defaultTable = 'k8ts';
/** Upstream's default --iptables-masquerade-bit / nftables masqueradeBit. */
export const defaultMasqueradeBit = 14;

export interface ProxierOptions {
  nodeName: string;
  /** The nft table (default "k8ts"); tests use their own. */
  table?: string;
  /** NodePorts are served on these local IPv4 addresses, or on "all" non-loopback local ones. */
  nodePortAddresses: readonly string[] | 'all';
  masqueradeAll?: boolean;
  /** The pod CIDR (upstream --cluster-cidr): traffic from outside it to ClusterIPs is masqueraded. */
  clusterCIDR?: string;
  masqueradeBit?: number;
  /**
   * With a loopback NodePort address, set net.ipv4.conf.all.route_localnet=1 at the first sync
   * so DNATed loopback connections may leave through other interfaces (upstream's
   * --iptables-localhost-nodeports, default true).
   */
  localhostNodePorts?: boolean;
  clock: Clock;
  log: Logger;
  /** Where the nftables metrics are registered (optional in tests). */
  registry?: Registry;
  /** The nft runner (default: the nft binary on PATH). */
  nft?: NFT;
}

/** Claims of Services on map and set elements, in claim order: the first claimant's value wins. */
class ElementClaims {
  readonly #claims = new Map<string, Map<string, string>>();

  claim(id: string, service: string, value: string): void {
    let m = this.#claims.get(id);
    if (!m) this.#claims.set(id, (m = new Map()));
    m.set(service, value);
  }

  release(id: string, service: string): void {
    const m = this.#claims.get(id);
    if (!m) return;
    m.delete(service);
    if (m.size === 0) this.#claims.delete(id);
  }

  winner(id: string): string | undefined {
    const m = this.#claims.get(id);
    return m ? m.values().next().value : undefined;
  }

  owner(id: string): string | undefined {
    const m = this.#claims.get(id);
    return m ? m.keys().next().value : undefined;
  }

  winners(): Map<string, string> {
    const out = new Map<string, string>();
    for (const [id, m] of this.#claims) out.set(id, m.values().next().value!);
    return out;
  }
}

/**
 * Blocks of keys in the `endpoint-addrs-*` maps, one per policy chain that spreads over several
 * endpoints: the map is chosen by a hash of the chain's name, sizes are powers of two, so a
 * chain keeps its block (and its rule) while its endpoints change but fit; freed blocks are
 * reused, their old elements overwritten.
 */
class BlockAllocator implements EndpointBlocks {
  readonly #byChain = new Map<string, { map: number; offset: number; size: number }>();
  /** Per map: free offsets by size, and the first never used key. */
  readonly #maps = Array.from({ length: endpointMapCount }, () => ({ free: new Map<number, number[]>(), next: 0 }));

  block(chain: string, count: number): { map: number; offset: number } {
    const size = 2 ** Math.ceil(Math.log2(Math.max(2, count)));
    const held = this.#byChain.get(chain);
    if (held && held.size === size) return held;
    if (held) this.release(chain);
    const map = fnv1a(chain) % endpointMapCount;
    const m = this.#maps[map];
    let offset = m.free.get(size)?.pop();
    if (offset === undefined) {
      offset = m.next;
      m.next += size;
      if (m.next > 2 ** 32) throw new Error('nftables proxier: endpoint-addrs keys exhausted');
    }
    const block = { map, offset, size };
    this.#byChain.set(chain, block);
    return block;
  }

  release(chain: string): void {
    const held = this.#byChain.get(chain);
    if (!held) return;
    this.#byChain.delete(chain);
    const free = this.#maps[held.map].free;
    const list = free.get(held.size);
    if (list) list.push(held.offset);
    else free.set(held.size, [held.offset]);
  }
}

function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

const sameRuleset = (a: ServiceRuleset | undefined, b: ServiceRuleset | undefined): boolean =>
  a === b ||
  (!!a && !!b && sameMap(a.chains, b.chains) && sameMap(a.sets, b.sets) && sameMap(a.elements, b.elements) && a.noLocalEndpoints.internal === b.noLocalEndpoints.internal && a.noLocalEndpoints.external === b.noLocalEndpoints.external);

function sameMap(a: ReadonlyMap<string, string>, b: ReadonlyMap<string, string>): boolean {
  if (a.size !== b.size) return false;
  for (const [k, v] of a) if (b.get(k) !== v) return false;
  return true;
}

function isIPv4CIDR(cidr: string): boolean {
  const [ip, bits, ...rest] = cidr.split('/');
  return rest.length === 0 && isIPv4(ip) && /^\d{1,2}$/.test(bits ?? '') && Number(bits) <= 32;
}

const routeLocalnetPath = '/proc/sys/net/ipv4/conf/all/route_localnet';

export interface CommitResult {
  /** "full", "partial", or "none" when there was nothing to write. */
  kind: 'full' | 'partial' | 'none';
  /** nft commands written. */
  commands: number;
}

export class Proxier {
  readonly #options: ProxierOptions;
  readonly #ruleset: RulesetOptions;
  readonly #log: Logger;
  readonly #nft: NFT;
  readonly #metrics: NFTablesMetrics | undefined;
  readonly #table: TableState;
  /** What each Service wants, by key. */
  readonly #desired = new Map<string, ServiceRuleset>();
  readonly #claims = new ElementClaims();
  readonly #blocks = new BlockAllocator();
  /** Services and elements changed since the last successful commit. */
  #changed = new Set<string>();
  #dirtyElements = new Set<string>();
  #queue: Promise<unknown> = Promise.resolve();
  #cleanupTimer: Timer | undefined;
  #closed = false;
  #routeLocalnetChecked = false;
  #noLocal = { internal: 0, external: 0 };

  constructor(options: ProxierOptions) {
    if (options.nodePortAddresses !== 'all') {
      for (const ip of options.nodePortAddresses) if (!isIPv4(ip)) throw new Error(`nftables proxier: NodePort address ${JSON.stringify(ip)} is not IPv4 (IPv4 only)`);
    }
    if (options.table !== undefined && !/^[A-Za-z_][A-Za-z0-9_.-]*$/.test(options.table)) throw new Error(`nftables proxier: invalid table name ${JSON.stringify(options.table)}`);
    if (options.clusterCIDR !== undefined && !isIPv4CIDR(options.clusterCIDR)) throw new Error(`nftables proxier: cluster CIDR ${JSON.stringify(options.clusterCIDR)} is not an IPv4 CIDR`);
    this.#options = options;
    this.#log = options.log;
    this.#nft = options.nft ?? nftCommand();
    this.#metrics = options.registry ? nftablesMetrics(options.registry) : undefined;
    this.#ruleset = {
      table: options.table ?? defaultTable,
      nodePortAddresses: options.nodePortAddresses,
      masqueradeAll: options.masqueradeAll ?? false,
      clusterCIDR: options.clusterCIDR,
      masqueradeBit: options.masqueradeBit ?? defaultMasqueradeBit,
    };
    this.#table = new TableState(this.#ruleset);
  }

  get table(): string {
    return this.#ruleset.table;
  }

  /** Service keys ("namespace/name") with rules. */
  serviceKeys(): string[] {
    return [...this.#desired.keys()];
  }

  /** The nftables proxier opens no sockets. */
  listeners(): string[] {
    return [];
  }

  /** Records what one Service wants; commit() writes it. */
  async syncService(key: string, service: Service | undefined, slices: readonly EndpointSlice[]): Promise<void> {
    const infos = service ? servicePortsOf(service, 'IPv4') : [];
    const byPort = endpointsFromSlices(slices, { nodeName: this.#options.nodeName, ipFamily: 'IPv4' });
    const neu = infos.length ? serviceRuleset(infos.map((info) => ({ info, endpoints: byPort.get(portKey(info.name.port, info.protocol)) ?? [] })), this.#ruleset, this.#blocks) : undefined;
    const old = this.#desired.get(key);
    // A chain that went, or that now needs no block, frees its block.
    for (const chain of old?.chains.keys() ?? []) if (!neu?.chains.get(chain)?.includes('@endpoint-addrs')) this.#blocks.release(chain);
    if (sameRuleset(old, neu)) return;
    for (const [id, value] of old?.elements ?? []) {
      if (neu?.elements.get(id) === value) continue;
      if (!neu?.elements.has(id)) this.#claims.release(id, key);
      this.#dirtyElements.add(id);
    }
    for (const [id, value] of neu?.elements ?? []) {
      if (old?.elements.get(id) === value) continue;
      this.#claims.claim(id, key, value);
      this.#dirtyElements.add(id);
      const owner = this.#claims.owner(id);
      // Set elements (a ClusterIP, an endpoint IP) are shared by nature; map keys are not.
      if (owner !== key && containerDef(parseElementId(id).container).kind === 'map') this.#log.warn('Another service already uses this address and port', { service: key, element: id.replace('\t', ' '), owner });
    }
    this.#noLocal.internal += (neu?.noLocalEndpoints.internal ?? 0) - (old?.noLocalEndpoints.internal ?? 0);
    this.#noLocal.external += (neu?.noLocalEndpoints.external ?? 0) - (old?.noLocalEndpoints.external ?? 0);
    if (neu) this.#desired.set(key, neu);
    else this.#desired.delete(key);
    this.#changed.add(key);
  }

  /** Writes what changed since the last commit as one nft transaction (the whole table if needed). */
  commit(): Promise<CommitResult> {
    return this.#serialize(() => this.#commit());
  }

  /** Stops the stale-chain cleanup; the table stays. */
  async close(): Promise<void> {
    this.#closed = true;
    if (this.#cleanupTimer) this.#options.clock.clearTimeout(this.#cleanupTimer);
    this.#cleanupTimer = undefined;
    await this.#queue.catch(() => {});
  }

  #serialize<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(fn, fn);
    this.#queue = run.catch(() => {});
    return run;
  }

  async #commit(): Promise<CommitResult> {
    const started = performance.now();
    const full = !this.#table.valid;
    if (full) this.#ensureRouteLocalnet();
    const changed = this.#changed;
    const dirty = this.#dirtyElements;
    this.#changed = new Set();
    this.#dirtyElements = new Set();
    const plan: Plan = full ? this.#table.full(this.#desired, this.#claims.winners()) : this.#table.diff(changed, this.#desired, dirty, (id) => this.#claims.winner(id), this.#options.clock.now());
    if (plan.commands > 0) {
      try {
        await this.#nft.run(plan.script);
      } catch (err) {
        this.#table.invalidate();
        this.#metrics?.syncFailures.inc();
        throw err;
      }
    }
    plan.commit();
    const seconds = (performance.now() - started) / 1000;
    if (plan.commands > 0) (full ? this.#metrics?.syncFullLatency : this.#metrics?.syncPartialLatency)?.observe({}, seconds);
    this.#metrics?.noLocalEndpoints.set({ traffic_policy: 'internal' }, this.#noLocal.internal);
    this.#metrics?.noLocalEndpoints.set({ traffic_policy: 'external' }, this.#noLocal.external);
    if (full) this.#log.info('Wrote the nftables table', { table: this.#ruleset.table, services: this.#desired.size, commands: plan.commands, elapsed: `${Math.round(seconds * 1000)}ms` });
    else if (plan.commands > 0) this.#log.debug('Updated the nftables table', { table: this.#ruleset.table, services: changed.size, commands: plan.commands });
    this.#scheduleCleanup();
    return { kind: plan.commands === 0 ? 'none' : full ? 'full' : 'partial', commands: plan.commands };
  }

  /**
   * Deletes stale elements, sets and chains (see transaction.ts) in a transaction of its own. A
   * failure changes nothing in the kernel; the next sync writes the whole table, which leaves
   * nothing stale.
   */
  async #cleanup(): Promise<void> {
    if (!this.#table.valid) return;
    const plan = this.#table.cleanup(this.#options.clock.now());
    if (plan.commands === 0) return;
    try {
      await this.#nft.run(plan.script);
    } catch (err) {
      this.#table.invalidate();
      this.#metrics?.cleanupFailures.inc();
      this.#log.warn('Unable to delete stale nftables objects; the next sync writes the whole table', { err });
      return;
    }
    plan.commit();
    this.#log.debug('Deleted stale nftables objects', { table: this.#ruleset.table, commands: plan.commands });
  }

  /** One cleanup at most every staleChainDelayMs, while there is something stale. */
  #scheduleCleanup(): void {
    if (this.#closed || this.#cleanupTimer || !this.#table.valid || !this.#table.cleanupPending) return;
    this.#cleanupTimer = this.#options.clock.setTimeout(() => {
      this.#cleanupTimer = undefined;
      if (this.#closed) return;
      void this.#serialize(async () => {
        await this.#cleanup();
        this.#scheduleCleanup();
      });
    }, staleChainDelayMs);
    this.#cleanupTimer.unref?.();
  }

  #ensureRouteLocalnet(): void {
    if (this.#routeLocalnetChecked) return;
    this.#routeLocalnetChecked = true;
    const addrs = this.#options.nodePortAddresses;
    if (addrs === 'all' || !addrs.some((ip) => ip.startsWith('127.')) || this.#options.localhostNodePorts === false) return;
    try {
      if (readFileSync(routeLocalnetPath, 'utf8').trim() === '1') return;
      writeFileSync(routeLocalnetPath, '1');
      this.#log.info('Set net.ipv4.conf.all.route_localnet=1 to allow NodePorts on localhost', { nodePortAddresses: addrs.join(',') });
    } catch (err) {
      this.#log.warn('Could not set net.ipv4.conf.all.route_localnet=1: NodePorts on localhost reach only local endpoints', { err });
    }
  }
}
