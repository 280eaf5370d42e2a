// coordination.k8s.io/v1 Lease: the schema (times are MicroTime), upstream's validation
// (positive duration, non-negative transitions, known strategy, preferredHolder only with a
// strategy) and the HOLDER / AGE table. Leader election and node heartbeats use it.

import type { StatusCause } from '../../../machinery/status.ts';
import { isQualifiedName } from '../../../machinery/validation.ts';
import type { KindDefinition, KubeObject } from '../../kind.ts';
import { kindSchema } from '../../meta.ts';
import type { Schema } from '../../schema.ts';
import { int32, obj, str } from '../../schema.ts';
import { creationTimestampDescription, translateTimestampSince } from '../../meta/v1/age.ts';
import { forbidden, invalid, notSupported } from '../../meta/v1/field.ts';
import { microTime } from '../../meta/v1/micro-time.ts';
import { num, obj as asObject, optStr, str as asString } from '../../meta/v1/unstructured.ts';

export const leaseSpecSchema: Schema = obj(
  {
    holderIdentity: str('holderIdentity contains the identity of the holder of a current lease. If Coordinated Leader Election is used, the holder identity must be equal to the elected LeaseCandidate.metadata.name field.'),
    leaseDurationSeconds: int32('leaseDurationSeconds is a duration that candidates for a lease need to wait to force acquire it. This is measured against the time of last observed renewTime.'),
    acquireTime: microTime('acquireTime is a time when the current lease was acquired.'),
    renewTime: microTime('renewTime is a time when the current holder of a lease has last updated the lease.'),
    leaseTransitions: int32('leaseTransitions is the number of transitions of a lease between holders.'),
    strategy: str(
      'Strategy indicates the strategy for picking the leader for coordinated leader election. If the field is not specified, there is no active coordination for this lease. (Alpha) Using this field requires the CoordinatedLeaderElection feature gate to be enabled.',
    ),
    preferredHolder: str(
      'PreferredHolder signals to a lease holder that the lease has a more optimal holder and should be given up. This field can only be set if Strategy is also set.',
    ),
  },
  { description: 'LeaseSpec is a specification of a Lease.' },
);

export const leaseSchema: Schema = kindSchema('Lease defines a lease concept.', {
  spec: { ...leaseSpecSchema, description: 'spec contains the specification of the Lease. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#spec-and-status' },
});

const validLeaseStrategies = ['OldestEmulationVersion'];

/** ValidateCoordinatedLeaseStrategy (upstream reports under "<path>.strategy" of the strategy path). */
function validateStrategy(strategy: string, path: string): StatusCause[] {
  const field = `${path}.strategy`;
  if (strategy.split('/').length === 1) {
    return validLeaseStrategies.includes(strategy) ? [] : [notSupported(field, strategy, validLeaseStrategies)];
  }
  return isQualifiedName(strategy).map((msg) => invalid(field, strategy, msg));
}

function validate(object: KubeObject): StatusCause[] {
  const spec = asObject(object.spec);
  const errs: StatusCause[] = [];
  const duration = num(spec.leaseDurationSeconds);
  if (duration !== undefined && duration <= 0) errs.push(invalid('spec.leaseDurationSeconds', duration, 'must be greater than 0'));
  const transitions = num(spec.leaseTransitions);
  if (transitions !== undefined && transitions < 0) errs.push(invalid('spec.leaseTransitions', transitions, 'must be greater than or equal to 0'));
  const strategy = optStr(spec.strategy);
  if (strategy !== undefined) errs.push(...validateStrategy(strategy, 'spec.strategy'));
  if (asString(spec.preferredHolder) !== '' && !strategy) {
    errs.push(forbidden('spec.preferredHolder', 'may only be specified if `strategy` is defined'));
  }
  return errs;
}

export const lease: KindDefinition = {
  group: 'coordination.k8s.io',
  version: 'v1',
  kind: 'Lease',
  resource: 'leases',
  namespaced: true,
  schema: leaseSchema,
  table: {
    columns: [
      { name: 'Holder', type: 'string', description: 'holderIdentity contains the identity of the holder of a current lease.', priority: 0 },
      { name: 'Age', type: 'string', description: creationTimestampDescription, priority: 0 },
    ],
    cells: (object, now) => [asString(asObject(object.spec).holderIdentity), translateTimestampSince(object.metadata?.creationTimestamp, now)],
  },
  strategy: { validate },
};
