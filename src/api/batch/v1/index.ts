// Every batch/v1 kind the API server serves.

import type { KindDefinition } from '../../kind.ts';
import { cronJob } from './cronjob.ts';
import { job } from './job.ts';

// Their strategies validate ObjectMeta with each kind's own name rule.
export const kinds: KindDefinition[] = [job, cronJob].map((k) => ({ ...k, validatesMetadata: true }));
