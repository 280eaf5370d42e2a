// The Service kind: defaulting (ClusterIP type, TCP ports, targetPort = port, traffic
// policies), the IP family fields the allocator would set, validation of ports, selectors,
// cluster IPs and type-specific fields with upstream's messages, allocated values (cluster IPs,
// node ports) carried over on updates that omit them, and the TYPE/CLUSTER-IP/EXTERNAL-IP/
// PORT(S)/AGE/SELECTOR table.

import type { StatusCause } from '../../../machinery/status.ts';
import type { ColumnDefinition, KindDefinition, KubeObject } from '../../kind.ts';
import { kindSchema } from '../../meta.ts';
import { age, ageColumn, formatLabels } from '../../printing.ts';
import { validateEndpointIP } from './endpoints.ts';
import { child, duplicate, forbidden, index, invalid, notSupported, oneOf, required } from './field-errors.ts';
import type { JSONObject } from './json.ts';
import { ensure, isRecord, rec, records, setDefault, setDefaultString, str, stringsOf } from './json.ts';
import { isDNS1123Label, isDNS1123Subdomain, isIP, isIPv6, isQualifiedName, isValidPortNum, nameIsDNS1035Label } from './names.ts';
import { validateLabels, validateObjectMeta, validateObjectMetaUpdate } from './object-meta.ts';
import { validatePortNumOrName } from './pod-validation.ts';
import { serviceSpec, serviceStatus } from './service-schema.ts';

export const serviceSchema = kindSchema(
  'Service is a named abstraction of software service (for example, mysql) consisting of local port (for example 3306) that the proxy listens on, and the selector that determines which pods will answer requests sent through the proxy.',
  {
    spec: { ...serviceSpec, description: 'Spec defines the behavior of a service.' },
    status: { ...serviceStatus, description: 'Most recently observed status of the service.' },
  },
);

export const serviceColumns: ColumnDefinition[] = [
  { name: 'Type', type: 'string', priority: 0, description: "type determines how the Service is exposed. Defaults to ClusterIP. Valid options are ExternalName, ClusterIP, NodePort, and LoadBalancer. \"ClusterIP\" allocates a cluster-internal IP address for load-balancing to endpoints. Endpoints are determined by the selector or if that is not specified, by manual construction of an Endpoints object or EndpointSlice objects. If clusterIP is \"None\", no virtual IP is allocated and the endpoints are published as a set of endpoints rather than a virtual IP. \"NodePort\" builds on ClusterIP and allocates a port on every node which routes to the same endpoints as the clusterIP. \"LoadBalancer\" builds on NodePort and creates an external load-balancer (if supported in the current cloud) which routes to the same endpoints as the clusterIP. \"ExternalName\" aliases this service to the specified externalName. Several other fields do not apply to ExternalName services. More info: https://kubernetes.io/docs/concepts/services-networking/service/#publishing-services-service-types" },
  { name: 'Cluster-IP', type: 'string', priority: 0, description: "clusterIP is the IP address of the service and is usually assigned randomly. If an address is specified manually, is in-range (as per system configuration), and is not in use, it will be allocated to the service; otherwise creation of the service will fail. This field may not be changed through updates unless the type field is also being changed to ExternalName (which requires this field to be blank) or the type field is being changed from ExternalName (in which case this field may optionally be specified, as describe above).  Valid values are \"None\", empty string (\"\"), or a valid IP address. Setting this to \"None\" makes a \"headless service\" (no virtual IP), which is useful when direct endpoint connections are preferred and proxying is not required.  Only applies to types ClusterIP, NodePort, and LoadBalancer. If this field is specified when creating a Service of type ExternalName, creation will fail. This field will be wiped when updating a Service to type ExternalName. More info: https://kubernetes.io/docs/concepts/services-networking/service/#virtual-ips-and-service-proxies" },
  { name: 'External-IP', type: 'string', priority: 0, description: "externalIPs is a list of IP addresses for which nodes in the cluster will also accept traffic for this service.  These IPs are not managed by Kubernetes.  The user is responsible for ensuring that traffic arrives at a node with this IP.  A common example is external load-balancers that are not part of the Kubernetes system." },
  { name: 'Port(s)', type: 'string', priority: 0, description: "The list of ports that are exposed by this service. More info: https://kubernetes.io/docs/concepts/services-networking/service/#virtual-ips-and-service-proxies" },
  ageColumn,
  { name: 'Selector', type: 'string', priority: 1, description: "Route service traffic to pods with label keys and values matching this selector. If empty or not present, the service is assumed to have an external process managing its endpoints, which Kubernetes will not modify. Only applies to types ClusterIP, NodePort, and LoadBalancer. Ignored if type is ExternalName. More info: https://kubernetes.io/docs/concepts/services-networking/service/" },
];

