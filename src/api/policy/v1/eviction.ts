// policy/v1 Eviction: the body of POST .../pods/<name>/eviction (kubectl drain). Not a
// resource of its own; the pods/eviction handler decodes it, checks the PodDisruptionBudgets
// and deletes the pod with the given DeleteOptions.

import { kindSchema } from '../../meta.ts';
import type { Schema } from '../../schema.ts';
import { deleteOptionsSchema } from '../../meta/v1/status.ts';

export const evictionSchema: Schema = kindSchema(
  'Eviction evicts a pod from its node subject to certain policies and safety constraints. This is a subresource of Pod.  A request to cause such an eviction is created by POSTing to .../pods/<pod name>/evictions.',
  { deleteOptions: { ...deleteOptionsSchema, description: 'DeleteOptions may be provided' } },
);
