// ObjectMeta validation as every built-in kind runs it (ValidateObjectMeta on create,
// ValidateObjectMetaUpdate on update): the kind's name rule, namespace presence, labels,
// annotations (256 KiB in total), owner references and finalizer names, with upstream's
// messages. Also label selector validation, which many specs share.

import type { StatusCause } from '../../../machinery/status.ts';
import type { KubeObject, ObjectMeta } from '../../kind.ts';
import { child, forbidden, immutable, index, invalid, nonNegative, required, tooLong } from './field-errors.ts';
import type { NameValidator } from './names.ts';
import { isQualifiedName, isValidLabelValue, nameIsDNSLabel } from './names.ts';
import { isRecord, stringsOf } from './json.ts';

const totalAnnotationSizeLimit = 256 * 1024;
const standardFinalizers = new Set(['kubernetes', 'orphan', 'foregroundDeletion']);

/** ValidateLabelName: a qualified name. */
export function validateLabelName(name: string, field: string): StatusCause[] {
  return isQualifiedName(name).map((m) => invalid(field, name, m));
}

/** ValidateLabels: keys are qualified names, values label values. */
export function validateLabels(labels: unknown, field: string): StatusCause[] {
  if (!isRecord(labels)) return [];
  const errs: StatusCause[] = [];
  for (const [k, v] of Object.entries(labels)) {
    errs.push(...validateLabelName(k, field));
    const value = String(v);
    for (const m of isValidLabelValue(value)) errs.push(invalid(field, value, m));
  }
  return errs;
}

export function validateAnnotations(annotations: unknown, field: string): StatusCause[] {
  if (!isRecord(annotations)) return [];
  const errs: StatusCause[] = [];
  let total = 0;
  for (const [k, v] of Object.entries(annotations)) {
    for (const m of isQualifiedName(k.toLowerCase())) errs.push(invalid(field, k, m));
    total += Buffer.byteLength(k) + Buffer.byteLength(String(v));
  }
  if (total > totalAnnotationSizeLimit) errs.push(tooLong(field, totalAnnotationSizeLimit));
  return errs;
}

/** A finalizer name: qualified, and either one of the standard ones or prefixed. */
export function validateFinalizerName(name: string, field: string): StatusCause[] {
  const errs = isQualifiedName(name).map((m) => invalid(field, name, m));
  if (!name.includes('/') && !standardFinalizers.has(name)) {
    errs.push(invalid(field, name, 'name is neither a standard finalizer name nor is it fully qualified'));
  }
  return errs;
}

function validateOwnerReferences(refs: unknown, field: string): StatusCause[] {
  if (!Array.isArray(refs)) return [];
  const errs: StatusCause[] = [];
  let firstController = '';
  refs.forEach((ref: Record<string, unknown>, i) => {
    const p = index(field, i);
    const apiVersion = typeof ref?.apiVersion === 'string' ? ref.apiVersion : '';
    if (!apiVersion) errs.push(required(child(p, 'apiVersion'), 'must not be empty'));
    else if (apiVersion.split('/').length > 2 || apiVersion.endsWith('/'))
      errs.push(invalid(child(p, 'apiVersion'), apiVersion, 'must be <group>/<version> or <version>'));
    if (!ref?.kind) errs.push(required(child(p, 'kind'), 'must not be empty'));
    if (!ref?.name) errs.push(required(child(p, 'name'), 'must not be empty'));
    if (!ref?.uid) errs.push(required(child(p, 'uid'), 'must not be empty'));
    if (apiVersion === 'v1' && ref?.kind === 'Event') errs.push(invalid(p, ref, '/v1, Kind=Event is disallowed from being an owner'));
    if (ref?.controller === true) {
      const name = `${String(ref.kind)}/${String(ref.name)}`;
      if (firstController)
        errs.push(invalid(field, refs, `Only one reference can have Controller set to true. Found "true" in references for ${firstController} and ${name}`));
      else firstController = name;
    }
  });
  return errs;
}

function validateFinalizers(finalizers: unknown, field: string): StatusCause[] {
  const list = stringsOf(finalizers);
  const errs: StatusCause[] = [];
  list.forEach((f, i) => {
    errs.push(...isQualifiedName(f).map((m) => invalid(field, f, m)));
    if (!f.includes('/') && !standardFinalizers.has(f))
      errs.push(invalid(index(field, i), f, 'name is neither a standard finalizer name nor is it fully qualified'));
  });
  if (list.includes('orphan') && list.includes('foregroundDeletion'))
    errs.push(invalid(field, list, 'finalizer orphan and foregroundDeletion cannot be both set'));
  return errs;
}