function loadBalancerIngress(status: JSONObject): string {
  const seen = new Set<string>();
  for (const ing of records(rec(status.loadBalancer).ingress)) {
    if (str(ing.ip)) seen.add(str(ing.ip));
    else if (str(ing.hostname)) seen.add(str(ing.hostname));
  }
  return [...seen].sort().join(',');
}

/** getServiceExternalIP (wide: the server always prints wide cells). */
export function serviceExternalIP(svc: KubeObject): string {
  const spec = rec(svc.spec);
  const externalIPs = stringsOf(spec.externalIPs);
  switch (spec.type) {
    case 'ClusterIP':
    case 'NodePort':
      return externalIPs.length ? externalIPs.join(',') : '<none>';
    case 'LoadBalancer': {
      const lb = loadBalancerIngress(rec(svc.status));
      if (externalIPs.length) return [...(lb ? lb.split(',') : []), ...externalIPs].join(',');
      return lb || '<pending>';
    }
    case 'ExternalName':
      return str(spec.externalName);
  }
  return '<unknown>';
}

/** makePortString: "80/TCP", "80:30080/TCP", comma separated. */
export function servicePorts(svc: KubeObject): string {
  return records(rec(svc.spec).ports)
    .map((p) => (Number(p.nodePort ?? 0) > 0 ? `${p.port}:${p.nodePort}/${str(p.protocol)}` : `${p.port}/${str(p.protocol)}`))
    .join(',');
}

function serviceCells(svc: KubeObject, now: number): unknown[] {
  const spec = rec(svc.spec);
  const clusterIP = stringsOf(spec.clusterIPs)[0] ?? '<none>';
  return [str(spec.type), clusterIP, serviceExternalIP(svc), servicePorts(svc) || '<none>', age(svc, now), formatLabels(spec.selector)];
}

function externallyAccessible(spec: JSONObject): boolean {
  return spec.type === 'LoadBalancer' || spec.type === 'NodePort' || (spec.type === 'ClusterIP' && stringsOf(spec.externalIPs).length > 0);
}

function headless(spec: JSONObject): boolean {
  const ips = stringsOf(spec.clusterIPs);
  return ips.length === 1 && ips[0] === 'None';
}

/** SetDefaults_Service, and clusterIP/clusterIPs kept in step (normalizeClusterIPs). */
export function defaultService(svc: KubeObject): void {
  const spec = ensure(svc, 'spec');
  setDefaultString(spec, 'sessionAffinity', 'None');
  if (spec.sessionAffinity === 'None') delete spec.sessionAffinityConfig;
  if (spec.sessionAffinity === 'ClientIP') {
    const timeout = rec(rec(spec.sessionAffinityConfig).clientIP).timeoutSeconds;
    if (timeout === undefined || timeout === null) spec.sessionAffinityConfig = { clientIP: { timeoutSeconds: 10800 } };
  }
  setDefaultString(spec, 'type', 'ClusterIP');
  for (const p of records(spec.ports)) {
    setDefaultString(p, 'protocol', 'TCP');
    if (p.targetPort === undefined || p.targetPort === null || p.targetPort === 0 || p.targetPort === '') p.targetPort = p.port;
  }
  if (externallyAccessible(spec)) setDefaultString(spec, 'externalTrafficPolicy', 'Cluster');
  if (['NodePort', 'LoadBalancer', 'ClusterIP'].includes(str(spec.type))) setDefault(spec, 'internalTrafficPolicy', 'Cluster');
  if (spec.type === 'LoadBalancer') setDefault(spec, 'allocateLoadBalancerNodePorts', true);
  const ips = stringsOf(spec.clusterIPs);
  if (str(spec.clusterIP) && ips.length === 0) spec.clusterIPs = [spec.clusterIP];
  else if (!str(spec.clusterIP) && ips.length > 0) spec.clusterIP = ips[0];
}

