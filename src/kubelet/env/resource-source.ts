// The PodResourceSource the kubelet uses against a real API server: configMaps and secrets read
// with GET (404 = absent), tokens issued by the serviceaccounts/<name>/token subresource
// (TokenRequest, bound to the pod) exactly as upstream's kubelet asks for them.

import type { KubeObject } from '../../api/kind.ts';
import { isNotFound } from '../../client/api-errors.ts';
import type { RestClient } from '../../client/rest-client.ts';
import type { ConfigMap, IssuedToken, PodResourceSource, Secret, TokenRequest } from './types.ts';

async function getOrUndefined<T>(read: () => Promise<T>): Promise<T | undefined> {
  try {
    return await read();
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

interface TokenRequestObject extends KubeObject {
  status?: { token?: string; expirationTimestamp?: string };
}

export function restPodResourceSource(client: RestClient): PodResourceSource {
  return {
    getConfigMap: (namespace, name) =>
      getOrUndefined(() => client.get<ConfigMap>({ group: '', version: 'v1', resource: 'configmaps', namespace, name })),
    getSecret: (namespace, name) => getOrUndefined(() => client.get<Secret>({ group: '', version: 'v1', resource: 'secrets', namespace, name })),
    async requestServiceAccountToken(namespace: string, serviceAccount: string, request: TokenRequest): Promise<IssuedToken> {
      const body: TokenRequestObject = {
        apiVersion: 'authentication.k8s.io/v1',
        kind: 'TokenRequest',
        spec: {
          audiences: request.audiences,
          expirationSeconds: request.expirationSeconds,
          boundObjectRef: { apiVersion: 'v1', kind: 'Pod', name: request.pod.name, uid: request.pod.uid },
        },
      };
      const ref = { group: '', version: 'v1', resource: 'serviceaccounts', namespace, name: serviceAccount, subresource: 'token' };
      const issued = await client.create<TokenRequestObject>(ref, body);
      return { token: issued.status?.token ?? '', expirationTimestamp: issued.status?.expirationTimestamp ?? '' };
    },
  };
}
