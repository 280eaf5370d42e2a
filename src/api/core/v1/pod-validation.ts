// Pod spec validation with upstream's paths and messages (pkg/apis/core/validation): volumes,
// containers (names, images, ports, env, mounts, resources, probes, lifecycle), init and
// ephemeral containers, restart and DNS policy, scheduling fields (affinity, tolerations,
// topology spread, gates) and the pod security context. Used by Pod and by every workload's
// pod template.

import type { StatusCause } from '../../../machinery/status.ts';
import { child, duplicate, forbidden, index, invalid, key, nonNegative, notFound, notSupported, oneOf, required, tooLong } from './field-errors.ts';
import type { JSONObject } from './json.ts';
import { isRecord, rec, records, str, stringsOf } from './json.ts';
import {
  inclusiveRangeError,
  isConfigMapKey,
  isDNS1123Label,
  isDNS1123Subdomain,
  isEnvVarName,
  isHTTPHeaderName,
  isIP,
  isQualifiedName,
  isValidLabelValue,
  isValidPortName,
  isValidPortNum,
  nameIsDNSSubdomain,
} from './names.ts';
import { validateAnnotations, validateLabelName, validateLabels, validateLabelSelector } from './object-meta.ts';
import { compareQuantities, parseQuantity } from './quantity.ts';

const maxInt32 = 2147483647;
const fileModeErrorMsg = 'must be a number between 0 and 0777 (octal), both inclusive';
const protocols = ['SCTP', 'TCP', 'UDP'];

function dns1123Label(value: string, field: string): StatusCause[] {
  return isDNS1123Label(value).map((m) => invalid(field, value, m));
}

function dns1123Subdomain(value: string, field: string): StatusCause[] {
  return isDNS1123Subdomain(value).map((m) => invalid(field, value, m));
}

function qualifiedName(value: string, field: string): StatusCause[] {
  return isQualifiedName(value).map((m) => invalid(field, value, m));
}

function fileMode(value: unknown, field: string): StatusCause[] {
  return typeof value === 'number' && (value > 0o777 || value < 0) ? [invalid(field, value, fileModeErrorMsg)] : [];
}

/** ValidatePortNumOrName for an IntOrString port. */
export function validatePortNumOrName(port: unknown, field: string): StatusCause[] {
  if (typeof port === 'number') return isValidPortNum(port).map((m) => invalid(field, port, m));
  if (typeof port === 'string') return isValidPortName(port).map((m) => invalid(field, port, m));
  return [invalid(field, port ?? null, 'must be an integer or a port name')];
}

function validateKeyToPath(items: unknown, field: string): StatusCause[] {
  const errs: StatusCause[] = [];
  records(items).forEach((kp, i) => {
    const p = index(field, i);
    if (!str(kp.key)) errs.push(required(child(p, 'key')));
    if (!str(kp.path)) errs.push(required(child(p, 'path')));
    else errs.push(...localNonReservedPath(str(kp.path), child(p, 'path')));
    errs.push(...fileMode(kp.mode, child(p, 'mode')));
  });
  return errs;
}

function localNonReservedPath(path: string, field: string): StatusCause[] {
  const errs = localDescendingPath(path, field);
  // "../x" is already reported as containing '..'.
  if (path.startsWith('..') && !path.startsWith('../')) errs.push(invalid(field, path, "must not start with '..'"));
  return errs;
}

function localDescendingPath(path: string, field: string): StatusCause[] {
  const errs: StatusCause[] = [];
  if (path.startsWith('/')) errs.push(invalid(field, path, 'must be a relative path'));
  if (path.split(/[\\/]/).includes('..')) errs.push(invalid(field, path, "must not contain '..'"));
  return errs;
}

const volumeSourceNames = [
  'hostPath',
  'emptyDir',
  'gitRepo',
  'gcePersistentDisk',
  'awsElasticBlockStore',
  'secret',
  'nfs',
  'iscsi',
  'glusterfs',
  'flocker',
  'persistentVolumeClaim',
  'rbd',
  'cinder',
  'cephfs',
  'quobyte',
  'downwardAPI',
  'fc',
  'flexVolume',
  'configMap',
  'azureFile',
  'vsphereVolume',
  'photonPersistentDisk',
  'portworxVolume',
  'azureDisk',
  'storageos',
  'projected',
  'scaleIO',
  'csi',
  'ephemeral',
  'image',
];

