// Service account tokens: JWTs (ES256) that the API server issues through the
// serviceaccounts/token subresource and accepts as bearer tokens, naming
// system:serviceaccount:<namespace>:<name>. The signing key lives in the data dir, so
// tokens survive restarts; a token stops working when it expires or its service account
// (by uid) is gone.

import { createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { UserInfo } from './user.ts';

export const issuer = 'https://kubernetes.default.svc.cluster.local';

export interface TokenClaims {
  iss: string;
  sub: string;
  aud: string[];
  exp: number;
  iat: number;
  nbf: number;
  jti?: string;
  'kubernetes.io': {
    namespace: string;
    serviceaccount: { name: string; uid: string };
    pod?: { name: string; uid: string };
  };
}

function b64url(data: Buffer | string): string {
  return Buffer.from(data).toString('base64url');
}

export class ServiceAccountTokens {
  readonly #key: KeyObject;
  readonly #public: KeyObject;

  constructor(keyPath: string) {
    if (!existsSync(keyPath)) {
      mkdirSync(dirname(keyPath), { recursive: true });
      const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
      writeFileSync(keyPath, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
    }
    this.#key = createPrivateKey(readFileSync(keyPath));
    this.#public = createPublicKey(this.#key);
  }

  issue(claims: TokenClaims): string {
    const header = b64url(JSON.stringify({ alg: 'ES256', typ: 'JWT' }));
    const payload = b64url(JSON.stringify(claims));
    const signature = sign('sha256', Buffer.from(`${header}.${payload}`), { key: this.#key, dsaEncoding: 'ieee-p1363' });
    return `${header}.${payload}.${b64url(signature)}`;
  }

  /** The claims of a valid, unexpired token of ours; undefined for anything else. */
  verify(token: string, nowSeconds: number): TokenClaims | undefined {
    const parts = token.split('.');
    if (parts.length !== 3) return undefined;
    try {
      const header = JSON.parse(Buffer.from(parts[0], 'base64url').toString()) as { alg?: string };
      if (header.alg !== 'ES256') return undefined;
      const ok = verify('sha256', Buffer.from(`${parts[0]}.${parts[1]}`), { key: this.#public, dsaEncoding: 'ieee-p1363' }, Buffer.from(parts[2], 'base64url'));
      if (!ok) return undefined;
      const claims = JSON.parse(Buffer.from(parts[1], 'base64url').toString()) as TokenClaims;
      if (claims.iss !== issuer || !(claims.exp > nowSeconds) || claims.nbf > nowSeconds + 60) return undefined;
      if (!claims['kubernetes.io']?.serviceaccount?.name) return undefined;
      return claims;
    } catch {
      return undefined;
    }
  }
}

export function serviceAccountUser(claims: TokenClaims): UserInfo {
  const { namespace, serviceaccount } = claims['kubernetes.io'];
  return {
    name: `system:serviceaccount:${namespace}:${serviceaccount.name}`,
    uid: serviceaccount.uid,
    groups: ['system:serviceaccounts', `system:serviceaccounts:${namespace}`, 'system:authenticated'],
  };
}
