// The local cloud's pool of load-balancer addresses: IPv4 CIDRs ("127.200.0.0/24") and ranges
// ("10.0.0.10-10.0.0.20"). Guarantees: an address is handed to one owner at a time; allocate
// prefers the caller's candidates in order (a requested or previously held address) when they are
// in the pool and free, else the lowest free address; a CIDR's network and broadcast addresses
// are never handed out (except in /31 and /32); release makes an address free again.

import { isIPv4 } from 'node:net';

const toInt = (ip: string) => ip.split('.').reduce((v, o) => v * 256 + Number(o), 0);
const toIP = (n: number) => [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join('.');

interface Block {
  first: number;
  last: number;
}

function parseBlock(spec: string): Block {
  const text = spec.trim();
  const range = /^([\d.]+)\s*-\s*([\d.]+)$/.exec(text);
  if (range) {
    if (!isIPv4(range[1]) || !isIPv4(range[2])) throw new Error(`address pool: ${JSON.stringify(spec)} is not an IPv4 range`);
    const first = toInt(range[1]);
    const last = toInt(range[2]);
    if (last < first) throw new Error(`address pool: ${JSON.stringify(spec)} ends before it starts`);
    return { first, last };
  }
  const [ip, prefixText] = text.split('/');
  const prefix = prefixText === undefined ? 32 : Number(prefixText);
  if (!isIPv4(ip) || !Number.isInteger(prefix) || prefix < 0 || prefix > 32) throw new Error(`address pool: ${JSON.stringify(spec)} is not an IPv4 CIDR or range`);
  const size = 2 ** (32 - prefix);
  const base = Math.floor(toInt(ip) / size) * size;
  return prefix >= 31 ? { first: base, last: base + size - 1 } : { first: base + 1, last: base + size - 2 };
}

export class AddressPool {
  readonly #blocks: Block[];
  /** Address → owner. */
  readonly #used = new Map<string, string>();

  constructor(specs: readonly string[]) {
    if (specs.length === 0) throw new Error('address pool: no addresses configured');
    this.#blocks = specs.map(parseBlock);
  }

  contains(ip: string): boolean {
    if (!isIPv4(ip)) return false;
    const n = toInt(ip);
    return this.#blocks.some((b) => n >= b.first && n <= b.last);
  }

  ownerOf(ip: string): string | undefined {
    return this.#used.get(ip);
  }

  /**
   * An address for `owner`: the first free candidate in the pool, else the lowest free one, never
   * one in `exclude`; undefined when none is left.
   */
  allocate(owner: string, candidates: readonly string[] = [], exclude: ReadonlySet<string> = new Set()): string | undefined {
    for (const c of candidates) {
      if (this.contains(c) && !exclude.has(c) && (!this.#used.has(c) || this.#used.get(c) === owner)) {
        this.#used.set(c, owner);
        return c;
      }
    }
    for (const b of this.#blocks) {
      for (let n = b.first; n <= b.last; n++) {
        const ip = toIP(n);
        if (!this.#used.has(ip) && !exclude.has(ip)) {
          this.#used.set(ip, owner);
          return ip;
        }
      }
    }
    return undefined;
  }

  release(ip: string): void {
    this.#used.delete(ip);
  }

  get size(): number {
    return this.#blocks.reduce((n, b) => n + b.last - b.first + 1, 0);
  }

  get inUse(): number {
    return this.#used.size;
  }
}
