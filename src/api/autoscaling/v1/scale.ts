// autoscaling/v1 Scale: the body of every scale subresource (deployments/scale, CRDs with
// a scale subresource, ...), read and written by kubectl scale and autoscalers. Not a
// resource of its own.

import { kindSchema } from '../../meta.ts';
import type { Schema } from '../../schema.ts';
import { int32, obj, str } from '../../schema.ts';

export const scaleGroupVersionKind = { group: 'autoscaling', version: 'v1', kind: 'Scale' } as const;

export const scaleSchema: Schema = kindSchema('Scale represents a scaling request for a resource.', {
  spec: obj(
    { replicas: int32('replicas is the desired number of instances for the scaled object.') },
    { description: 'spec defines the behavior of the scale. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#spec-and-status.' },
  ),
  status: obj(
    {
      replicas: int32('replicas is the actual number of observed instances of the scaled object.'),
      selector: str(
        'selector is the label query over pods that should match the replicas count. This is same as the label selector but in the string format to avoid introspection by clients. The string will be in the same format as the query-param syntax. More info about label selectors: https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/',
      ),
    },
    {
      description: 'status is the current status of the scale. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#spec-and-status. Read-only.',
      required: ['replicas'],
    },
  ),
});
