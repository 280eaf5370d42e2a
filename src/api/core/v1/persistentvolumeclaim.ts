// The PersistentVolumeClaim kind: Filesystem by default, Pending on create, validation of
// access modes and the storage request, a spec that is immutable after creation except for
// binding (volumeName once) and expansion (larger storage requests), and the STATUS/VOLUME/
// CAPACITY/ACCESS MODES/STORAGECLASS/... table.

import type { StatusCause } from '../../../machinery/status.ts';
import type { ColumnDefinition, KindDefinition, KubeObject } from '../../kind.ts';
import { kindSchema } from '../../meta.ts';
import { age, ageColumn } from '../../printing.ts';
import { deepEqual, forbidden, goJSON, invalid, notSupported, required } from './field-errors.ts';
import type { JSONObject } from './json.ts';
import { ensure, rec, stringsOf, str } from './json.ts';
import { isDNS1123Subdomain, nameIsDNSSubdomain } from './names.ts';
import { validateLabelSelector, validateObjectMeta, validateObjectMetaUpdate } from './object-meta.ts';
import { accessModesString, storageClassOf, supportedAccessModes } from './persistentvolume-printing.ts';
import { persistentVolumeClaimStatus } from './persistentvolume-schema.ts';
import { defaultPersistentVolumeClaimSpec } from './pod-defaults.ts';
import { compareQuantities, parseQuantity } from './quantity.ts';
import { persistentVolumeClaimSpec } from './volume.ts';

export const persistentVolumeClaimSchema = kindSchema("PersistentVolumeClaim is a user's request for and claim to a persistent volume", {
  spec: { ...persistentVolumeClaimSpec, description: 'spec defines the desired characteristics of a volume requested by a pod author.' },
  status: { ...persistentVolumeClaimStatus, description: 'status represents the current information/status of a persistent volume claim.' },
});

export const persistentVolumeClaimColumns: ColumnDefinition[] = [
  { name: 'Status', type: 'string', priority: 0, description: "phase represents the current phase of PersistentVolumeClaim." },
  { name: 'Volume', type: 'string', priority: 0, description: "volumeName is the binding reference to the PersistentVolume backing this claim." },
  { name: 'Capacity', type: 'string', priority: 0, description: "capacity represents the actual resources of the underlying volume." },
  { name: 'Access Modes', type: 'string', priority: 0, description: "accessModes contains the actual access modes the volume backing the PVC has. More info: https://kubernetes.io/docs/concepts/storage/persistent-volumes#access-modes-1" },
  { name: 'StorageClass', type: 'string', priority: 0, description: "StorageClass of the pvc" },
  { name: 'VolumeAttributesClass', type: 'string', priority: 0, description: "VolumeAttributesClass of the pvc" },
  ageColumn,
  { name: 'VolumeMode', type: 'string', priority: 1, description: "volumeMode defines what type of volume is required by the claim. Value of Filesystem is implied when not included in claim spec." },
];

function pvcCells(pvc: KubeObject, now: number): unknown[] {
  const spec = rec(pvc.spec);
  const status = rec(pvc.status);
  const bound = str(spec.volumeName) !== '';
  return [
    pvc.metadata?.deletionTimestamp ? 'Terminating' : str(status.phase),
    str(spec.volumeName),
    bound ? String(rec(status.capacity).storage ?? '0') : '',
    bound ? accessModesString(status.accessModes) : '',
    storageClassOf(pvc),
    typeof spec.volumeAttributesClassName === 'string' ? spec.volumeAttributesClassName : '<unset>',
    age(pvc, now),
    typeof spec.volumeMode === 'string' ? spec.volumeMode : '<unset>',
  ];
}

/** ValidatePersistentVolumeClaimSpec (also used for StatefulSet volume claim templates). */
export function validatePersistentVolumeClaimSpec(spec: JSONObject, field: string): StatusCause[] {
  const errs: StatusCause[] = [];
  const modes = stringsOf(spec.accessModes);
  if (modes.length === 0) errs.push(required(`${field}.accessModes`, 'at least 1 access mode is required'));
  for (const m of modes) if (!supportedAccessModes.includes(m)) errs.push(notSupported(`${field}.accessModes`, m, supportedAccessModes));
  errs.push(...validateLabelSelector(spec.selector, `${field}.selector`));
  const requests = rec(rec(spec.resources).requests);
  const storagePath = `${field}.resources[storage]`;
  if (!('storage' in requests)) errs.push(required(storagePath));
  else if ((parseQuantity(requests.storage) ?? 0n) <= 0n) errs.push(invalid(storagePath, String(requests.storage), 'must be greater than zero'));
  if (str(spec.storageClassName)) for (const m of isDNS1123Subdomain(str(spec.storageClassName))) errs.push(invalid(`${field}.storageClassName`, spec.storageClassName, m));
  if (spec.volumeMode !== undefined && !['Block', 'Filesystem'].includes(str(spec.volumeMode)))
    errs.push(notSupported(`${field}.volumeMode`, spec.volumeMode, ['Block', 'Filesystem']));
  return errs;
}

function validatePVCUpdate(pvc: KubeObject, old: KubeObject): StatusCause[] {
  const errs = validateObjectMetaUpdate(pvc, old);
  const next: JSONObject = structuredClone(rec(pvc.spec));
  const prev: JSONObject = structuredClone(rec(old.spec));
  if (!str(prev.volumeName)) prev.volumeName = next.volumeName;
  const bound = rec(pvc.status).phase === 'Bound';
  if (bound) {
    const requests = rec(rec(next.resources).requests);
    if (Object.keys(requests).length) requests.storage = rec(rec(prev.resources).requests).storage;
    prev.volumeAttributesClassName = next.volumeAttributesClassName;
  }
  if (!deepEqual(next, prev))
    errs.push(forbidden('spec', `spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims\n- ${goJSON(prev)}\n+ ${goJSON(next)}`));
  const newSize = rec(rec(rec(pvc.spec).resources).requests).storage;
  const oldSize = rec(rec(rec(old.spec).resources).requests).storage;
  const statusSize = rec(rec(old.status).capacity).storage;
  if (compareQuantities(newSize, oldSize) < 0 && compareQuantities(newSize, statusSize) <= 0)
    errs.push(forbidden('spec.resources.requests.storage', 'field can not be less than status.capacity'));
  return errs;
}

export const persistentVolumeClaim: KindDefinition = {
  group: '',
  version: 'v1',
  kind: 'PersistentVolumeClaim',
  resource: 'persistentvolumeclaims',
  namespaced: true,
  shortNames: ['pvc'],
  schema: persistentVolumeClaimSchema,
  status: true,
  fields: { name: (o) => o.metadata?.name },
  table: { columns: persistentVolumeClaimColumns, cells: pvcCells },
  strategy: {
    defaults: (o) => defaultPersistentVolumeClaimSpec(ensure(o, 'spec')),
    validate: (o) => [...validateObjectMeta(o, true, nameIsDNSSubdomain), ...validatePersistentVolumeClaimSpec(rec(o.spec), 'spec')],
    validateUpdate: validatePVCUpdate,
    // Upstream clears the status and defaulting on read shows the Pending phase.
    prepareForCreate: (o) => {
      o.status = { phase: 'Pending' };
    },
    prepareForUpdate: (o, old) => {
      o.status = structuredClone(old.status);
    },
  },
};
