// Volume sources a pod can mount (the common ones described field by field, the rare in-tree
// plugins free-form), and the PersistentVolumeClaimSpec that claims and ephemeral volumes share.

import type { Schema } from '../../schema.ts';
import { bool, freeform, int32, int64, list, obj, quantity, str, stringMap } from '../../schema.ts';
import { labelSelector, localObjectReference, resourceList, typedLocalObjectReference, typedObjectReference } from './common.ts';
import { objectMeta } from '../../meta.ts';

export const hostPathVolumeSource: Schema = obj(
  {
    path: str('path of the directory on the host.'),
    type: str('type for HostPath Volume Defaults to "" More info: https://kubernetes.io/docs/concepts/storage/volumes#hostpath.'),
  },
  { required: ['path'] },
);

export const persistentVolumeClaimVolumeSource: Schema = obj(
  {
    claimName: str('claimName is the name of a PersistentVolumeClaim in the same namespace as the pod using this volume.'),
    readOnly: bool('readOnly Will force the ReadOnly setting in VolumeMounts.'),
  },
  { required: ['claimName'] },
);

export const resourceFieldSelector: Schema = obj(
  {
    containerName: str('Container name: required for volumes, optional for env vars.'),
    resource: str('Required: resource to select.'),
    divisor: quantity('Specifies the output format of the exposed resources, defaults to "1".'),
  },
  { required: ['resource'] },
);

export const objectFieldSelector: Schema = obj(
  {
    apiVersion: str('Version of the schema the FieldPath is written in terms of, defaults to "v1".'),
    fieldPath: str('Path of the field to select in the specified API version.'),
  },
  { required: ['fieldPath'] },
);

export const downwardAPIVolumeFile: Schema = obj(
  {
    path: str('Required: Path is  the relative path name of the file to be created.'),
    fieldRef: { ...objectFieldSelector, description: 'Required: Selects a field of the pod: only annotations, labels, name, namespace and uid are supported.' },
    resourceFieldRef: { ...resourceFieldSelector, description: 'Selects a resource of the container: only resources limits and requests (limits.cpu, limits.memory, requests.cpu and requests.memory) are currently supported.' },
    mode: int32('Optional: mode bits used to set permissions on this file, must be an octal value between 0000 and 0777 or a decimal value between 0 and 511.'),
    user: int64('user is Optional: The owner UID of the created file.'),
  },
  { required: ['path'] },
);

export const downwardAPIVolumeSource: Schema = obj(
  {
    items: list(downwardAPIVolumeFile, 'Items is a list of downward API volume file.', { 'x-kubernetes-list-type': 'atomic' }),
    defaultMode: int32('Optional: mode bits to use on created files by default.'),
    defaultUser: int64('defaultUser is Optional: The owner UID of the created files by default.'),
  },
);

export const emptyDirVolumeSource: Schema = obj(
  {
    medium: str('medium represents what type of storage medium should back this directory.'),
    sizeLimit: quantity('sizeLimit is the total amount of local storage required for this EmptyDir volume.'),
    mode: int32('mode specifies the permission bits for the emptyDir directory, in numeric notation (e.g., 0755, 01777).'),
  },
);

export const keyToPath: Schema = obj(
  {
    key: str('key is the key to project.'),
    path: str('path is the relative path of the file to map the key to.'),
    mode: int32('mode is Optional: mode bits used to set permissions on this file.'),
    user: int64('user is Optional: The owner UID of the created file.'),
  },
  { required: ['key', 'path'] },
);

export const secretVolumeSource: Schema = obj(
  {
    secretName: str('secretName is the name of the secret in the pod\'s namespace to use.'),
    items: list(keyToPath, 'items If unspecified, each key-value pair in the Data field of the referenced Secret will be projected into the volume as a file whose name is the key and content is the value.', { 'x-kubernetes-list-type': 'atomic' }),
    defaultMode: int32('defaultMode is Optional: mode bits used to set permissions on created files by default.'),
    optional: bool('optional field specify whether the Secret or its keys must be defined.'),
    defaultUser: int64('defaultUser is Optional: The owner UID of the created files by default.'),
  },
);