function validateVolumeSource(v: JSONObject, field: string): StatusCause[] {
  const errs: StatusCause[] = [];
  let count = 0;
  for (const name of volumeSourceNames) {
    if (v[name] === undefined || v[name] === null) continue;
    if (count > 0) {
      errs.push(forbidden(child(field, name), 'may not specify more than 1 volume type'));
      continue;
    }
    count++;
    const s = rec(v[name]);
    const p = child(field, name);
    switch (name) {
      case 'hostPath':
        if (!str(s.path)) errs.push(required(child(p, 'path')));
        else if (str(s.path).split('/').includes('..')) errs.push(invalid(child(p, 'path'), s.path, "must not contain '..'"));
        break;
      case 'emptyDir':
        if (s.sizeLimit !== undefined && (parseQuantity(s.sizeLimit) ?? 0n) < 0n)
          errs.push(forbidden(child(p, 'sizeLimit'), 'SizeLimit field must be a valid resource quantity'));
        break;
      case 'secret':
        if (!str(s.secretName)) errs.push(required(child(p, 'secretName')));
        errs.push(...fileMode(s.defaultMode, child(p, 'defaultMode')), ...validateKeyToPath(s.items, child(p, 'items')));
        break;
      case 'configMap':
        if (!str(s.name)) errs.push(required(child(p, 'name')));
        errs.push(...fileMode(s.defaultMode, child(p, 'defaultMode')), ...validateKeyToPath(s.items, child(p, 'items')));
        break;
      case 'persistentVolumeClaim':
        if (!str(s.claimName)) errs.push(required(child(p, 'claimName')));
        break;
      case 'nfs':
        if (!str(s.server)) errs.push(required(child(p, 'server')));
        if (!str(s.path)) errs.push(required(child(p, 'path')));
        if (!str(s.path).startsWith('/')) errs.push(invalid(child(p, 'path'), str(s.path), 'must be an absolute path'));
        break;
      case 'downwardAPI':
        errs.push(...fileMode(s.defaultMode, child(p, 'defaultMode')));
        records(s.items).forEach((f, i) => {
          const fp = index(child(p, 'items'), i);
          if (!str(f.path)) errs.push(required(child(fp, 'path')));
          else errs.push(...localNonReservedPath(str(f.path), child(fp, 'path')));
          if (!f.fieldRef && !f.resourceFieldRef) errs.push(required(fp, 'one of fieldRef and resourceFieldRef is required'));
          errs.push(...fileMode(f.mode, child(fp, 'mode')));
        });
        break;
      case 'projected':
        errs.push(...fileMode(s.defaultMode, child(p, 'defaultMode')));
        records(s.sources).forEach((src, i) => {
          const sp = index(child(p, 'sources'), i);
          const kinds = ['secret', 'downwardAPI', 'configMap', 'serviceAccountToken', 'clusterTrustBundle', 'podCertificate'].filter((k) => isRecord(src[k]));
          if (kinds.length > 1) errs.push(forbidden(child(sp, kinds[1]), 'may not specify more than 1 volume type per source'));
          if (isRecord(src.secret)) errs.push(...validateKeyToPath(src.secret.items, child(sp, 'secret', 'items')));
          if (isRecord(src.configMap)) errs.push(...validateKeyToPath(src.configMap.items, child(sp, 'configMap', 'items')));
          if (isRecord(src.serviceAccountToken)) {
            const t = src.serviceAccountToken;
            const tp = child(sp, 'serviceAccountToken');
            if (typeof t.expirationSeconds === 'number') {
              if (t.expirationSeconds < 10 * 60) errs.push(invalid(child(tp, 'expirationSeconds'), t.expirationSeconds, 'may not specify a duration less than 10 minutes'));
              if (t.expirationSeconds > 2 ** 32) errs.push(invalid(child(tp, 'expirationSeconds'), t.expirationSeconds, 'may not specify a duration larger than 2^32 seconds'));
            }
            if (!str(t.path)) errs.push(required(child(tp, 'path')));
          }
        });
        break;
      case 'csi':
        if (!str(s.driver)) errs.push(required(child(p, 'driver')));
        break;
      case 'ephemeral':
        if (!isRecord(s.volumeClaimTemplate)) errs.push(required(child(p, 'volumeClaimTemplate')));
        break;
    }
  }
  if (count === 0) errs.push(required(field, 'must specify a volume type'));
  return errs;
}

/** ValidateVolumes: the names of the valid volumes and the errors. */
function validateVolumes(volumes: unknown, field: string): { names: Map<string, JSONObject>; errs: StatusCause[] } {
  const names = new Map<string, JSONObject>();
  const errs: StatusCause[] = [];
  records(volumes).forEach((v, i) => {
    const p = index(field, i);
    const name = str(v.name);
    const el = validateVolumeSource(v, p);
    if (!name) el.push(required(child(p, 'name')));
    else el.push(...dns1123Label(name, child(p, 'name')));
    if (names.has(name)) el.push(duplicate(child(p, 'name'), name));
    if (el.length === 0) names.set(name, v);
    else errs.push(...el);
  });
  return { names, errs };
}

const validEnvFieldPaths = [
  'metadata.name',
  'metadata.namespace',
  'metadata.uid',
  'spec.nodeName',
  'spec.serviceAccountName',
  'status.hostIP',
  'status.hostIPs',
  'status.podIP',
  'status.podIPs',
];
const validResourceFieldPaths = ['limits.cpu', 'limits.ephemeral-storage', 'limits.memory', 'requests.cpu', 'requests.ephemeral-storage', 'requests.memory'];

function validateFieldRef(ref: JSONObject, field: string): StatusCause[] {
  if (!str(ref.apiVersion)) return [required(child(field, 'apiVersion'))];
  const path = str(ref.fieldPath);
  if (!path) return [required(child(field, 'fieldPath'))];
  const sub = /^(metadata\.(labels|annotations))\['(.*)'\]$/.exec(path);
  if (sub) return qualifiedName(sub[2] === 'annotations' ? sub[3].toLowerCase() : sub[3], field);
  if (!validEnvFieldPaths.includes(path) && !['metadata.labels', 'metadata.annotations'].includes(path))
    return [notSupported(child(field, 'fieldPath'), path, validEnvFieldPaths)];
  return [];
}

function keySelector(sel: JSONObject, field: string): StatusCause[] {
  const errs: StatusCause[] = [];
  for (const m of nameIsDNSSubdomain(str(sel.name), false)) errs.push(invalid(child(field, 'name'), str(sel.name), m));
  if (!str(sel.key)) errs.push(required(child(field, 'key')));
  else for (const m of isConfigMapKey(str(sel.key))) errs.push(invalid(child(field, 'key'), sel.key, m));
  return errs;
}

