// Names of the objects kube-proxy keeps in its nftables table, as upstream's nftables proxier
// spells them: fixed names for the skeleton, and "<prefix><HASH>-<namespace>/<name>/<protocol>/<port>"
// for the chains and sets of one service port (plus "__<ip>/<port>" for one endpoint). HASH is
// the first 8 base32 characters of the SHA-256 of the rest, so names stay unique and tell apart
// at a glance; a name that would pass nft's 256-character limit is cut and ends in "...".
// Namespace, Service and port names only use [a-z0-9-], which nft accepts in identifiers, and
// "/" (which they never contain) separates the parts.

import { createHash } from 'node:crypto';
import type { ServicePortName } from '../service-port.ts';

/** The longest nft object name. */
const nameLengthMax = 256;
/** Room kept for the longest prefix ("endpoint-", "affinity-", ...). */
const prefixLengthMax = 16;
const baseLengthMax = nameLengthMax - prefixLengthMax;

export const servicePolicyClusterPrefix = 'service-';
export const servicePolicyLocalPrefix = 'local-';
export const serviceExternalPrefix = 'external-';
export const endpointPrefix = 'endpoint-';
export const affinityPrefix = 'affinity-';

const base32Alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** RFC 4648 base32 (padding left off; only a prefix is used). */
function base32(bytes: Uint8Array): string {
  let out = '';
  let bits = 0;
  let value = 0;
  for (const b of bytes) {
    value = (value << 8) | b;
    bits += 8;
    while (bits >= 5) {
      out += base32Alphabet[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
    value &= (1 << bits) - 1;
  }
  if (bits > 0) out += base32Alphabet[(value << (5 - bits)) & 31];
  return out;
}

export function hashAndTruncate(name: string): string {
  const hash = base32(createHash('sha256').update(name).digest()).slice(0, 8);
  const out = `${hash}-${name}`;
  return out.length > baseLengthMax ? `${out.slice(0, baseLengthMax - 3)}...` : out;
}

/** "HASH-namespace/name/protocol/port", e.g. "ULMVA6XW-ns1/svc1/tcp/p80". */
export function servicePortChainBase(name: ServicePortName): string {
  return hashAndTruncate(`${name.namespace}/${name.name}/${name.protocol.toLowerCase()}/${name.port}`);
}

/** "HASH-namespace/name/protocol/port__ip/port", e.g. "5OJB2KTY-ns1/svc1/tcp/p80__10.180.0.1/80". */
export function endpointChainBase(name: ServicePortName, ip: string, port: number): string {
  return hashAndTruncate(`${name.namespace}/${name.name}/${name.protocol.toLowerCase()}/${name.port}__${ip.replaceAll(':', '.')}/${port}`);
}
