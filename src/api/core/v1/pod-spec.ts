// PodSpec and PodTemplateSpec: containers, volumes, scheduling (affinity, tolerations,
// topology spread), the pod security context, DNS and the rest of what a pod asks for.

import type { Schema } from '../../schema.ts';
import { bool, int32, int64, list, listMap, obj, str, stringMap } from '../../schema.ts';
import { labelSelector, localObjectReference, resourceList } from './common.ts';
import { appArmorProfile, container, ephemeralContainer, resourceRequirements, seLinuxOptions, seccompProfile, windowsSecurityContextOptions } from './container.ts';
import { volume } from './volume.ts';
import { objectMeta } from '../../meta.ts';

export const podSchedulingGate: Schema = obj(
  {
    name: str('Name of the scheduling gate.'),
  },
  { required: ['name'] },
);

export const topologySpreadConstraint: Schema = obj(
  {
    maxSkew: int32('MaxSkew describes the degree to which pods may be unevenly distributed.'),
    topologyKey: str('TopologyKey is the key of node labels.'),
    whenUnsatisfiable: str('WhenUnsatisfiable indicates how to deal with a pod if it doesn\'t satisfy the spread constraint.'),
    labelSelector: { ...labelSelector, description: 'LabelSelector is used to find matching pods.' },
    minDomains: int32('MinDomains indicates a minimum number of eligible domains.'),
    nodeAffinityPolicy: str('NodeAffinityPolicy indicates how we will treat Pod\'s nodeAffinity/nodeSelector when calculating pod topology spread skew.'),
    nodeTaintsPolicy: str('NodeTaintsPolicy indicates how we will treat node taints when calculating pod topology spread skew.'),
    matchLabelKeys: list(str(), 'MatchLabelKeys is a set of pod label keys to select the pods over which spreading will be calculated.', { 'x-kubernetes-list-type': 'atomic' }),
  },
  { required: ['maxSkew', 'topologyKey', 'whenUnsatisfiable'] },
);

export const evictionResponder: Schema = obj(
  {
    name: str('name allows you to identify the responder responding to the Eviction.'),
    priority: int32('priority for this responder.'),
  },
  { required: ['name', 'priority'] },
);

export const podSchedulingGroup: Schema = obj(
  {
    podGroupName: str('PodGroupName specifies the name of the standalone PodGroup object that represents the runtime instance of this group.'),
  },
);

export const toleration: Schema = obj(
  {
    key: str('Key is the taint key that the toleration applies to.'),
    operator: str('Operator represents a key\'s relationship to the value.'),
    value: str('Value is the taint value the toleration matches to.'),
    effect: str('Effect indicates the taint effect to match.'),
    tolerationSeconds: int64('TolerationSeconds represents the period of time the toleration (which must be of effect NoExecute, otherwise this field is ignored) tolerates the taint.'),
  },
);

export const podDNSConfigOption: Schema = obj(
  {
    name: str('Name is this DNS resolver option\'s name.'),
    value: str('Value is this DNS resolver option\'s value.'),
  },
);

export const podDNSConfig: Schema = obj(
  {
    nameservers: list(str(), 'A list of DNS name server IP addresses.', { 'x-kubernetes-list-type': 'atomic' }),
    searches: list(str(), 'A list of DNS search domains for host-name lookup.', { 'x-kubernetes-list-type': 'atomic' }),
    options: list(podDNSConfigOption, 'A list of DNS resolver options.', { 'x-kubernetes-list-type': 'atomic' }),
  },
);

export const nodeSelectorRequirement: Schema = obj(
  {
    key: str('The label key that the selector applies to.'),
    operator: str('Represents a key\'s relationship to a set of values.'),
    values: list(str(), 'An array of string values.', { 'x-kubernetes-list-type': 'atomic' }),
  },
  { required: ['key', 'operator'] },
);

export const nodeSelectorTerm: Schema = obj(
  {
    matchExpressions: list(nodeSelectorRequirement, 'A list of node selector requirements by node\'s labels.', { 'x-kubernetes-list-type': 'atomic' }),
    matchFields: list(nodeSelectorRequirement, 'A list of node selector requirements by node\'s fields.', { 'x-kubernetes-list-type': 'atomic' }),
  },
);

