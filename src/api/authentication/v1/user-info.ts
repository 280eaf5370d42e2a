// authentication/v1 UserInfo: who a request is from, as TokenReview and SelfSubjectReview
// report it.

import type { Schema } from '../../schema.ts';
import { list, mapOf, obj, str } from '../../schema.ts';

export const userInfoSchema: Schema = obj(
  {
    username: str('The name that uniquely identifies this user among all active users.'),
    uid: str('A unique value that identifies this user across time. If this user is deleted and another user by the same name is added, they will have different UIDs.'),
    groups: list(str(), 'The names of groups this user is a part of.', { 'x-kubernetes-list-type': 'atomic' }),
    extra: mapOf(list(str(), '', { 'x-kubernetes-list-type': 'atomic' }), 'Any additional information provided by the authenticator.'),
  },
  { description: 'UserInfo holds the information about the user needed to implement the user.Info interface.' },
);
