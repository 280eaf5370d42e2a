// Controller names as upstream's cmd/kube-controller-manager/names: the canonical name each
// controller is registered, logged and recorded under, and the short aliases --controllers
// also accepts.

export const names = {
  namespace: 'namespace-controller',
  garbageCollector: 'garbage-collector-controller',
  replicaSet: 'replicaset-controller',
  deployment: 'deployment-controller',
  serviceAccount: 'serviceaccount-controller',
  endpoints: 'endpoints-controller',
  endpointSlice: 'endpointslice-controller',
  podGarbageCollector: 'pod-garbage-collector-controller',
  nodeLifecycle: 'node-lifecycle-controller',
  taintEviction: 'taint-eviction-controller',
  job: 'job-controller',
  cronJob: 'cronjob-controller',
  ttlAfterFinished: 'ttl-after-finished-controller',
  daemonSet: 'daemonset-controller',
  statefulSet: 'statefulset-controller',
  disruption: 'disruption-controller',
  rootCACertificatePublisher: 'root-ca-certificate-publisher-controller',
} as const;

export type ControllerName = (typeof names)[keyof typeof names];
