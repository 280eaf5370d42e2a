// meta.k8s.io/v1 Status (the body of every error and of some deletes), DeleteOptions (the
// body of DELETE and of pods/eviction) and WatchEvent (one line of a watch stream): schemas
// for the OpenAPI document.

import type { Schema } from '../../schema.ts';
import { bool, freeform, int32, int64, list, obj, str } from '../../schema.ts';
import { listMeta } from '../../meta.ts';

export const statusCauseSchema: Schema = obj(
  {
    reason: str('A machine-readable description of the cause of the error. If this value is empty there is no information available.'),
    message: str('A human-readable description of the cause of the error.  This field may be presented as-is to a reader.'),
    field: str('The field of the resource that has caused this error, as named by its JSON serialization. May include dot and postfix notation for nested attributes. Arrays are zero-indexed.  Fields may appear more than once in an array of causes due to fields having multiple errors. Optional.\n\nExamples:\n  "name" - the field "name" on the current resource\n  "items[0].name" - the field "name" on the first array entry in "items"'),
  },
  { description: 'StatusCause provides more information about an api.Status failure, including cases when multiple errors are encountered.' },
);

export const statusDetailsSchema: Schema = obj(
  {
    name: str('The name attribute of the resource associated with the status StatusReason (when there is a single name which can be described).'),
    group: str('The group attribute of the resource associated with the status StatusReason.'),
    kind: str('The kind attribute of the resource associated with the status StatusReason.'),
    uid: str('UID of the resource. (when there is a single resource which can be described).'),
    causes: list(statusCauseSchema, 'The Causes array includes more details associated with the StatusReason failure. Not all StatusReasons may provide detailed causes.', { 'x-kubernetes-list-type': 'atomic' }),
    retryAfterSeconds: int32('If specified, the time in seconds before the operation should be retried.'),
  },
  { description: 'StatusDetails is a set of additional properties that MAY be set by the server to provide additional information about a response.' },
);

export const statusSchema: Schema = obj(
  {
    apiVersion: str('APIVersion defines the versioned schema of this representation of an object.'),
    kind: str('Kind is a string value representing the REST resource this object represents.'),
    metadata: listMeta,
    status: str('Status of the operation. One of: "Success" or "Failure".'),
    message: str('A human-readable description of the status of this operation.'),
    reason: str('A machine-readable description of why this operation is in the "Failure" status. If this value is empty there is no information available.'),
    details: { ...statusDetailsSchema, 'x-kubernetes-map-type': 'atomic' },
    code: int32('Suggested HTTP return code for this status, 0 if not set.'),
  },
  { description: 'Status is a return value for calls that don\'t return other objects.' },
);

export const preconditionsSchema: Schema = obj(
  {
    uid: str('Specifies the target UID.'),
    resourceVersion: str('Specifies the target ResourceVersion'),
  },
  { description: 'Preconditions must be fulfilled before an operation (update, delete, etc.) is carried out.' },
);

export const deleteOptionsSchema: Schema = obj(
  {
    apiVersion: str('APIVersion defines the versioned schema of this representation of an object.'),
    kind: str('Kind is a string value representing the REST resource this object represents.'),
    gracePeriodSeconds: int64('The duration in seconds before the object should be deleted. Value must be non-negative integer. The value zero indicates delete immediately. If this value is nil, the default grace period for the specified type will be used.'),
    preconditions: preconditionsSchema,
    orphanDependents: bool('Deprecated: please use the PropagationPolicy, this field will be deprecated in 1.7. Should the dependent objects be orphaned.'),
    propagationPolicy: str("Whether and how garbage collection will be performed. Acceptable values are: 'Orphan', 'Background' and 'Foreground'."),
    dryRun: list(str(), 'When present, indicates that modifications should not be persisted. Valid values are: - All: all dry run stages will be processed', { 'x-kubernetes-list-type': 'atomic' }),
    ignoreStoreReadErrorWithClusterBreakingPotential: bool('if set to true, it will trigger an unsafe deletion of the resource in case the normal deletion flow fails with a corrupt object error.'),
  },
  { description: 'DeleteOptions may be provided when deleting an API object.' },
);

export const watchEventSchema: Schema = obj(
  {
    type: str('The type of the event: ADDED, MODIFIED, DELETED, BOOKMARK or ERROR.'),
    object: freeform('Object is:\n * If Type is Added or Modified: the new state of the object.\n * If Type is Deleted: the state of the object immediately before deletion.\n * If Type is Error: *Status is recommended; other types may make sense\n   depending on context.'),
  },
  { description: 'Event represents a single event to a watched resource.', required: ['type', 'object'] },
);