/** What the IP allocator sets on a single-stack IPv4 cluster: the family policy and families. */
function initIPFamilies(spec: JSONObject): void {
  if (spec.type === 'ExternalName') return;
  if (spec.clusterIP === 'None' && Object.keys(rec(spec.selector)).length === 0) {
    setDefault(spec, 'ipFamilyPolicy', 'RequireDualStack');
  } else {
    setDefault(spec, 'ipFamilyPolicy', 'SingleStack');
  }
  if (stringsOf(spec.ipFamilies).length === 0) {
    const first = stringsOf(spec.clusterIPs)[0];
    spec.ipFamilies = [first && first !== 'None' && isIPv6(first) ? 'IPv6' : 'IPv4'];
  }
}

/** The internal core.ServicePort{Protocol, Port} upstream reports duplicates with (no JSON tags). */
const portKey = (p: JSONObject) => ({ Name: '', Protocol: str(p.protocol), AppProtocol: null, Port: p.port ?? 0, TargetPort: 0, NodePort: 0 });

function validatePorts(spec: JSONObject): StatusCause[] {
  const errs: StatusCause[] = [];
  const ports = records(spec.ports);
  const names = new Set<string>();
  ports.forEach((sp, i) => {
    const p = index('spec.ports', i);
    const name = str(sp.name);
    if (ports.length > 1 && !name) errs.push(required(child(p, 'name')));
    else if (name) {
      for (const m of isDNS1123Label(name)) errs.push(invalid(child(p, 'name'), name, m));
      if (names.has(name)) errs.push(duplicate(child(p, 'name'), name));
      else names.add(name);
    }
    for (const m of isValidPortNum(Number(sp.port ?? 0))) errs.push(invalid(child(p, 'port'), sp.port ?? 0, m));
    errs.push(...oneOf(sp.protocol, ['SCTP', 'TCP', 'UDP'], child(p, 'protocol')));
    errs.push(...validatePortNumOrName(sp.targetPort, child(p, 'targetPort')));
    if (typeof sp.appProtocol === 'string') for (const m of isQualifiedName(sp.appProtocol)) errs.push(invalid(child(p, 'appProtocol'), sp.appProtocol, m));
  });
  if (spec.type === 'ClusterIP') ports.forEach((sp, i) => Number(sp.nodePort ?? 0) !== 0 && errs.push(forbidden(`spec.ports[${i}].nodePort`, "may not be used when `type` is 'ClusterIP'")));
  const nodePorts = new Set<string>();
  ports.forEach((sp, i) => {
    if (!sp.nodePort) return;
    const k = `${str(sp.protocol)}/${String(sp.nodePort)}`;
    if (nodePorts.has(k)) errs.push(duplicate(`spec.ports[${i}].nodePort`, sp.nodePort));
    nodePorts.add(k);
  });
  const seen = new Set<string>();
  ports.forEach((sp, i) => {
    const k = `${str(sp.protocol)}/${String(sp.port)}`;
    if (seen.has(k)) errs.push(duplicate(`spec.ports[${i}]`, portKey(sp)));
    seen.add(k);
  });
  return errs;
}

