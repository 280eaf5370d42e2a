// Controller names as upstream's cmd/kube-controller-manager/names: the canonical name each
// controller is registered, logged and recorded under, and the short aliases --controllers
// also accepts.

export const names = {
  namespace: 'namespace-controller',
  garbageCollector: 'garbage-collector-controller',
  replicaSet: 'replicaset-controller',
  deployment: 'deployment-controller',
  serviceAccount: 'serviceaccount-controller',
} as const;

export type ControllerName = (typeof names)[keyof typeof names];
