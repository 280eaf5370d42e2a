// Create-only resources that are questions, not objects: access reviews (kubectl auth
// can-i), self subject reviews (kubectl auth whoami) and token reviews. Nothing is stored;
// the answer comes back in the object's status with 201 Created, as upstream.

import type { KubeObject } from '../../api/kind.ts';
import { badRequest, methodNotSupported } from '../../machinery/status.ts';
import type { Attributes } from '../auth/authorizer.ts';
import type { UserInfo } from '../auth/user.ts';
import { bodyType, decodeBody, readBody, requireObject } from '../http/body.ts';
import type { ApiResource } from '../registry/resources.ts';
import type { RequestContext } from './context.ts';
import { respondObject } from './resource.ts';

export const reviewResources = new Set([
  'authorization.k8s.io/selfsubjectaccessreviews',
  'authorization.k8s.io/subjectaccessreviews',
  'authorization.k8s.io/localsubjectaccessreviews',
  'authorization.k8s.io/selfsubjectrulesreviews',
  'authentication.k8s.io/selfsubjectreviews',
  'authentication.k8s.io/tokenreviews',
]);

interface ResourceAttributes {
  namespace?: string;
  verb?: string;
  group?: string;
  version?: string;
  resource?: string;
  subresource?: string;
  name?: string;
}

export async function serveReview(ctx: RequestContext, resource: ApiResource): Promise<void> {
  if (ctx.info.verb !== 'create') throw methodNotSupported(resource.gr, ctx.info.verb);
  const review = requireObject(decodeBody(await readBody(ctx.req), bodyType(ctx.req))) as KubeObject;
  const spec = (review.spec ?? {}) as {
    resourceAttributes?: ResourceAttributes;
    nonResourceAttributes?: { path?: string; verb?: string };
    user?: string;
    groups?: string[];
    uid?: string;
    namespace?: string;
    token?: string;
  };
  const authorizer = ctx.server.authorizer;
  const answer: KubeObject = {
    kind: resource.kind,
    apiVersion: resource.apiVersion,
    metadata: { creationTimestamp: null },
    ...(review.spec !== undefined ? { spec: review.spec } : {}),
  };
  const decide = (user: UserInfo) => {
    const ra = spec.resourceAttributes;
    const attributes: Attributes = ra
      ? { user, verb: ra.verb ?? '', group: ra.group ?? '', version: ra.version, resource: ra.resource ?? '', subresource: ra.subresource, namespace: ra.namespace ?? ctx.info.namespace, name: ra.name }
      : { user, verb: spec.nonResourceAttributes?.verb ?? '', group: '', resource: '', path: spec.nonResourceAttributes?.path };
    const decision = authorizer.authorize(attributes);
    return { allowed: decision.allowed, ...(decision.reason ? { reason: decision.reason } : {}) };
  };
  switch (resource.resource) {
    case 'selfsubjectaccessreviews':
      answer.status = decide(ctx.user);
      break;
    case 'subjectaccessreviews':
    case 'localsubjectaccessreviews':
      answer.status = decide({ name: spec.user ?? '', groups: spec.groups ?? [], uid: spec.uid });
      break;
    case 'selfsubjectrulesreviews': {
      const all = authorizer.authorize({ user: ctx.user, verb: '*', group: '*', resource: '*', namespace: spec.namespace });
      answer.status = all.allowed
        ? { resourceRules: [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }], nonResourceRules: [{ verbs: ['*'], nonResourceURLs: ['*'] }], incomplete: false }
        : { resourceRules: [], nonResourceRules: [], incomplete: false };
      break;
    }
    case 'selfsubjectreviews':
      answer.status = { userInfo: { username: ctx.user.name, groups: ctx.user.groups, ...(ctx.user.uid ? { uid: ctx.user.uid } : {}) } };
      break;
    case 'tokenreviews':
      if (!spec.token) throw badRequest('token is required for TokenReview');
      answer.status = { authenticated: false, user: {}, error: 'token authentication is not enabled' };
      break;
  }
  respondObject(ctx, resource, 201, answer);
}