function validateClusterIPs(spec: JSONObject): StatusCause[] {
  if (spec.type === 'ExternalName') return [];
  const errs: StatusCause[] = [];
  const ips = stringsOf(spec.clusterIPs);
  if (str(spec.clusterIP)) {
    if (ips.length === 0) errs.push(required('spec.clusterIPs'));
    else if (ips[0] !== spec.clusterIP) errs.push(invalid('spec.clusterIPs', ips, 'first value must match `clusterIP`'));
  } else if (ips.length) {
    errs.push(invalid('spec.clusterIPs', ips, 'must be empty when `clusterIP` is not specified'));
  }
  const families = stringsOf(spec.ipFamilies);
  const seen = new Set<string>();
  families.forEach((f, i) => {
    if (f !== 'IPv4' && f !== 'IPv6') errs.push(notSupported(`spec.ipFamilies[${i}]`, f, ['IPv4', 'IPv6']));
    if (seen.has(f)) errs.push(duplicate(`spec.ipFamilies[${i}]`, f));
    seen.add(f);
  });
  if (spec.ipFamilyPolicy !== undefined && spec.ipFamilyPolicy !== null && !['PreferDualStack', 'RequireDualStack', 'SingleStack'].includes(str(spec.ipFamilyPolicy)))
    errs.push(notSupported('spec.ipFamilyPolicy', spec.ipFamilyPolicy, ['PreferDualStack', 'RequireDualStack', 'SingleStack']));
  let bad = false;
  ips.forEach((ip, i) => {
    if (i === 0 && ip === 'None') {
      if (ips.length > 1) {
        bad = true;
        errs.push(invalid('spec.clusterIPs', ips, "'None' must be the first and only value"));
      }
      return;
    }
    if (!isIP(ip)) {
      bad = true;
      errs.push(invalid(`spec.clusterIPs[${i}]`, ip, 'must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)'));
    }
  });
  if (ips.length > 2) errs.push(invalid('spec.clusterIPs', ips, 'may only hold up to 2 values'));
  if (bad) return errs;
  if (ips.length > 1 && isIPv6(ips[0]) === isIPv6(ips[1])) errs.push(invalid('spec.clusterIPs', ips, 'may specify no more than one IP for each IP family'));
  if (!headless(spec)) {
    ips.forEach((ip, i) => {
      if (i >= families.length) return;
      if (families[i] === 'IPv4' && isIPv6(ip)) errs.push(invalid(`spec.clusterIPs[${i}]`, ip, `expected an IPv4 value as indicated by \`ipFamilies[${i}]\``));
      if (families[i] === 'IPv6' && !isIPv6(ip)) errs.push(invalid(`spec.clusterIPs[${i}]`, ip, `expected an IPv6 value as indicated by \`ipFamilies[${i}]\``));
    });
  }
  return errs;
}