export const preferredSchedulingTerm: Schema = obj(
  {
    weight: int32('Weight associated with matching the corresponding nodeSelectorTerm, in the range 1-100.'),
    preference: { ...nodeSelectorTerm, description: 'A node selector term, associated with the corresponding weight.' },
  },
  { required: ['weight', 'preference'] },
);

export const nodeSelector: Schema = obj(
  {
    nodeSelectorTerms: list(nodeSelectorTerm, 'Required.', { 'x-kubernetes-list-type': 'atomic' }),
  },
  { required: ['nodeSelectorTerms'] },
);

export const nodeAffinity: Schema = obj(
  {
    requiredDuringSchedulingIgnoredDuringExecution: { ...nodeSelector, description: 'If the affinity requirements specified by this field are not met at scheduling time, the pod will not be scheduled onto the node.' },
    preferredDuringSchedulingIgnoredDuringExecution: list(preferredSchedulingTerm, 'The scheduler will prefer to schedule pods to nodes that satisfy the affinity expressions specified by this field, but it may choose a node that violates one or more of the expressions.', { 'x-kubernetes-list-type': 'atomic' }),
  },
);

export const podAffinityTerm: Schema = obj(
  {
    labelSelector: { ...labelSelector, description: 'A label query over a set of resources, in this case pods.' },
    namespaces: list(str(), 'namespaces specifies a static list of namespace names that the term applies to.', { 'x-kubernetes-list-type': 'atomic' }),
    topologyKey: str('This pod should be co-located (affinity) or not co-located (anti-affinity) with the pods matching the labelSelector in the specified namespaces, where co-located is defined as running on a node whose value of the label with key topologyKey matches that of any node on which any of the selected pods is running.'),
    namespaceSelector: { ...labelSelector, description: 'A label query over the set of namespaces that the term applies to.' },
    matchLabelKeys: list(str(), 'MatchLabelKeys is a set of pod label keys to select which pods will be taken into consideration.', { 'x-kubernetes-list-type': 'atomic' }),
    mismatchLabelKeys: list(str(), 'MismatchLabelKeys is a set of pod label keys to select which pods will be taken into consideration.', { 'x-kubernetes-list-type': 'atomic' }),
  },
  { required: ['topologyKey'] },
);

export const weightedPodAffinityTerm: Schema = obj(
  {
    weight: int32('weight associated with matching the corresponding podAffinityTerm, in the range 1-100.'),
    podAffinityTerm: { ...podAffinityTerm, description: 'Required.' },
  },
  { required: ['weight', 'podAffinityTerm'] },
);

export const podAffinity: Schema = obj(
  {
    requiredDuringSchedulingIgnoredDuringExecution: list(podAffinityTerm, 'If the affinity requirements specified by this field are not met at scheduling time, the pod will not be scheduled onto the node.', { 'x-kubernetes-list-type': 'atomic' }),
    preferredDuringSchedulingIgnoredDuringExecution: list(weightedPodAffinityTerm, 'The scheduler will prefer to schedule pods to nodes that satisfy the affinity expressions specified by this field, but it may choose a node that violates one or more of the expressions.', { 'x-kubernetes-list-type': 'atomic' }),
  },
);

export const podAntiAffinity: Schema = obj(
  {
    requiredDuringSchedulingIgnoredDuringExecution: list(podAffinityTerm, 'If the anti-affinity requirements specified by this field are not met at scheduling time, the pod will not be scheduled onto the node.', { 'x-kubernetes-list-type': 'atomic' }),
    preferredDuringSchedulingIgnoredDuringExecution: list(weightedPodAffinityTerm, 'The scheduler will prefer to schedule pods to nodes that satisfy the anti-affinity expressions specified by this field, but it may choose a node that violates one or more of the expressions.', { 'x-kubernetes-list-type': 'atomic' }),
  },
);

export const affinity: Schema = obj(
  {
    nodeAffinity: { ...nodeAffinity, description: 'Describes node affinity scheduling rules for the pod.' },
    podAffinity: { ...podAffinity, description: 'Describes pod affinity scheduling rules (e.g.' },
    podAntiAffinity: { ...podAntiAffinity, description: 'Describes pod anti-affinity scheduling rules (e.g.' },
  },
);

