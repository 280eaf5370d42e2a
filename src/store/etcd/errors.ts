// Translates etcd's gRPC failures into the storage contract's errors.
//
// etcd says what went wrong in the status details (its ErrGRPC* messages); the gRPC code
// alone is ambiguous (OUT_OF_RANGE is both "compacted" and "future revision"). Every
// contract error made from a gRPC failure keeps it as `cause`; a failure the contract has
// no word for becomes a plain Error naming etcd's message.

import { status } from '@grpc/grpc-js';
import {
  CompactedError,
  FutureRevisionError,
  InvalidRequestError,
  LeaseNotFoundError,
  UnavailableError,
} from '../errors.ts';

/** What the caller knows that etcd's message does not carry. */
export interface ErrorContext {
  /** The highest compaction this client knows of; etcd's range error omits it. */
  compactRevision: number;
  /** The revision the request asked for (for FutureRevisionError). */
  revision?: number;
  /** The store's revision, when the caller looked it up. */
  currentRevision?: number;
  /** The lease the request named (for LeaseNotFoundError). */
  lease?: bigint;
}

interface GrpcError {
  code: number;
  details: string;
}

function isGrpcError(err: unknown): err is Error & GrpcError {
  return err instanceof Error && typeof (err as Partial<GrpcError>).code === 'number' && 'details' in err;
}

export function isFutureRevision(err: unknown): boolean {
  return isGrpcError(err) && err.details.includes('required revision is a future revision');
}

/**
 * True for failures that a new connection may cure: the member went away, lost its
 * leader, or the channel is reconnecting. Streams re-open after these.
 */
export function isTransient(err: unknown): boolean {
  if (!isGrpcError(err)) return false;
  return (
    err.code === status.UNAVAILABLE ||
    err.code === status.CANCELLED ||
    err.code === status.UNKNOWN ||
    err.code === status.INTERNAL ||
    err.code === status.DEADLINE_EXCEEDED
  );
}

function withCause<E extends Error>(e: E, cause: unknown): E {
  e.cause = cause;
  return e;
}

export function toStoreError(err: unknown, context: ErrorContext): Error {
  if (!isGrpcError(err)) return err instanceof Error ? err : new Error(String(err));
  const details = err.details;
  if (details.includes('required revision has been compacted')) {
    return withCause(new CompactedError(context.compactRevision), err);
  }
  if (details.includes('required revision is a future revision')) {
    return withCause(new FutureRevisionError(context.revision ?? 0, context.currentRevision ?? 0), err);
  }
  if (details.includes('requested lease not found')) {
    return withCause(new LeaseNotFoundError(context.lease ?? 0n), err);
  }
  switch (err.code) {
    case status.INVALID_ARGUMENT:
    case status.FAILED_PRECONDITION:
      return withCause(new InvalidRequestError(details), err);
    case status.OUT_OF_RANGE:
      // "etcdserver: too large lease TTL" and the like: the request, not the store, is at fault.
      return withCause(new InvalidRequestError(details), err);
    case status.UNAVAILABLE:
    case status.CANCELLED:
    case status.DEADLINE_EXCEEDED:
      return new UnavailableError(`etcd unavailable: ${details}`, { cause: err });
    default:
      return new Error(`etcd: ${details}`, { cause: err });
  }
}
