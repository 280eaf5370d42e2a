// Errors of the storage contract. Drivers translate their own failures into these, so the
// API server can map them to metav1.Status without knowing the driver.

/** The revision asked for has been compacted away; the API server answers 410 Gone. */
export class CompactedError extends Error {
  readonly compactRevision: number;
  constructor(compactRevision: number) {
    super(`required revision has been compacted (compacted revision ${compactRevision})`);
    this.name = 'CompactedError';
    this.compactRevision = compactRevision;
  }
}

/** The revision asked for is newer than the store's. */
export class FutureRevisionError extends Error {
  constructor(revision: number, current: number) {
    super(`required revision ${revision} is a future revision (current revision ${current})`);
    this.name = 'FutureRevisionError';
  }
}

export class LeaseNotFoundError extends Error {
  constructor(id: bigint) {
    super(`requested lease not found: ${id}`);
    this.name = 'LeaseNotFoundError';
  }
}

/** A request the store refuses as malformed (e.g. one transaction writing a key twice). */
export class InvalidRequestError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidRequestError';
  }
}

/** The store is closed or cannot be reached. */
export class UnavailableError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'UnavailableError';
  }
}
