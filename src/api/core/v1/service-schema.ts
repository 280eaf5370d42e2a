// The Service spec and status schemas, field for field as k8s.io/api/core/v1 declares them
// (ports keyed by port and protocol, atomic selectors, load balancer status and conditions).

import type { Schema } from '../../schema.ts';
import { bool, int32, int64, intOrString, list, listMap, obj, str, stringMap, time } from '../../schema.ts';

export const servicePort: Schema = obj(
  {
    name: str('The name of this port within the service.'),
    protocol: str('The IP protocol for this port.', { default: 'TCP' }),
    appProtocol: str('The application protocol for this port.'),
    port: int32('The port that will be exposed by this service.'),
    targetPort: intOrString('Number or name of the port to access on the pods targeted by the service.'),
    nodePort: int32('The port on each node on which this service is exposed when type is NodePort or LoadBalancer.'),
  },
  { required: ['port'] },
);

export const clientIPConfig: Schema = obj(
  {
    timeoutSeconds: int32('timeoutSeconds specifies the seconds of ClientIP type session sticky time.'),
  },
);

export const sessionAffinityConfig: Schema = obj(
  {
    clientIP: { ...clientIPConfig, description: 'clientIP contains the configurations of Client IP based session affinity.' },
  },
);

export const serviceSpec: Schema = obj(
  {
    ports: listMap(servicePort, ['port', 'protocol'], 'The list of ports that are exposed by this service.'),
    selector: { ...stringMap('Route service traffic to pods with label keys and values matching this selector.'), 'x-kubernetes-map-type': 'atomic' },
    clusterIP: str('clusterIP is the IP address of the service and is usually assigned randomly.'),
    clusterIPs: list(str(), 'ClusterIPs is a list of IP addresses assigned to this service, and are usually assigned randomly.', { 'x-kubernetes-list-type': 'atomic' }),
    type: str('type determines how the Service is exposed.'),
    externalIPs: list(str(), 'externalIPs is a list of IP addresses for which nodes in the cluster will also accept traffic for this service.', { 'x-kubernetes-list-type': 'atomic' }),
    sessionAffinity: str('Supports "ClientIP" and "None". Used to maintain session affinity.'),
    loadBalancerIP: str('Only applies to Service Type: LoadBalancer.'),
    loadBalancerSourceRanges: list(str(), 'If specified and supported by the platform, this will restrict traffic through the cloud-provider load-balancer will be restricted to the specified client IPs.', { 'x-kubernetes-list-type': 'atomic' }),
    externalName: str('externalName is the external reference that discovery mechanisms will return as an alias for this service (e.g.'),
    externalTrafficPolicy: str('externalTrafficPolicy describes how nodes distribute service traffic they receive on one of the Service\'s "externally-facing" addresses (NodePorts, ExternalIPs, and LoadBalancer IPs).'),
    healthCheckNodePort: int32('healthCheckNodePort specifies the healthcheck nodePort for the service.'),
    publishNotReadyAddresses: bool('publishNotReadyAddresses indicates that any agent which deals with endpoints for this Service should disregard any indications of ready/not-ready.'),
    sessionAffinityConfig: { ...sessionAffinityConfig, description: 'sessionAffinityConfig contains the configurations of session affinity.' },
    ipFamilies: list(str(), 'IPFamilies is a list of IP families (e.g.', { 'x-kubernetes-list-type': 'atomic' }),
    ipFamilyPolicy: str('IPFamilyPolicy represents the dual-stack-ness requested or required by this Service.'),
    allocateLoadBalancerNodePorts: bool('allocateLoadBalancerNodePorts defines if NodePorts will be automatically allocated for services with type LoadBalancer.'),
    loadBalancerClass: str('loadBalancerClass is the class of the load balancer implementation this Service belongs to.'),
    internalTrafficPolicy: str('InternalTrafficPolicy describes how nodes distribute service traffic they receive on the ClusterIP. If set to "Local", the proxy will assume that pods only want to talk to endpoints of the service on the same node as the pod, dropping the traffic if there are no local endpoints.'),
    trafficDistribution: str('TrafficDistribution offers a way to express preferences for how traffic is distributed to Service endpoints.'),
  },
);

export const condition: Schema = obj(
  {
    type: str('type of condition in CamelCase or in foo.example.com/CamelCase.'),
    status: str('status of the condition, one of True, False, Unknown.'),
    observedGeneration: int64('observedGeneration represents the .metadata.generation that the condition was set based upon.'),
    lastTransitionTime: time('lastTransitionTime is the last time the condition transitioned from one status to another.'),
    reason: str('reason contains a programmatic identifier indicating the reason for the condition\'s last transition.'),
    message: str('message is a human readable message indicating details about the transition.'),
  },
  { required: ['type', 'status', 'lastTransitionTime', 'reason', 'message'] },
);

export const portStatus: Schema = obj(
  {
    port: int32('Port is the port number of the service port of which status is recorded here.'),
    protocol: str('Protocol is the protocol of the service port of which status is recorded here The supported values are: "TCP", "UDP", "SCTP".'),
    error: str('Error is to record the problem with the service port The format of the error shall comply with the following rules: - built-in error values shall be specified in this file and those shall use CamelCase names - cloud provider specific error values must have names that comply with the format foo.example.com/CamelCase.'),
  },
  { required: ['port', 'protocol'] },
);

export const loadBalancerIngress: Schema = obj(
  {
    ip: str('IP is set for load-balancer ingress points that are IP based (typically GCE or OpenStack load-balancers).'),
    hostname: str('Hostname is set for load-balancer ingress points that are DNS based (typically AWS load-balancers).'),
    ipMode: str('IPMode specifies how the load-balancer IP behaves, and may only be specified when the ip field is specified.'),
    ports: list(portStatus, 'Ports is a list of records of service ports If used, every port defined in the service should have an entry in it.', { 'x-kubernetes-list-type': 'atomic' }),
  },
);

export const loadBalancerStatus: Schema = obj(
  {
    ingress: list(loadBalancerIngress, 'Ingress is a list containing ingress points for the load-balancer.', { 'x-kubernetes-list-type': 'atomic' }),
  },
);

export const serviceStatus: Schema = obj(
  {
    loadBalancer: { ...loadBalancerStatus, description: 'LoadBalancer contains the current status of the load-balancer, if one is present.' },
    conditions: listMap(condition, ['type'], 'Current service state.'),
  },
);
