// Writes pod statuses to the API server, as upstream's status manager: the newest status the
// kubelet computed for a pod is written through pods/<name>/status when it differs from what was
// last written; writes of one pod are serialized, a newer status replaces one still waiting, and a
// 409 Conflict re-reads the pod and writes again (keeping conditions that others own). The final
// delete of a terminated pod (grace 0, uid precondition) also goes through here, after its last
// status.

import { isConflict, isNotFound } from '../client/api-errors.ts';
import type { RestClient } from '../client/rest-client.ts';
import type { Pod, PodStatus } from './types.ts';

const kubeletConditions = new Set(['PodReadyToStartContainers', 'Initialized', 'ContainersReady', 'Ready']);

export interface StatusManagerOptions {
  client: Pick<RestClient, 'get' | 'update' | 'delete'>;
  log?: (message: string, fields?: Record<string, unknown>) => void;
}

interface Entry {
  pod: Pod;
  status: PodStatus;
  written: string;
  writing: Promise<void> | undefined;
  dirty: boolean;
}

function pods(pod: Pod, name = pod.metadata.name) {
  return { group: '', version: 'v1', resource: 'pods', namespace: pod.metadata.namespace, name };
}

/** A status as compared with the one last written. */
function comparable(status: PodStatus): string {
  return JSON.stringify(status);
}

export class StatusManager {
  readonly #o: StatusManagerOptions;
  readonly #entries = new Map<string, Entry>();
  #closed = false;

  constructor(options: StatusManagerOptions) {
    this.#o = options;
  }

  /** The status last set for a pod uid (what the kubelet believes), if any. */
  get(uid: string): PodStatus | undefined {
    return this.#entries.get(uid)?.status;
  }

  /** Sets the status of `pod` (the API object to write to: the pod itself or a static pod's mirror). */
  set(pod: Pod, status: PodStatus): Promise<void> {
    const uid = pod.metadata.uid ?? '';
    let entry = this.#entries.get(uid);
    if (!entry) {
      entry = { pod, status, written: pod.status ? comparable(pod.status) : '', writing: undefined, dirty: false };
      this.#entries.set(uid, entry);
    }
    entry.pod = pod;
    entry.status = status;
    if (comparable(status) === entry.written) return entry.writing ?? Promise.resolve();
    entry.dirty = true;
    if (!entry.writing) entry.writing = this.#drain(entry).finally(() => (entry.writing = undefined));
    return entry.writing;
  }

  forget(uid: string): void {
    this.#entries.delete(uid);
  }

  /** Stops writing; statuses not yet written are dropped. */
  async close(): Promise<void> {
    this.#closed = true;
    await Promise.all([...this.#entries.values()].map((e) => e.writing));
  }

  async #drain(entry: Entry): Promise<void> {
    while (entry.dirty && !this.#closed) {
      entry.dirty = false;
      const status = entry.status;
      try {
        await this.#write(entry.pod, status);
        entry.written = comparable(status);
      } catch (err) {
        if (isNotFound(err)) return;
        this.#o.log?.('Failed to update status for pod', { pod: `${entry.pod.metadata.namespace}/${entry.pod.metadata.name}`, err: String(err) });
        if (this.#closed) return;
        await new Promise((r) => setTimeout(r, 500));
        entry.dirty = true;
      }
    }
  }

  async #write(pod: Pod, status: PodStatus): Promise<void> {
    const ref = { ...pods(pod), subresource: 'status' };
    let base: Pod = pod;
    for (let attempt = 0; ; attempt++) {
      const others = (base.status?.conditions ?? []).filter((c) => !kubeletConditions.has(c.type));
      const mine = (status.conditions ?? []).filter((c) => kubeletConditions.has(c.type));
      const body: Pod = { ...base, status: { ...status, conditions: [...mine, ...others] } };
      try {
        await this.#o.client.update<Pod>(ref, body);
        return;
      } catch (err) {
        if (!isConflict(err) || attempt >= 5) throw err;
        base = await this.#o.client.get<Pod>(pods(pod));
        if (base.metadata.uid !== pod.metadata.uid) return;
      }
    }
  }

  /** Deletes the API object of a pod that has terminated on this node (grace 0, same uid only). */
  async deletePod(pod: Pod): Promise<void> {
    await this.#entries.get(pod.metadata.uid ?? '')?.writing;
    try {
      await this.#o.client.delete(pods(pod), { gracePeriodSeconds: 0, preconditions: { uid: pod.metadata.uid } });
    } catch (err) {
      if (!isNotFound(err) && !isConflict(err)) throw err;
    }
  }
}
