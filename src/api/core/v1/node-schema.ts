// The Node spec and status schemas as k8s.io/api/core/v1 declares them: taints, conditions and
// addresses keyed by type, capacity, system info, images and daemon endpoints.

import type { Schema } from '../../schema.ts';
import { bool, int32, int64, list, listMap, obj, set, str, time } from '../../schema.ts';
import { resourceList } from './common.ts';

export const nodePodPreemptionPolicy: Schema = obj(
  {
    disableResizePreemption: set(str(), 'DisableResizePreemption lists the owners (e.g., autoscalers, operators, administrators) that have requested to disable scheduler and Kubelet preemption for in-place pod resize on this node.'),
  },
);

export const configMapNodeConfigSource: Schema = obj(
  {
    namespace: str('Namespace is the metadata.namespace of the referenced ConfigMap.'),
    name: str('Name is the metadata.name of the referenced ConfigMap.'),
    uid: str('UID is the metadata.UID of the referenced ConfigMap.'),
    resourceVersion: str('ResourceVersion is the metadata.ResourceVersion of the referenced ConfigMap.'),
    kubeletConfigKey: str('KubeletConfigKey declares which key of the referenced ConfigMap corresponds to the KubeletConfiguration structure This field is required in all cases.'),
  },
  { required: ['namespace', 'name', 'kubeletConfigKey'] },
);

export const nodeConfigSource: Schema = obj(
  {
    configMap: { ...configMapNodeConfigSource, description: 'ConfigMap is a reference to a Node\'s ConfigMap.' },
  },
);

export const taint: Schema = obj(
  {
    key: str('Required.'),
    value: str('The taint value corresponding to the taint key.'),
    effect: str('Required.'),
    timeAdded: time('TimeAdded represents the time at which the taint was added.'),
  },
  { required: ['key', 'effect'] },
);

export const nodeSpec: Schema = obj(
  {
    podCIDR: str('PodCIDR represents the pod IP range assigned to the node.'),
    podCIDRs: { ...set(str(), 'podCIDRs represents the IP ranges assigned to the node for usage by Pods on that node.'), 'x-kubernetes-patch-strategy': 'merge' },
    providerID: str('ID of the node assigned by the cloud provider in the format: <ProviderName>://<ProviderSpecificNodeID>.'),
    unschedulable: bool('Unschedulable controls node schedulability of new pods.'),
    taints: list(taint, 'If specified, the node\'s taints.', { 'x-kubernetes-list-type': 'atomic' }),
    configSource: { ...nodeConfigSource, description: 'Deprecated: Previously used to specify the source of the node\'s configuration for the DynamicKubeletConfig feature.' },
    externalID: str('Deprecated.'),
    podPreemptionPolicy: { ...nodePodPreemptionPolicy, description: 'PodPreemptionPolicy controls the node-level preemption behaviors for pods on this node.' },
  },
);

export const nodeCondition: Schema = obj(
  {
    type: str('Type of node condition.'),
    status: str('Status of the condition, one of True, False, Unknown.'),
    lastHeartbeatTime: time('Last time we got an update on a given condition.'),
    lastTransitionTime: time('Last time the condition transit from one status to another.'),
    reason: str('(brief) reason for the condition\'s last transition.'),
    message: str('Human readable message indicating details about last transition.'),
  },
  { required: ['type', 'status'] },
);

export const attachedVolume: Schema = obj(
  {
    name: str('Name of the attached volume.'),
    devicePath: str('DevicePath represents the device path where the volume should be available.'),
  },
  { required: ['name', 'devicePath'] },
);

export const nodeFeatures: Schema = obj(
  {
    supplementalGroupsPolicy: bool('SupplementalGroupsPolicy is set to true if the runtime supports SupplementalGroupsPolicy and ContainerUser.'),
  },
);

export const daemonEndpoint: Schema = obj(
  {
    Port: int32('Port number of the given endpoint.'),
  },
  { required: ['Port'] },
);

export const nodeDaemonEndpoints: Schema = obj(
  {
    kubeletEndpoint: { ...daemonEndpoint, description: 'Endpoint on which Kubelet is listening.' },
  },
);

export const nodeRuntimeHandlerFeatures: Schema = obj(
  {
    recursiveReadOnlyMounts: bool('RecursiveReadOnlyMounts is set to true if the runtime handler supports RecursiveReadOnlyMounts.'),
    userNamespaces: bool('UserNamespaces is set to true if the runtime handler supports UserNamespaces, including for volumes.'),
  },
);

