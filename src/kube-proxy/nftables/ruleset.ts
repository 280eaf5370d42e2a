// What kube-proxy's nftables table holds, as nft commands: the fixed skeleton (base chains on
// the netfilter hooks, dispatch maps, masquerading, rejection of services without endpoints) and
// what each Service adds to it (its chains, affinity sets and map elements). Functions of
// service and endpoint state (and of the keys EndpointBlocks hands out); transaction.ts turns
// them into full or incremental transactions.
//
// The layout follows upstream's pkg/proxy/nftables: `services` dispatches on
// `ip daddr . meta l4proto . th dport` through the verdict map `service-ips` (ClusterIPs,
// external and load-balancer IPs) and on `meta l4proto . th dport` through `service-nodeports`,
// so a packet costs one map lookup whatever the number of Services; each service port has a
// `service-…` chain (Cluster policy), a `local-…` chain (Local policy) and an `external-…` chain
// (node ports, external and load-balancer IPs); services without usable endpoints get an element
// in `no-endpoint-services`/`no-endpoint-nodeports` that rejects (or, for a Local policy without
// local endpoints, drops) new connections in the filter hooks, before NAT; `cluster-ips-check`
// rejects ClusterIP traffic to ports no Service defines; marked connections are masqueraded in
// `masquerading`; ClientIP affinity uses upstream's per-endpoint `endpoint-…` chains and
// `affinity-…` sets (`update @affinity-X { ip saddr }`, looked up before choosing at random).
//
// Departures, measured on Linux 6.18 with nft 1.0.6. The kernel keeps a table's sets in a
// list, so each per-service set (anonymous or named) costs a scan of all of them: 10,000
// Services with one anonymous vmap each, as upstream writes them, take 20-160 s to load. And
// every commit that adds a rule re-validates every rule reachable from the hooks, twice
// (nat-prerouting and nat-output both lead to `services`): 100,000 rules cost ~50 ms a commit.
// - Without affinity, a policy chain holds one rule, `dnat ip to numgen random mod N offset O
//   map @endpoint-addrs-S`: endpoints live in maps shared by all Services, each chain owning
//   the block of keys O..O+N-1 of one of 256 maps (see EndpointBlocks; spread over several
//   maps because the kernel checks each element against each rule that reads its map). One
//   lookup per new connection, no per-service set, one rule per service port; replacing an
//   endpoint rewrites two elements and no rule. A single endpoint is a plain `dnat to`.
// - With affinity, the choice among the endpoint chains is one rule per endpoint,
//   `numgen random mod (N-i) == 0 goto endpoint-…` (uniform, as iptables' statistic rules),
//   instead of an anonymous vmap. Affinity sets remain one per endpoint, as upstream's: many
//   thousands of ClientIP Services load slowly.
// - Hairpin traffic (a pod reaching itself through a Service) is masqueraded in postrouting by
//   `ct status dnat ip saddr . ip daddr @hairpin-endpoints`, one set of "ip . ip" for every
//   endpoint IP, instead of an `ip saddr <endpoint>` rule in each endpoint chain.
// - No LoadBalancer source ranges (firewall-check) and no drop of traffic to unallocated
//   ClusterIPs (the Service CIDRs are not watched).
// - The elements and sets a deleted Service (or a changed one) no longer needs stay, stale,
//   while its chains are flushed at once; cleanup transactions delete them a second or two
//   later, where upstream deletes them in the sync. nft 1.0 reads every chain and set of the
//   table back before any removal: a deletion took 48-88 ms at 10,000 Services, 16-24 ms
//   without removals. A sync still deletes what correctness needs (see `containers` below,
//   which also says why each stale element is harmless; the cleanup is in transaction.ts).
// Loopback clients (NodePorts on 127.0.0.1, ClusterIPs in 127.0.0.0/8 as `k8ts up` allocates
// them) are masqueraded when their DNATed packets leave through another interface, which
// also needs net.ipv4.conf.*.route_localnet=1. IPv4 only (table family ip).

import { endpointString, type Endpoint } from '../endpoints.ts';
import { externallyAccessible, usesClusterEndpoints, usesLocalEndpoints, type ServicePortInfo } from '../service-port.ts';
import { categorizeEndpoints } from '../topology.ts';
import { affinityPrefix, endpointChainBase, endpointPrefix, serviceExternalPrefix, servicePolicyClusterPrefix, servicePolicyLocalPrefix, servicePortChainBase } from './names.ts';

