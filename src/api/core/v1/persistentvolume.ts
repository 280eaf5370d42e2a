// The PersistentVolume kind (cluster-scoped): Retain and Filesystem by default, Pending on
// create, a volume source that is immutable once created, and the CAPACITY/ACCESS MODES/
// RECLAIM POLICY/STATUS/CLAIM/STORAGECLASS/... table.

import type { StatusCause } from '../../../machinery/status.ts';
import type { ColumnDefinition, KindDefinition, KubeObject } from '../../kind.ts';
import { kindSchema } from '../../meta.ts';
import { age, ageColumn } from '../../printing.ts';
import { deepEqual, forbidden, goJSON, immutable, invalid, notSupported, required } from './field-errors.ts';
import { ensure, isRecord, rec, setDefaultString, stringsOf, str } from './json.ts';
import { isDNS1123Subdomain, nameIsDNSSubdomain } from './names.ts';
import { validateObjectMeta, validateObjectMetaUpdate } from './object-meta.ts';
import { accessModesString, storageClassOf, supportedAccessModes } from './persistentvolume-printing.ts';
import { persistentVolumeSource, persistentVolumeSpec, persistentVolumeStatus } from './persistentvolume-schema.ts';
import { validateNodeSelector } from './pod-validation.ts';
import { parseQuantity } from './quantity.ts';

export const persistentVolumeSchema = kindSchema(
  'PersistentVolume (PV) is a storage resource provisioned by an administrator. It is analogous to a node.',
  {
    spec: { ...persistentVolumeSpec, description: 'spec defines a specification of a persistent volume owned by the cluster.' },
    status: { ...persistentVolumeStatus, description: 'status represents the current information/status for the persistent volume.' },
  },
);

export const persistentVolumeColumns: ColumnDefinition[] = [
  { name: 'Capacity', type: 'string', priority: 0, description: "capacity is the description of the persistent volume's resources and capacity. More info: https://kubernetes.io/docs/concepts/storage/persistent-volumes#capacity" },
  { name: 'Access Modes', type: 'string', priority: 0, description: "accessModes contains all ways the volume can be mounted. More info: https://kubernetes.io/docs/concepts/storage/persistent-volumes#access-modes" },
  { name: 'Reclaim Policy', type: 'string', priority: 0, description: "persistentVolumeReclaimPolicy defines what happens to a persistent volume when released from its claim. Valid options are Retain (default for manually created PersistentVolumes), Delete (default for dynamically provisioned PersistentVolumes), and Recycle (deprecated). Recycle must be supported by the volume plugin underlying this PersistentVolume. More info: https://kubernetes.io/docs/concepts/storage/persistent-volumes#reclaiming" },
  { name: 'Status', type: 'string', priority: 0, description: "phase indicates if a volume is available, bound to a claim, or released by a claim. More info: https://kubernetes.io/docs/concepts/storage/persistent-volumes#phase" },
  { name: 'Claim', type: 'string', priority: 0, description: "claimRef is part of a bi-directional binding between PersistentVolume and PersistentVolumeClaim. Expected to be non-nil when bound. claim.VolumeName is the authoritative bind between PV and PVC. More info: https://kubernetes.io/docs/concepts/storage/persistent-volumes#binding" },
  { name: 'StorageClass', type: 'string', priority: 0, description: "StorageClass of the pv" },
  { name: 'VolumeAttributesClass', type: 'string', priority: 0, description: "VolumeAttributesClass of the pv" },
  { name: 'Reason', type: 'string', priority: 0, description: "reason is a brief CamelCase string that describes any failure and is meant for machine parsing and tidy display in the CLI." },
  ageColumn,
  { name: 'VolumeMode', type: 'string', priority: 1, description: "volumeMode defines if a volume is intended to be used with a formatted filesystem or to remain in raw block state. Value of Filesystem is implied when not included in spec." },
];

function pvCells(pv: KubeObject, now: number): unknown[] {
  const spec = rec(pv.spec);
  const status = rec(pv.status);
  const claim = isRecord(spec.claimRef) ? `${str(spec.claimRef.namespace)}/${str(spec.claimRef.name)}` : '';
  return [
    String(rec(spec.capacity).storage ?? '0'),
    accessModesString(spec.accessModes),
    str(spec.persistentVolumeReclaimPolicy),
    pv.metadata?.deletionTimestamp ? 'Terminating' : str(status.phase),
    claim,
    storageClassOf(pv),
    typeof spec.volumeAttributesClassName === 'string' ? spec.volumeAttributesClassName : '<unset>',
    str(status.reason),
    age(pv, now),
    typeof spec.volumeMode === 'string' ? spec.volumeMode : '<unset>',
  ];
}

const sourceNames = Object.keys(persistentVolumeSource.properties ?? {});