export const nfsVolumeSource: Schema = obj(
  {
    server: str('server is the hostname or IP address of the NFS server.'),
    path: str('path that is exported by the NFS server.'),
    readOnly: bool('readOnly here will force the NFS export to be mounted with read-only permissions.'),
  },
  { required: ['server', 'path'] },
);

export const downwardAPIProjection: Schema = obj(
  {
    items: list(downwardAPIVolumeFile, 'Items is a list of DownwardAPIVolume file.', { 'x-kubernetes-list-type': 'atomic' }),
  },
);

export const secretProjection: Schema = obj(
  {
    ...localObjectReference.properties,
    items: list(keyToPath, 'items if unspecified, each key-value pair in the Data field of the referenced Secret will be projected into the volume as a file whose name is the key and content is the value.', { 'x-kubernetes-list-type': 'atomic' }),
    optional: bool('optional field specify whether the Secret or its key must be defined.'),
  },
);

export const clusterTrustBundleProjection: Schema = obj(
  {
    name: str('Select a single ClusterTrustBundle by object name.'),
    signerName: str('Select all ClusterTrustBundles that match this signer name.'),
    labelSelector: { ...labelSelector, description: 'Select all ClusterTrustBundles that match this label selector.' },
    optional: bool('If true, don\'t block pod startup if the referenced ClusterTrustBundle(s) aren\'t available.'),
    path: str('Relative path from the volume root to write the bundle.'),
    user: int64('user is Optional: The owner UID of the created file.'),
  },
  { required: ['path'] },
);

export const configMapProjection: Schema = obj(
  {
    ...localObjectReference.properties,
    items: list(keyToPath, 'items if unspecified, each key-value pair in the Data field of the referenced ConfigMap will be projected into the volume as a file whose name is the key and content is the value.', { 'x-kubernetes-list-type': 'atomic' }),
    optional: bool('optional specify whether the ConfigMap or its keys must be defined.'),
  },
);

export const podCertificateProjection: Schema = obj(
  {
    signerName: str('Kubelet\'s generated CSRs will be addressed to this signer.'),
    keyType: str('The type of keypair Kubelet will generate for the pod.'),
    maxExpirationSeconds: int32('maxExpirationSeconds is the maximum lifetime permitted for the certificate.'),
    credentialBundlePath: str('Write the credential bundle at this path in the projected volume.'),
    keyPath: str('Write the key at this path in the projected volume.'),
    certificateChainPath: str('Write the certificate chain at this path in the projected volume.'),
    userAnnotations: stringMap('userAnnotations allow pod authors to pass additional information to the signer implementation.'),
    user: int64('user is Optional: The owner UID of the created file.'),
  },
);

export const serviceAccountTokenProjection: Schema = obj(
  {
    audience: str('audience is the intended audience of the token.'),
    expirationSeconds: int64('expirationSeconds is the requested duration of validity of the service account token.'),
    path: str('path is the path relative to the mount point of the file to project the token into.'),
    user: int64('user is Optional: The owner UID of the created file.'),
  },
  { required: ['path'] },
);

export const volumeProjection: Schema = obj(
  {
    secret: { ...secretProjection, description: 'secret information about the secret data to project.' },
    downwardAPI: { ...downwardAPIProjection, description: 'downwardAPI information about the downwardAPI data to project.' },
    configMap: { ...configMapProjection, description: 'configMap information about the configMap data to project.' },
    serviceAccountToken: { ...serviceAccountTokenProjection, description: 'serviceAccountToken is information about the serviceAccountToken data to project.' },
    clusterTrustBundle: { ...clusterTrustBundleProjection, description: 'ClusterTrustBundle allows a pod to access the `.spec.trustBundle` field of ClusterTrustBundle objects in an auto-updating file.' },
    podCertificate: { ...podCertificateProjection, description: 'Projects an auto-rotating credential bundle (private key and certificate chain) that the pod can use either as a TLS client or server.' },
  },
);