function validateEnv(env: unknown, field: string): StatusCause[] {
  const errs: StatusCause[] = [];
  records(env).forEach((e, i) => {
    const p = index(field, i);
    const name = str(e.name);
    if (!name) errs.push(required(child(p, 'name')));
    else for (const m of isEnvVarName(name)) errs.push(invalid(child(p, 'name'), name, m));
    if (!isRecord(e.valueFrom)) return;
    const vf = e.valueFrom;
    const vp = child(p, 'valueFrom');
    let sources = 0;
    if (isRecord(vf.fieldRef)) {
      sources++;
      errs.push(...validateFieldRef(vf.fieldRef, child(vp, 'fieldRef')));
    }
    if (isRecord(vf.resourceFieldRef)) {
      sources++;
      const r = str(vf.resourceFieldRef.resource);
      if (!r) errs.push(required(child(vp, 'resourceFieldRef', 'resource')));
      else if (!validResourceFieldPaths.includes(r) && !/^(requests|limits)\.hugepages-/.test(r))
        errs.push(notSupported(child(vp, 'resourceFieldRef', 'resource'), r, validResourceFieldPaths));
    }
    if (isRecord(vf.configMapKeyRef)) {
      sources++;
      errs.push(...keySelector(vf.configMapKeyRef, child(vp, 'configMapKeyRef')));
    }
    if (isRecord(vf.secretKeyRef)) {
      sources++;
      errs.push(...keySelector(vf.secretKeyRef, child(vp, 'secretKeyRef')));
    }
    if (isRecord(vf.fileKeyRef)) sources++;
    if (sources === 0) errs.push(invalid(vp, '', 'must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`'));
    else if (str(e.value)) errs.push(invalid(vp, '', 'may not be specified when `value` is not empty'));
    else if (sources > 1) errs.push(invalid(vp, '', 'may not have more than one field specified at a time'));
  });
  return errs;
}

function validateEnvFrom(envFrom: unknown, field: string): StatusCause[] {
  const errs: StatusCause[] = [];
  records(envFrom).forEach((e, i) => {
    const p = index(field, i);
    if (str(e.prefix)) for (const m of isEnvVarName(str(e.prefix))) errs.push(invalid(child(p, 'prefix'), e.prefix, m));
    let sources = 0;
    for (const k of ['configMapRef', 'secretRef']) {
      if (!isRecord(e[k])) continue;
      sources++;
      const name = str(e[k].name);
      if (!name) errs.push(required(child(p, k, 'name')));
      else for (const m of nameIsDNSSubdomain(name, true)) errs.push(invalid(child(p, k, 'name'), name, m));
    }
    if (sources === 0) errs.push(invalid(field, '', 'must specify one of: `configMapRef` or `secretRef`'));
    else if (sources > 1) errs.push(invalid(field, '', 'may not have more than one field specified at a time'));
  });
  return errs;
}

function validateContainerPorts(ports: unknown, field: string): StatusCause[] {
  const errs: StatusCause[] = [];
  const names = new Set<string>();
  records(ports).forEach((port, i) => {
    const p = index(field, i);
    const name = str(port.name);
    if (name) {
      const msgs = isValidPortName(name);
      if (msgs.length) for (const m of msgs) errs.push(invalid(child(p, 'name'), name, m));
      else if (names.has(name)) errs.push(duplicate(child(p, 'name'), name));
      else names.add(name);
    }
    if (!port.containerPort) errs.push(required(child(p, 'containerPort')));
    else for (const m of isValidPortNum(Number(port.containerPort))) errs.push(invalid(child(p, 'containerPort'), port.containerPort, m));
    if (port.hostPort) for (const m of isValidPortNum(Number(port.hostPort))) errs.push(invalid(child(p, 'hostPort'), port.hostPort, m));
    if (!str(port.protocol)) errs.push(required(child(p, 'protocol')));
    else if (!protocols.includes(str(port.protocol))) errs.push(notSupported(child(p, 'protocol'), port.protocol, protocols));
  });
  return errs;
}

function validateVolumeMounts(mounts: unknown, volumes: Map<string, JSONObject>, field: string): StatusCause[] {
  const errs: StatusCause[] = [];
  const paths = new Set<string>();
  records(mounts).forEach((m, i) => {
    const p = index(field, i);
    const name = str(m.name);
    if (!name) errs.push(required(child(p, 'name')));
    if (!volumes.has(name)) errs.push(notFound(child(p, 'name'), name));
    const mountPath = str(m.mountPath);
    if (!mountPath) errs.push(required(child(p, 'mountPath')));
    if (paths.has(mountPath)) errs.push(invalid(child(p, 'mountPath'), mountPath, 'must be unique'));
    paths.add(mountPath);
    if (str(m.subPath)) errs.push(...localDescendingPath(str(m.subPath), child(field, 'subPath')));
    if (str(m.subPathExpr)) {
      if (str(m.subPath)) errs.push(invalid(child(p, 'subPathExpr'), m.subPathExpr, 'subPathExpr and subPath are mutually exclusive'));
      errs.push(...localDescendingPath(str(m.subPathExpr), child(field, 'subPathExpr')));
    }
    if (m.mountPropagation !== undefined)
      errs.push(...oneOf(m.mountPropagation, ['Bidirectional', 'HostToContainer', 'None'], child(field, 'mountPropagation'), false));
  });
  return errs;
}

const standardContainerResources = new Set(['cpu', 'memory', 'ephemeral-storage']);

function validateResourceName(name: string, field: string, forContainer: boolean): StatusCause[] {
  const errs = qualifiedName(name, field);
  if (errs.length) return errs;
  if (!name.includes('/')) {
    const standard = standardContainerResources.has(name) || name.startsWith('hugepages-');
    if (!standard) return [invalid(field, name, forContainer ? 'must be a standard resource for containers' : 'must be a standard resource type or fully qualified')];
  }
  return [];
}

