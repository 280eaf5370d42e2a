// PersistentVolume spec and status (the common volume sources described, the rare in-tree ones
// free-form) and the PersistentVolumeClaim status, as k8s.io/api/core/v1 declares them.

import type { Schema } from '../../schema.ts';
import { bool, freeform, list, listMap, mapOf, obj, str, stringMap, time } from '../../schema.ts';
import { objectReference, resourceList } from './common.ts';
import { nodeSelector } from './pod-spec.ts';
import { volumeHealthCondition } from './pod-status.ts';
import { hostPathVolumeSource, nfsVolumeSource } from './volume.ts';

export const volumeNodeAffinity: Schema = obj(
  {
    required: { ...nodeSelector, description: 'required specifies hard node constraints that must be met.' },
  },
);

export const secretReference: Schema = obj(
  {
    name: str('name is unique within a namespace to reference a secret resource.'),
    namespace: str('namespace defines the space within which the secret name must be unique.'),
  },
);

export const csiPersistentVolumeSource: Schema = obj(
  {
    driver: str('driver is the name of the driver to use for this volume.'),
    volumeHandle: str('volumeHandle is the unique volume name returned by the CSI volume plugin’s CreateVolume to refer to the volume on all subsequent calls.'),
    readOnly: bool('readOnly value to pass to ControllerPublishVolumeRequest.'),
    fsType: str('fsType to mount.'),
    volumeAttributes: stringMap('volumeAttributes of the volume to publish.'),
    controllerPublishSecretRef: { ...secretReference, description: 'controllerPublishSecretRef is a reference to the secret object containing sensitive information to pass to the CSI driver to complete the CSI ControllerPublishVolume and ControllerUnpublishVolume calls.' },
    nodeStageSecretRef: { ...secretReference, description: 'nodeStageSecretRef is a reference to the secret object containing sensitive information to pass to the CSI driver to complete the CSI NodeStageVolume and NodeStageVolume and NodeUnstageVolume calls.' },
    nodePublishSecretRef: { ...secretReference, description: 'nodePublishSecretRef is a reference to the secret object containing sensitive information to pass to the CSI driver to complete the CSI NodePublishVolume and NodeUnpublishVolume calls.' },
    controllerExpandSecretRef: { ...secretReference, description: 'controllerExpandSecretRef is a reference to the secret object containing sensitive information to pass to the CSI driver to complete the CSI ControllerExpandVolume call.' },
    nodeExpandSecretRef: { ...secretReference, description: 'nodeExpandSecretRef is a reference to the secret object containing sensitive information to pass to the CSI driver to complete the CSI NodeExpandVolume call.' },
  },
  { required: ['driver', 'volumeHandle'] },
);

export const localVolumeSource: Schema = obj(
  {
    path: str('path of the full path to the volume on the node.'),
    fsType: str('fsType is the filesystem type to mount.'),
  },
  { required: ['path'] },
);

export const persistentVolumeSource: Schema = obj(
  {
    gcePersistentDisk: freeform('gcePersistentDisk represents a GCE Disk resource that is attached to a kubelet\'s host machine and then exposed to the pod.'),
    awsElasticBlockStore: freeform('awsElasticBlockStore represents an AWS Disk resource that is attached to a kubelet\'s host machine and then exposed to the pod.'),
    hostPath: { ...hostPathVolumeSource, description: 'hostPath represents a directory on the host.' },
    glusterfs: freeform('glusterfs represents a Glusterfs volume that is attached to a host and exposed to the pod.'),
    nfs: { ...nfsVolumeSource, description: 'nfs represents an NFS mount on the host.' },
    rbd: freeform('rbd represents a Rados Block Device mount on the host that shares a pod\'s lifetime.'),
    iscsi: freeform('iscsi represents an ISCSI Disk resource that is attached to a kubelet\'s host machine and then exposed to the pod.'),
    cinder: freeform('cinder represents a cinder volume attached and mounted on kubelets host machine.'),
    cephfs: freeform('cephFS represents a Ceph FS mount on the host that shares a pod\'s lifetime.'),
    fc: freeform('fc represents a Fibre Channel resource that is attached to a kubelet\'s host machine and then exposed to the pod.'),
    flocker: freeform('flocker represents a Flocker volume attached to a kubelet\'s host machine and exposed to the pod for its usage.'),
    flexVolume: freeform('flexVolume represents a generic volume resource that is provisioned/attached using an exec based plugin.'),
    azureFile: freeform('azureFile represents an Azure File Service mount on the host and bind mount to the pod.'),
    vsphereVolume: freeform('vsphereVolume represents a vSphere volume attached and mounted on kubelets host machine.'),
    quobyte: freeform('quobyte represents a Quobyte mount on the host that shares a pod\'s lifetime.'),
    azureDisk: freeform('azureDisk represents an Azure Data Disk mount on the host and bind mount to the pod.'),
    photonPersistentDisk: freeform('photonPersistentDisk represents a PhotonController persistent disk attached and mounted on kubelets host machine.'),
    portworxVolume: freeform('portworxVolume represents a portworx volume attached and mounted on kubelets host machine.'),
    scaleIO: freeform('scaleIO represents a ScaleIO persistent volume attached and mounted on Kubernetes nodes.'),
    local: { ...localVolumeSource, description: 'local represents directly-attached storage with node affinity.' },
    storageos: freeform('storageOS represents a StorageOS volume that is attached to the kubelet\'s host machine and mounted into the pod.'),
    csi: { ...csiPersistentVolumeSource, description: 'csi represents storage that is handled by an external CSI driver.' },
  },
);