export const projectedVolumeSource: Schema = obj(
  {
    sources: list(volumeProjection, 'sources is the list of volume projections.', { 'x-kubernetes-list-type': 'atomic' }),
    defaultMode: int32('defaultMode are the mode bits used to set permissions on created files by default.'),
    defaultUser: int64('defaultUser is Optional: The owner UID of the created files by default.'),
  },
);

export const csiVolumeSource: Schema = obj(
  {
    driver: str('driver is the name of the CSI driver that handles this volume.'),
    readOnly: bool('readOnly specifies a read-only configuration for the volume.'),
    fsType: str('fsType to mount.'),
    volumeAttributes: stringMap('volumeAttributes stores driver-specific properties that are passed to the CSI driver.'),
    nodePublishSecretRef: { ...localObjectReference, description: 'nodePublishSecretRef is a reference to the secret object containing sensitive information to pass to the CSI driver to complete the CSI NodePublishVolume and NodeUnpublishVolume calls.' },
  },
  { required: ['driver'] },
);

export const volumeResourceRequirements: Schema = obj(
  {
    limits: resourceList('Limits describes the maximum amount of compute resources allowed.'),
    requests: resourceList('Requests describes the minimum amount of compute resources required.'),
  },
);

export const persistentVolumeClaimSpec: Schema = obj(
  {
    accessModes: list(str(), 'accessModes contains the desired access modes the volume should have.', { 'x-kubernetes-list-type': 'atomic' }),
    selector: { ...labelSelector, description: 'selector is a label query over volumes to consider for binding.' },
    resources: { ...volumeResourceRequirements, description: 'resources represents the minimum resources the volume should have.' },
    volumeName: str('volumeName is the binding reference to the PersistentVolume backing this claim.'),
    storageClassName: str('storageClassName is the name of the StorageClass required by the claim.'),
    volumeMode: str('volumeMode defines what type of volume is required by the claim.'),
    dataSource: { ...typedLocalObjectReference, description: 'dataSource field can be used to specify either: * An existing VolumeSnapshot object (snapshot.storage.k8s.io/VolumeSnapshot) * An existing PVC (PersistentVolumeClaim) If the provisioner or an external controller can support the specified data source, it will create a new volume based on the contents of the specified data source.' },
    dataSourceRef: { ...typedObjectReference, description: 'dataSourceRef specifies the object from which to populate the volume with data, if a non-empty volume is desired.' },
    volumeAttributesClassName: str('volumeAttributesClassName may be used to set the VolumeAttributesClass used by this claim.'),
  },
);

export const persistentVolumeClaimTemplate: Schema = obj(
  {
    metadata: { ...objectMeta, description: 'May contain labels and annotations that will be copied into the PVC when creating it.' },
    spec: { ...persistentVolumeClaimSpec, description: 'The specification for the PersistentVolumeClaim.' },
  },
  { required: ['spec'] },
);

export const ephemeralVolumeSource: Schema = obj(
  {
    volumeClaimTemplate: { ...persistentVolumeClaimTemplate, description: 'Will be used to create a stand-alone PVC to provision the volume.' },
  },
);

export const configMapVolumeSource: Schema = obj(
  {
    ...localObjectReference.properties,
    items: list(keyToPath, 'items if unspecified, each key-value pair in the Data field of the referenced ConfigMap will be projected into the volume as a file whose name is the key and content is the value.', { 'x-kubernetes-list-type': 'atomic' }),
    defaultMode: int32('defaultMode is optional: mode bits used to set permissions on created files by default.'),
    optional: bool('optional specify whether the ConfigMap or its keys must be defined.'),
    defaultUser: int64('defaultUser is Optional: The owner UID of the created files by default.'),
  },
);

export const imageVolumeSource: Schema = obj(
  {
    reference: str('Required: Image or artifact reference to be used.'),
    pullPolicy: str('Policy for pulling OCI objects.'),
  },
);