/** ValidateContainerResourceRequirements: names, non-negative quantities, requests <= limits. */
export function validateResourceRequirements(resources: unknown, field: string, forContainer = true): StatusCause[] {
  const r = rec(resources);
  const errs: StatusCause[] = [];
  const limPath = child(field, 'limits');
  const reqPath = child(field, 'requests');
  const limits = rec(r.limits);
  for (const [name, q] of Object.entries(limits)) {
    const p = key(limPath, name);
    errs.push(...validateResourceName(name, p, forContainer));
    errs.push(...quantityNonNegative(q, p));
  }
  for (const [name, q] of Object.entries(rec(r.requests))) {
    const p = key(reqPath, name);
    errs.push(...validateResourceName(name, p, forContainer));
    errs.push(...quantityNonNegative(q, p));
    const overcommit = !name.startsWith('hugepages-') && (standardContainerResources.has(name) || name.includes('kubernetes.io/') || !name.includes('/'));
    if (name in limits) {
      const cmp = compareQuantities(q, limits[name]);
      if (cmp !== 0 && !overcommit) errs.push(invalid(reqPath, String(q), `must be equal to ${name} limit of ${String(limits[name])}`));
      else if (cmp > 0) errs.push(invalid(reqPath, String(q), `must be less than or equal to ${name} limit of ${String(limits[name])}`));
    } else if (!overcommit) {
      errs.push(required(limPath, 'Limit must be set for non overcommitable resources'));
    }
  }
  records(r.claims).forEach((c, i) => {
    if (!str(c.name)) errs.push(required(index(child(field, 'claims'), i)));
  });
  return errs;
}

function quantityNonNegative(q: unknown, field: string): StatusCause[] {
  const n = parseQuantity(q);
  if (n === undefined) return [invalid(field, String(q), 'must be a valid resource quantity')];
  return n < 0n ? [invalid(field, String(q), 'must be greater than or equal to 0')] : [];
}

function validateHandler(h: JSONObject, field: string, allowSleep: boolean, allowGRPC: boolean): StatusCause[] {
  const errs: StatusCause[] = [];
  let n = 0;
  const kinds = ['exec', 'httpGet', 'tcpSocket', ...(allowGRPC ? ['grpc'] : []), ...(allowSleep ? ['sleep'] : [])];
  for (const k of kinds) {
    if (!isRecord(h[k])) continue;
    if (n > 0) {
      errs.push(forbidden(child(field, k), 'may not specify more than 1 handler type'));
      continue;
    }
    n++;
    const a = h[k];
    const p = child(field, k);
    switch (k) {
      case 'exec':
        if (stringsOf(a.command).length === 0) errs.push(required(child(p, 'command')));
        break;
      case 'httpGet':
        if (!str(a.path)) errs.push(required(child(p, 'path')));
        errs.push(...validatePortNumOrName(a.port, child(p, 'port')));
        if (!['HTTP', 'HTTPS'].includes(str(a.scheme))) errs.push(notSupported(child(p, 'scheme'), a.scheme ?? '', ['HTTP', 'HTTPS']));
        for (const hdr of records(a.httpHeaders)) for (const m of isHTTPHeaderName(str(hdr.name))) errs.push(invalid(child(p, 'httpHeaders'), hdr.name, m));
        break;
      case 'tcpSocket':
        errs.push(...validatePortNumOrName(a.port, child(p, 'port')));
        break;
      case 'grpc':
        errs.push(...validatePortNumOrName(typeof a.port === 'number' ? a.port : 0, child(p, 'port')));
        break;
    }
  }
  if (n === 0) errs.push(required(field, 'must specify a handler type'));
  return errs;
}

function validateProbe(probe: unknown, field: string, kind: 'liveness' | 'readiness' | 'startup'): StatusCause[] {
  if (!isRecord(probe)) return [];
  const errs = validateHandler(probe, field, false, true);
  for (const f of ['initialDelaySeconds', 'timeoutSeconds', 'periodSeconds', 'successThreshold', 'failureThreshold'])
    errs.push(...nonNegative(probe[f], child(field, f)));
  if (typeof probe.terminationGracePeriodSeconds === 'number' && probe.terminationGracePeriodSeconds <= 0)
    errs.push(invalid(child(field, 'terminationGracePeriodSeconds'), probe.terminationGracePeriodSeconds, 'must be greater than 0'));
  if (kind !== 'readiness' && probe.successThreshold !== undefined && probe.successThreshold !== 1)
    errs.push(invalid(child(field, 'successThreshold'), probe.successThreshold, 'must be 1'));
  if (kind === 'readiness' && probe.terminationGracePeriodSeconds !== undefined && probe.terminationGracePeriodSeconds !== null)
    errs.push(invalid(child(field, 'terminationGracePeriodSeconds'), probe.terminationGracePeriodSeconds, 'must not be set for readinessProbes'));
  return errs;
}

function validateLifecycle(lifecycle: unknown, field: string): StatusCause[] {
  if (!isRecord(lifecycle)) return [];
  const errs: StatusCause[] = [];
  for (const k of ['postStart', 'preStop']) if (isRecord(lifecycle[k])) errs.push(...validateHandler(lifecycle[k], child(field, k), true, false));
  return errs;
}

function validateSecurityContext(sc: unknown, field: string): StatusCause[] {
  if (!isRecord(sc)) return [];
  const errs: StatusCause[] = [];
  for (const f of ['runAsUser', 'runAsGroup']) {
    const v = sc[f];
    if (typeof v === 'number' && (v < 0 || v > maxInt32)) errs.push(invalid(child(field, f), v, inclusiveRangeError(0, maxInt32)));
  }
  if (sc.procMount !== undefined) errs.push(...oneOf(sc.procMount, ['Default', 'Unmasked'], child(field, 'procMount')));
  if (sc.allowPrivilegeEscalation === false && sc.privileged === true)
    errs.push(invalid(field, sc, 'cannot set `allowPrivilegeEscalation` to false and `privileged` to true'));
  return errs;
}

