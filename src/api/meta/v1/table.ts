// meta.k8s.io/v1 Table and PartialObjectMetadata(List): what the API server returns when a
// client asks for `application/json;as=Table;v=v1;g=meta.k8s.io` (kubectl get) or for
// metadata only. Schemas for the OpenAPI document; these are not stored resources.

import type { Schema } from '../../schema.ts';
import { freeform, int32, list, obj, str } from '../../schema.ts';
import { listMeta, objectMeta } from '../../meta.ts';

const typeMeta = {
  apiVersion: str('APIVersion defines the versioned schema of this representation of an object.'),
  kind: str('Kind is a string value representing the REST resource this object represents.'),
};

export const tableColumnDefinitionSchema: Schema = obj(
  {
    name: str('name is a human readable name for the column.'),
    type: str('type is an OpenAPI type definition for this column, such as number, integer, string, or array.'),
    format: str("format is an optional OpenAPI type modifier for this column. A format modifies the type and imposes additional rules, like date or time formatting for a string. The 'name' format is applied to the primary identifier column which has type 'string' to assist in clients identifying column is the resource name."),
    description: str('description is a human readable description of this column.'),
    priority: int32('priority is an integer defining the relative importance of this column compared to others. Lower numbers are considered higher priority. Columns that may be omitted in limited space scenarios should be given a higher priority.'),
  },
  { description: 'TableColumnDefinition contains information about a column returned in the Table.', required: ['name', 'type', 'format', 'description', 'priority'] },
);

export const tableRowConditionSchema: Schema = obj(
  {
    type: str('Type of row condition. The only defined value is \'Completed\' indicating that the object this row represents has reached a completed state and may be given less visual priority than other rows.'),
    status: str('Status of the condition, one of True, False, Unknown.'),
    reason: str("(brief) machine readable reason for the condition's last transition."),
    message: str('Human readable message indicating details about last transition.'),
  },
  { description: 'TableRowCondition allows a row to be marked with additional information.', required: ['type', 'status'] },
);

export const tableRowSchema: Schema = obj(
  {
    cells: list(
      { 'x-kubernetes-preserve-unknown-fields': true },
      'cells will be as wide as the column definitions array and may contain strings, numbers (float64 or int64), booleans, simple maps, lists, or null.',
      { 'x-kubernetes-list-type': 'atomic' },
    ),
    conditions: list(tableRowConditionSchema, 'conditions describe additional status of a row that are relevant for a human user.', { 'x-kubernetes-list-type': 'atomic' }),
    object: freeform('This field contains the requested additional information about each object based on the includeObject policy when requesting the Table. If "None", this field is empty, if "Object" this will be the default serialization of the object for the current API version, and if "Metadata" (the default) will contain the object metadata.'),
  },
  { description: 'TableRow is an individual row in a table.', required: ['cells'] },
);

export const tableSchema: Schema = obj(
  {
    ...typeMeta,
    metadata: listMeta,
    columnDefinitions: list(tableColumnDefinitionSchema, 'columnDefinitions describes each column in the returned items array. The number of cells per row will always match the number of column definitions.', {
      'x-kubernetes-list-type': 'atomic',
    }),
    rows: list(tableRowSchema, 'rows is the list of items in the table.', { 'x-kubernetes-list-type': 'atomic' }),
  },
  { description: 'Table is a tabular representation of a set of API resources. The server transforms the object into a set of preferred columns for quickly reviewing the objects.', required: ['columnDefinitions', 'rows'] },
);

export const partialObjectMetadataSchema: Schema = obj(
  { ...typeMeta, metadata: objectMeta },
  { description: 'PartialObjectMetadata is a generic representation of any object with ObjectMeta. It allows clients to get access to a particular ObjectMeta schema without knowing the details of the version.' },
);

export const partialObjectMetadataListSchema: Schema = obj(
  {
    ...typeMeta,
    metadata: listMeta,
    items: list(partialObjectMetadataSchema, 'items contains each of the included items.'),
  },
  { description: 'PartialObjectMetadataList contains a list of objects containing only their metadata', required: ['items'] },
);
