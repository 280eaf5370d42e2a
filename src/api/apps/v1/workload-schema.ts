// The Deployment, ReplicaSet and DaemonSet spec and status schemas as k8s.io/api/apps/v1 declares
// them (rolling update parameters as int-or-string, conditions keyed by type).

import type { Schema } from '../../schema.ts';
import { bool, int32, int64, intOrString, listMap, obj, str, time } from '../../schema.ts';
import { labelSelector } from '../../core/v1/common.ts';
import { podTemplateSpec } from '../../core/v1/pod-spec.ts';

export const rollingUpdateDeployment: Schema = obj(
  {
    maxUnavailable: intOrString('The maximum number of pods that can be unavailable during the update.'),
    maxSurge: intOrString('The maximum number of pods that can be scheduled above the desired number of pods.'),
  },
);

export const deploymentStrategy: Schema = obj(
  {
    type: str('Type of deployment.'),
    rollingUpdate: { ...rollingUpdateDeployment, description: 'Rolling update config params.' },
  },
);

export const deploymentSpec: Schema = obj(
  {
    replicas: int32('Number of desired pods.'),
    selector: { ...labelSelector, description: 'Label selector for pods.' },
    template: { ...podTemplateSpec, description: 'Template describes the pods that will be created.' },
    strategy: { ...deploymentStrategy, description: 'The deployment strategy to use to replace existing pods with new ones.' },
    minReadySeconds: int32('Minimum number of seconds for which a newly created pod should be ready without any of its container crashing, for it to be considered available.'),
    revisionHistoryLimit: int32('The number of old ReplicaSets to retain to allow rollback.'),
    paused: bool('Indicates that the deployment is paused.'),
    progressDeadlineSeconds: int32('The maximum time in seconds for a deployment to make progress before it is considered to be failed.'),
  },
  { required: ['selector', 'template'] },
);

export const deploymentCondition: Schema = obj(
  {
    type: str('Type of deployment condition.'),
    status: str('Status of the condition, one of True, False, Unknown.'),
    lastUpdateTime: time('The last time this condition was updated.'),
    lastTransitionTime: time('Last time the condition transitioned from one status to another.'),
    reason: str('The reason for the condition\'s last transition.'),
    message: str('A human readable message indicating details about the transition.'),
  },
);

export const deploymentStatus: Schema = obj(
  {
    observedGeneration: int64('The generation observed by the deployment controller.'),
    replicas: int32('Total number of non-terminating pods targeted by this deployment (their labels match the selector).'),
    updatedReplicas: int32('Total number of non-terminating pods targeted by this deployment that have the desired template spec.'),
    readyReplicas: int32('Total number of non-terminating pods targeted by this Deployment with a Ready Condition.'),
    availableReplicas: int32('Total number of available non-terminating pods (ready for at least minReadySeconds) targeted by this deployment.'),
    unavailableReplicas: int32('Total number of unavailable pods targeted by this deployment.'),
    terminatingReplicas: int32('Total number of terminating pods targeted by this deployment.'),
    conditions: listMap(deploymentCondition, ['type'], 'Represents the latest available observations of a deployment\'s current state.'),
    collisionCount: int32('Count of hash collisions for the Deployment.'),
  },
);

export const replicaSetSpec: Schema = obj(
  {
    replicas: int32('Replicas is the number of desired pods.'),
    minReadySeconds: int32('Minimum number of seconds for which a newly created pod should be ready without any of its container crashing, for it to be considered available.'),
    selector: { ...labelSelector, description: 'Selector is a label query over pods that should match the replica count.' },
    template: { ...podTemplateSpec, description: 'Template is the object that describes the pod that will be created if insufficient replicas are detected.' },
  },
  { required: ['selector'] },
);

export const replicaSetCondition: Schema = obj(
  {
    type: str('Type of replica set condition.'),
    status: str('Status of the condition, one of True, False, Unknown.'),
    lastTransitionTime: time('The last time the condition transitioned from one status to another.'),
    reason: str('The reason for the condition\'s last transition.'),
    message: str('A human readable message indicating details about the transition.'),
  },
);

