// PodStatus as k8s.io/api/core/v1 declares it: phase, conditions keyed by type, host and pod IPs,
// and the per-container state (waiting/running/terminated) the kubelet reports.

import type { Schema } from '../../schema.ts';
import { bool, int32, int64, list, listMap, obj, quantity, set, str, time } from '../../schema.ts';
import { keyedList, resourceList } from './common.ts';
import { resourceRequirements } from './container.ts';

export const podIP: Schema = obj(
  {
    ip: str('IP is the IP address assigned to the pod.'),
  },
  { required: ['ip'] },
);

export const podResourceClaimStatus: Schema = obj(
  {
    name: str('Name uniquely identifies this resource claim inside the pod.'),
    resourceClaimName: str('ResourceClaimName is the name of the ResourceClaim that was generated for the Pod in the namespace of the Pod.'),
  },
  { required: ['name'] },
);

export const resourceHealth: Schema = obj(
  {
    resourceID: str('ResourceID is the unique identifier of the resource.'),
    health: str('Health of the resource.'),
    message: str('Message provides human-readable context for Health (e.g.'),
  },
  { required: ['resourceID'] },
);

export const resourceStatus: Schema = obj(
  {
    name: str('Name of the resource.'),
    resources: keyedList(resourceHealth, ['resourceID'], 'List of unique resources health.'),
  },
  { required: ['name'] },
);

export const containerStateTerminated: Schema = obj(
  {
    exitCode: int32('Exit status from the last termination of the container.'),
    signal: int32('Signal from the last termination of the container.'),
    reason: str('(brief) reason from the last termination of the container.'),
    message: str('Message regarding the last termination of the container.'),
    startedAt: time('Time at which previous execution of the container started.'),
    finishedAt: time('Time at which the container last terminated.'),
    containerID: str('Container\'s ID in the format \'<type>://<container_id>\'.'),
  },
  { required: ['exitCode'] },
);

export const containerStateRunning: Schema = obj(
  {
    startedAt: time('Time at which the container was last (re-)started.'),
  },
);

export const containerStateWaiting: Schema = obj(
  {
    reason: str('(brief) reason the container is not yet running.'),
    message: str('Message regarding why the container is not yet running.'),
  },
);

export const containerState: Schema = obj(
  {
    waiting: { ...containerStateWaiting, description: 'Details about a waiting container.' },
    running: { ...containerStateRunning, description: 'Details about a running container.' },
    terminated: { ...containerStateTerminated, description: 'Details about a terminated container.' },
  },
);

export const linuxContainerUser: Schema = obj(
  {
    uid: int64('UID is the primary uid initially attached to the first process in the container.'),
    gid: int64('GID is the primary gid initially attached to the first process in the container.'),
    supplementalGroups: list(int64(), 'SupplementalGroups are the supplemental groups initially attached to the first process in the container.', { 'x-kubernetes-list-type': 'atomic' }),
  },
  { required: ['uid', 'gid'] },
);

export const containerUser: Schema = obj(
  {
    linux: { ...linuxContainerUser, description: 'Linux holds user identity information initially attached to the first process of the containers in Linux.' },
  },
);

export const imageVolumeStatus: Schema = obj(
  {
    imageRef: str('ImageRef is the digest of the image used for this volume.'),
  },
);

export const volumeStatus: Schema = obj(
  {
    image: { ...imageVolumeStatus, description: 'image represents an OCI object (a container image or artifact) pulled and mounted on the kubelet\'s host machine.' },
  },
);

export const volumeMountStatus: Schema = obj(
  {
    name: str('Name corresponds to the name of the original VolumeMount.'),
    mountPath: str('MountPath corresponds to the original VolumeMount.'),
    readOnly: bool('ReadOnly corresponds to the original VolumeMount.'),
    recursiveReadOnly: str('RecursiveReadOnly must be set to Disabled, Enabled, or unspecified (for non-readonly mounts).'),
    volumeStatus: { ...volumeStatus, description: 'volumeStatus represents volume-type-specific status about the mounted volume.' },
  },
  { required: ['name', 'mountPath'] },
);