/** validateService: everything but metadata. */
function validateServiceSpec(svc: KubeObject): StatusCause[] {
  const spec = rec(svc.spec);
  const errs: StatusCause[] = [];
  const type = str(spec.type);
  if (records(spec.ports).length === 0 && !headless(spec) && type !== 'ExternalName') errs.push(required('spec.ports'));
  if ((type === 'LoadBalancer' || type === 'NodePort') && headless(spec))
    errs.push(invalid('spec.clusterIPs[0]', 'None', `may not be set to 'None' for ${type} services`));
  if (type === 'ExternalName') {
    if (stringsOf(spec.clusterIPs).length > 0) errs.push(forbidden('spec.clusterIPs', 'may not be set for ExternalName services'));
    if (stringsOf(spec.ipFamilies).length > 0) errs.push(forbidden('spec.ipFamilies', 'may not be set for ExternalName services'));
    if (spec.ipFamilyPolicy !== undefined && spec.ipFamilyPolicy !== null) errs.push(forbidden('spec.ipFamilyPolicy', 'may not be set for ExternalName services'));
    const cname = str(spec.externalName).replace(/\.$/, '');
    if (cname) for (const m of isDNS1123Subdomain(cname)) errs.push(invalid('spec.externalName', cname, m));
    else errs.push(required('spec.externalName'));
  }
  errs.push(...validatePorts(spec));
  if (isRecord(spec.selector)) errs.push(...validateLabels(spec.selector, 'spec.selector'));
  errs.push(...oneOf(spec.sessionAffinity, ['ClientIP', 'None'], 'spec.sessionAffinity'));
  if (spec.sessionAffinity === 'ClientIP') {
    const config = spec.sessionAffinityConfig;
    const timeout = rec(rec(config).clientIP).timeoutSeconds;
    if (!isRecord(config)) errs.push(required('spec.sessionAffinityConfig', 'when session affinity type is ClientIP'));
    else if (!isRecord(config.clientIP)) errs.push(required('spec.sessionAffinityConfig.clientIP', 'when session affinity type is ClientIP'));
    else if (typeof timeout !== 'number') errs.push(required('spec.sessionAffinityConfig.clientIP.timeoutSeconds', 'when session affinity type is ClientIP'));
    else if (timeout <= 0 || timeout > 86400)
      errs.push(invalid('spec.sessionAffinityConfig.clientIP.timeoutSeconds', timeout, 'must be greater than 0 and less than 86400'));
  } else if (spec.sessionAffinity === 'None' && spec.sessionAffinityConfig !== undefined && spec.sessionAffinityConfig !== null) {
    errs.push(forbidden('spec.sessionAffinityConfig', 'must not be set when session affinity is None'));
  }
  errs.push(...validateClusterIPs(spec));
  stringsOf(spec.externalIPs).forEach((ip, i) => {
    if (!isIP(ip)) errs.push(invalid(`spec.externalIPs[${i}]`, ip, 'must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)'));
    else errs.push(...validateEndpointIP(ip, `spec.externalIPs[${i}]`));
  });
  errs.push(...oneOf(spec.type, ['ClusterIP', 'ExternalName', 'LoadBalancer', 'NodePort'], 'spec.type'));
  if (stringsOf(spec.loadBalancerSourceRanges).length > 0 && type !== 'LoadBalancer')
    errs.push(forbidden('spec.LoadBalancerSourceRanges', "may only be used when `type` is 'LoadBalancer'"));
  if (spec.allocateLoadBalancerNodePorts !== undefined && spec.allocateLoadBalancerNodePorts !== null && type !== 'LoadBalancer')
    errs.push(forbidden('spec.allocateLoadBalancerNodePorts', "may only be used when `type` is 'LoadBalancer'"));
  if (type === 'LoadBalancer' && (spec.allocateLoadBalancerNodePorts === undefined || spec.allocateLoadBalancerNodePorts === null))
    errs.push(required('allocateLoadBalancerNodePorts'));
  if (!externallyAccessible(spec)) {
    if (str(spec.externalTrafficPolicy)) errs.push(invalid('spec.externalTrafficPolicy', spec.externalTrafficPolicy, 'may only be set for externally-accessible services'));
  } else {
    errs.push(...oneOf(spec.externalTrafficPolicy, ['Cluster', 'Local'], 'spec.externalTrafficPolicy'));
  }
  const needsHealthCheck = type === 'LoadBalancer' && spec.externalTrafficPolicy === 'Local';
  if (!needsHealthCheck && Number(spec.healthCheckNodePort ?? 0) !== 0)
    errs.push(invalid('spec.healthCheckNodePort', spec.healthCheckNodePort, "may only be set when `type` is 'LoadBalancer' and `externalTrafficPolicy` is 'Local'"));
  if (spec.internalTrafficPolicy === undefined || spec.internalTrafficPolicy === null) {
    if (['NodePort', 'LoadBalancer', 'ClusterIP'].includes(type)) errs.push(required('spec.internalTrafficPolicy'));
  } else if (!['Cluster', 'Local'].includes(str(spec.internalTrafficPolicy))) {
    errs.push(notSupported('spec.internalTrafficPolicy', spec.internalTrafficPolicy, ['Cluster', 'Local']));
  }
  return errs;
}

/** The cluster IPs may grow or shrink (dual stack) but the primary never changes. */
function validateClusterIPsUpdate(spec: JSONObject, oldSpec: JSONObject): StatusCause[] {
  if (spec.type === 'ExternalName' || oldSpec.type === 'ExternalName') return [];
  if (headless(spec) && headless(oldSpec)) return [];
  const ips = stringsOf(spec.clusterIPs);
  const oldIPs = stringsOf(oldSpec.clusterIPs);
  const errs: StatusCause[] = [];
  if (ips.length === oldIPs.length) {
    oldIPs.forEach((ip, i) => {
      if (ip !== ips[i]) errs.push(invalid(`spec.clusterIPs[${i}]`, ips, 'may not change once set'));
    });
  } else if (oldIPs.length > ips.length) {
    if (ips.length === 0) errs.push(invalid('spec.clusterIPs[0]', ips, 'primary clusterIP can not be unset'));
    if (oldIPs.length > 0 && ips.length > 0 && ips[0] !== oldIPs[0]) errs.push(invalid('spec.clusterIPs[0]', ips, 'may not change once set'));
    if (ips.length === 1 && spec.ipFamilyPolicy !== 'SingleStack')
      errs.push(invalid('spec.ipFamilyPolicy', spec.ipFamilyPolicy ?? null, "must be set to 'SingleStack' when releasing the secondary clusterIP"));
  } else if (oldIPs.length > 0 && ips[0] !== oldIPs[0]) {
    errs.push(invalid('spec.clusterIPs[0]', ips, 'may not change once set'));
  }
  return errs;
}

