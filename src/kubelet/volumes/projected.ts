// Projected volumes: one directory assembled from several sources (configMap, secret, downwardAPI,
// serviceAccountToken), as upstream's projected plugin collects them. Every source is tried; the
// failures are reported together. This is what the ServiceAccount admission's
// kube-api-access-xxxxx volume is: a token, ca.crt from the kube-root-ca.crt configMap, and the
// namespace from the downward API.

import type { Pod, PodResourceSource, ResourceList } from '../env/types.ts';
import { aggregate } from './errors.ts';
import { defaultFileMode, makeConfigMapPayload, makeDownwardAPIPayload, makeSecretPayload, type Payload } from './payload.ts';
import type { TokenManager } from './token-manager.ts';
import type { ProjectedVolumeSource } from './types.ts';

/** API defaulting's lifetime for a projected service account token. */
export const defaultTokenExpirationSeconds = 3600;

export interface ProjectedContext {
  source: PodResourceSource;
  tokens: TokenManager;
  allocatable: ResourceList;
}

export async function collectProjectedPayload(pod: Pod, projected: ProjectedVolumeSource, ctx: ProjectedContext): Promise<Payload> {
  const namespace = pod.metadata?.namespace ?? '';
  const defaultMode = projected.defaultMode ?? defaultFileMode;
  const payload: Payload = new Map();
  const errors: Error[] = [];
  const merge = (part: Payload): void => {
    for (const [path, file] of part) payload.set(path, file);
  };
  for (const src of projected.sources ?? []) {
    try {
      if (src.secret) {
        const name = src.secret.name ?? '';
        const optional = src.secret.optional === true;
        const secret = await ctx.source.getSecret(namespace, name);
        if (!secret && !optional) throw new Error(`secret "${name}" not found`);
        merge(makeSecretPayload(src.secret.items, secret, defaultMode, optional));
      } else if (src.configMap) {
        const name = src.configMap.name ?? '';
        const optional = src.configMap.optional === true;
        const configMap = await ctx.source.getConfigMap(namespace, name);
        if (!configMap && !optional) throw new Error(`configmap "${name}" not found`);
        merge(makeConfigMapPayload(src.configMap.items, configMap, defaultMode, optional));
      } else if (src.downwardAPI) {
        merge(makeDownwardAPIPayload(src.downwardAPI.items, pod, defaultMode, ctx.allocatable));
      } else if (src.serviceAccountToken) {
        const tp = src.serviceAccountToken;
        const token = await ctx.tokens.get({
          namespace,
          serviceAccount: pod.spec?.serviceAccountName || 'default',
          request: {
            audiences: tp.audience ? [tp.audience] : [],
            expirationSeconds: tp.expirationSeconds ?? defaultTokenExpirationSeconds,
            pod: { name: pod.metadata?.name ?? '', uid: pod.metadata?.uid ?? '' },
          },
        });
        payload.set(tp.path, { data: Buffer.from(token), mode: defaultMode });
      } else {
        const kind = Object.keys(src).find((k) => src[k] != null);
        if (kind) throw new Error(`projected source ${kind} is not supported by this kubelet`);
      }
    } catch (err) {
      errors.push(err as Error);
    }
  }
  const err = aggregate(errors);
  if (err) throw err;
  return payload;
}