export const volumeSource: Schema = obj(
  {
    hostPath: { ...hostPathVolumeSource, description: 'hostPath represents a pre-existing file or directory on the host machine that is directly exposed to the container.' },
    emptyDir: { ...emptyDirVolumeSource, description: 'emptyDir represents a temporary directory that shares a pod\'s lifetime.' },
    gcePersistentDisk: freeform('gcePersistentDisk represents a GCE Disk resource that is attached to a kubelet\'s host machine and then exposed to the pod.'),
    awsElasticBlockStore: freeform('awsElasticBlockStore represents an AWS Disk resource that is attached to a kubelet\'s host machine and then exposed to the pod.'),
    gitRepo: freeform('gitRepo represents a git repository at a particular revision.'),
    secret: { ...secretVolumeSource, description: 'secret represents a secret that should populate this volume.' },
    nfs: { ...nfsVolumeSource, description: 'nfs represents an NFS mount on the host that shares a pod\'s lifetime More info: https://kubernetes.io/docs/concepts/storage/volumes#nfs.' },
    iscsi: freeform('iscsi represents an ISCSI Disk resource that is attached to a kubelet\'s host machine and then exposed to the pod.'),
    glusterfs: freeform('glusterfs represents a Glusterfs mount on the host that shares a pod\'s lifetime.'),
    persistentVolumeClaim: { ...persistentVolumeClaimVolumeSource, description: 'persistentVolumeClaimVolumeSource represents a reference to a PersistentVolumeClaim in the same namespace.' },
    rbd: freeform('rbd represents a Rados Block Device mount on the host that shares a pod\'s lifetime.'),
    flexVolume: freeform('flexVolume represents a generic volume resource that is provisioned/attached using an exec based plugin.'),
    cinder: freeform('cinder represents a cinder volume attached and mounted on kubelets host machine.'),
    cephfs: freeform('cephFS represents a Ceph FS mount on the host that shares a pod\'s lifetime.'),
    flocker: freeform('flocker represents a Flocker volume attached to a kubelet\'s host machine.'),
    downwardAPI: { ...downwardAPIVolumeSource, description: 'downwardAPI represents downward API about the pod that should populate this volume.' },
    fc: freeform('fc represents a Fibre Channel resource that is attached to a kubelet\'s host machine and then exposed to the pod.'),
    azureFile: freeform('azureFile represents an Azure File Service mount on the host and bind mount to the pod.'),
    configMap: { ...configMapVolumeSource, description: 'configMap represents a configMap that should populate this volume.' },
    vsphereVolume: freeform('vsphereVolume represents a vSphere volume attached and mounted on kubelets host machine.'),
    quobyte: freeform('quobyte represents a Quobyte mount on the host that shares a pod\'s lifetime.'),
    azureDisk: freeform('azureDisk represents an Azure Data Disk mount on the host and bind mount to the pod.'),
    photonPersistentDisk: freeform('photonPersistentDisk represents a PhotonController persistent disk attached and mounted on kubelets host machine.'),
    projected: { ...projectedVolumeSource, description: 'projected items for all in one resources secrets, configmaps, and downward API.' },
    portworxVolume: freeform('portworxVolume represents a portworx volume attached and mounted on kubelets host machine.'),
    scaleIO: freeform('scaleIO represents a ScaleIO persistent volume attached and mounted on Kubernetes nodes.'),
    storageos: freeform('storageOS represents a StorageOS volume attached and mounted on Kubernetes nodes.'),
    csi: { ...csiVolumeSource, description: 'csi (Container Storage Interface) represents ephemeral storage that is handled by certain external CSI drivers.' },
    ephemeral: { ...ephemeralVolumeSource, description: 'ephemeral represents a volume that is handled by a cluster storage driver.' },
    image: { ...imageVolumeSource, description: 'image represents an OCI object (a container image or artifact) pulled and mounted on the kubelet\'s host machine.' },
  },
);

export const volume: Schema = obj(
  {
    name: str('name of the volume.'),
    ...volumeSource.properties,
  },
  { required: ['name'] },
);