function validatePersistentVolume(pv: KubeObject): StatusCause[] {
  const errs = validateObjectMeta(pv, false, nameIsDNSSubdomain);
  const spec = rec(pv.spec);
  const modes = stringsOf(spec.accessModes);
  if (modes.length === 0) errs.push(required('spec.accessModes'));
  for (const m of modes) if (!supportedAccessModes.includes(m)) errs.push(notSupported('spec.accessModes', m, supportedAccessModes));
  const capacity = rec(spec.capacity);
  if (Object.keys(capacity).length === 0) errs.push(required('spec.capacity'));
  if (!('storage' in capacity) || Object.keys(capacity).length > 1) errs.push(notSupported('spec.capacity', capacity, ['storage']));
  for (const [k, q] of Object.entries(capacity)) {
    const n = parseQuantity(q);
    if (n === undefined || n <= 0n) errs.push(invalid(`spec.capacity[${k}]`, String(q), 'must be greater than zero'));
  }
  if (str(spec.persistentVolumeReclaimPolicy) && !['Delete', 'Recycle', 'Retain'].includes(str(spec.persistentVolumeReclaimPolicy)))
    errs.push(notSupported('spec.persistentVolumeReclaimPolicy', spec.persistentVolumeReclaimPolicy, ['Delete', 'Recycle', 'Retain']));
  if (str(spec.storageClassName)) for (const m of isDNS1123Subdomain(str(spec.storageClassName))) errs.push(invalid('spec.storageClassName', spec.storageClassName, m));
  if (spec.volumeMode !== undefined && !['Block', 'Filesystem'].includes(str(spec.volumeMode)))
    errs.push(notSupported('spec.volumeMode', spec.volumeMode, ['Block', 'Filesystem']));
  const present = sourceNames.filter((s) => spec[s] !== undefined && spec[s] !== null);
  if (present.length === 0) errs.push(required('spec', 'must specify a volume type'));
  for (const s of present.slice(1)) errs.push(forbidden(`spec.${s}`, 'may not specify more than 1 volume type'));
  const source = rec(spec[present[0] ?? '']);
  switch (present[0]) {
    case 'hostPath':
    case 'local':
      if (!str(source.path)) errs.push(required(`spec.${present[0]}.path`));
      break;
    case 'nfs':
      if (!str(source.server)) errs.push(required('spec.nfs.server'));
      if (!str(source.path)) errs.push(required('spec.nfs.path'));
      break;
    case 'csi':
      if (!str(source.driver)) errs.push(required('spec.csi.driver'));
      if (!str(source.volumeHandle)) errs.push(required('spec.csi.volumeHandle'));
      break;
  }
  if (isRecord(spec.nodeAffinity)) {
    if (isRecord(spec.nodeAffinity.required)) errs.push(...validateNodeSelector(spec.nodeAffinity.required, 'spec.nodeAffinity.required'));
    else errs.push(required('spec.nodeAffinity.required', 'must specify required node constraints'));
  }
  return errs;
}

function validatePersistentVolumeUpdate(pv: KubeObject, old: KubeObject): StatusCause[] {
  const errs = validateObjectMetaUpdate(pv, old);
  const spec = rec(pv.spec);
  const oldSpec = rec(old.spec);
  const pick = (s: Record<string, unknown>) => Object.fromEntries(sourceNames.filter((n) => s[n] !== undefined).map((n) => [n, s[n]]));
  if (!deepEqual(pick(spec), pick(oldSpec)))
    errs.push(forbidden('spec.persistentvolumesource', `spec.persistentvolumesource is immutable after creation\n- ${goJSON(pick(oldSpec))}\n+ ${goJSON(pick(spec))}`));
  errs.push(...immutable(spec.volumeMode, oldSpec.volumeMode, 'volumeMode'));
  if (oldSpec.nodeAffinity !== undefined && oldSpec.nodeAffinity !== null) errs.push(...immutable(spec.nodeAffinity, oldSpec.nodeAffinity, 'spec.nodeAffinity'));
  return errs;
}

export const persistentVolume: KindDefinition = {
  group: '',
  version: 'v1',
  kind: 'PersistentVolume',
  resource: 'persistentvolumes',
  namespaced: false,
  shortNames: ['pv'],
  schema: persistentVolumeSchema,
  status: true,
  fields: { name: (o) => o.metadata?.name },
  table: { columns: persistentVolumeColumns, cells: pvCells },
  strategy: {
    defaults: (o) => {
      const spec = ensure(o, 'spec');
      setDefaultString(spec, 'persistentVolumeReclaimPolicy', 'Retain');
      setDefaultString(spec, 'volumeMode', 'Filesystem');
      if (isRecord(spec.hostPath) && spec.hostPath.type === undefined) spec.hostPath.type = '';
    },
    validate: validatePersistentVolume,
    validateUpdate: validatePersistentVolumeUpdate,
    prepareForCreate: (o) => {
      o.status = { phase: 'Pending', lastPhaseTransitionTime: new Date().toISOString().replace(/\.\d+Z$/, 'Z') };
    },
    prepareForUpdate: (o, old) => {
      o.status = structuredClone(old.status);
    },
  },
};