export const podOS: Schema = obj(
  {
    name: str('Name is the name of the operating system.'),
  },
  { required: ['name'] },
);

export const sysctl: Schema = obj(
  {
    name: str('Name of a property to set.'),
    value: str('Value of a property to set.'),
  },
  { required: ['name', 'value'] },
);

export const podSecurityContext: Schema = obj(
  {
    seLinuxOptions: { ...seLinuxOptions, description: 'The SELinux context to be applied to all containers.' },
    windowsOptions: { ...windowsSecurityContextOptions, description: 'The Windows specific settings applied to all containers.' },
    runAsUser: int64('The UID to run the entrypoint of the container process.'),
    runAsGroup: int64('The GID to run the entrypoint of the container process.'),
    runAsNonRoot: bool('Indicates that the container must run as a non-root user.'),
    supplementalGroups: list(int64(), 'A list of groups applied to the first process run in each container, in addition to the container\'s primary GID and fsGroup (if specified).', { 'x-kubernetes-list-type': 'atomic' }),
    supplementalGroupsPolicy: str('Defines how supplemental groups of the first container processes are calculated.'),
    fsGroup: int64('A special supplemental group that applies to all containers in a pod.'),
    sysctls: list(sysctl, 'Sysctls hold a list of namespaced sysctls used for the pod.', { 'x-kubernetes-list-type': 'atomic' }),
    fsGroupChangePolicy: str('fsGroupChangePolicy defines behavior of changing ownership and permission of the volume before being exposed inside Pod.'),
    seccompProfile: { ...seccompProfile, description: 'The seccomp options to use by the containers in this pod.' },
    appArmorProfile: { ...appArmorProfile, description: 'appArmorProfile is the AppArmor options to use by the containers in this pod.' },
    seLinuxChangePolicy: str('seLinuxChangePolicy defines how the container\'s SELinux label is applied to all volumes used by the Pod.'),
  },
);

export const podResourceClaim: Schema = obj(
  {
    name: str('Name uniquely identifies this resource claim inside the pod.'),
    resourceClaimName: str('ResourceClaimName is the name of a ResourceClaim object in the same namespace as this pod.'),
    resourceClaimTemplateName: str('ResourceClaimTemplateName is the name of a ResourceClaimTemplate object in the same namespace as this pod.'),
  },
  { required: ['name'] },
);

export const podReadinessGate: Schema = obj(
  {
    conditionType: str('ConditionType refers to a condition in the pod\'s condition list with matching type.'),
  },
  { required: ['conditionType'] },
);

export const hostAlias: Schema = obj(
  {
    ip: str('IP address of the host file entry.'),
    hostnames: list(str(), 'Hostnames for the above IP address.', { 'x-kubernetes-list-type': 'atomic' }),
  },
  { required: ['ip'] },
);

