// The body of the pods/binding subresource: the scheduler POSTs a Binding naming the node
// (target) a pod is bound to. Only its schema and validation live here; the subresource
// handler sets spec.nodeName.

import type { StatusCause } from '../../../machinery/status.ts';
import type { KubeObject } from '../../kind.ts';
import { kindSchema } from '../../meta.ts';
import { objectReference } from './common.ts';
import { notSupported, required } from './field-errors.ts';
import { rec, str } from './json.ts';

export const bindingSchema = kindSchema(
  'Binding ties one object to another; for example, a pod is bound to a node by a scheduler.',
  { target: { ...objectReference, description: 'The target object that you want to bind to the standard object.' } },
  ['target'],
);

/** ValidatePodBinding. */
export function validateBinding(binding: KubeObject): StatusCause[] {
  const target = rec(binding.target);
  const errs: StatusCause[] = [];
  if (str(target.kind) && target.kind !== 'Node') errs.push(notSupported('target.kind', target.kind, ['Node', '<empty>']));
  if (!str(target.name)) errs.push(required('target.name'));
  return errs;
}
