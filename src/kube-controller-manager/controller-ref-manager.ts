// Claiming objects for a controller, as upstream's BaseControllerRefManager.ClaimObject: an
// object whose controller reference names the owner is the owner's while the selector matches
// it, and is released (its reference removed) when it stops matching; an orphan that matches
// is adopted (a controller reference with blockOwnerDeletion is added) unless the owner or
// the orphan is being deleted; objects controlled by others are never touched. Adoption first
// re-reads the owner from the API (upstream's RecheckDeletionTimestamp), so an owner deleted
// meanwhile adopts nothing. Patches carry the object's uid, so they cannot land on a
// recreated object of the same name; a 404 means the object is gone and is skipped.

import { isNotFound } from '../client/api-errors.ts';
import type { LabelSelector } from '../machinery/labels.ts';
import { controllerRef } from './pod-conditions.ts';
import type { KubeObject, OwnerReference } from './types.ts';

export interface ClaimOptions<T extends KubeObject> {
  owner: KubeObject;
  ownerApiVersion: string;
  ownerKind: string;
  selector: LabelSelector;
  candidates: readonly T[];
  /** Throws when the owner may not adopt (gone, replaced, or being deleted). */
  recheckOwner(): Promise<void>;
  /** Strategic merge patch of one candidate. */
  patch(obj: T, patch: unknown): Promise<void>;
}

export function ownerReferenceFor(owner: KubeObject, apiVersion: string, kind: string): OwnerReference {
  return { apiVersion, kind, name: owner.metadata!.name!, uid: owner.metadata!.uid!, controller: true, blockOwnerDeletion: true };
}

export async function claimObjects<T extends KubeObject>(o: ClaimOptions<T>): Promise<T[]> {
  const ownerUid = o.owner.metadata?.uid;
  const ownerDeleting = Boolean(o.owner.metadata?.deletionTimestamp);
  const claimed: T[] = [];
  let recheck: Promise<void> | undefined;
  for (const obj of o.candidates) {
    const meta = obj.metadata ?? {};
    const ref = controllerRef(obj);
    const matches = o.selector.matches(meta.labels);
    if (ref) {
      if (ref.uid !== ownerUid) continue;
      if (matches) {
        claimed.push(obj);
        continue;
      }
      if (ownerDeleting) continue;
      try {
        await o.patch(obj, { metadata: { ownerReferences: [{ $patch: 'delete', uid: ownerUid }], uid: meta.uid } });
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
      continue;
    }
    if (ownerDeleting || !matches || meta.deletionTimestamp || meta.namespace !== o.owner.metadata?.namespace) continue;
    recheck ??= o.recheckOwner();
    await recheck;
    try {
      await o.patch(obj, { metadata: { ownerReferences: [ownerReferenceFor(o.owner, o.ownerApiVersion, o.ownerKind)], uid: meta.uid } });
    } catch (err) {
      if (isNotFound(err)) continue;
      throw err;
    }
    claimed.push(obj);
  }
  return claimed;
}

/** An index of objects by their controller's uid, shared by every controller that asks for it. */
export const controllerUidIndex = 'controllerUID';
export function controllerUidIndexFunc(obj: KubeObject): string[] {
  const ref = controllerRef(obj);
  return ref ? [ref.uid] : [];
}
