// Defaulting of pod specs as upstream's generated SetObjectDefaults do it: SetDefaults_PodSpec
// (restart and DNS policy, scheduler, grace period, security context), per container
// (image pull policy from the tag, termination message, port protocol, probe timings, HTTP
// probe path and scheme, fieldRef API version), per volume (file modes, hostPath type, token
// expiry), and the Pod-only SetDefaults_Pod (requests from limits, resize policy, service
// links, host network ports). Templates get everything except the Pod-only part.

import type { JSONObject } from './json.ts';
import { ensure, isRecord, records, rec, setDefault, setDefaultNumber, setDefaultString, str } from './json.ts';

/** parsers.ParseImageName's tag: "latest" when the image names neither tag nor digest. */
export function imageTag(image: string): string {
  if (!image) return '';
  const at = image.indexOf('@');
  const name = at >= 0 ? image.slice(0, at) : image;
  const slash = name.lastIndexOf('/');
  const colon = name.lastIndexOf(':');
  if (colon > slash) return name.slice(colon + 1);
  return at >= 0 ? '' : 'latest';
}

function defaultHTTPGet(handler: JSONObject): void {
  if (!isRecord(handler.httpGet)) return;
  setDefaultString(handler.httpGet, 'path', '/');
  setDefaultString(handler.httpGet, 'scheme', 'HTTP');
}

function defaultProbe(probe: unknown): void {
  if (!isRecord(probe)) return;
  setDefaultNumber(probe, 'timeoutSeconds', 1);
  setDefaultNumber(probe, 'periodSeconds', 10);
  setDefaultNumber(probe, 'successThreshold', 1);
  setDefaultNumber(probe, 'failureThreshold', 3);
  defaultHTTPGet(probe);
  if (isRecord(probe.grpc)) setDefault(probe.grpc, 'service', '');
}

function defaultFieldRef(holder: JSONObject): void {
  if (isRecord(holder.fieldRef)) setDefaultString(holder.fieldRef, 'apiVersion', 'v1');
}

/** SetDefaults_Container plus the defaults of everything a container holds. */
export function defaultContainer(c: JSONObject): void {
  if (!str(c.imagePullPolicy)) c.imagePullPolicy = imageTag(str(c.image)) === 'latest' ? 'Always' : 'IfNotPresent';
  setDefaultString(c, 'terminationMessagePath', '/dev/termination-log');
  setDefaultString(c, 'terminationMessagePolicy', 'File');
  // ResourceRequirements is a struct, so upstream always writes `resources: {}`.
  setDefault(c, 'resources', {});
  for (const p of records(c.ports)) setDefaultString(p, 'protocol', 'TCP');
  for (const e of records(c.env)) if (isRecord(e.valueFrom)) defaultFieldRef(e.valueFrom);
  defaultProbe(c.livenessProbe);
  defaultProbe(c.readinessProbe);
  defaultProbe(c.startupProbe);
  if (isRecord(c.lifecycle)) {
    if (isRecord(c.lifecycle.postStart)) defaultHTTPGet(c.lifecycle.postStart);
    if (isRecord(c.lifecycle.preStop)) defaultHTTPGet(c.lifecycle.preStop);
  }
}

function defaultItems(items: unknown): void {
  for (const item of records(items)) defaultFieldRef(item);
}

/** SetDefaults_Volume and the defaults of each volume source. */
export function defaultVolume(v: JSONObject): void {
  const sources = Object.keys(v).filter((k) => k !== 'name' && v[k] !== undefined && v[k] !== null);
  if (sources.length === 0) v.emptyDir = {};
  if (isRecord(v.secret)) setDefault(v.secret, 'defaultMode', 0o644);
  if (isRecord(v.configMap)) setDefault(v.configMap, 'defaultMode', 0o644);
  if (isRecord(v.downwardAPI)) {
    setDefault(v.downwardAPI, 'defaultMode', 0o644);
    defaultItems(v.downwardAPI.items);
  }
  if (isRecord(v.hostPath)) setDefault(v.hostPath, 'type', '');
  if (isRecord(v.projected)) {
    setDefault(v.projected, 'defaultMode', 0o644);
    for (const s of records(v.projected.sources)) {
      if (isRecord(s.serviceAccountToken)) setDefault(s.serviceAccountToken, 'expirationSeconds', 3600);
      if (isRecord(s.downwardAPI)) defaultItems(s.downwardAPI.items);
    }
  }
  if (isRecord(v.ephemeral) && isRecord(v.ephemeral.volumeClaimTemplate)) {
    defaultPersistentVolumeClaimSpec(ensure(v.ephemeral.volumeClaimTemplate, 'spec'));
  }
  if (isRecord(v.iscsi)) setDefaultString(v.iscsi, 'iscsiInterface', 'default');
}

/** SetDefaults_PersistentVolumeClaimSpec. */
export function defaultPersistentVolumeClaimSpec(spec: JSONObject): void {
  setDefaultString(spec, 'volumeMode', 'Filesystem');
}

/** SetDefaults_PodSpec and everything below it: what pods and pod templates share. */
export function defaultPodSpec(spec: JSONObject): void {
  setDefaultString(spec, 'dnsPolicy', 'ClusterFirst');
  setDefaultString(spec, 'restartPolicy', 'Always');
  setDefault(spec, 'securityContext', {});
  setDefault(spec, 'terminationGracePeriodSeconds', 30);
  setDefaultString(spec, 'schedulerName', 'default-scheduler');
  for (const v of records(spec.volumes)) defaultVolume(v);
  for (const c of records(spec.initContainers)) defaultContainer(c);
  for (const c of records(spec.containers)) defaultContainer(c);
  for (const c of records(spec.ephemeralContainers)) defaultContainer(c);
}

/** A pod template: its spec's defaults (templates don't get the Pod-only ones). */
export function defaultPodTemplateSpec(template: unknown): void {
  if (!isRecord(template)) return;
  defaultPodSpec(ensure(template, 'spec'));
}

function requestsFromLimits(c: JSONObject): void {
  const resources = rec(c.resources);
  if (!isRecord(resources.limits)) return;
  const requests = ensure(resources, 'requests');
  for (const [k, v] of Object.entries(resources.limits)) if (!(k in requests)) requests[k] = v;
}

/** SetDefaults_Pod followed by the pod spec's defaults. */
export function defaultPod(pod: JSONObject): void {
  const spec = ensure(pod, 'spec');
  for (const c of records(spec.containers)) {
    requestsFromLimits(c);
    // InPlacePodVerticalScaling: containers with cpu or memory requests get a resize policy.
    const requests = rec(rec(c.resources).requests);
    const policies = records(c.resizePolicy);
    for (const name of ['cpu', 'memory']) {
      if (name in requests && !policies.some((p) => p.resourceName === name)) {
        policies.push({ resourceName: name, restartPolicy: 'NotRequired' });
        c.resizePolicy = policies;
      }
    }
  }
  for (const c of records(spec.initContainers)) requestsFromLimits(c);
  setDefault(spec, 'enableServiceLinks', true);
  if (spec.hostNetwork === true) {
    for (const c of [...records(spec.containers), ...records(spec.initContainers)]) {
      for (const p of records(c.ports)) if (!p.hostPort) p.hostPort = p.containerPort;
    }
  }
  defaultPodSpec(spec);
}
