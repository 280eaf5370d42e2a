// Authorization, a pluggable step of the request chain: may this user do this verb on this
// resource? The default authorizer admits the system:masters group (the admin kubeconfig's
// identity), as upstream's does before RBAC is consulted, lets every authenticated user
// ask about itself and read discovery, and denies everything else.

import type { UserInfo } from './user.ts';

export interface Attributes {
  user: UserInfo;
  verb: string;
  group: string;
  version?: string;
  resource: string;
  subresource?: string;
  namespace?: string;
  name?: string;
  /** For non-resource requests (/metrics, /openapi/v3, ...). */
  path?: string;
}

export interface Decision {
  allowed: boolean;
  reason: string;
}

export interface Authorizer {
  authorize(attributes: Attributes): Decision;
}

/** What every authenticated user may do (upstream's system:basic-user and system:discovery roles). */
const selfReviews = new Set(['selfsubjectaccessreviews', 'selfsubjectrulesreviews', 'selfsubjectreviews']);

export const mastersAuthorizer: Authorizer = {
  authorize({ user, verb, group, resource, path }) {
    if (user.groups.includes('system:masters')) return { allowed: true, reason: '' };
    if (user.groups.includes('system:authenticated')) {
      if (verb === 'create' && (group === 'authorization.k8s.io' || group === 'authentication.k8s.io') && selfReviews.has(resource)) return { allowed: true, reason: '' };
      if (path !== undefined && verb === 'get' && /^\/(api|apis|openapi|version|healthz|livez|readyz)(\/|$)/.test(path)) return { allowed: true, reason: '' };
    }
    return { allowed: false, reason: '' };
  },
};
