// scheduling.k8s.io/v1: PriorityClass.

import type { KindDefinition } from '../../kind.ts';
import { priorityClass } from './priority-class.ts';

export const kinds: KindDefinition[] = [priorityClass];

export { priorityClass, priorityClassSchema, systemPriorityClasses, highestUserDefinablePriority, systemCriticalPriority } from './priority-class.ts';
