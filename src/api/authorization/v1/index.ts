// authorization.k8s.io/v1: the access reviews (create-only; never stored, the API server
// answers them from its authorizer). Reviews carry no name, so the registry must not require
// metadata.name for them.

import type { KindDefinition } from '../../kind.ts';
import { localSubjectAccessReview } from './local-subject-access-review.ts';
import { selfSubjectAccessReview } from './self-subject-access-review.ts';
import { selfSubjectRulesReview } from './self-subject-rules-review.ts';
import { subjectAccessReview } from './subject-access-review.ts';

export const kinds: KindDefinition[] = [localSubjectAccessReview, selfSubjectAccessReview, selfSubjectRulesReview, subjectAccessReview];

export { localSubjectAccessReview, localSubjectAccessReviewSchema } from './local-subject-access-review.ts';
export { selfSubjectAccessReview, selfSubjectAccessReviewSchema } from './self-subject-access-review.ts';
export { selfSubjectRulesReview, selfSubjectRulesReviewSchema } from './self-subject-rules-review.ts';
export { subjectAccessReview, subjectAccessReviewSchema } from './subject-access-review.ts';