export interface RulesetOptions {
  /** The nft table (family ip). */
  table: string;
  /** Where NodePorts are served: these local addresses, or "all" local non-loopback ones. */
  nodePortAddresses: readonly string[] | 'all';
  /** Masquerade all traffic to ClusterIPs (upstream --masquerade-all). */
  masqueradeAll: boolean;
  /** The pod network; ClusterIP traffic from outside it is masqueraded (upstream --cluster-cidr). */
  clusterCIDR?: string;
  /** Bit of the packet mark that asks for masquerading (upstream default 14). */
  masqueradeBit: number;
}

/**
 * The sets and maps whose elements Services add, with their definitions. An element no Service
 * wants any more is not removed by the sync that lets it go (`delete element` makes nft 1.0 read
 * every chain of the table, see transaction.ts): it stays, harmless, until the cleanup
 * transaction removes it, at the next one (`lazy: 'soon'`) or once lazyDeleteBatch of them have
 * gathered (`lazy: 'batch'`). What a stale element does meanwhile:
 * - cluster-ips: the deleted Service's ClusterIP is still rejected by cluster-ips-check (no
 *   Service: connection refused at once).
 * - service-ips, service-nodeports: the packet goes to the Service's chain, flushed in the same
 *   transaction, and comes back without DNAT (no Service). The chain can only be deleted once
 *   no element names it.
 * - no-endpoint-*: traffic to the deleted Service stays rejected (or dropped). These checks run
 *   in the filter hooks, before DNAT, so such an element must go in the very transaction that
 *   puts its key into the dispatch map it `yields` to (a Service with endpoints again, or a new
 *   one on the same address and port).
 * - hairpin-endpoints, endpoint-addrs-*: pairs and keys that no connection or rule uses.
 * A key that a Service wants with another value is deleted and added again in one transaction
 * (the kernel refuses to overwrite an element's value).
 */
const containers = {
  'cluster-ips': { kind: 'set', spec: 'type ipv4_addr ; comment "Active ClusterIPs" ;', lazy: 'soon', refill: false },
  'service-ips': { kind: 'map', spec: 'type ipv4_addr . inet_proto . inet_service : verdict ; comment "ClusterIP, ExternalIP and LoadBalancer IP traffic" ;', lazy: 'soon', refill: false },
  'service-nodeports': { kind: 'map', spec: 'type inet_proto . inet_service : verdict ; comment "NodePort traffic" ;', lazy: 'soon', refill: false },
  'no-endpoint-services': {
    kind: 'map',
    spec: 'type ipv4_addr . inet_proto . inet_service : verdict ; comment "vmap to drop or reject packets to services with no endpoints" ;',
    lazy: 'soon',
    refill: false,
    yields: 'service-ips',
  },
  'no-endpoint-nodeports': {
    kind: 'map',
    spec: 'type inet_proto . inet_service : verdict ; comment "vmap to drop or reject packets to service nodeports with no endpoints" ;',
    lazy: 'soon',
    refill: false,
    yields: 'service-nodeports',
  },
  // A DNATed connection whose source is its destination always needs masquerading.
  'hairpin-endpoints': { kind: 'set', spec: 'type ipv4_addr . ipv4_addr ; comment "endpoint . endpoint: connections DNATed back to their source" ;', lazy: 'batch', refill: false },
} as const;

export const endpointMapCount = 256;
/**
 * `endpoint-addrs-0`..`-255`; no rule reads keys outside the blocks in use. A change of value
 * flushes and refills the map (a few hundred elements at 10,000 Services).
 */
const endpointMap = { kind: 'map', spec: 'typeof numgen random mod 1 : ip daddr . tcp dport ; comment "endpoints by index: address . port" ;', lazy: 'batch', refill: true } as const;

export type ContainerName = keyof typeof containers | `endpoint-addrs-${number}`;
export const containerNames: readonly ContainerName[] = [...(Object.keys(containers) as (keyof typeof containers)[]), ...Array.from({ length: endpointMapCount }, (_, i) => `endpoint-addrs-${i}` as const)];

export interface ContainerDef {
  readonly kind: 'set' | 'map';
  readonly spec: string;
  /** When an element no Service wants is deleted (see above). */
  readonly lazy: 'soon' | 'batch';
  /** A change of value flushes the container and writes it whole. */
  readonly refill: boolean;
  /** The dispatch map whose keys this container's stale elements must leave at once. */
  readonly yields?: ContainerName;
}

export function containerDef(name: ContainerName): ContainerDef {
  return name in containers ? containers[name as keyof typeof containers] : endpointMap;
}

/** The chain a verdict map element's value names (`goto X`, `jump X`), if any. */
export function verdictChain(value: string): string | undefined {
  return /^(?:goto|jump) (\S+)$/.exec(value)?.[1];
}

