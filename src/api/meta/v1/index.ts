// meta.k8s.io/v1: no stored kinds; the schemas of the API's own envelopes (Table, Status,
// DeleteOptions, WatchEvent, discovery documents) for the OpenAPI document, and the shared
// pieces (LabelSelector, Condition) other groups build on.

import type { KindDefinition } from '../../kind.ts';

export const kinds: KindDefinition[] = [];

export { tableSchema, tableColumnDefinitionSchema, tableRowSchema, partialObjectMetadataSchema, partialObjectMetadataListSchema } from './table.ts';
export { statusSchema, statusCauseSchema, statusDetailsSchema, deleteOptionsSchema, preconditionsSchema, watchEventSchema } from './status.ts';
export { apiResourceListSchema, apiResourceSchema, apiGroupListSchema, apiGroupSchema, apiVersionsSchema, groupVersionForDiscoverySchema, serverAddressByClientCIDRSchema } from './discovery.ts';
export { labelSelectorSchema, labelSelectorRequirementSchema, validateLabelSelector } from './label-selector.ts';
export { conditionSchema } from './condition.ts';
