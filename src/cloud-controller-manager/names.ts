// Controller names as upstream's k8s.io/cloud-provider/names: the canonical name each controller
// is registered, logged and recorded under, and the aliases --controllers also accepts.

export const names = {
  cloudNode: 'cloud-node-controller',
  cloudNodeLifecycle: 'cloud-node-lifecycle-controller',
  serviceLB: 'service-lb-controller',
  nodeRoute: 'node-route-controller',
} as const;

export const aliases: Record<string, string> = {
  'cloud-node': names.cloudNode,
  'cloud-node-lifecycle': names.cloudNodeLifecycle,
  service: names.serviceLB,
  route: names.nodeRoute,
};
