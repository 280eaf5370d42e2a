// The StatefulSet spec and status schemas as k8s.io/api/apps/v1 declares them, with claim
// templates, update strategy, retention policy and ordinals.

import type { Schema } from '../../schema.ts';
import { int32, int64, intOrString, list, listMap, obj, str, time } from '../../schema.ts';
import { labelSelector } from '../../core/v1/common.ts';
import { persistentVolumeClaimSchema } from '../../core/v1/persistentvolumeclaim.ts';
import { podTemplateSpec } from '../../core/v1/pod-spec.ts';

export const statefulSetPersistentVolumeClaimRetentionPolicy: Schema = obj(
  {
    whenDeleted: str('WhenDeleted specifies what happens to PVCs created from StatefulSet VolumeClaimTemplates when the StatefulSet is deleted.'),
    whenScaled: str('WhenScaled specifies what happens to PVCs created from StatefulSet VolumeClaimTemplates when the StatefulSet is scaled down.'),
  },
);

export const rollingUpdateStatefulSetStrategy: Schema = obj(
  {
    partition: int32('Partition indicates the ordinal at which the StatefulSet should be partitioned for updates.'),
    maxUnavailable: intOrString('The maximum number of pods that can be unavailable during the update.'),
  },
);

export const statefulSetUpdateStrategy: Schema = obj(
  {
    type: str('Type indicates the type of the StatefulSetUpdateStrategy.'),
    rollingUpdate: { ...rollingUpdateStatefulSetStrategy, description: 'RollingUpdate is used to communicate parameters when Type is RollingUpdateStatefulSetStrategyType.' },
  },
);

export const statefulSetOrdinals: Schema = obj(
  {
    start: int32('start is the number representing the first replica\'s index.'),
  },
);

export const statefulSetSpec: Schema = obj(
  {
    replicas: int32('replicas is the desired number of replicas of the given Template.'),
    selector: { ...labelSelector, description: 'selector is a label query over pods that should match the replica count.' },
    template: { ...podTemplateSpec, description: 'template is the object that describes the pod that will be created if insufficient replicas are detected.' },
    volumeClaimTemplates: list(persistentVolumeClaimSchema, 'volumeClaimTemplates is a list of claims that pods are allowed to reference.', { 'x-kubernetes-list-type': 'atomic' }),
    serviceName: str('serviceName is the name of the service that governs this StatefulSet.'),
    podManagementPolicy: str('podManagementPolicy controls how pods are created during initial scale up, when replacing pods on nodes, or when scaling down.'),
    updateStrategy: { ...statefulSetUpdateStrategy, description: 'updateStrategy indicates the StatefulSetUpdateStrategy that will be employed to update Pods in the StatefulSet when a revision is made to Template.' },
    revisionHistoryLimit: int32('revisionHistoryLimit is the maximum number of revisions that will be maintained in the StatefulSet\'s revision history.'),
    minReadySeconds: int32('Minimum number of seconds for which a newly created pod should be ready without any of its container crashing for it to be considered available.'),
    persistentVolumeClaimRetentionPolicy: { ...statefulSetPersistentVolumeClaimRetentionPolicy, description: 'persistentVolumeClaimRetentionPolicy describes the lifecycle of persistent volume claims created from volumeClaimTemplates.' },
    ordinals: { ...statefulSetOrdinals, description: 'ordinals controls the numbering of replica indices in a StatefulSet.' },
  },
  { required: ['selector', 'template'] },
);

export const statefulSetCondition: Schema = obj(
  {
    type: str('Type of statefulset condition.'),
    status: str('Status of the condition, one of True, False, Unknown.'),
    lastTransitionTime: time('Last time the condition transitioned from one status to another.'),
    reason: str('The reason for the condition\'s last transition.'),
    message: str('A human readable message indicating details about the transition.'),
  },
);

export const statefulSetStatus: Schema = obj(
  {
    observedGeneration: int64('observedGeneration is the most recent generation observed for this StatefulSet.'),
    replicas: int32('replicas is the number of Pods created by the StatefulSet controller.'),
    readyReplicas: int32('readyReplicas is the number of pods created for this StatefulSet with a Ready Condition.'),
    currentReplicas: int32('currentReplicas is the number of Pods created by the StatefulSet controller from the StatefulSet version indicated by currentRevision.'),
    updatedReplicas: int32('updatedReplicas is the number of Pods created by the StatefulSet controller from the StatefulSet version indicated by updateRevision.'),
    currentRevision: str('currentRevision, if not empty, indicates the version of the StatefulSet used to generate Pods in the sequence [0,currentReplicas).'),
    updateRevision: str('updateRevision, if not empty, indicates the version of the StatefulSet used to generate Pods in the sequence [replicas-updatedReplicas,replicas).'),
    collisionCount: int32('collisionCount is the count of hash collisions for the StatefulSet.'),
    conditions: listMap(statefulSetCondition, ['type'], 'Represents the latest available observations of a statefulset\'s current state.'),
    availableReplicas: int32('Total number of available pods (ready for at least minReadySeconds) targeted by this statefulset.'),
  },
  { required: ['replicas'] },
);
