// Wire layout of k8s.io/api events/v1, coordination/v1.
// Field numbers and types come from generated.proto, JSON names and zero-value handling from the Go tags
// in types.go (release 1.36, a superset of 1.33). Notation in descriptor.ts.
import type { MessageTable } from './descriptor.ts';

export const events: MessageTable = {
  Event: ['1 metadata meta.ObjectMeta', '2 eventTime meta.MicroTime', '3 series EventSeries',
    '4 reportingController string', '5 reportingInstance string', '6 action string', '7 reason string',
    '8 regarding core.ObjectReference', '9 related core.ObjectReference', '10 note string', '11 type string',
    '12 deprecatedSource core.EventSource', '13 deprecatedFirstTimestamp meta.Time',
    '14 deprecatedLastTimestamp meta.Time', '15 deprecatedCount int32'],
  EventSeries: ['1 count int32!', '2 lastObservedTime meta.MicroTime'],
};

export const coordination: MessageTable = {
  Lease: ['1 metadata meta.ObjectMeta', '2 spec LeaseSpec'],
  LeaseSpec: ['1 holderIdentity string!', '2 leaseDurationSeconds int32!', '3 acquireTime meta.MicroTime',
    '4 renewTime meta.MicroTime', '5 leaseTransitions int32!', '6 strategy string!', '7 preferredHolder string!'],
};