export const replicaSetStatus: Schema = obj(
  {
    replicas: int32('Replicas is the most recently observed number of non-terminating pods.'),
    fullyLabeledReplicas: int32('The number of non-terminating pods that have labels matching the labels of the pod template of the replicaset.'),
    readyReplicas: int32('The number of non-terminating pods targeted by this ReplicaSet with a Ready Condition.'),
    availableReplicas: int32('The number of available non-terminating pods (ready for at least minReadySeconds) for this replica set.'),
    terminatingReplicas: int32('The number of terminating pods for this replica set.'),
    observedGeneration: int64('ObservedGeneration reflects the generation of the most recently observed ReplicaSet.'),
    conditions: listMap(replicaSetCondition, ['type'], 'Represents the latest available observations of a replica set\'s current state.'),
  },
  { required: ['replicas'] },
);

export const rollingUpdateDaemonSet: Schema = obj(
  {
    maxUnavailable: intOrString('The maximum number of DaemonSet pods that can be unavailable during the update.'),
    maxSurge: intOrString('The maximum number of nodes with an existing available DaemonSet pod that can have an updated DaemonSet pod during during an update.'),
  },
);

export const daemonSetUpdateStrategy: Schema = obj(
  {
    type: str('Type of daemon set update.'),
    rollingUpdate: { ...rollingUpdateDaemonSet, description: 'Rolling update config params.' },
  },
);

export const daemonSetSpec: Schema = obj(
  {
    selector: { ...labelSelector, description: 'A label query over pods that are managed by the daemon set.' },
    template: { ...podTemplateSpec, description: 'An object that describes the pod that will be created.' },
    updateStrategy: { ...daemonSetUpdateStrategy, description: 'An update strategy to replace existing DaemonSet pods with new pods.' },
    minReadySeconds: int32('The minimum number of seconds for which a newly created DaemonSet pod should be ready without any of its container crashing, for it to be considered available.'),
    revisionHistoryLimit: int32('The number of old history to retain to allow rollback.'),
  },
  { required: ['selector', 'template'] },
);

export const daemonSetCondition: Schema = obj(
  {
    type: str('Type of DaemonSet condition.'),
    status: str('Status of the condition, one of True, False, Unknown.'),
    lastTransitionTime: time('Last time the condition transitioned from one status to another.'),
    reason: str('The reason for the condition\'s last transition.'),
    message: str('A human readable message indicating details about the transition.'),
  },
);

export const daemonSetStatus: Schema = obj(
  {
    currentNumberScheduled: int32('The number of nodes that are running at least 1 daemon pod and are supposed to run the daemon pod.'),
    numberMisscheduled: int32('The number of nodes that are running the daemon pod, but are not supposed to run the daemon pod.'),
    desiredNumberScheduled: int32('The total number of nodes that should be running the daemon pod (including nodes correctly running the daemon pod).'),
    numberReady: int32('numberReady is the number of nodes that should be running the daemon pod and have one or more of the daemon pod running with a Ready Condition.'),
    observedGeneration: int64('The most recent generation observed by the daemon set controller.'),
    updatedNumberScheduled: int32('The total number of nodes that are running updated daemon pod.'),
    numberAvailable: int32('The number of nodes that should be running the daemon pod and have one or more of the daemon pod running and available (ready for at least spec.minReadySeconds).'),
    numberUnavailable: int32('The number of nodes that should be running the daemon pod and have none of the daemon pod running and available (ready for at least spec.minReadySeconds).'),
    collisionCount: int32('Count of hash collisions for the DaemonSet.'),
    conditions: listMap(daemonSetCondition, ['type'], 'Represents the latest available observations of a DaemonSet\'s current state.'),
  },
  { required: ['currentNumberScheduled', 'numberMisscheduled', 'desiredNumberScheduled', 'numberReady'] },
);