/** An element's identity across Services: container and key. */
export function elementId(container: ContainerName, key: string): string {
  return `${container}\t${key}`;
}

export function parseElementId(id: string): { container: ContainerName; key: string } {
  const tab = id.indexOf('\t');
  return { container: id.slice(0, tab) as ContainerName, key: id.slice(tab + 1) };
}

/** What one Service adds to the table. Built once per change and never mutated. */
export interface ServiceRuleset {
  /** Chain name → its rules joined by " ; " (nft syntax). */
  readonly chains: ReadonlyMap<string, string>;
  /** Affinity set name → its definition. */
  readonly sets: ReadonlyMap<string, string>;
  /** elementId → value ("" for set elements, a verdict for maps). */
  readonly elements: ReadonlyMap<string, string>;
  /** Ports with endpoints but none local for their Local internal / external policy (dropped). */
  readonly noLocalEndpoints: { readonly internal: number; readonly external: number };
}

/** Keys of the `endpoint-addrs-*` maps owned by policy chains. */
export interface EndpointBlocks {
  /** A map and the first of `count` consecutive keys in it for `chain` (the same while they fit). */
  block(chain: string, count: number): { map: number; offset: number };
}

export interface ServicePortEndpoints {
  info: ServicePortInfo;
  /** The port's endpoints from its slices (all conditions; categorized here). */
  endpoints: readonly Endpoint[];
}

const rejectChain = 'reject-chain';
const markMasqChain = 'mark-for-masquerade';

const fixedChains = [
  'services',
  'masquerading',
  markMasqChain,
  'service-endpoints-check',
  'nodeport-endpoints-check',
  'cluster-ips-check',
  rejectChain,
] as const;

/** Base chains: [name, type, hook, priority]. Filter chains run before DNAT (-100) to see service IPs. */
const baseChains: readonly (readonly [string, 'filter' | 'nat', string, number])[] = [
  ['filter-input', 'filter', 'input', -110],
  ['filter-forward', 'filter', 'forward', -110],
  ['filter-output', 'filter', 'output', -110],
  ['filter-output-post-dnat', 'filter', 'output', -90],
  ['nat-prerouting', 'nat', 'prerouting', -100],
  ['nat-output', 'nat', 'output', -100],
  ['nat-postrouting', 'nat', 'postrouting', 100],
];

function masqueradeMark(options: Pick<RulesetOptions, 'masqueradeBit'>): string {
  return `0x${(1 << options.masqueradeBit).toString(16).padStart(8, '0')}`;
}

/** `add map|set ip T name { spec elements = { ... } ; }`. */
export function containerCommand(table: string, container: ContainerName, elements: readonly string[] = []): string {
  const c = containerDef(container);
  const items = elements.length ? ` elements = { ${elements.join(', ')} } ;` : '';
  return `add ${c.kind} ip ${table} ${container} { ${c.spec}${items} }`;
}

/** One element as nft writes it inside `elements = { }`. */
export function elementText(container: ContainerName, key: string, value: string): string {
  return containerDef(container).kind === 'map' ? `${key} : ${value}` : key;
}

/** The commands creating the skeleton in an empty table. */
export function skeletonCommands(options: RulesetOptions): string[] {
  const t = `ip ${options.table}`;
  const mark = masqueradeMark(options);
  const all = options.nodePortAddresses === 'all';
  const out: string[] = [];
  for (const [name, type, hook, priority] of baseChains) out.push(`add chain ${t} ${name} { type ${type} hook ${hook} priority ${priority} ; }`);
  for (const name of fixedChains) out.push(`add chain ${t} ${name}`);
  for (const name of containerNames) out.push(containerCommand(options.table, name));
  if (!all) {
    const ips = (options.nodePortAddresses as readonly string[]).join(', ');
    out.push(`add set ${t} nodeport-ips { type ipv4_addr ; comment "IPs that accept NodePort traffic" ;${ips ? ` elements = { ${ips} } ;` : ''} }`);
  }
  const rule = (chain: string, r: string) => out.push(`add rule ${t} ${chain} ${r}`);
  rule('filter-input', 'ct state new jump nodeport-endpoints-check');
  rule('filter-input', 'ct state new jump service-endpoints-check');
  rule('filter-forward', 'ct state new jump service-endpoints-check');
  rule('filter-forward', 'ct state new jump cluster-ips-check');
  rule('filter-output', 'ct state new jump service-endpoints-check');
  rule('filter-output-post-dnat', 'ct state new jump cluster-ips-check');
  rule('nat-prerouting', 'jump services');
  rule('nat-output', 'jump services');
  rule('nat-postrouting', 'jump masquerading');
  rule(markMasqChain, `meta mark set meta mark or ${mark}`);
  rule('masquerading', `ct status dnat ip saddr . ip daddr @hairpin-endpoints jump ${markMasqChain}`);
  rule('masquerading', `ip saddr 127.0.0.0/8 oifname != "lo" ct status dnat jump ${markMasqChain}`);
  rule('masquerading', `meta mark & ${mark} == 0 return`);
  rule('masquerading', `meta mark set meta mark xor ${mark}`);
  rule('masquerading', 'masquerade fully-random');
  rule('cluster-ips-check', 'ip daddr @cluster-ips reject comment "Reject traffic to invalid ports of ClusterIPs"');
  rule(rejectChain, 'reject');
  rule('service-endpoints-check', 'ip daddr . meta l4proto . th dport vmap @no-endpoint-services');
  rule('services', 'ip daddr . meta l4proto . th dport vmap @service-ips');
  if (all) {
    rule('nodeport-endpoints-check', 'ip daddr != 127.0.0.0/8 meta l4proto . th dport vmap @no-endpoint-nodeports');
    rule('services', 'fib daddr type local ip daddr != 127.0.0.0/8 meta l4proto . th dport vmap @service-nodeports');
  } else {
    rule('nodeport-endpoints-check', 'ip daddr @nodeport-ips meta l4proto . th dport vmap @no-endpoint-nodeports');
    rule('services', 'ip daddr @nodeport-ips meta l4proto . th dport vmap @service-nodeports');
  }
  return out;
}