export const containerStatus: Schema = obj(
  {
    name: str('Name is a DNS_LABEL representing the unique name of the container.'),
    state: { ...containerState, description: 'State holds details about the container\'s current condition.' },
    lastState: { ...containerState, description: 'LastTerminationState holds the last termination state of the container to help debug container crashes and restarts.' },
    ready: bool('Ready specifies whether the container is currently passing its readiness check.'),
    restartCount: int32('RestartCount holds the number of times the container has been restarted.'),
    image: str('Image is the name of container image that the container is running.'),
    imageID: str('ImageID is the image ID of the container\'s image.'),
    containerID: str('ContainerID is the ID of the container in the format \'<type>://<container_id>\'. Where type is a container runtime identifier, returned from Version call of CRI API (for example "containerd").'),
    started: bool('Started indicates whether the container has finished its postStart lifecycle hook and passed its startup probe.'),
    allocatedResources: resourceList('AllocatedResources represents the compute resources allocated for this container by the node.'),
    resources: { ...resourceRequirements, description: 'Resources represents the compute resource requests and limits that have been successfully enacted on the running container after it has been started or has been successfully resized.' },
    volumeMounts: listMap(volumeMountStatus, ['mountPath'], 'Status of volume mounts.'),
    user: { ...containerUser, description: 'User represents user identity information initially attached to the first process of the container.' },
    allocatedResourcesStatus: listMap(resourceStatus, ['name'], 'AllocatedResourcesStatus represents the status of various resources allocated for this Pod.'),
    stopSignal: str('StopSignal reports the effective stop signal for this container.'),
  },
  { required: ['name', 'ready', 'restartCount', 'image', 'imageID'] },
);

export const containerExtendedResourceRequest: Schema = obj(
  {
    containerName: str('The name of the container requesting resources.'),
    resourceName: str('The name of the extended resource in that container which gets backed by DRA.'),
    requestName: str('The name of the request in the special ResourceClaim which corresponds to the extended resource.'),
  },
  { required: ['containerName', 'resourceName', 'requestName'] },
);

export const podExtendedResourceClaimStatus: Schema = obj(
  {
    requestMappings: list(containerExtendedResourceRequest, 'RequestMappings identifies the mapping of <container, extended resource backed by DRA> to  device request in the generated ResourceClaim.', { 'x-kubernetes-list-type': 'atomic' }),
    resourceClaimName: str('ResourceClaimName is the name of the ResourceClaim that was generated for the Pod in the namespace of the Pod.'),
  },
  { required: ['requestMappings', 'resourceClaimName'] },
);

export const hostIP: Schema = obj(
  {
    ip: str('IP is the IP address assigned to the host.'),
  },
  { required: ['ip'] },
);

export const nodeAllocatableOverheadResources: Schema = obj(
  {
    name: str('Name is the name of the resource (e.g., cpu, memory).'),
    perPod: quantity('PerPod is the flat overhead quantity allocated per pod.'),
    perContainer: quantity('PerContainer is the variable overhead quantity applied for each container referencing the claim.'),
  },
  { required: ['name'] },
);

export const nodeAllocatableMappedResources: Schema = obj(
  {
    name: str('Name is the name of the resource (e.g., cpu, memory).'),
    quantity: quantity('Quantity is the total node allocatable resource capacity allocated for the claim.'),
  },
  { required: ['name', 'quantity'] },
);

export const nodeAllocatableResourceClaimStatus: Schema = obj(
  {
    resourceClaimName: str('ResourceClaimName is the resource claim referenced by the pod that resulted in this node allocatable resource allocation.'),
    containers: set(str(), 'Containers lists the names of all containers in this pod that reference the claim.'),
    mapping: listMap(nodeAllocatableMappedResources, ['name'], 'Mapping contains allocations through devices mapped in the device spec\'s `nodeAllocatableResources[...].mapping` field.'),
    overhead: listMap(nodeAllocatableOverheadResources, ['name'], 'Overhead contains allocations through devices mapped in the device spec\'s `nodeAllocatableResources[...].overhead` field.'),
  },
  { required: ['resourceClaimName'] },
);

export const volumeHealthCondition: Schema = obj(
  {
    status: str('status is the machine-parseable health category.'),
    reason: str('reason is a brief CamelCase machine-parseable reason.'),
    message: str('message is a human-readable description.'),
  },
  { required: ['status', 'reason'] },
);

