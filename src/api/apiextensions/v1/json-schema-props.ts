// apiextensions/v1 JSONSchemaProps as a Schema: the OpenAPI v3 subset a CRD version's
// openAPIV3Schema is written in. JSONSchemaProps is recursive (properties, items, allOf, ...
// hold JSONSchemaProps again) and some fields hold any JSON (default, enum, example), so the
// recursive and free parts are described with x-kubernetes-preserve-unknown-fields: kept
// whole, never pruned, not type-checked here (structural-schema.ts checks them).

import type { Schema } from '../../schema.ts';
import { bool, int64, list, listMap, mapOf, num, obj, str } from '../../schema.ts';

/** Any JSON value (or a nested JSONSchemaProps), kept as written. */
function anyJSON(description: string): Schema {
  return { description, 'x-kubernetes-preserve-unknown-fields': true };
}

export const validationRuleSchema: Schema = obj(
  {
    rule: str('Rule represents the expression which will be evaluated by CEL. ref: https://github.com/google/cel-spec The Rule is scoped to the location of the x-kubernetes-validations extension in the schema.'),
    message: str('Message represents the message displayed when validation fails. The message is required if the Rule contains line breaks. The message must not contain line breaks. If unset, the message is "failed rule: {Rule}".'),
    messageExpression: str('MessageExpression declares a CEL expression that evaluates to the validation failure message that is returned when this rule fails.'),
    reason: str('reason provides a machine-readable validation failure reason that is returned to the caller when a request fails this validation rule. The currently supported reasons are: "FieldValueInvalid", "FieldValueForbidden", "FieldValueRequired", "FieldValueDuplicate". If not set, default to use "FieldValueInvalid".'),
    fieldPath: str('fieldPath represents the field path returned when the validation fails. It must be a relative JSON path (i.e. with array notation) scoped to the location of this x-kubernetes-validations extension in the schema and refer to an existing field.'),
    optionalOldSelf: bool('optionalOldSelf is used to opt a transition rule into evaluation even when the object is first created, or if the old object is missing the value.'),
  },
  { description: 'ValidationRule describes a validation rule written in the CEL expression language.', required: ['rule'] },
);

