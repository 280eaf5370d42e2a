// Every apps/v1 kind the API server serves.

import type { KindDefinition } from '../../kind.ts';
import { controllerRevision } from './controllerrevision.ts';
import { daemonSet } from './daemonset.ts';
import { deployment } from './deployment.ts';
import { replicaSet } from './replicaset.ts';
import { statefulSet } from './statefulset.ts';

// Their strategies validate ObjectMeta with each kind's own name rule.
export const kinds: KindDefinition[] = [deployment, replicaSet, statefulSet, daemonSet, controllerRevision].map((k) => ({ ...k, validatesMetadata: true }));
