// Wire layout of k8s.io/api networking/v1, discovery/v1.
// Field numbers and types come from generated.proto, JSON names and zero-value handling from the Go tags
// in types.go (release 1.36, a superset of 1.33). Notation in descriptor.ts.
import type { MessageTable } from './descriptor.ts';

export const networking: MessageTable = {
  HTTPIngressPath: ['1 path string', '2 backend IngressBackend', '3 pathType string!'],
  HTTPIngressRuleValue: ['1 paths []HTTPIngressPath!'],
  IPBlock: ['1 cidr string!', '2 except []string'],
  Ingress: ['1 metadata meta.ObjectMeta', '2 spec IngressSpec', '3 status IngressStatus'],
  IngressBackend: ['3 resource core.TypedLocalObjectReference', '4 service IngressServiceBackend'],
  IngressClass: ['1 metadata meta.ObjectMeta', '2 spec IngressClassSpec'],
  IngressClassParametersReference: ['1 apiGroup string!', '2 kind string!', '3 name string!', '4 scope string!',
    '5 namespace string!'],
  IngressClassSpec: ['1 controller string', '2 parameters IngressClassParametersReference'],
  IngressLoadBalancerIngress: ['1 ip string', '2 hostname string', '4 ports []IngressPortStatus'],
  IngressLoadBalancerStatus: ['1 ingress []IngressLoadBalancerIngress'],
  IngressPortStatus: ['1 port int32!', '2 protocol string!', '3 error string!'],
  IngressRule: ['1 host string', '2 ... IngressRuleValue'],
  IngressRuleValue: ['1 http HTTPIngressRuleValue'],
  IngressServiceBackend: ['1 name string!', '2 port ServiceBackendPort'],
  IngressSpec: ['1 defaultBackend IngressBackend', '2 tls []IngressTLS', '3 rules []IngressRule',
    '4 ingressClassName string!'],
  IngressStatus: ['1 loadBalancer IngressLoadBalancerStatus'],
  IngressTLS: ['1 hosts []string', '2 secretName string'],
  NetworkPolicy: ['1 metadata meta.ObjectMeta', '2 spec NetworkPolicySpec'],
  NetworkPolicyEgressRule: ['1 ports []NetworkPolicyPort', '2 to []NetworkPolicyPeer'],
  NetworkPolicyIngressRule: ['1 ports []NetworkPolicyPort', '2 from []NetworkPolicyPeer'],
  NetworkPolicyPeer: ['1 podSelector meta.LabelSelector', '2 namespaceSelector meta.LabelSelector',
    '3 ipBlock IPBlock'],
  NetworkPolicyPort: ['1 protocol string!', '2 port intstr.IntOrString', '3 endPort int32!'],
  NetworkPolicySpec: ['1 podSelector meta.LabelSelector', '2 ingress []NetworkPolicyIngressRule',
    '3 egress []NetworkPolicyEgressRule', '4 policyTypes []string'],
  ServiceBackendPort: ['1 name string', '2 number int32'],
};

export const discovery: MessageTable = {
  Endpoint: ['1 addresses []string!', '2 conditions EndpointConditions', '3 hostname string!',
    '4 targetRef core.ObjectReference', '5 deprecatedTopology map<string,string>', '6 nodeName string!',
    '7 zone string!', '8 hints EndpointHints'],
  EndpointConditions: ['1 ready bool!', '2 serving bool!', '3 terminating bool!'],
  EndpointHints: ['1 forZones []ForZone', '2 forNodes []ForNode'],
  EndpointPort: ['1 name string!', '2 protocol string!', '3 port int32!', '4 appProtocol string!'],
  EndpointSlice: ['1 metadata meta.ObjectMeta', '2 endpoints []Endpoint!', '3 ports []EndpointPort!',
    '4 addressType string!'],
  ForNode: ['1 name string!'],
  ForZone: ['1 name string!'],
};