/** patchAllocatedValues: an update that omits allocated values keeps the old ones. */
function keepAllocated(spec: JSONObject, oldSpec: JSONObject): void {
  const needsClusterIP = (s: JSONObject) => s.type !== 'ExternalName';
  if (needsClusterIP(oldSpec) && needsClusterIP(spec) && !str(spec.clusterIP) && stringsOf(spec.clusterIPs).length === 0) {
    if (oldSpec.clusterIP !== undefined) spec.clusterIP = oldSpec.clusterIP;
    if (oldSpec.clusterIPs !== undefined) spec.clusterIPs = structuredClone(oldSpec.clusterIPs);
  }
  const needsNodePort = (s: JSONObject) => s.type === 'NodePort' || (s.type === 'LoadBalancer' && s.allocateLoadBalancerNodePorts !== false);
  if (needsNodePort(oldSpec) && needsNodePort(spec)) {
    const oldPorts = records(oldSpec.ports);
    for (const p of records(spec.ports)) {
      if (p.nodePort) continue;
      const match = oldPorts.find((o) => o.port === p.port && o.protocol === p.protocol) ?? (records(spec.ports).length === 1 && oldPorts.length === 1 ? oldPorts[0] : undefined);
      if (match?.nodePort) p.nodePort = match.nodePort;
    }
  }
  if (spec.type === 'LoadBalancer' && oldSpec.type === 'LoadBalancer' && spec.externalTrafficPolicy === 'Local' && oldSpec.externalTrafficPolicy === 'Local' && !spec.healthCheckNodePort)
    spec.healthCheckNodePort = oldSpec.healthCheckNodePort;
  if (spec.type !== 'ExternalName' && oldSpec.type !== 'ExternalName') {
    if (spec.ipFamilyPolicy === undefined) spec.ipFamilyPolicy = oldSpec.ipFamilyPolicy;
    if (stringsOf(spec.ipFamilies).length === 0 && oldSpec.ipFamilies !== undefined) spec.ipFamilies = structuredClone(oldSpec.ipFamilies);
  }
}

export const service: KindDefinition = {
  group: '',
  version: 'v1',
  kind: 'Service',
  resource: 'services',
  namespaced: true,
  shortNames: ['svc'],
  categories: ['all'],
  schema: serviceSchema,
  status: true,
  fields: {
    'spec.clusterIP': (o) => str(rec(o.spec).clusterIP),
    'spec.type': (o) => str(rec(o.spec).type),
  },
  table: { columns: serviceColumns, cells: serviceCells },
  strategy: {
    defaults: defaultService,
    validate: (o) => [...validateObjectMeta(o, true, nameIsDNS1035Label), ...validateServiceSpec(o)],
    validateUpdate: (o, old) => {
      const errs = validateObjectMetaUpdate(o, old);
      const spec = rec(o.spec);
      const oldSpec = rec(old.spec);
      errs.push(...validateClusterIPsUpdate(spec, oldSpec));
      if (spec.type === 'LoadBalancer' && oldSpec.type === 'LoadBalancer' && (spec.loadBalancerClass ?? null) !== (oldSpec.loadBalancerClass ?? null))
        errs.push(invalid('spec.loadBalancerClass', spec.loadBalancerClass ?? null, 'may not change once set'));
      return errs;
    },
    prepareForCreate: (o) => {
      o.status = { loadBalancer: {} };
      initIPFamilies(ensure(o, 'spec'));
    },
    prepareForUpdate: (o, old) => {
      o.status = structuredClone(old.status);
      keepAllocated(ensure(o, 'spec'), rec(old.spec));
    },
  },
};
