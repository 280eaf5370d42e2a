// coordination.k8s.io/v1: Lease.

import type { KindDefinition } from '../../kind.ts';
import { lease } from './lease.ts';

export const kinds: KindDefinition[] = [lease];

export { lease, leaseSchema, leaseSpecSchema } from './lease.ts';
