// Every built-in kind, in the order discovery lists their groups.

import { kinds as apiextensionsV1 } from './apiextensions/v1/index.ts';
import { kinds as appsV1 } from './apps/v1/index.ts';
import { kinds as authenticationV1 } from './authentication/v1/index.ts';
import { kinds as authorizationV1 } from './authorization/v1/index.ts';
import { kinds as batchV1 } from './batch/v1/index.ts';
import { kinds as coordinationV1 } from './coordination/v1/index.ts';
import { kinds as coreV1 } from './core/v1/index.ts';
import { kinds as discoveryV1 } from './discovery/v1/index.ts';
import { kinds as eventsV1 } from './events/v1/index.ts';
import type { KindDefinition } from './kind.ts';
import { kinds as policyV1 } from './policy/v1/index.ts';
import { kinds as rbacV1 } from './rbac/v1/index.ts';
import { kinds as schedulingV1 } from './scheduling/v1/index.ts';

export function builtinKinds(): KindDefinition[] {
  return [
    ...coreV1,
    ...appsV1,
    ...eventsV1,
    ...authenticationV1,
    ...authorizationV1,
    ...batchV1,
    ...policyV1,
    ...rbacV1,
    ...schedulingV1,
    ...coordinationV1,
    ...discoveryV1,
    ...apiextensionsV1,
  ];
}
