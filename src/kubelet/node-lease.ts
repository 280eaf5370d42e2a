// The node's heartbeat, as upstream's node lease controller: a coordination.k8s.io/v1 Lease named
// after the node in kube-node-lease, held by the node, owned by the Node object (so it goes when the
// node does), renewed every renewIntervalMs (default 10 s, a quarter of its 40 s duration). A failed
// renewal is retried with back-off from 200 ms up to the renew interval.

import { isConflict, isNotFound } from '../client/api-errors.ts';
import type { RestClient } from '../client/rest-client.ts';
import type { Clock, Timer } from '../machinery/clock.ts';
import type { KubeObject } from './types.ts';
import { microTime } from '../machinery/time.ts';

const leases = { group: 'coordination.k8s.io', version: 'v1', resource: 'leases', namespace: 'kube-node-lease' };

export interface NodeLeaseOptions {
  client: Pick<RestClient, 'create' | 'get' | 'update'>;
  clock: Clock;
  nodeName: string;
  /** The Node's uid, for the owner reference (undefined: none). */
  nodeUID: () => string | undefined;
  leaseDurationSeconds?: number;
  renewIntervalMs?: number;
  log?: (message: string, fields?: Record<string, unknown>) => void;
}

interface Lease extends KubeObject {
  spec?: { holderIdentity?: string; leaseDurationSeconds?: number; renewTime?: string };
}

export class NodeLease {
  readonly #o: NodeLeaseOptions;
  #latest: Lease | undefined;
  #timer: Timer | undefined;
  #stopped = false;
  #failures = 0;

  constructor(options: NodeLeaseOptions) {
    this.#o = options;
  }

  start(): void {
    const run = () => {
      if (this.#stopped) return;
      this.renew()
        .then(() => {
          this.#failures = 0;
          return this.#o.renewIntervalMs ?? 10_000;
        })
        .catch((err: unknown) => {
          this.#failures++;
          this.#o.log?.('Failed to update lease', { err: String(err) });
          return Math.min(200 * 2 ** (this.#failures - 1), this.#o.renewIntervalMs ?? 10_000);
        })
        .then((delay) => {
          if (!this.#stopped) this.#timer = this.#o.clock.setTimeout(run, delay);
        });
    };
    run();
  }

  stop(): void {
    this.#stopped = true;
    if (this.#timer) this.#o.clock.clearTimeout(this.#timer);
  }

  /** Renews (creating when absent) the lease once. */
  async renew(): Promise<void> {
    const o = this.#o;
    const spec = { holderIdentity: o.nodeName, leaseDurationSeconds: o.leaseDurationSeconds ?? 40, renewTime: microTime(o.clock.now()) };
    const uid = o.nodeUID();
    const ownerReferences = uid ? [{ apiVersion: 'v1', kind: 'Node', name: o.nodeName, uid }] : undefined;
    if (this.#latest) {
      const next = structuredClone(this.#latest);
      next.spec = { ...next.spec, ...spec };
      if (ownerReferences && !next.metadata?.ownerReferences?.length) next.metadata = { ...next.metadata, ownerReferences };
      try {
        this.#latest = await o.client.update<Lease>({ ...leases, name: o.nodeName }, next);
        return;
      } catch (err) {
        this.#latest = undefined;
        if (!isConflict(err) && !isNotFound(err)) throw err;
      }
    }
    try {
      const current = await o.client.get<Lease>({ ...leases, name: o.nodeName });
      const next = structuredClone(current);
      next.spec = { ...next.spec, ...spec };
      if (ownerReferences && !next.metadata?.ownerReferences?.length) next.metadata = { ...next.metadata, ownerReferences };
      this.#latest = await o.client.update<Lease>({ ...leases, name: o.nodeName }, next);
    } catch (err) {
      if (!isNotFound(err)) throw err;
      this.#latest = await o.client.create<Lease>(leases, {
        apiVersion: 'coordination.k8s.io/v1',
        kind: 'Lease',
        metadata: { name: o.nodeName, namespace: 'kube-node-lease', ...(ownerReferences ? { ownerReferences } : {}) },
        spec,
      });
    }
  }
}