export const nodeRuntimeHandler: Schema = obj(
  {
    name: str('Runtime handler name.'),
    features: { ...nodeRuntimeHandlerFeatures, description: 'Supported features.' },
  },
);

export const nodeConfigStatus: Schema = obj(
  {
    assigned: { ...nodeConfigSource, description: 'Assigned reports the checkpointed config the node will try to use.' },
    active: { ...nodeConfigSource, description: 'Active reports the checkpointed config the node is actively using.' },
    lastKnownGood: { ...nodeConfigSource, description: 'LastKnownGood reports the checkpointed config the node will fall back to when it encounters an error attempting to use the Assigned config.' },
    error: str('Error describes any problems reconciling the Spec.ConfigSource to the Active config.'),
  },
);

export const nodeSwapStatus: Schema = obj(
  {
    capacity: int64('Total amount of swap memory in bytes.'),
  },
);

export const nodeSystemInfo: Schema = obj(
  {
    machineID: str('MachineID reported by the node.'),
    systemUUID: str('SystemUUID reported by the node.'),
    bootID: str('Boot ID reported by the node.'),
    kernelVersion: str('Kernel Version reported by the node from \'uname -r\' (e.g.'),
    osImage: str('OS Image reported by the node from /etc/os-release (e.g.'),
    containerRuntimeVersion: str('ContainerRuntime Version reported by the node through runtime remote API (e.g.'),
    kubeletVersion: str('Kubelet Version reported by the node.'),
    kubeProxyVersion: str('Deprecated: KubeProxy Version reported by the node.'),
    operatingSystem: str('The Operating System reported by the node.'),
    architecture: str('The Architecture reported by the node.'),
    swap: { ...nodeSwapStatus, description: 'Swap Info reported by the node.' },
  },
  { required: ['machineID', 'systemUUID', 'bootID', 'kernelVersion', 'osImage', 'containerRuntimeVersion', 'kubeletVersion', 'kubeProxyVersion', 'operatingSystem', 'architecture'] },
);

export const containerImage: Schema = obj(
  {
    names: list(str(), 'Names by which this image is known.', { 'x-kubernetes-list-type': 'atomic' }),
    sizeBytes: int64('The size of the image in bytes.'),
  },
);

export const nodeAddress: Schema = obj(
  {
    type: str('Node address type, one of Hostname, ExternalIP or InternalIP.'),
    address: str('The node address.'),
  },
  { required: ['type', 'address'] },
);

export const nodeStatus: Schema = obj(
  {
    capacity: resourceList('Capacity represents the total resources of a node.'),
    allocatable: resourceList('Allocatable represents the resources of a node that are available for scheduling.'),
    phase: str('NodePhase is the recently observed lifecycle phase of the node.'),
    conditions: listMap(nodeCondition, ['type'], 'Conditions is an array of current observed node conditions.'),
    addresses: listMap(nodeAddress, ['type'], 'List of addresses reachable to the node.'),
    daemonEndpoints: { ...nodeDaemonEndpoints, description: 'Endpoints of daemons running on the Node.' },
    nodeInfo: { ...nodeSystemInfo, description: 'Set of ids/uuids to uniquely identify the node.' },
    images: list(containerImage, 'List of container images on this node.', { 'x-kubernetes-list-type': 'atomic' }),
    volumesInUse: list(str(), 'List of attachable volumes in use (mounted) by the node.', { 'x-kubernetes-list-type': 'atomic' }),
    volumesAttached: list(attachedVolume, 'List of volumes that are attached to the node.', { 'x-kubernetes-list-type': 'atomic' }),
    config: { ...nodeConfigStatus, description: 'Status of the config assigned to the node via the dynamic Kubelet config feature.' },
    runtimeHandlers: list(nodeRuntimeHandler, 'The available runtime handlers.', { 'x-kubernetes-list-type': 'atomic' }),
    features: { ...nodeFeatures, description: 'Features describes the set of features implemented by the CRI implementation.' },
    declaredFeatures: list(str(), 'DeclaredFeatures represents the features related to feature gates that are declared by the node.', { 'x-kubernetes-list-type': 'atomic' }),
  },
);
