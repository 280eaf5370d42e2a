// authentication.k8s.io/v1: TokenReview and SelfSubjectReview (create-only reviews), and
// TokenRequest, the body of the serviceaccounts/token subresource.

import type { KindDefinition } from '../../kind.ts';
import { selfSubjectReview } from './self-subject-review.ts';
import { tokenReview } from './token-review.ts';

export const kinds: KindDefinition[] = [selfSubjectReview, tokenReview];

export { selfSubjectReview, selfSubjectReviewSchema } from './self-subject-review.ts';
export { tokenReview, tokenReviewSchema } from './token-review.ts';
export { tokenRequestSchema, boundObjectReferenceSchema, defaultTokenRequest, validateTokenRequest, minTokenAgeSeconds, maxTokenAgeSeconds } from './token-request.ts';
export { userInfoSchema } from './user-info.ts';
