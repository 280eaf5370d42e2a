// Predicates on errors from the API server and the network, as k8s.io/apimachinery's
// api/errors offers them: controllers decide "requeue", "re-list" or "give up" with these
// rather than by reading codes and messages themselves.

import { StatusError } from '../machinery/status.ts';

function reasonOf(err: unknown): string | undefined {
  return err instanceof StatusError ? err.reason : undefined;
}

function codeOf(err: unknown): number | undefined {
  return err instanceof StatusError ? err.code : undefined;
}

export function isNotFound(err: unknown): boolean {
  return reasonOf(err) === 'NotFound' || (codeOf(err) === 404 && !reasonOf(err));
}

export function isAlreadyExists(err: unknown): boolean {
  return reasonOf(err) === 'AlreadyExists';
}

/** 409 Conflict: the object changed since it was read (optimistic concurrency lost). */
export function isConflict(err: unknown): boolean {
  return reasonOf(err) === 'Conflict';
}

export function isInvalid(err: unknown): boolean {
  return reasonOf(err) === 'Invalid';
}

export function isForbidden(err: unknown): boolean {
  return reasonOf(err) === 'Forbidden';
}

/** 410: the resource version asked for is no longer available ("too old resource version"). */
export function isResourceExpired(err: unknown): boolean {
  return reasonOf(err) === 'Expired' || reasonOf(err) === 'Gone' || codeOf(err) === 410;
}

/** A Status whose details carry a cause of this type (apimachinery's HasStatusCause), e.g. "NamespaceTerminating". */
export function hasStatusCause(err: unknown, cause: string): boolean {
  return err instanceof StatusError && (err.status.details?.causes ?? []).some((c) => c.reason === cause);
}

/** The resource version asked for is newer than the server has seen. */
export function isTooLargeResourceVersion(err: unknown): boolean {
  return err instanceof StatusError && (err.status.details?.causes ?? []).some((c) => c.reason === 'ResourceVersionTooLarge');
}

export function isTooManyRequests(err: unknown): boolean {
  return reasonOf(err) === 'TooManyRequests' || codeOf(err) === 429;
}

export function isInternalError(err: unknown): boolean {
  return reasonOf(err) === 'InternalError';
}

/** The server could not be reached at all (nothing listens there, or not yet). */
export function isConnectionRefused(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    if ((e as { code?: unknown }).code === 'ECONNREFUSED') return true;
    if (e instanceof AggregateError && e.errors.some((x) => isConnectionRefused(x))) return true;
  }
  return false;
}