export const persistentVolumeSpec: Schema = obj(
  {
    capacity: resourceList('capacity is the description of the persistent volume\'s resources and capacity.'),
    ...persistentVolumeSource.properties,
    accessModes: list(str(), 'accessModes contains all ways the volume can be mounted.', { 'x-kubernetes-list-type': 'atomic' }),
    claimRef: { ...objectReference, description: 'claimRef is part of a bi-directional binding between PersistentVolume and PersistentVolumeClaim.' },
    persistentVolumeReclaimPolicy: str('persistentVolumeReclaimPolicy defines what happens to a persistent volume when released from its claim.'),
    storageClassName: str('storageClassName is the name of StorageClass to which this persistent volume belongs.'),
    mountOptions: list(str(), 'mountOptions is the list of mount options, e.g.', { 'x-kubernetes-list-type': 'atomic' }),
    volumeMode: str('volumeMode defines if a volume is intended to be used with a formatted filesystem or to remain in raw block state.'),
    nodeAffinity: { ...volumeNodeAffinity, description: 'nodeAffinity defines constraints that limit what nodes this volume can be accessed from.' },
    volumeAttributesClassName: str('Name of VolumeAttributesClass to which this persistent volume belongs.'),
  },
);

export const persistentVolumeStatus: Schema = obj(
  {
    phase: str('phase indicates if a volume is available, bound to a claim, or released by a claim.'),
    message: str('message is a human-readable message indicating details about why the volume is in this state.'),
    reason: str('reason is a brief CamelCase string that describes any failure and is meant for machine parsing and tidy display in the CLI.'),
    lastPhaseTransitionTime: time('lastPhaseTransitionTime is the time the phase transitioned from one to another and automatically resets to current time everytime a volume phase transitions.'),
  },
);

export const volumeHealthStatus: Schema = obj(
  {
    healthConditions: listMap(volumeHealthCondition, ['status', 'reason'], 'conditions is the set of adverse conditions reported by the CSI controller plugin.'),
    lastTransitionTime: time('lastTransitionTime is when the current set of conditions first appeared.'),
  },
);

export const modifyVolumeStatus: Schema = obj(
  {
    targetVolumeAttributesClassName: str('targetVolumeAttributesClassName is the name of the VolumeAttributesClass the PVC currently being reconciled.'),
    status: str('status is the status of the ControllerModifyVolume operation.'),
  },
  { required: ['status'] },
);

export const persistentVolumeClaimCondition: Schema = obj(
  {
    type: str('Type is the type of the condition.'),
    status: str('Status is the status of the condition.'),
    lastProbeTime: time('lastProbeTime is the time we probed the condition.'),
    lastTransitionTime: time('lastTransitionTime is the time the condition transitioned from one status to another.'),
    reason: str('reason is a unique, this should be a short, machine understandable string that gives the reason for condition\'s last transition.'),
    message: str('message is the human-readable message indicating details about last transition.'),
  },
  { required: ['type', 'status'] },
);

export const persistentVolumeClaimStatus: Schema = obj(
  {
    phase: str('phase represents the current phase of PersistentVolumeClaim.'),
    accessModes: list(str(), 'accessModes contains the actual access modes the volume backing the PVC has.', { 'x-kubernetes-list-type': 'atomic' }),
    capacity: resourceList('capacity represents the actual resources of the underlying volume.'),
    conditions: listMap(persistentVolumeClaimCondition, ['type'], 'conditions is the current Condition of persistent volume claim.'),
    allocatedResources: resourceList('allocatedResources tracks the resources allocated to a PVC including its capacity.'),
    allocatedResourceStatuses: { ...mapOf(str(undefined), 'allocatedResourceStatuses stores status of resource being resized for the given PVC. Key names follow standard Kubernetes label syntax.'), 'x-kubernetes-map-type': 'granular' },
    currentVolumeAttributesClassName: str('currentVolumeAttributesClassName is the current name of the VolumeAttributesClass the PVC is using.'),
    modifyVolumeStatus: { ...modifyVolumeStatus, description: 'ModifyVolumeStatus represents the status object of ControllerModifyVolume operation.' },
    healthStatus: { ...volumeHealthStatus, description: 'healthStatus contains the latest controller-reported health information for the volume bound to this claim.' },
  },
);