/** validateContainerCommon: what regular, init and ephemeral containers share. */
function validateContainerCommon(c: JSONObject, volumes: Map<string, JSONObject>, field: string): StatusCause[] {
  const errs: StatusCause[] = [];
  const name = str(c.name);
  if (!name) errs.push(required(child(field, 'name')));
  else errs.push(...dns1123Label(name, child(field, 'name')));
  if (!str(c.image)) errs.push(required(child(field, 'image')));
  errs.push(...oneOf(c.terminationMessagePolicy, ['File', 'FallbackToLogsOnError'], child(field, 'terminationMessagePolicy')));
  errs.push(...validateContainerPorts(c.ports, child(field, 'ports')));
  errs.push(...validateEnv(c.env, child(field, 'env')));
  errs.push(...validateEnvFrom(c.envFrom, child(field, 'envFrom')));
  errs.push(...validateVolumeMounts(c.volumeMounts, volumes, child(field, 'volumeMounts')));
  records(c.volumeDevices).forEach((d, i) => {
    const p = index(child(field, 'volumeDevices'), i);
    if (!str(d.name)) errs.push(required(child(p, 'name')));
    else if (!volumes.has(str(d.name))) errs.push(notFound(child(p, 'name'), d.name));
    if (!str(d.devicePath)) errs.push(required(child(p, 'devicePath')));
  });
  errs.push(...oneOf(c.imagePullPolicy, ['Always', 'IfNotPresent', 'Never'], child(field, 'imagePullPolicy')));
  errs.push(...validateResourceRequirements(c.resources, child(field, 'resources')));
  errs.push(...validateSecurityContext(c.securityContext, child(field, 'securityContext')));
  return errs;
}

function hostPortConflicts(containers: JSONObject[], field: string, seen = new Set<string>()): StatusCause[] {
  const errs: StatusCause[] = [];
  containers.forEach((c, ci) => {
    records(c.ports).forEach((port, pi) => {
      if (!port.hostPort) return;
      const k = `${str(port.protocol)}/${str(port.hostIP)}/${String(port.hostPort)}`;
      if (seen.has(k)) errs.push(duplicate(child(index(child(index(field, ci), 'ports'), pi), 'hostPort'), k));
      else seen.add(k);
    });
  });
  return errs;
}

function validateContainers(containers: JSONObject[], volumes: Map<string, JSONObject>, field: string): StatusCause[] {
  if (containers.length === 0) return [required(field)];
  const errs: StatusCause[] = [];
  const names = new Set<string>();
  containers.forEach((c, i) => {
    const p = index(field, i);
    errs.push(...validateContainerCommon(c, volumes, p));
    const name = str(c.name);
    if (names.has(name)) errs.push(duplicate(child(p, 'name'), name));
    else names.add(name);
    errs.push(...validateLifecycle(c.lifecycle, child(p, 'lifecycle')));
    errs.push(...validateProbe(c.livenessProbe, child(p, 'livenessProbe'), 'liveness'));
    errs.push(...validateProbe(c.readinessProbe, child(p, 'readinessProbe'), 'readiness'));
    errs.push(...validateProbe(c.startupProbe, child(p, 'startupProbe'), 'startup'));
    if (c.restartPolicy !== undefined && c.restartPolicy !== null) errs.push(forbidden(child(p, 'restartPolicy'), 'may not be set for non-init containers'));
  });
  errs.push(...hostPortConflicts(containers, field));
  return errs;
}

function validateInitContainers(inits: JSONObject[], regular: JSONObject[], volumes: Map<string, JSONObject>, field: string): StatusCause[] {
  const errs: StatusCause[] = [];
  const names = new Set(regular.map((c) => str(c.name)));
  inits.forEach((c, i) => {
    const p = index(field, i);
    errs.push(...validateContainerCommon(c, volumes, p));
    const restartAlways = c.restartPolicy === 'Always';
    if (c.restartPolicy !== undefined && c.restartPolicy !== null && !restartAlways)
      errs.push(notSupported(child(p, 'restartPolicy'), c.restartPolicy, ['Always']));
    const name = str(c.name);
    if (names.has(name)) errs.push(duplicate(child(p, 'name'), name));
    else if (name) names.add(name);
    errs.push(...hostPortConflicts([c], field));
    if (restartAlways) {
      errs.push(...validateLifecycle(c.lifecycle, child(p, 'lifecycle')));
      errs.push(...validateProbe(c.livenessProbe, child(p, 'livenessProbe'), 'liveness'));
      errs.push(...validateProbe(c.readinessProbe, child(p, 'readinessProbe'), 'readiness'));
      errs.push(...validateProbe(c.startupProbe, child(p, 'startupProbe'), 'startup'));
    } else {
      for (const f of ['lifecycle', 'livenessProbe', 'readinessProbe', 'startupProbe'])
        if (c[f] !== undefined && c[f] !== null) errs.push(forbidden(child(p, f), 'may not be set for init containers without restartPolicy=Always'));
    }
  });
  return errs;
}

const ephemeralForbidden = ['ports', 'resources', 'livenessProbe', 'readinessProbe', 'startupProbe', 'lifecycle', 'resizePolicy', 'restartPolicy', 'restartPolicyRules'];

function validateEphemeralContainers(ephemeral: JSONObject[], spec: JSONObject, volumes: Map<string, JSONObject>, field: string): StatusCause[] {
  const errs: StatusCause[] = [];
  const others = new Set([...records(spec.containers), ...records(spec.initContainers)].map((c) => str(c.name)));
  const all = new Set(others);
  ephemeral.forEach((c, i) => {
    const p = index(field, i);
    errs.push(...validateContainerCommon(c, volumes, p));
    const name = str(c.name);
    if (all.has(name)) errs.push(duplicate(child(p, 'name'), name));
    else all.add(name);
    if (str(c.targetContainerName) && !others.has(str(c.targetContainerName))) errs.push(notFound(child(p, 'targetContainerName'), c.targetContainerName));
    for (const f of ephemeralForbidden) {
      const v = c[f];
      const set = v !== undefined && v !== null && !(isRecord(v) && Object.keys(v).length === 0) && !(Array.isArray(v) && v.length === 0);
      if (set) errs.push(forbidden(child(p, f), 'cannot be set for an Ephemeral Container'));
    }
  });
  return errs;
}

