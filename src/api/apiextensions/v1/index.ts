// apiextensions.k8s.io/v1: CustomResourceDefinition, plus the pieces the API server needs to
// serve custom resources (the structural-schema check and the CRD sub-schemas).

import type { KindDefinition } from '../../kind.ts';
import { customResourceDefinition } from './custom-resource-definition.ts';

export const kinds: KindDefinition[] = [customResourceDefinition];

export { customResourceDefinition } from './custom-resource-definition.ts';
export {
  customResourceDefinitionSchema,
  customResourceDefinitionSpecSchema,
  customResourceDefinitionStatusSchema,
  customResourceDefinitionVersionSchema,
  customResourceDefinitionNamesSchema,
  customResourceColumnDefinitionSchema,
  customResourceSubresourcesSchema,
  customResourceConversionSchema,
} from './crd-schema.ts';
export { jsonSchemaPropsSchema, validationRuleSchema } from './json-schema-props.ts';
export { structuralSchemaErrors } from './structural-schema.ts';
export { validateCustomResourceDefinition, validateCustomResourceDefinitionUpdate, validateCustomResourceDefinitionNames } from './crd-validation.ts';