class RulesetBuilder {
  readonly chains = new Map<string, string[]>();
  readonly sets = new Map<string, string>();
  readonly elements = new Map<string, string>();
  readonly noLocalEndpoints = { internal: 0, external: 0 };

  chain(name: string): string[] {
    let rules = this.chains.get(name);
    if (!rules) this.chains.set(name, (rules = []));
    return rules;
  }

  element(container: ContainerName, key: string, value = ''): void {
    this.elements.set(elementId(container, key), value);
  }

  build(): ServiceRuleset {
    return {
      chains: new Map([...this.chains].map(([name, rules]) => [name, rules.join(' ; ')])),
      sets: this.sets,
      elements: this.elements,
      noLocalEndpoints: this.noLocalEndpoints,
    };
  }
}

/** The chains, sets and elements of one Service (all its ports), as upstream's syncProxyRules writes them. */
export function serviceRuleset(ports: readonly ServicePortEndpoints[], options: RulesetOptions, blocks: EndpointBlocks): ServiceRuleset {
  const b = new RulesetBuilder();
  for (const port of ports) addServicePort(b, port.info, port.endpoints, options, blocks);
  return b.build();
}

/** Names land in nft identifiers and numbers in rules: anything the API would refuse is left out. */
const identifierPart = /^[A-Za-z0-9_.-]*$/;
const isPort = (n: unknown) => Number.isInteger(n) && (n as number) > 0 && (n as number) < 65536;