function validateNodeSelectorTerm(term: JSONObject, field: string): StatusCause[] {
  const errs: StatusCause[] = [];
  records(term.matchExpressions).forEach((rq, j) => {
    const p = index(child(field, 'matchExpressions'), j);
    const values = stringsOf(rq.values);
    switch (rq.operator) {
      case 'In':
      case 'NotIn':
        if (values.length === 0) errs.push(required(child(p, 'values'), "must be specified when `operator` is 'In' or 'NotIn'"));
        break;
      case 'Exists':
      case 'DoesNotExist':
        if (values.length > 0) errs.push(forbidden(child(p, 'values'), "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
        break;
      case 'Gt':
      case 'Lt':
        if (values.length !== 1) errs.push(required(child(p, 'values'), "must be specified single value when `operator` is 'Lt' or 'Gt'"));
        break;
      default:
        errs.push(invalid(child(p, 'operator'), rq.operator ?? '', 'not a valid selector operator'));
    }
    errs.push(...validateLabelName(str(rq.key), child(p, 'key')));
  });
  records(term.matchFields).forEach((rq, j) => {
    const p = index(child(field, 'matchFields'), j);
    if (rq.operator !== 'In' && rq.operator !== 'NotIn') errs.push(invalid(child(p, 'operator'), rq.operator ?? '', 'not a valid selector operator'));
    else if (stringsOf(rq.values).length !== 1)
      errs.push(required(child(p, 'values'), "must be only one value when `operator` is 'In' or 'NotIn' for node field selector"));
    if (rq.key !== 'metadata.name') errs.push(invalid(child(p, 'key'), rq.key ?? '', 'not a valid field selector key'));
  });
  return errs;
}

/** ValidateNodeSelector (a required node affinity, or a PersistentVolume's node affinity). */
export function validateNodeSelector(selector: JSONObject, field: string): StatusCause[] {
  const terms = records(selector.nodeSelectorTerms);
  const termPath = child(field, 'nodeSelectorTerms');
  if (terms.length === 0) return [required(termPath, 'must have at least one node selector term')];
  return terms.flatMap((t, i) => validateNodeSelectorTerm(t, index(termPath, i)));
}

function validatePodAffinityTerm(term: JSONObject, field: string): StatusCause[] {
  const errs = validateLabelSelector(term.labelSelector, child(field, 'labelSelector'));
  errs.push(...validateLabelSelector(term.namespaceSelector, child(field, 'namespaceSelector')));
  for (const ns of stringsOf(term.namespaces)) for (const m of isDNS1123Label(ns)) errs.push(invalid(child(field, 'namespace'), ns, m));
  if (!str(term.topologyKey)) errs.push(required(child(field, 'topologyKey'), 'can not be empty'));
  errs.push(...validateLabelName(str(term.topologyKey), child(field, 'topologyKey')));
  return errs;
}

function validatePodAffinityKind(a: JSONObject, field: string): StatusCause[] {
  const errs: StatusCause[] = [];
  const req = 'requiredDuringSchedulingIgnoredDuringExecution';
  const pref = 'preferredDuringSchedulingIgnoredDuringExecution';
  records(a[req]).forEach((t, i) => errs.push(...validatePodAffinityTerm(t, index(child(field, req), i))));
  records(a[pref]).forEach((w, i) => {
    const p = index(child(field, pref), i);
    const weight = Number(w.weight ?? 0);
    if (weight <= 0 || weight > 100) errs.push(invalid(child(p, 'weight'), w.weight ?? 0, 'must be in the range 1-100'));
    errs.push(...validatePodAffinityTerm(rec(w.podAffinityTerm), child(p, 'podAffinityTerm')));
  });
  return errs;
}

function validateAffinity(affinity: unknown, field: string): StatusCause[] {
  if (!isRecord(affinity)) return [];
  const errs: StatusCause[] = [];
  if (isRecord(affinity.nodeAffinity)) {
    const na = affinity.nodeAffinity;
    const p = child(field, 'nodeAffinity');
    if (isRecord(na.requiredDuringSchedulingIgnoredDuringExecution))
      errs.push(...validateNodeSelector(na.requiredDuringSchedulingIgnoredDuringExecution, child(p, 'requiredDuringSchedulingIgnoredDuringExecution')));
    records(na.preferredDuringSchedulingIgnoredDuringExecution).forEach((t, i) => {
      const tp = index(child(p, 'preferredDuringSchedulingIgnoredDuringExecution'), i);
      const weight = Number(t.weight ?? 0);
      if (weight <= 0 || weight > 100) errs.push(invalid(child(tp, 'weight'), t.weight ?? 0, 'must be in the range 1-100'));
      errs.push(...validateNodeSelectorTerm(rec(t.preference), child(tp, 'preference')));
    });
  }
  if (isRecord(affinity.podAffinity)) errs.push(...validatePodAffinityKind(affinity.podAffinity, child(field, 'podAffinity')));
  if (isRecord(affinity.podAntiAffinity)) errs.push(...validatePodAffinityKind(affinity.podAntiAffinity, child(field, 'podAntiAffinity')));
  return errs;
}

/** ValidateTolerations. */
export function validateTolerations(tolerations: unknown, field: string): StatusCause[] {
  const errs: StatusCause[] = [];
  records(tolerations).forEach((t, i) => {
    const p = index(field, i);
    const k = str(t.key);
    if (k) errs.push(...validateLabelName(k, child(p, 'key')));
    if (!k && t.operator !== 'Exists')
      errs.push(invalid(child(p, 'operator'), t.operator ?? '', 'operator must be Exists when `key` is empty, which means "match all values and all keys"'));
    if (t.tolerationSeconds !== undefined && t.tolerationSeconds !== null && t.effect !== 'NoExecute')
      errs.push(invalid(child(p, 'effect'), t.effect ?? '', "effect must be 'NoExecute' when `tolerationSeconds` is set"));
    switch (t.operator ?? '') {
      case 'Equal':
      case '': {
        const msgs = isValidLabelValue(str(t.value));
        if (msgs.length) errs.push(invalid(child(p, 'operator'), str(t.value), msgs.join(';')));
        break;
      }
      case 'Exists':
        if (str(t.value)) errs.push(invalid(child(p, 'operator'), t.value, "value must be empty when `operator` is 'Exists'"));
        break;
      default:
        errs.push(notSupported(child(p, 'operator'), t.operator, ['Equal', 'Exists']));
    }
    if (str(t.effect)) errs.push(...oneOf(t.effect, ['NoSchedule', 'PreferNoSchedule', 'NoExecute'], child(p, 'effect')));
  });
  return errs;
}

function validateTopologySpread(constraints: unknown, field: string): StatusCause[] {
  const errs: StatusCause[] = [];
  const list = records(constraints);
  list.forEach((c, i) => {
    const p = index(field, i);
    const skew = Number(c.maxSkew ?? 0);
    if (skew <= 0) errs.push(invalid(child(p, 'maxSkew'), c.maxSkew ?? 0, 'must be greater than zero'));
    if (!str(c.topologyKey)) errs.push(required(child(p, 'topologyKey'), 'can not be empty'));
    if (!['DoNotSchedule', 'ScheduleAnyway'].includes(str(c.whenUnsatisfiable)))
      errs.push(notSupported(child(p, 'whenUnsatisfiable'), c.whenUnsatisfiable ?? '', ['DoNotSchedule', 'ScheduleAnyway']));
    if (list.slice(i + 1).some((o) => o.topologyKey === c.topologyKey && o.whenUnsatisfiable === c.whenUnsatisfiable))
      errs.push(duplicate(child(p, '{topologyKey, whenUnsatisfiable}'), `{${str(c.topologyKey)}, ${str(c.whenUnsatisfiable)}}`));
    if (c.minDomains !== undefined && c.minDomains !== null) {
      if (Number(c.minDomains) <= 0) errs.push(invalid(child(p, 'minDomains'), c.minDomains, 'must be greater than zero'));
      if (c.whenUnsatisfiable !== 'DoNotSchedule')
        errs.push(invalid(child(p, 'minDomains'), c.minDomains, `can only use minDomains if whenUnsatisfiable=DoNotSchedule, not ${str(c.whenUnsatisfiable)}`));
    }
    errs.push(...validateLabelSelector(c.labelSelector, child(p, 'labelSelector')));
  });
  return errs;
}

function validateDNSConfig(spec: JSONObject, field: string): StatusCause[] {
  const config = spec.dnsConfig;
  if (spec.dnsPolicy === 'None') {
    if (!isRecord(config)) return [required(field, 'must provide `dnsConfig` when `dnsPolicy` is None')];
    if (stringsOf(config.nameservers).length === 0) return [required(child(field, 'nameservers'), 'must provide at least one DNS nameserver when `dnsPolicy` is None')];
  }
  if (!isRecord(config)) return [];
  const errs: StatusCause[] = [];
  const ns = stringsOf(config.nameservers);
  if (ns.length > 3) errs.push(invalid(child(field, 'nameservers'), ns, 'must not have more than 3 nameservers'));
  ns.forEach((n, i) => {
    if (!isIP(n)) errs.push(invalid(index(child(field, 'nameservers'), i), n, 'must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)'));
  });
  const searches = stringsOf(config.searches);
  if (searches.length > 32) errs.push(invalid(child(field, 'searches'), searches, 'must not have more than 32 search paths'));
  if (searches.join(' ').length > 2048) errs.push(invalid(child(field, 'searches'), searches, 'must not have more than 2048 characters (including spaces) in the search list'));
  searches.forEach((s, i) => {
    if (s !== '.') errs.push(...dns1123Subdomain(s.replace(/\.$/, ''), index(child(field, 'searches'), i)));
  });
  records(config.options).forEach((o, i) => {
    if (!str(o.name)) errs.push(required(index(child(field, 'options'), i), 'must not be empty'));
  });
  return errs;
}

function validatePodSecurityContext(spec: JSONObject, field: string): StatusCause[] {
  const sc = spec.securityContext;
  if (!isRecord(sc)) return [];
  const errs: StatusCause[] = [];
  for (const f of ['fsGroup', 'runAsUser', 'runAsGroup']) {
    const v = sc[f];
    if (typeof v === 'number' && (v < 0 || v > maxInt32)) errs.push(invalid(child(field, f), v, inclusiveRangeError(0, maxInt32)));
  }
  (Array.isArray(sc.supplementalGroups) ? sc.supplementalGroups : []).forEach((g: unknown, i: number) => {
    if (typeof g === 'number' && (g < 0 || g > maxInt32)) errs.push(invalid(index(child(field, 'supplementalGroups'), i), g, inclusiveRangeError(0, maxInt32)));
  });
  if (sc.shareProcessNamespace === true && spec.hostPID === true)
    errs.push(invalid(child(field, 'shareProcessNamespace'), true, 'ShareProcessNamespace and HostPID cannot both be enabled'));
  if (sc.fsGroupChangePolicy !== undefined) errs.push(...oneOf(sc.fsGroupChangePolicy, ['Always', 'OnRootMismatch'], child(field, 'fsGroupChangePolicy'), false));
  return errs;
}

export interface PodSpecOptions {
  /** The spec is a Pod's own, not a template's (host ports must then match under hostNetwork). */
  resourceIsPod?: boolean;
}

/** ValidatePodSpec. */
export function validatePodSpec(spec: JSONObject, field: string, opts: PodSpecOptions = {}): StatusCause[] {
  const errs: StatusCause[] = [];
  if (spec.terminationGracePeriodSeconds === undefined || spec.terminationGracePeriodSeconds === null)
    errs.push(required(child(field, 'terminationGracePeriodSeconds')));
  const { names: volumes, errs: volumeErrs } = validateVolumes(spec.volumes, child(field, 'volumes'));
  errs.push(...volumeErrs);
  const containers = records(spec.containers);
  errs.push(...validateContainers(containers, volumes, child(field, 'containers')));
  errs.push(...validateInitContainers(records(spec.initContainers), containers, volumes, child(field, 'initContainers')));
  errs.push(...validateEphemeralContainers(records(spec.ephemeralContainers), spec, volumes, child(field, 'ephemeralContainers')));
  if (spec.hostNetwork === true) {
    containers.forEach((c, i) => {
      records(c.ports).forEach((port, j) => {
        const hp = Number(port.hostPort ?? 0);
        if ((opts.resourceIsPod || hp !== 0) && hp !== Number(port.containerPort ?? 0))
          errs.push(invalid(child(index(child(index(child(field, 'containers'), i), 'ports'), j), 'hostPort'), hp, 'must match `containerPort` when `hostNetwork` is true'));
      });
    });
  }
  errs.push(...oneOf(spec.restartPolicy, ['Always', 'OnFailure', 'Never'], child(field, 'restartPolicy')));
  errs.push(...oneOf(spec.dnsPolicy, ['ClusterFirstWithHostNet', 'ClusterFirst', 'Default', 'None'], child(field, 'dnsPolicy')));
  errs.push(...validateLabels(spec.nodeSelector, child(field, 'nodeSelector')));
  errs.push(...validatePodSecurityContext(spec, child(field, 'securityContext')));
  records(spec.imagePullSecrets).forEach((s, i) => {
    if (Object.keys(s).some((k) => k !== 'name')) errs.push(invalid(index(child(field, 'imagePullSecrets'), i), s, 'only name may be set'));
  });
  errs.push(...validateAffinity(spec.affinity, child(field, 'affinity')));
  errs.push(...validateDNSConfig(spec, child(field, 'dnsConfig')));
  records(spec.readinessGates).forEach((g, i) => errs.push(...qualifiedName(str(g.conditionType), child(index(child(field, 'readinessGates'), i), 'conditionType'))));
  const gates = new Set<string>();
  records(spec.schedulingGates).forEach((g, i) => {
    const p = index(child(field, 'schedulingGates'), i);
    errs.push(...qualifiedName(str(g.name), p));
    if (gates.has(str(g.name))) errs.push(duplicate(p, g.name));
    gates.add(str(g.name));
  });
  errs.push(...validateTopologySpread(spec.topologySpreadConstraints, child(field, 'topologySpreadConstraints')));
  if (str(spec.serviceAccountName))
    for (const m of nameIsDNSSubdomain(str(spec.serviceAccountName), false)) errs.push(invalid(child(field, 'serviceAccountName'), spec.serviceAccountName, m));
  if (str(spec.nodeName)) for (const m of nameIsDNSSubdomain(str(spec.nodeName), false)) errs.push(invalid(child(field, 'nodeName'), spec.nodeName, m));
  if (typeof spec.activeDeadlineSeconds === 'number' && (spec.activeDeadlineSeconds < 1 || spec.activeDeadlineSeconds > maxInt32))
    errs.push(invalid(child(field, 'activeDeadlineSeconds'), spec.activeDeadlineSeconds, inclusiveRangeError(1, maxInt32)));
  if (str(spec.hostname)) errs.push(...dns1123Label(str(spec.hostname), child(field, 'hostname')));
  if (str(spec.subdomain)) errs.push(...dns1123Label(str(spec.subdomain), child(field, 'subdomain')));
  errs.push(...validateTolerations(spec.tolerations, child(field, 'tolerations')));
  records(spec.hostAliases).forEach((h, i) => {
    const p = index(child(field, 'hostAliases'), i);
    if (!isIP(str(h.ip))) errs.push(invalid(child(p, 'ip'), str(h.ip), 'must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)'));
    stringsOf(h.hostnames).forEach((n, j) => errs.push(...dns1123Subdomain(n, index(child(p, 'hostnames'), j))));
  });
  if (str(spec.priorityClassName))
    for (const m of nameIsDNSSubdomain(str(spec.priorityClassName), false)) errs.push(invalid(child(field, 'priorityClassName'), spec.priorityClassName, m));
  if (typeof spec.runtimeClassName === 'string') errs.push(...dns1123Subdomain(spec.runtimeClassName, child(field, 'runtimeClassName')));
  if (spec.preemptionPolicy !== undefined && spec.preemptionPolicy !== null)
    errs.push(...oneOf(spec.preemptionPolicy, ['PreemptLowerPriority', 'Never'], child(field, 'preemptionPolicy')));
  if (isRecord(spec.overhead)) errs.push(...validateResourceRequirements({ limits: spec.overhead }, child(field, 'overhead')));
  if (isRecord(spec.os)) {
    if (!str(spec.os.name)) errs.push(required(child(field, 'os', 'name')));
    else if (!['linux', 'windows'].includes(str(spec.os.name))) errs.push(notSupported(child(field, 'os'), spec.os.name, ['linux', 'windows']));
  }
  if (typeof spec.hostnameOverride === 'string') {
    if (Buffer.byteLength(spec.hostnameOverride) > 64) errs.push(tooLong(child(field, 'hostnameOverride'), 64));
    errs.push(...dns1123Subdomain(spec.hostnameOverride, child(field, 'hostnameOverride')));
  }
  return errs;
}

/** ValidatePodTemplateSpec: labels, annotations and the spec; no ephemeral containers. */
export function validatePodTemplateSpec(template: unknown, field: string): StatusCause[] {
  const t = rec(template);
  const meta = rec(t.metadata);
  const spec = rec(t.spec);
  const errs = validateLabels(meta.labels, child(field, 'labels'));
  errs.push(...validateAnnotations(meta.annotations, child(field, 'annotations')));
  errs.push(...validatePodSpec(spec, child(field, 'spec')));
  if (records(spec.ephemeralContainers).length > 0)
    errs.push(forbidden(child(field, 'spec', 'ephemeralContainers'), 'ephemeral containers not allowed in pod template'));
  return errs;
}
