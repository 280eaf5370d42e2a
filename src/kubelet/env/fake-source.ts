// An in-memory PodResourceSource for tests: configMaps, secrets and a token issuer that can be
// changed between calls, made to fail, and asked what was requested.

import type { ConfigMap, IssuedToken, PodResourceSource, Secret, TokenRequest } from './types.ts';

export class FakePodResourceSource implements PodResourceSource {
  readonly configMaps = new Map<string, ConfigMap>();
  readonly secrets = new Map<string, Secret>();
  readonly tokenRequests: { namespace: string; serviceAccount: string; request: TokenRequest }[] = [];
  /** When set, every call rejects with it. */
  failWith: Error | undefined;
  /** The clock tokens are issued by (milliseconds since the epoch). */
  now: () => number = () => Date.now();

  setConfigMap(namespace: string, name: string, data: Record<string, string>, binaryData?: Record<string, string>): void {
    this.configMaps.set(`${namespace}/${name}`, { metadata: { namespace, name }, data, ...(binaryData ? { binaryData } : {}) });
  }

  /** Values given as plain text; stored base64 as the API serves them. */
  setSecret(namespace: string, name: string, data: Record<string, string>): void {
    const encoded = Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v).toString('base64')]));
    this.secrets.set(`${namespace}/${name}`, { metadata: { namespace, name }, data: encoded });
  }

  async getConfigMap(namespace: string, name: string): Promise<ConfigMap | undefined> {
    if (this.failWith) throw this.failWith;
    return this.configMaps.get(`${namespace}/${name}`);
  }

  async getSecret(namespace: string, name: string): Promise<Secret | undefined> {
    if (this.failWith) throw this.failWith;
    return this.secrets.get(`${namespace}/${name}`);
  }

  async requestServiceAccountToken(namespace: string, serviceAccount: string, request: TokenRequest): Promise<IssuedToken> {
    if (this.failWith) throw this.failWith;
    this.tokenRequests.push({ namespace, serviceAccount, request });
    const issuedAt = this.now();
    return {
      token: `token-${this.tokenRequests.length}-${serviceAccount}-${request.audiences.join(',')}`,
      expirationTimestamp: new Date(issuedAt + request.expirationSeconds * 1000).toISOString(),
    };
  }
}
