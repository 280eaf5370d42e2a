// authentication.k8s.io/v1 TokenRequest: the body of POST
// /api/v1/namespaces/<ns>/serviceaccounts/<name>/token (kubectl create token). Not a resource
// of its own: the schema, upstream's default (one hour) and validation (at least ten minutes,
// at most 2^32 seconds) for the serviceaccounts/token handler to use.

import type { StatusCause } from '../../../machinery/status.ts';
import type { KubeObject } from '../../kind.ts';
import { kindSchema } from '../../meta.ts';
import type { Schema } from '../../schema.ts';
import { int64, list, obj, str, time } from '../../schema.ts';
import { invalid } from '../../meta/v1/field.ts';
import { child, num } from '../../meta/v1/unstructured.ts';

export const boundObjectReferenceSchema: Schema = obj(
  {
    kind: str("Kind of the referent. Valid kinds are 'Pod' and 'Secret'."),
    apiVersion: str('API version of the referent.'),
    name: str('Name of the referent.'),
    uid: str('UID of the referent.'),
  },
  { description: 'BoundObjectReference is a reference to an object that a token is bound to.' },
);

export const tokenRequestSchema: Schema = kindSchema(
  'TokenRequest requests a token for a given service account.',
  {
    spec: obj(
      {
        audiences: list(
          str(),
          'Audiences are the intendend audiences of the token. A recipient of a token must identify themself with an identifier in the list of audiences of the token, and otherwise should reject the token. A token issued for multiple audiences may be used to authenticate against any of the audiences listed but implies a high degree of trust between the target audiences.',
          { 'x-kubernetes-list-type': 'atomic' },
        ),
        expirationSeconds: int64(
          'ExpirationSeconds is the requested duration of validity of the request. The token issuer may return a token with a different validity duration so a client needs to check the \'expiration\' field in a response.',
        ),
        boundObjectRef: {
          ...boundObjectReferenceSchema,
          description:
            "BoundObjectRef is a reference to an object that the token will be bound to. The token will only be valid for as long as the bound object exists. NOTE: The API server's TokenReview endpoint will validate the BoundObjectRef, but other audiences may not. Keep ExpirationSeconds small if you want prompt revocation.",
        },
      },
      { description: 'Spec holds information about the request being evaluated', required: ['audiences'] },
    ),
    status: obj(
      {
        token: str('Token is the opaque bearer token.'),
        expirationTimestamp: time('ExpirationTimestamp is the time of expiration of the returned token.'),
      },
      { description: 'Status is filled in by the server and indicates whether the token can be authenticated.', required: ['token', 'expirationTimestamp'] },
    ),
  },
  ['spec'],
);

export const minTokenAgeSeconds = 10 * 60;
export const maxTokenAgeSeconds = 2 ** 32;

/** SetDefaults_TokenRequestSpec: tokens last an hour unless asked otherwise. */
export function defaultTokenRequest(object: KubeObject): void {
  const spec = child(object, 'spec');
  spec.expirationSeconds ??= 60 * 60;
}

export function validateTokenRequest(object: KubeObject): StatusCause[] {
  const seconds = num(child(object, 'spec').expirationSeconds) ?? 0;
  const errs: StatusCause[] = [];
  if (seconds < minTokenAgeSeconds) errs.push(invalid('spec.expirationSeconds', seconds, 'may not specify a duration less than 10 minutes'));
  if (seconds > maxTokenAgeSeconds) errs.push(invalid('spec.expirationSeconds', seconds, 'may not specify a duration larger than 2^32 seconds'));
  return errs;
}
