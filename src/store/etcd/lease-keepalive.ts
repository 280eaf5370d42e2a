// Renews leases over one LeaseKeepAlive stream per store, opened on first use.
//
// etcd answers keep-alives in the order asked, each response naming its lease, so callers
// wait in a FIFO per lease ID. A TTL of 0 in the answer means the lease is gone
// (LeaseNotFoundError). When the stream fails every waiting caller gets the error (as a
// contract error) and the next renewal opens a new stream.

import { LeaseNotFoundError, UnavailableError } from '../errors.ts';
import { toStoreError } from './errors.ts';
import type { KeepAliveCall, PbLeaseKeepAliveResponse, Rpc } from './rpc.ts';

interface Waiter {
  resolve(ttl: number): void;
  reject(error: Error): void;
}

export class LeaseKeepAlive {
  readonly #rpc: Rpc;
  readonly #compactRevision: () => number;
  /** Waiting callers by lease ID (decimal string, as on the wire). */
  readonly #waiting = new Map<string, Waiter[]>();
  #call: KeepAliveCall | undefined;
  #closed = false;

  constructor(rpc: Rpc, compactRevision: () => number) {
    this.#rpc = rpc;
    this.#compactRevision = compactRevision;
  }

  async keepAlive(id: bigint): Promise<number> {
    if (this.#closed) throw new UnavailableError('etcd store is closed');
    await this.#rpc.ready();
    if (this.#closed) throw new UnavailableError('etcd store is closed');
    const key = id.toString();
    return new Promise((resolve, reject) => {
      const waiters = this.#waiting.get(key) ?? [];
      waiters.push({ resolve, reject });
      this.#waiting.set(key, waiters);
      this.#stream().write({ ID: key });
    });
  }

  close(): void {
    this.#closed = true;
    this.#fail(new UnavailableError('etcd store is closed'));
    const call = this.#call;
    this.#call = undefined;
    call?.cancel();
  }

  #stream(): KeepAliveCall {
    if (this.#call) return this.#call;
    const call = this.#rpc.leaseKeepAlive();
    this.#call = call;
    let failure: Error | undefined;
    call.on('data', (response: PbLeaseKeepAliveResponse) => this.#receive(response));
    call.on('error', (err: Error) => (failure = err));
    call.on('status', () => {
      if (call !== this.#call) return;
      this.#call = undefined;
      this.#fail(
        failure
          ? toStoreError(failure, { compactRevision: this.#compactRevision() })
          : new UnavailableError('etcd ended the lease keep-alive stream'),
      );
    });
    return call;
  }

  #receive(response: PbLeaseKeepAliveResponse): void {
    const waiters = this.#waiting.get(response.ID);
    const waiter = waiters?.shift();
    if (!waiter) return;
    if (waiters!.length === 0) this.#waiting.delete(response.ID);
    const ttl = Number(response.TTL);
    if (ttl > 0) waiter.resolve(ttl);
    else waiter.reject(new LeaseNotFoundError(BigInt(response.ID)));
  }

  #fail(error: Error): void {
    const waiting = [...this.#waiting.values()].flat();
    this.#waiting.clear();
    for (const w of waiting) w.reject(error);
  }
}
