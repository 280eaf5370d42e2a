// Where a kind's protobuf layout lives: the message for each apiVersion/kind that can arrive as a request
// body, and the descriptor of every message by qualified name. Descriptors are parsed once, on first use.
import { parseMessage, specialMessages } from './descriptor.ts';
import type { MessageDescriptor, MessageTable } from './descriptor.ts';
import { apps, autoscalingv1, autoscalingv2, batch, policy, scheduling } from './messages-apps.ts';
import { authentication, authorization, certificates, rbac } from './messages-auth.ts';
import { coordination, events } from './messages-cluster.ts';
import { core } from './messages-core.ts';
import { meta } from './messages-meta.ts';
import { discovery, networking } from './messages-networking.ts';

const tables: Readonly<Record<string, MessageTable>> = {
  meta,
  core,
  apps,
  batch,
  autoscalingv1,
  autoscalingv2,
  policy,
  scheduling,
  rbac,
  authorization,
  authentication,
  certificates,
  networking,
  discovery,
  events,
  coordination,
};

/** Message for each kind, by apiVersion. */
const kinds: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  v1: {
    Binding: 'core.Binding',
    ConfigMap: 'core.ConfigMap',
    Endpoints: 'core.Endpoints',
    Event: 'core.Event',
    LimitRange: 'core.LimitRange',
    Namespace: 'core.Namespace',
    Node: 'core.Node',
    PersistentVolume: 'core.PersistentVolume',
    PersistentVolumeClaim: 'core.PersistentVolumeClaim',
    Pod: 'core.Pod',
    PodTemplate: 'core.PodTemplate',
    ReplicationController: 'core.ReplicationController',
    ResourceQuota: 'core.ResourceQuota',
    Secret: 'core.Secret',
    Service: 'core.Service',
    ServiceAccount: 'core.ServiceAccount',
  },
  'apps/v1': {
    ControllerRevision: 'apps.ControllerRevision',
    DaemonSet: 'apps.DaemonSet',
    Deployment: 'apps.Deployment',
    ReplicaSet: 'apps.ReplicaSet',
    StatefulSet: 'apps.StatefulSet',
  },
  'batch/v1': { CronJob: 'batch.CronJob', Job: 'batch.Job' },
  'autoscaling/v1': { HorizontalPodAutoscaler: 'autoscalingv1.HorizontalPodAutoscaler', Scale: 'autoscalingv1.Scale' },
  'autoscaling/v2': { HorizontalPodAutoscaler: 'autoscalingv2.HorizontalPodAutoscaler' },
  'policy/v1': { Eviction: 'policy.Eviction', PodDisruptionBudget: 'policy.PodDisruptionBudget' },
  'scheduling.k8s.io/v1': { PriorityClass: 'scheduling.PriorityClass' },
  'rbac.authorization.k8s.io/v1': {
    ClusterRole: 'rbac.ClusterRole',
    ClusterRoleBinding: 'rbac.ClusterRoleBinding',
    Role: 'rbac.Role',
    RoleBinding: 'rbac.RoleBinding',
  },
  'authorization.k8s.io/v1': {
    LocalSubjectAccessReview: 'authorization.LocalSubjectAccessReview',
    SelfSubjectAccessReview: 'authorization.SelfSubjectAccessReview',
    SelfSubjectRulesReview: 'authorization.SelfSubjectRulesReview',
    SubjectAccessReview: 'authorization.SubjectAccessReview',
  },
  'authentication.k8s.io/v1': {
    SelfSubjectReview: 'authentication.SelfSubjectReview',
    TokenRequest: 'authentication.TokenRequest',
    TokenReview: 'authentication.TokenReview',
  },
  'certificates.k8s.io/v1': { CertificateSigningRequest: 'certificates.CertificateSigningRequest' },
  'networking.k8s.io/v1': {
    Ingress: 'networking.Ingress',
    IngressClass: 'networking.IngressClass',
    NetworkPolicy: 'networking.NetworkPolicy',
  },
  'discovery.k8s.io/v1': { EndpointSlice: 'discovery.EndpointSlice' },
  'events.k8s.io/v1': { Event: 'events.Event' },
  'coordination.k8s.io/v1': { Lease: 'coordination.Lease' },
};

/** Option kinds are registered in every group version (client-go sends DeleteOptions as e.g. `apps/v1`). */
const optionKinds: Readonly<Record<string, string>> = { DeleteOptions: 'meta.DeleteOptions' };

/** The message a body of this apiVersion and kind is encoded as, if we can decode it. */
export function messageForKind(apiVersion: string, kind: string): string | undefined {
  const byKind = Object.hasOwn(kinds, apiVersion) ? kinds[apiVersion]! : {};
  if (Object.hasOwn(byKind, kind)) return byKind[kind];
  return Object.hasOwn(optionKinds, kind) ? optionKinds[kind] : undefined;
}

/** Every apiVersion/kind with a known message. */
export function decodableKinds(): { apiVersion: string; kind: string; message: string }[] {
  return Object.entries(kinds).flatMap(([apiVersion, byKind]) =>
    Object.entries(byKind).map(([kind, message]) => ({ apiVersion, kind, message })),
  );
}

const special: ReadonlySet<string> = new Set(specialMessages);
const parsed = new Map<string, MessageDescriptor>();

export function isSpecialMessage(name: string): boolean {
  return special.has(name);
}

/** The descriptor of a table message (not a special one); throws for an unknown name. */
export function lookupMessage(name: string): MessageDescriptor {
  let d = parsed.get(name);
  if (d) return d;
  const dot = name.indexOf('.');
  const [pkg, short] = [name.slice(0, dot), name.slice(dot + 1)];
  const table = Object.hasOwn(tables, pkg) ? tables[pkg] : undefined;
  const specs = table && Object.hasOwn(table, short) ? table[short] : undefined;
  if (!specs) throw new Error(`protobuf: no message ${name}`);
  d = parseMessage(name, specs);
  parsed.set(name, d);
  return d;
}

/** Qualified names of every table message. */
export function allMessages(): string[] {
  return Object.entries(tables).flatMap(([pkg, table]) => Object.keys(table).map((n) => `${pkg}.${n}`));
}
