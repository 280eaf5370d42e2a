// events.k8s.io/v1: Event (upstream keeps it in core/v1 Event's storage; see event.ts).

import type { KindDefinition } from '../../kind.ts';
import { event } from './event.ts';

export const kinds: KindDefinition[] = [event];

export { event, eventSchema, eventSeriesSchema, eventSourceSchema } from './event.ts';
