// discovery.k8s.io/v1: EndpointSlice.

import type { KindDefinition } from '../../kind.ts';
import { endpointSlice } from './endpoint-slice.ts';

export const kinds: KindDefinition[] = [endpointSlice];

export { endpointSlice, endpointSliceSchema } from './endpoint-slice.ts';
