// What the API server needs to know to serve a kind: its names, its schema, how its
// objects are defaulted and validated, which fields selectors may use, how it prints as a
// Table. A kind is data plus a few functions; the generic registry does all the CRUD.

import type { StatusCause } from '../machinery/status.ts';
import type { Schema } from './schema.ts';

/** A Kubernetes object as JSON. */
export type KubeObject = {
  apiVersion?: string;
  kind?: string;
  metadata?: ObjectMeta;
  [field: string]: unknown;
};

export interface ObjectMeta {
  name?: string;
  generateName?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string | null;
  deletionTimestamp?: string;
  deletionGracePeriodSeconds?: number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: OwnerReference[];
  finalizers?: string[];
  managedFields?: unknown[];
  [field: string]: unknown;
}

export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

export interface ColumnDefinition {
  name: string;
  type: 'string' | 'integer' | 'number' | 'boolean' | 'date';
  format?: string;
  description: string;
  /** 0: shown by `kubectl get`; 1: only with `-o wide`. */
  priority: number;
}

export interface TableConvertor {
  columns: ColumnDefinition[];
  /** One cell per column, for one object; `now` is the time to compute ages against (ms). */
  cells(object: KubeObject, now: number): unknown[];
}

export interface Strategy {
  /** Fills defaults into a new or updated object (in place). */
  defaults?(object: KubeObject): void;
  /** Field errors of an object about to be created. */
  validate?(object: KubeObject): StatusCause[];
  /** Field errors of an update (immutable fields and the like); `validate` runs too. */
  validateUpdate?(object: KubeObject, old: KubeObject): StatusCause[];
  /** Adjusts a new object before it is stored (e.g. clears status a user may not set). */
  prepareForCreate?(object: KubeObject): void;
  /** Adjusts an update of the main resource before it is stored. */
  prepareForUpdate?(object: KubeObject, old: KubeObject): void;
}

export interface ScaleSubresource {
  /** JSON paths as in CRDs: ".spec.replicas" */
  specReplicasPath: string;
  statusReplicasPath: string;
  labelSelectorPath?: string;
}

export interface KindDefinition {
  group: string;
  version: string;
  kind: string;
  /** Defaults to kind + "List". */
  listKind?: string;
  /** Plural, lower case: "deployments". */
  resource: string;
  /** Defaults to the lower-cased kind. */
  singular?: string;
  namespaced: boolean;
  shortNames?: string[];
  /** "all" puts the kind in `kubectl get all`. */
  categories?: string[];
  /** Defaults to every verb; creation-only kinds like reviews list just ["create"]. */
  verbs?: string[];
  /** The object's schema, including apiVersion, kind and metadata. */
  schema: Schema;
  /** Spec and status are written separately: the status subresource exists. */
  status?: boolean;
  scale?: ScaleSubresource;
  /** metadata.generation counts changes of everything but metadata and status. */
  generation?: boolean;
  /**
   * The rule for metadata.name (and generateName, with prefix true): error messages, none
   * when valid. Defaults to a DNS-1123 subdomain, the rule of most kinds.
   */
  nameValidator?: (name: string, prefix: boolean) => string[];
  /** The strategy validates ObjectMeta itself, so the registry's generic check is skipped. */
  validatesMetadata?: boolean;
  /** Field selectors beyond metadata.name and metadata.namespace: field path -> value. */
  fields?: Record<string, (object: KubeObject) => string | undefined>;
  table?: TableConvertor;
  strategy?: Strategy;
}
