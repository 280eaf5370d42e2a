// What the PersistentVolume and PersistentVolumeClaim tables share: access modes as
// RWO/ROX/RWX/RWOP and the storage class (the beta annotation wins over the field).

import type { KubeObject } from '../../kind.ts';
import { rec, stringsOf, str } from './json.ts';

/** helper.GetAccessModesAsString. */
export function accessModesString(modes: unknown): string {
  const set = new Set(stringsOf(modes));
  const out: string[] = [];
  if (set.has('ReadWriteOnce')) out.push('RWO');
  if (set.has('ReadOnlyMany')) out.push('ROX');
  if (set.has('ReadWriteMany')) out.push('RWX');
  if (set.has('ReadWriteOncePod')) out.push('RWOP');
  return out.join(',');
}

/** GetPersistentVolumeClass / GetPersistentVolumeClaimClass. */
export function storageClassOf(object: KubeObject): string {
  const annotation = rec(object.metadata?.annotations)['volume.beta.kubernetes.io/storage-class'];
  if (typeof annotation === 'string') return annotation;
  return str(rec(object.spec).storageClassName);
}

export const supportedAccessModes = ['ReadOnlyMany', 'ReadWriteMany', 'ReadWriteOnce', 'ReadWriteOncePod'];
