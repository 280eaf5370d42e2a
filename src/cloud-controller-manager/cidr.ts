// CIDR arithmetic for routes and address pools: IPv4 and IPv6 addresses as integers, whether one
// network (in CIDR notation; a bare address is a /32 or /128) lies inside another.

import { isIPv4, isIPv6 } from 'node:net';

/** An address as an integer with its width (32 or 128 bits); undefined when it is not one. */
export function ipToBigInt(ip: string): { value: bigint; bits: number } | undefined {
  if (isIPv4(ip)) return { value: ip.split('.').reduce((v, o) => (v << 8n) | BigInt(Number(o)), 0n), bits: 32 };
  if (!isIPv6(ip)) return undefined;
  const [head, tail] = ip.split('::') as [string, string | undefined];
  const parse = (s: string | undefined) => (s ? s.split(':') : []);
  let left = parse(head);
  let right = parse(tail);
  // An embedded IPv4 tail (::ffff:1.2.3.4) counts as two groups.
  const v4 = (groups: string[]) => {
    const last = groups.at(-1);
    if (!last || !isIPv4(last)) return groups;
    const n = last.split('.').map(Number);
    return [...groups.slice(0, -1), ((n[0] << 8) | n[1]).toString(16), ((n[2] << 8) | n[3]).toString(16)];
  };
  if (tail === undefined) left = v4(left);
  else right = v4(right);
  const groups = tail === undefined ? left : [...left, ...Array(8 - left.length - right.length).fill('0'), ...right];
  return { value: groups.reduce((v, g) => (v << 16n) | BigInt(parseInt(g || '0', 16)), 0n), bits: 128 };
}

/** A network: its address, width and prefix length; undefined when malformed. */
export function parseCIDR(cidr: string): { value: bigint; bits: number; prefix: number } | undefined {
  const [ip, prefixText] = cidr.split('/');
  const addr = ipToBigInt(ip);
  if (!addr) return undefined;
  const prefix = prefixText === undefined ? addr.bits : Number(prefixText);
  if (!Number.isInteger(prefix) || prefix < 0 || prefix > addr.bits) return undefined;
  return { ...addr, prefix };
}

/** Whether `inner` lies entirely inside `outer`; false for malformed input or mixed families. */
export function cidrContains(outer: string, inner: string): boolean {
  const o = parseCIDR(outer);
  const i = parseCIDR(inner);
  if (!o || !i || o.bits !== i.bits || i.prefix < o.prefix) return false;
  const shift = BigInt(o.bits - o.prefix);
  return o.value >> shift === i.value >> shift;
}