export const jsonSchemaPropsSchema: Schema = obj(
  {
    id: str(),
    $schema: str(),
    $ref: str(),
    description: str(),
    type: str(),
    format: str(
      'format is an OpenAPI v3 format string. Unknown formats are ignored. The following formats are validated: bsonobjectid, uri, email, hostname, ipv4, ipv6, cidr, mac, uuid, uuid3, uuid4, uuid5, isbn, isbn10, isbn13, creditcard, ssn, hexcolor, rgbcolor, byte, password, date, duration, datetime.',
    ),
    title: str(),
    default: anyJSON(
      'default is a default value for undefined object fields. Defaulting is a beta feature under the CustomResourceDefaulting feature gate. Defaulting requires spec.preserveUnknownFields to be false.',
    ),
    maximum: num(),
    exclusiveMaximum: bool(),
    minimum: num(),
    exclusiveMinimum: bool(),
    maxLength: int64(),
    minLength: int64(),
    pattern: str(),
    maxItems: int64(),
    minItems: int64(),
    uniqueItems: bool(),
    multipleOf: num(),
    enum: list(anyJSON('JSON represents any valid JSON value.'), '', { 'x-kubernetes-list-type': 'atomic' }),
    maxProperties: int64(),
    minProperties: int64(),
    required: list(str(), '', { 'x-kubernetes-list-type': 'atomic' }),
    items: anyJSON('JSONSchemaPropsOrArray represents a value that can either be a JSONSchemaProps or an array of JSONSchemaProps. Mainly here for serialization purposes.'),
    allOf: list(anyJSON('A nested JSONSchemaProps.'), '', { 'x-kubernetes-list-type': 'atomic' }),
    oneOf: list(anyJSON('A nested JSONSchemaProps.'), '', { 'x-kubernetes-list-type': 'atomic' }),
    anyOf: list(anyJSON('A nested JSONSchemaProps.'), '', { 'x-kubernetes-list-type': 'atomic' }),
    not: anyJSON('A nested JSONSchemaProps.'),
    properties: mapOf(anyJSON('A nested JSONSchemaProps.')),
    additionalProperties: anyJSON('JSONSchemaPropsOrBool represents JSONSchemaProps or a boolean value. Defaults to true for the boolean property.'),
    patternProperties: mapOf(anyJSON('A nested JSONSchemaProps.')),
    dependencies: mapOf(anyJSON('JSONSchemaPropsOrStringArray represents a JSONSchemaProps or a string array.')),
    additionalItems: anyJSON('JSONSchemaPropsOrBool represents JSONSchemaProps or a boolean value. Defaults to true for the boolean property.'),
    definitions: mapOf(anyJSON('A nested JSONSchemaProps.')),
    externalDocs: obj({ description: str(), url: str() }, { description: 'ExternalDocumentation allows referencing an external resource for extended documentation.' }),
    example: anyJSON('JSON represents any valid JSON value. These types are supported: bool, int64, float64, string, []interface{}, map[string]interface{} and nil.'),
    nullable: bool(),
    'x-kubernetes-preserve-unknown-fields': bool(
      'x-kubernetes-preserve-unknown-fields stops the API server decoding step from pruning fields which are not specified in the validation schema. This affects fields recursively, but switches back to normal pruning behaviour if nested properties or additionalProperties are specified in the schema. This can either be true or undefined. False is forbidden.',
    ),
    'x-kubernetes-embedded-resource': bool(
      'x-kubernetes-embedded-resource defines that the value is an embedded Kubernetes runtime.Object, with TypeMeta and ObjectMeta. The type must be object. It is allowed to further restrict the embedded object. kind, apiVersion and metadata are validated automatically. x-kubernetes-preserve-unknown-fields is allowed to be true, but does not have to be if the object is fully specified (up to kind, apiVersion, metadata).',
    ),
    'x-kubernetes-int-or-string': bool(
      'x-kubernetes-int-or-string specifies that this value is either an integer or a string. If this is true, an empty type is allowed and type as child of anyOf is permitted if following one of the following patterns:\n\n1) anyOf:\n   - type: integer\n   - type: string\n2) allOf:\n   - anyOf:\n     - type: integer\n     - type: string\n   - ... zero or more',
    ),
    'x-kubernetes-list-map-keys': list(
      str(),
      'x-kubernetes-list-map-keys annotates an array with the x-kubernetes-list-type `map` by specifying the keys used as the index of the map.\n\nThis tag MUST only be used on lists that have the "x-kubernetes-list-type" extension set to "map". Also, the values specified for this attribute must be a scalar typed field of the child structure (no nesting is supported).\n\nThe properties specified must either be required or have a default value, to ensure those properties are present for all list items.',
      { 'x-kubernetes-list-type': 'atomic' },
    ),
    'x-kubernetes-list-type': str(
      'x-kubernetes-list-type annotates an array to further describe its topology. This extension must only be used on lists and may have 3 possible values:\n\n1) `atomic`: the list is treated as a single entity, like a scalar.\n     Atomic lists will be entirely replaced when updated. This extension\n     may be used on any type of list (struct, scalar, ...).\n2) `set`:\n     Sets are lists that must not have multiple items with the same value. Each\n     value must be a scalar, an object with x-kubernetes-map-type `atomic` or an\n     array with x-kubernetes-list-type `atomic`.\n3) `map`:\n     These lists are like maps in that their elements have a non-index key\n     used to identify them. Order is preserved upon merge. The map tag\n     must only be used on a list with elements of type object.\nDefaults to atomic for arrays.',
    ),
    'x-kubernetes-map-type': str(
      'x-kubernetes-map-type annotates an object to further describe its topology. This extension must only be used when type is object and may have 2 possible values:\n\n1) `granular`:\n     These maps are actual maps (key-value pairs) and each fields are independent\n     from each other (they can each be manipulated by separate actors). This is\n     the default behaviour for all maps.\n2) `atomic`: the list is treated as a single entity, like a scalar.\n     Atomic maps will be entirely replaced when updated.',
    ),
    'x-kubernetes-validations': listMap(validationRuleSchema, ['rule'], 'x-kubernetes-validations describes a list of validation rules written in the CEL expression language.'),
  },
  { description: 'JSONSchemaProps is a JSON-Schema following Specification Draft 4 (http://json-schema.org/).' },
);
