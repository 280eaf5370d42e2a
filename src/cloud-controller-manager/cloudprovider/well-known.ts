// Names the cloud-controller-manager shares with kubelets, kube-proxy and users: taints, labels,
// annotations and finalizers, spelled exactly as upstream (k8s.io/cloud-provider/api, core/v1).

/** Set by a kubelet started with --cloud-provider=external until the cloud node controller initializes the node. */
export const taintExternalCloudProvider = 'node.cloudprovider.kubernetes.io/uninitialized';
/** Set on a NotReady node whose instance the cloud reports shut down. */
export const taintNodeShutdown = 'node.cloudprovider.kubernetes.io/shutdown';
/** Set by the cluster autoscaler on nodes it is about to remove; such nodes take no load-balancer traffic. */
export const taintToBeDeletedByClusterAutoscaler = 'ToBeDeletedByClusterAutoscaler';

export const labelInstanceType = 'beta.kubernetes.io/instance-type';
export const labelInstanceTypeStable = 'node.kubernetes.io/instance-type';
export const labelFailureDomainBetaZone = 'failure-domain.beta.kubernetes.io/zone';
export const labelFailureDomainBetaRegion = 'failure-domain.beta.kubernetes.io/region';
export const labelTopologyZone = 'topology.kubernetes.io/zone';
export const labelTopologyRegion = 'topology.kubernetes.io/region';
/** A node with this label (unless its value parses as false) takes no load-balancer traffic. */
export const labelNodeExcludeBalancers = 'node.kubernetes.io/exclude-from-external-load-balancers';

/** Holds a LoadBalancer Service until its cloud load balancer is deleted. */
export const loadBalancerCleanupFinalizer = 'service.kubernetes.io/load-balancer-cleanup';

/** EndpointSlices name their Service with this label. */
export const labelServiceName = 'kubernetes.io/service-name';
