// authentication.k8s.io/v1 TokenReview: "who does this bearer token belong to?", asked by
// webhook authenticators and kubelets (create only; the answer comes back in status). An
// empty token is refused by the REST handler with 400 BadRequest ("token is required for
// TokenReview in authentication.k8s.io"), not by field validation.

import type { KindDefinition } from '../../kind.ts';
import { kindSchema } from '../../meta.ts';
import type { Schema } from '../../schema.ts';
import { bool, list, obj, str } from '../../schema.ts';
import { defaultTable } from '../../meta/v1/default-table.ts';
import { userInfoSchema } from './user-info.ts';

const audiences = (description: string): Schema => list(str(), description, { 'x-kubernetes-list-type': 'atomic' });

export const tokenReviewSchema: Schema = kindSchema(
  'TokenReview attempts to authenticate a token to a known user. Note: TokenReview requests may be cached by the webhook token authenticator plugin in the kube-apiserver.',
  {
    spec: obj(
      {
        token: str('Token is the opaque bearer token.'),
        audiences: audiences(
          'Audiences is a list of the identifiers that the resource server presented with the token identifies as. Audience-aware token authenticators will verify that the token was intended for at least one of the audiences in this list. If no audiences are provided, the audience will default to the audience of the Kubernetes apiserver.',
        ),
      },
      { description: 'Spec holds information about the request being evaluated' },
    ),
    status: obj(
      {
        authenticated: bool('Authenticated indicates that the token was associated with a known user.'),
        user: { ...userInfoSchema, description: 'User is the UserInfo associated with the provided token.' },
        audiences: audiences(
          "Audiences are audience identifiers chosen by the authenticator that are compatible with both the TokenReview and token. An identifier is any identifier in the intersection of the TokenReviewSpec audiences and the token's audiences. A client of the TokenReview API that sets the spec.audiences field should validate that a compatible audience identifier is returned in the status.audiences field to ensure that the TokenReview server is audience aware. If a TokenReview returns an empty status.audience field where status.authenticated is \"true\", the token is valid against the audience of the Kubernetes API server.",
        ),
        error: str("Error indicates that the token couldn't be checked"),
      },
      { description: 'Status is filled in by the server and indicates whether the request can be authenticated.' },
    ),
  },
  ['spec'],
);

export const tokenReview: KindDefinition = {
  group: 'authentication.k8s.io',
  version: 'v1',
  kind: 'TokenReview',
  resource: 'tokenreviews',
  namespaced: false,
  verbs: ['create'],
  schema: tokenReviewSchema,
  table: defaultTable,
};
