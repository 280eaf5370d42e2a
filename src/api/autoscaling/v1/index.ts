// autoscaling/v1 as far as this package goes: the Scale subresource body. (The
// HorizontalPodAutoscaler kind is not defined here.)

import type { KindDefinition } from '../../kind.ts';

export const kinds: KindDefinition[] = [];

export { scaleSchema, scaleGroupVersionKind } from './scale.ts';
