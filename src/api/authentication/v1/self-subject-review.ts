// authentication.k8s.io/v1 SelfSubjectReview: "who am I?" (kubectl auth whoami). Create
// only; the server fills status.userInfo with the requester's identity.

import type { KindDefinition } from '../../kind.ts';
import { kindSchema } from '../../meta.ts';
import type { Schema } from '../../schema.ts';
import { obj } from '../../schema.ts';
import { defaultTable } from '../../meta/v1/default-table.ts';
import { userInfoSchema } from './user-info.ts';

export const selfSubjectReviewSchema: Schema = kindSchema(
  'SelfSubjectReview contains the user information that the kube-apiserver has about the user making this request. When using impersonation, users will receive the user info of the user being impersonated.  If impersonation or request header authentication is used, any extra keys will have their case ignored and returned as lowercase.',
  {
    status: obj({ userInfo: { ...userInfoSchema, description: 'User attributes of the user making this request.' } }, { description: 'Status is filled in by the server with the user attributes.' }),
  },
);

export const selfSubjectReview: KindDefinition = {
  group: 'authentication.k8s.io',
  version: 'v1',
  kind: 'SelfSubjectReview',
  resource: 'selfsubjectreviews',
  namespaced: false,
  verbs: ['create'],
  schema: selfSubjectReviewSchema,
  table: defaultTable,
};
