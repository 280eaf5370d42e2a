// Authorization, a pluggable step of the request chain: may this user do this verb on this
// resource? The default authorizer admits the system:masters group (the admin kubeconfig's
// identity), as upstream's does before RBAC is consulted, and denies everyone else.

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

export const mastersAuthorizer: Authorizer = {
  authorize({ user }) {
    if (user.groups.includes('system:masters')) return { allowed: true, reason: '' };
    return { allowed: false, reason: 'no RBAC policy matched' };
  },
};
