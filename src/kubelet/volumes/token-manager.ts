// Service account tokens for projected volumes, cached per pod and request as upstream's token
// manager does: a cached token is reused until 80% of its lifetime has passed or it is 24 hours
// old, then a new one is requested; if that request fails while the cached token is still valid,
// the cached one is kept (and asked for again next time).

import type { Clock } from '../../machinery/clock.ts';
import type { PodResourceSource, TokenRequest } from '../env/types.ts';

const maxTTL = 24 * 3600 * 1000;

interface Cached {
  token: string;
  issuedAt: number;
  expiresAt: number;
}

export interface TokenKey {
  namespace: string;
  serviceAccount: string;
  request: TokenRequest;
}

export class TokenManager {
  readonly #source: PodResourceSource;
  readonly #clock: Clock;
  // podUID → request key → token
  readonly #cache = new Map<string, Map<string, Cached>>();

  constructor(source: PodResourceSource, clock: Clock) {
    this.#source = source;
    this.#clock = clock;
  }

  #requiresRefresh(t: Cached, now: number): boolean {
    if (!Number.isFinite(t.expiresAt)) return true;
    if (now > t.issuedAt + maxTTL) return true;
    return now > t.expiresAt - (t.expiresAt - t.issuedAt) * 0.2;
  }

  /** The token for this request, from the cache while it is fresh. Rejects with `failed to fetch token: ...`. */
  async get({ namespace, serviceAccount, request }: TokenKey): Promise<string> {
    const key = JSON.stringify([namespace, serviceAccount, request.audiences, request.expirationSeconds, request.pod.name]);
    let forPod = this.#cache.get(request.pod.uid);
    const cached = forPod?.get(key);
    const now = this.#clock.now();
    if (cached && !this.#requiresRefresh(cached, now)) return cached.token;
    let issued;
    try {
      issued = await this.#source.requestServiceAccountToken(namespace, serviceAccount, request);
    } catch (err) {
      if (cached && now < cached.expiresAt) return cached.token;
      throw new Error(`failed to fetch token: ${(err as Error).message}`, { cause: err });
    }
    if (!forPod) this.#cache.set(request.pod.uid, (forPod = new Map()));
    forPod.set(key, { token: issued.token, issuedAt: now, expiresAt: Date.parse(issued.expirationTimestamp) });
    return issued.token;
  }

  /** Forgets a pod's tokens (its volumes are gone). */
  deletePod(podUID: string): void {
    this.#cache.delete(podUID);
  }
}
