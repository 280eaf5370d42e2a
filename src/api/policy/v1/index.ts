// policy/v1: PodDisruptionBudget, and Eviction (the pods/eviction subresource body).

import { validatePathSegmentName } from '../../../machinery/validation.ts';
import type { KindDefinition } from '../../kind.ts';
import { podDisruptionBudget } from './pod-disruption-budget.ts';

export const kinds: KindDefinition[] = [{ ...podDisruptionBudget, nameValidator: validatePathSegmentName }];

export { podDisruptionBudget, podDisruptionBudgetSchema, podDisruptionBudgetSpecSchema, podDisruptionBudgetStatusSchema } from './pod-disruption-budget.ts';
export { evictionSchema } from './eviction.ts';
