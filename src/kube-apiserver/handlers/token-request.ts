// serviceaccounts/token: issues a bound service account token (TokenRequest), as
// `kubectl create token` and the kubelet's projected volumes ask for.

import { randomUUID } from 'node:crypto';
import type { KubeObject } from '../../api/kind.ts';
import { invalid } from '../../machinery/status.ts';
import { issuer } from '../auth/service-account-tokens.ts';
import { bodyType, decodeBody, readBody, requireObject } from '../http/body.ts';
import { writeJson } from '../http/respond.ts';
import { rfc3339 } from '../../machinery/time.ts';
import type { ResourceStore } from '../registry/resource-store.ts';
import type { RequestContext } from './context.ts';

const defaultExpirationSeconds = 3600;
/** Upstream's minimum; shorter requests are refused. */
const minExpirationSeconds = 600;
const maxExpirationSeconds = 48 * 3600;

export async function serveTokenRequest(ctx: RequestContext, serviceAccounts: ResourceStore, namespace: string): Promise<void> {
  const body = requireObject(decodeBody(await readBody(ctx.req), bodyType(ctx.req))) as KubeObject;
  const spec = (body.spec ?? {}) as { audiences?: string[]; expirationSeconds?: number; boundObjectRef?: { kind?: string; name?: string; uid?: string } };
  const requested = spec.expirationSeconds ?? defaultExpirationSeconds;
  if (!Number.isInteger(requested) || requested < minExpirationSeconds) {
    throw invalid('authentication.k8s.io', 'TokenRequest', ctx.info.name, [
      { reason: 'FieldValueInvalid', field: 'spec.expirationSeconds', message: `Invalid value: ${requested}: may not specify a duration less than 10 minutes` },
    ]);
  }
  const sa = await serviceAccounts.get(namespace, ctx.info.name);
  const now = Math.floor(ctx.server.clock.now() / 1000);
  const expiration = Math.min(requested, maxExpirationSeconds);
  const audiences = spec.audiences?.length ? spec.audiences : [issuer];
  const claims = {
    iss: issuer,
    sub: `system:serviceaccount:${namespace}:${ctx.info.name}`,
    aud: audiences,
    exp: now + expiration,
    iat: now,
    nbf: now,
    jti: randomUUID(),
    'kubernetes.io': {
      namespace,
      serviceaccount: { name: ctx.info.name, uid: sa.metadata?.uid ?? '' },
      ...(spec.boundObjectRef?.kind === 'Pod' && spec.boundObjectRef.name ? { pod: { name: spec.boundObjectRef.name, uid: spec.boundObjectRef.uid ?? '' } } : {}),
    },
  };
  const token = ctx.server.tokens.issue(claims);
  writeJson(ctx.res, 201, {
    kind: 'TokenRequest',
    apiVersion: 'authentication.k8s.io/v1',
    metadata: { name: ctx.info.name, namespace, creationTimestamp: rfc3339(now * 1000) },
    spec: { audiences, expirationSeconds: expiration, boundObjectRef: spec.boundObjectRef ?? null },
    status: { token, expirationTimestamp: rfc3339((now + expiration) * 1000) },
  });
}