/** ValidateObjectMeta: `namespaced` says whether the kind requires a namespace. */
export function validateObjectMeta(object: KubeObject, namespaced: boolean, nameFn: NameValidator, field = 'metadata'): StatusCause[] {
  const meta: ObjectMeta = isRecord(object.metadata) ? object.metadata : {};
  const errs: StatusCause[] = [];
  if (meta.generateName) for (const m of nameFn(meta.generateName, true)) errs.push(invalid(child(field, 'generateName'), meta.generateName, m));
  if (!meta.name) errs.push(required(child(field, 'name'), 'name or generateName is required'));
  else for (const m of nameFn(meta.name, false)) errs.push(invalid(child(field, 'name'), meta.name, m));
  if (namespaced) {
    if (!meta.namespace) errs.push(required(child(field, 'namespace')));
    else for (const m of nameIsDNSLabel(meta.namespace, false)) errs.push(invalid(child(field, 'namespace'), meta.namespace, m));
  } else if (meta.namespace) {
    errs.push(forbidden(child(field, 'namespace'), 'not allowed on this type'));
  }
  errs.push(...nonNegative(meta.generation, child(field, 'generation')));
  errs.push(...validateLabels(meta.labels, child(field, 'labels')));
  errs.push(...validateAnnotations(meta.annotations, child(field, 'annotations')));
  errs.push(...validateOwnerReferences(meta.ownerReferences, child(field, 'ownerReferences')));
  errs.push(...validateFinalizers(meta.finalizers, child(field, 'finalizers')));
  return errs;
}

/**
 * The update-only part of ValidateObjectMetaUpdate (the rest is validateObjectMeta, which runs
 * on updates too): identity fields are immutable and a terminating object takes no new
 * finalizers. resourceVersion and generation are the registry's to check and set.
 */
export function validateObjectMetaUpdate(object: KubeObject, old: KubeObject, field = 'metadata'): StatusCause[] {
  const meta: ObjectMeta = isRecord(object.metadata) ? object.metadata : {};
  const oldMeta: ObjectMeta = isRecord(old.metadata) ? old.metadata : {};
  const errs: StatusCause[] = [];
  if (oldMeta.deletionTimestamp) {
    const before = new Set(stringsOf(oldMeta.finalizers));
    const extra = [...new Set(stringsOf(meta.finalizers))].filter((f) => !before.has(f)).sort();
    if (extra.length)
      errs.push(
        forbidden(
          child(field, 'finalizers'),
          `no new finalizers can be added if the object is being deleted, found new finalizers []string{${extra.map((f) => JSON.stringify(f)).join(', ')}}`,
        ),
      );
  }
  errs.push(...immutable(meta.name ?? '', oldMeta.name ?? '', child(field, 'name')));
  errs.push(...immutable(meta.namespace ?? '', oldMeta.namespace ?? '', child(field, 'namespace')));
  if (meta.uid && oldMeta.uid) errs.push(...immutable(meta.uid, oldMeta.uid, child(field, 'uid')));
  return errs;
}

/** ValidateLabelSelector (metav1): labels and requirements, strict about label values. */
export function validateLabelSelector(selector: unknown, field: string): StatusCause[] {
  if (!isRecord(selector)) return [];
  const errs = validateLabels(selector.matchLabels, child(field, 'matchLabels'));
  const exprs = Array.isArray(selector.matchExpressions) ? selector.matchExpressions : [];
  exprs.forEach((e: Record<string, unknown>, i) => {
    const p = index(child(field, 'matchExpressions'), i);
    const values = stringsOf(e?.values);
    switch (e?.operator) {
      case 'In':
      case 'NotIn':
        if (values.length === 0) errs.push(required(child(p, 'values'), "must be specified when `operator` is 'In' or 'NotIn'"));
        break;
      case 'Exists':
      case 'DoesNotExist':
        if (values.length > 0) errs.push(forbidden(child(p, 'values'), "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
        break;
      default:
        errs.push(invalid(child(p, 'operator'), e?.operator ?? '', 'not a valid selector operator'));
    }
    errs.push(...validateLabelName(typeof e?.key === 'string' ? e.key : '', child(p, 'key')));
    values.forEach((v, j) => {
      for (const m of isValidLabelValue(v)) errs.push(invalid(index(child(p, 'values'), j), v, m));
    });
  });
  return errs;
}