export const podSpec: Schema = obj(
  {
    volumes: listMap(volume, ['name'], 'List of volumes that can be mounted by containers belonging to the pod.', { 'x-kubernetes-patch-strategy': 'merge,retainKeys' }),
    initContainers: listMap(container, ['name'], 'List of initialization containers belonging to the pod.'),
    containers: listMap(container, ['name'], 'List of containers belonging to the pod.'),
    ephemeralContainers: listMap(ephemeralContainer, ['name'], 'List of ephemeral containers run in this pod.'),
    restartPolicy: str('Restart policy for all containers within the pod.'),
    terminationGracePeriodSeconds: int64('Optional duration in seconds the pod needs to terminate gracefully.'),
    activeDeadlineSeconds: int64('Optional duration in seconds the pod may be active on the node relative to StartTime before the system will actively try to mark it failed and kill associated containers.'),
    dnsPolicy: str('Set DNS policy for the pod.'),
    nodeSelector: { ...stringMap('NodeSelector is a selector which must be true for the pod to fit on a node.'), 'x-kubernetes-map-type': 'atomic' },
    serviceAccountName: str('ServiceAccountName is the name of the ServiceAccount to use to run this pod.'),
    serviceAccount: str('DeprecatedServiceAccount is a deprecated alias for ServiceAccountName.'),
    automountServiceAccountToken: bool('AutomountServiceAccountToken indicates whether a service account token should be automatically mounted.'),
    nodeName: str('NodeName indicates in which node this pod is scheduled.'),
    hostNetwork: bool('Host networking requested for this pod.'),
    hostPID: bool('Use the host\'s pid namespace.'),
    hostIPC: bool('Use the host\'s ipc namespace.'),
    shareProcessNamespace: bool('Share a single process namespace between all of the containers in a pod.'),
    securityContext: { ...podSecurityContext, description: 'SecurityContext holds pod-level security attributes and common container settings.' },
    imagePullSecrets: listMap(localObjectReference, ['name'], 'ImagePullSecrets is an optional list of references to secrets in the same namespace to use for pulling any of the images used by this PodSpec.'),
    hostname: str('Specifies the hostname of the Pod If not specified, the pod\'s hostname will be set to a system-defined value.'),
    subdomain: str('If specified, the fully qualified Pod hostname will be "<hostname>.<subdomain>.<pod namespace>.svc.<cluster domain>". If not specified, the pod will not have a domainname at all.'),
    affinity: { ...affinity, description: 'If specified, the pod\'s scheduling constraints.' },
    schedulerName: str('If specified, the pod will be dispatched by specified scheduler.'),
    tolerations: list(toleration, 'If specified, the pod\'s tolerations.', { 'x-kubernetes-list-type': 'atomic' }),
    hostAliases: listMap(hostAlias, ['ip'], 'HostAliases is an optional list of hosts and IPs that will be injected into the pod\'s hosts file if specified.'),
    priorityClassName: str('If specified, indicates the pod\'s priority.'),
    priority: int32('The priority value.'),
    dnsConfig: { ...podDNSConfig, description: 'Specifies the DNS parameters of a pod.' },
    readinessGates: list(podReadinessGate, 'If specified, all readiness gates will be evaluated for pod readiness.', { 'x-kubernetes-list-type': 'atomic' }),
    runtimeClassName: str('RuntimeClassName refers to a RuntimeClass object in the node.k8s.io group, which should be used to run this pod.'),
    enableServiceLinks: bool('EnableServiceLinks indicates whether information about services should be injected into pod\'s environment variables, matching the syntax of Docker links.'),
    preemptionPolicy: str('PreemptionPolicy is the Policy for preempting pods with lower priority.'),
    overhead: resourceList('Overhead represents the resource overhead associated with running a pod for a given RuntimeClass.'),
    topologySpreadConstraints: listMap(topologySpreadConstraint, ['topologyKey', 'whenUnsatisfiable'], 'TopologySpreadConstraints describes how a group of pods ought to spread across topology domains.'),
    setHostnameAsFQDN: bool('If true the pod\'s hostname will be configured as the pod\'s FQDN, rather than the leaf name (the default).'),
    os: { ...podOS, description: 'Specifies the OS of the containers in the pod.' },
    hostUsers: bool('Use the host\'s user namespace.'),
    schedulingGates: listMap(podSchedulingGate, ['name'], 'SchedulingGates is an opaque list of values that if specified will block scheduling the pod.'),
    resourceClaims: listMap(podResourceClaim, ['name'], 'ResourceClaims defines which ResourceClaims must be allocated and reserved before the Pod is allowed to start.', { 'x-kubernetes-patch-strategy': 'merge,retainKeys' }),
    resources: { ...resourceRequirements, description: 'Resources is the total amount of CPU and Memory resources required by all containers in the pod.' },
    hostnameOverride: str('HostnameOverride specifies an explicit override for the pod\'s hostname as perceived by the pod.'),
    schedulingGroup: { ...podSchedulingGroup, description: 'SchedulingGroup provides a reference to the immediate scheduling runtime grouping object that this Pod belongs to.' },
    evictionResponders: listMap(evictionResponder, ['name'], 'evictionResponders reference responders that react to Evictions based on EvictionRequests.'),
  },
  { required: ['containers'] },
);

export const podTemplateSpec: Schema = obj(
  {
    metadata: { ...objectMeta, description: 'Standard object\'s metadata.' },
    spec: { ...podSpec, description: 'Specification of the desired behavior of the pod.' },
  },
);