export const podVolumeHealth: Schema = obj(
  {
    name: str('name matches an entry in pod.spec.volumes.'),
    healthConditions: listMap(volumeHealthCondition, ['status', 'reason'], 'conditions is the set of adverse conditions reported by the CSI node plugin for this volume on this node.'),
    lastTransitionTime: time('lastTransitionTime is when the current set of conditions first appeared.'),
  },
  { required: ['name'] },
);

export const podCondition: Schema = obj(
  {
    type: str('Type is the type of the condition.'),
    observedGeneration: int64('If set, this represents the .metadata.generation that the pod condition was set based upon.'),
    status: str('Status is the status of the condition.'),
    lastProbeTime: time('Last time we probed the condition.'),
    lastTransitionTime: time('Last time the condition transitioned from one status to another.'),
    reason: str('Unique, one-word, CamelCase reason for the condition\'s last transition.'),
    message: str('Human-readable message indicating details about last transition.'),
  },
  { required: ['type', 'status'] },
);

export const podStatus: Schema = obj(
  {
    observedGeneration: int64('If set, this represents the .metadata.generation that the pod status was set based upon.'),
    phase: str('The phase of a Pod is a simple, high-level summary of where the Pod is in its lifecycle.'),
    conditions: listMap(podCondition, ['type'], 'Current service state of pod.'),
    message: str('A human readable message indicating details about why the pod is in this condition.'),
    reason: str('A brief CamelCase message indicating details about why the pod is in this state.'),
    nominatedNodeName: str('nominatedNodeName is set only when this pod preempts other pods on the node, but it cannot be scheduled right away as preemption victims receive their graceful termination periods.'),
    hostIP: str('hostIP holds the IP address of the host to which the pod is assigned.'),
    hostIPs: list(hostIP, 'hostIPs holds the IP addresses allocated to the host.', { 'x-kubernetes-list-type': 'atomic', 'x-kubernetes-patch-strategy': 'merge', 'x-kubernetes-patch-merge-key': 'ip' }),
    podIP: str('podIP address allocated to the pod.'),
    podIPs: listMap(podIP, ['ip'], 'podIPs holds the IP addresses allocated to the pod.'),
    startTime: time('RFC 3339 date and time at which the object was acknowledged by the Kubelet.'),
    initContainerStatuses: list(containerStatus, 'Statuses of init containers in this pod.', { 'x-kubernetes-list-type': 'atomic' }),
    containerStatuses: list(containerStatus, 'Statuses of containers in this pod.', { 'x-kubernetes-list-type': 'atomic' }),
    qosClass: str('The Quality of Service (QOS) classification assigned to the pod based on resource requirements See PodQOSClass type for available QOS classes More info: https://kubernetes.io/docs/concepts/workloads/pods/pod-qos/#quality-of-service-classes.'),
    ephemeralContainerStatuses: list(containerStatus, 'Statuses for any ephemeral containers that have run in this pod.', { 'x-kubernetes-list-type': 'atomic' }),
    resize: str('Status of resources resize desired for pod\'s containers.'),
    resourceClaimStatuses: listMap(podResourceClaimStatus, ['name'], 'Status of resource claims.', { 'x-kubernetes-patch-strategy': 'merge,retainKeys' }),
    extendedResourceClaimStatus: { ...podExtendedResourceClaimStatus, description: 'Status of extended resource claim backed by DRA.' },
    allocatedResources: resourceList('AllocatedResources is the total requests allocated for this pod by the node.'),
    resources: { ...resourceRequirements, description: 'Resources represents the compute resource requests and limits that have been applied at the pod level if pod-level requests or limits are set in PodSpec.Resources.' },
    nodeAllocatableResourceClaimStatuses: listMap(nodeAllocatableResourceClaimStatus, ['resourceClaimName'], 'NodeAllocatableResourceClaimStatuses contains the status of node-allocatable resources that were allocated for this pod through DRA claims.'),
    volumeHealth: keyedList(podVolumeHealth, ['name'], 'volumeHealth contains node-reported health for each volume the pod is using.'),
  },
);