function addServicePort(b: RulesetBuilder, info: ServicePortInfo, unchecked: readonly Endpoint[], options: RulesetOptions, blocks: EndpointBlocks): void {
  const { namespace, name, port: portName } = info.name;
  if (![namespace, name, portName].every((p) => identifierPart.test(p)) || !isPort(info.port) || (info.nodePort !== 0 && !isPort(info.nodePort))) return;
  const endpoints = unchecked.filter((e) => isPort(e.port));
  const proto = info.protocol.toLowerCase();
  const base = servicePortChainBase(info.name);
  const clusterChain = servicePolicyClusterPrefix + base;
  const localChain = servicePolicyLocalPrefix + base;
  const externalChain = serviceExternalPrefix + base;
  const { clusterEndpoints = [], localEndpoints = [], allReachableEndpoints, hasAnyEndpoints: hasEndpoints } = categorizeEndpoints(endpoints, info);
  const affinity = info.stickyMaxAgeSeconds > 0;

  const usesClusterChain = clusterEndpoints.length > 0 && usesClusterEndpoints(info);
  const usesLocalChain = localEndpoints.length > 0 && usesLocalEndpoints(info);
  const internalChain = info.internalPolicyLocal ? localChain : clusterChain;
  const hasInternal = hasEndpoints && (!info.internalPolicyLocal || localEndpoints.length > 0);
  const externalPolicyChain = info.externalPolicyLocal ? localChain : clusterChain;
  const hasExternal = hasEndpoints && (!info.externalPolicyLocal || localEndpoints.length > 0);
  const usesExternalChain = hasEndpoints && externallyAccessible(info);
  // No endpoint anywhere: reject. Endpoints, but none for a Local policy: drop.
  const internalVerdict = !hasEndpoints ? `goto ${rejectChain}` : 'drop';
  const externalVerdict = internalVerdict;
  if (hasEndpoints && !hasInternal) b.noLocalEndpoints.internal++;
  if (hasEndpoints && !hasExternal && externallyAccessible(info)) b.noLocalEndpoints.external++;

  const port = String(info.port);
  b.element('cluster-ips', info.clusterIP);
  const clusterKey = `${info.clusterIP} . ${proto} . ${port}`;
  if (hasInternal) b.element('service-ips', clusterKey, `goto ${internalChain}`);
  else b.element('no-endpoint-services', clusterKey, internalVerdict);
  for (const ip of [...info.externalIPs, ...info.loadBalancerIPs]) {
    const key = `${ip} . ${proto} . ${port}`;
    if (hasEndpoints) b.element('service-ips', key, `goto ${externalChain}`);
    if (!hasExternal) b.element('no-endpoint-services', key, externalVerdict);
  }
  if (info.nodePort) {
    const key = `${proto} . ${info.nodePort}`;
    if (hasEndpoints) b.element('service-nodeports', key, `goto ${externalChain}`);
    if (!hasExternal) b.element('no-endpoint-nodeports', key, externalVerdict);
  }

  // Chains are created in this order: the policy chains first, then external, then endpoints.
  if (usesClusterChain) b.chain(clusterChain);
  if (usesLocalChain) b.chain(localChain);
  if (hasInternal) {
    const match = `ip daddr ${info.clusterIP} ${proto} dport ${port}`;
    if (options.masqueradeAll) b.chain(internalChain).push(`${match} jump ${markMasqChain}`);
    else if (options.clusterCIDR) b.chain(internalChain).push(`${match} ip saddr != ${options.clusterCIDR} jump ${markMasqChain}`);
  }
  if (usesExternalChain) {
    const ext = b.chain(externalChain);
    if (!info.externalPolicyLocal) ext.push(`jump ${markMasqChain}`);
    else {
      // Pods and the node itself reach the Service as if from inside: any endpoint, Cluster policy.
      if (options.clusterCIDR) ext.push(`ip saddr ${options.clusterCIDR} goto ${clusterChain} comment "short-circuit pod traffic"`);
      ext.push(`fib saddr type local jump ${markMasqChain} comment "masquerade local traffic"`);
      ext.push(`fib saddr type local goto ${clusterChain} comment "short-circuit local traffic"`);
    }
    if (hasExternal) ext.push(`goto ${externalPolicyChain}`);
  }

  const endpointChain = (e: Endpoint) => endpointPrefix + endpointChainBase(info.name, e.ip, e.port);
  const affinitySet = (e: Endpoint) => affinityPrefix + endpointChainBase(info.name, e.ip, e.port);
  const dnat = (e: Endpoint) => `meta l4proto ${proto} dnat to ${endpointString(e)}`;
  const select = (chain: string, eps: readonly Endpoint[]) => {
    const rules = b.chain(chain);
    if (!affinity) {
      if (eps.length === 1) return rules.push(dnat(eps[0]));
      const { map, offset } = blocks.block(chain, eps.length);
      eps.forEach((e, i) => b.element(`endpoint-addrs-${map}`, String(offset + i), `${e.ip} . ${e.port}`));
      return rules.push(`meta l4proto ${proto} dnat ip to numgen random mod ${eps.length}${offset ? ` offset ${offset}` : ''} map @endpoint-addrs-${map}`);
    }
    // Affinity first; then each endpoint with equal chances (one draw per rule, as iptables'
    // statistic rules): per-endpoint chains record the client in their affinity set.
    for (const e of eps) rules.push(`ip saddr @${affinitySet(e)} goto ${endpointChain(e)}`);
    eps.forEach((e, i) => rules.push(i < eps.length - 1 ? `numgen random mod ${eps.length - i} == 0 goto ${endpointChain(e)}` : `goto ${endpointChain(e)}`));
  };
  if (usesClusterChain) select(clusterChain, clusterEndpoints);
  if (usesLocalChain) select(localChain, localEndpoints);

  for (const e of allReachableEndpoints) {
    b.element('hairpin-endpoints', `${e.ip} . ${e.ip}`);
    if (!affinity) continue;
    b.sets.set(affinitySet(e), `type ipv4_addr ; flags dynamic,timeout ; timeout ${info.stickyMaxAgeSeconds}s ;`);
    b.chain(endpointChain(e)).push(`update @${affinitySet(e)} { ip saddr }`, dnat(e));
  }
}
