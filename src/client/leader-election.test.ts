// Leader election with an in-memory lock on a FakeClock (timing exactly as client-go's
// defaults), then two electors on a real Lease of a real `k8ts up`.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startCluster, type Cluster } from '../../test/support/k8ts-cluster.ts';
import type { KubeObject } from '../api/kind.ts';
import { FakeClock } from '../machinery/fake-clock.ts';
import { alreadyExists, conflict, modifiedConflictDetail } from '../machinery/status.ts';
import { loadKubeconfig } from './kubeconfig.ts';
import { LeaderElector, LeaseLock, type LeaderElectionConfig, type LeaderElectionRecord, type ResourceLock } from './leader-election.ts';
import { microTime } from '../machinery/time.ts';
import { RestClient } from './rest-client.ts';

const flush = () => new Promise<void>((resolve) => setImmediate(resolve));

/** One lease in memory: versions for optimistic concurrency, and a switch to make it unreachable. */
class MemoryLease {
  record: LeaderElectionRecord | undefined;
  version = 0;
  down = false;
}

class MemoryLock implements ResourceLock {
  readonly identity: string;
  readonly #lease: MemoryLease;
  #seen = -1;
  constructor(lease: MemoryLease, identity: string) {
    this.#lease = lease;
    this.identity = identity;
  }
  describe(): string {
    return 'memory/lease';
  }
  async get(): Promise<LeaderElectionRecord | undefined> {
    if (this.#lease.down) throw new Error('connection refused');
    this.#seen = this.#lease.version;
    return structuredClone(this.#lease.record);
  }
  async create(record: LeaderElectionRecord): Promise<void> {
    if (this.#lease.down) throw new Error('connection refused');
    if (this.#lease.record) throw alreadyExists({ group: 'coordination.k8s.io', resource: 'leases' }, 'lease');
    this.#write(record);
  }
  async update(record: LeaderElectionRecord): Promise<void> {
    if (this.#lease.down) throw new Error('connection refused');
    if (this.#seen !== this.#lease.version) throw conflict({ group: 'coordination.k8s.io', resource: 'leases' }, 'lease', modifiedConflictDetail);
    this.#write(record);
  }
  #write(record: LeaderElectionRecord): void {
    this.#lease.record = structuredClone(record);
    this.#seen = ++this.#lease.version;
  }
}

interface Candidate {
  elector: LeaderElector;
  abort: AbortController;
  done: Promise<void>;
  leading: AbortSignal | undefined;
  startedAt: number[];
  stopped: number;
  newLeaders: string[];
}

function candidate(lock: ResourceLock, clock: FakeClock | undefined, extra: Partial<LeaderElectionConfig> = {}): Candidate {
  const c: Candidate = { abort: new AbortController(), leading: undefined, startedAt: [], stopped: 0, newLeaders: [] } as unknown as Candidate;
  c.elector = new LeaderElector({
    lock,
    clock,
    random: () => 0,
    callbacks: {
      onStartedLeading: (signal) => {
        c.leading = signal;
        c.startedAt.push(clock ? clock.now() : Date.now());
      },
      onStoppedLeading: () => c.stopped++,
      onNewLeader: (id) => c.newLeaders.push(id),
    },
    ...extra,
  });
  c.done = c.elector.run(c.abort.signal);
  return c;
}

/** Moves the fake clock in 100 ms steps, letting the electors' promises run between steps. */
async function advance(clock: FakeClock, ms: number, stop?: () => boolean): Promise<void> {
  for (let t = 0; t < ms; t += 100) {
    if (stop?.()) return;
    clock.advance(100);
    await flush();
    await flush();
  }
}

describe('LeaderElector (memory lock, fake clock)', () => {
  it('takes an absent lease; another waits until it expires after the leader stops, then takes over', async () => {
    const clock = new FakeClock();
    const lease = new MemoryLease();
    const a = candidate(new MemoryLock(lease, 'a'), clock);
    await flush();
    await flush();
    assert.equal(a.elector.isLeader(), true);
    assert.deepEqual(a.startedAt, [clock.now()]);
    assert.equal(lease.record?.holderIdentity, 'a');
    assert.equal(lease.record?.leaseDurationSeconds, 15);
    assert.equal(lease.record?.leaderTransitions, 0);

    const b = candidate(new MemoryLock(lease, 'b'), clock);
    await advance(clock, 60_000);
    assert.equal(b.startedAt.length, 0, 'b never leads while a renews');
    assert.equal(b.elector.getLeader(), 'a');
    assert.deepEqual(b.newLeaders, ['a']);
    assert.equal(lease.record?.renewTime, microTime(clock.now() - (clock.now() % 2000)), 'a renews every 2 s');

    const renewedAt = Date.parse(lease.record!.renewTime!);
    a.abort.abort();
    await a.done;
    assert.equal(a.stopped, 1);
    assert.equal(a.leading?.aborted, true);
    assert.equal(lease.record?.holderIdentity, 'a', 'not released');

    await advance(clock, 30_000, () => b.startedAt.length > 0);
    assert.equal(b.elector.isLeader(), true);
    const waited = b.startedAt[0] - renewedAt;
    assert.ok(waited >= 15_000 && waited <= 17_000, `took over ${waited} ms after the last renewal`);
    assert.equal(lease.record?.holderIdentity, 'b');
    assert.equal(lease.record?.leaderTransitions, 1);
    assert.deepEqual(b.newLeaders, ['a', 'b']);
    b.abort.abort();
    await b.done;
    assert.equal(clock.pendingTimers, 0);
  });

  it('a leader that cannot renew for renewDeadline stops leading', async () => {
    const clock = new FakeClock();
    const lease = new MemoryLease();
    const a = candidate(new MemoryLock(lease, 'a'), clock);
    await advance(clock, 4000);
    assert.equal(a.elector.isLeader(), true);
    const lastRenewal = Date.parse(lease.record!.renewTime!);
    lease.down = true;
    await advance(clock, 20_000, () => a.stopped > 0);
    await a.done;
    const lostAfter = clock.now() - lastRenewal;
    assert.ok(lostAfter > 10_000 && lostAfter <= 12_100, `gave up ${lostAfter} ms after the last renewal`);
    assert.equal(a.leading?.aborted, true);
    assert.equal(a.stopped, 1);
    assert.equal(clock.pendingTimers, 0);
  });

  it('releaseOnCancel clears the holder so the next candidate takes over at its next try', async () => {
    const clock = new FakeClock();
    const lease = new MemoryLease();
    const a = candidate(new MemoryLock(lease, 'a'), clock, { releaseOnCancel: true });
    await flush();
    const b = candidate(new MemoryLock(lease, 'b'), clock);
    await advance(clock, 5000);
    a.abort.abort();
    await a.done;
    assert.equal(lease.record?.holderIdentity, '');
    assert.equal(lease.record?.leaseDurationSeconds, 1);
    const releasedAt = clock.now();
    await advance(clock, 10_000, () => b.startedAt.length > 0);
    assert.ok(b.startedAt[0] - releasedAt <= 2000, 'within one retry period');
    assert.equal(lease.record?.holderIdentity, 'b');
    b.abort.abort();
    await b.done;
  });

  it('of two candidates racing for an absent lease exactly one leads', async () => {
    const clock = new FakeClock();
    const lease = new MemoryLease();
    const a = candidate(new MemoryLock(lease, 'a'), clock);
    const b = candidate(new MemoryLock(lease, 'b'), clock);
    await advance(clock, 30_000);
    assert.equal(Number(a.elector.isLeader()) + Number(b.elector.isLeader()), 1);
    assert.equal(a.startedAt.length + b.startedAt.length, 1);
    a.abort.abort();
    b.abort.abort();
    await Promise.all([a.done, b.done]);
    assert.equal(a.stopped + b.stopped, 1, 'only the leader hears onStoppedLeading');
  });

  it('refuses timings that cannot work', () => {
    const lock = new MemoryLock(new MemoryLease(), 'a');
    const callbacks = { onStartedLeading: () => {} };
    assert.throws(() => new LeaderElector({ lock, callbacks, leaseDurationMs: 10_000, renewDeadlineMs: 10_000 }), /leaseDuration must be greater than renewDeadline/);
    assert.throws(() => new LeaderElector({ lock, callbacks, renewDeadlineMs: 2000, retryPeriodMs: 2000 }), /renewDeadline must be greater than retryPeriod\*JitterFactor/);
    assert.throws(() => new LeaderElector({ lock: new MemoryLock(new MemoryLease(), ''), callbacks }), /identity is empty/);
  });
});

describe('LeaderElector on a Lease of k8ts up', () => {
  let cluster: Cluster;
  let client: RestClient;
  const timings = { leaseDurationMs: 2000, renewDeadlineMs: 1500, retryPeriodMs: 300 };

  before(async () => {
    cluster = await startCluster();
    client = new RestClient(loadKubeconfig(cluster.kubeconfig));
  });
  after(async () => {
    client?.close();
    await cluster?.stop();
  });

  async function until(cond: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!cond()) {
      if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  async function lease(name: string): Promise<{ holderIdentity?: string; leaseTransitions?: number; leaseDurationSeconds?: number }> {
    const obj = await client.get<KubeObject>({ group: 'coordination.k8s.io', version: 'v1', resource: 'leases', namespace: 'kube-system', name });
    return obj.spec as { holderIdentity?: string };
  }

  for (const releaseOnCancel of [true, false]) {
    it(`only one of two leads; the other takes over when it stops (${releaseOnCancel ? 'released' : 'left to expire'})`, async () => {
      const name = `k8ts-test-${releaseOnCancel ? 'released' : 'expired'}`;
      const one = candidate(new LeaseLock(client, { namespace: 'kube-system', name }, 'one'), undefined, { ...timings, releaseOnCancel });
      const two = candidate(new LeaseLock(client, { namespace: 'kube-system', name }, 'two'), undefined, { ...timings, releaseOnCancel });
      try {
        await until(() => one.startedAt.length + two.startedAt.length > 0, 'a leader');
        await new Promise((r) => setTimeout(r, 2500)); // longer than the lease: renewals keep it
        assert.equal(one.startedAt.length + two.startedAt.length, 1, 'exactly one leads');
        const [leader, other] = one.startedAt.length ? [one, two] : [two, one];
        assert.equal((await lease(name)).holderIdentity, leader.elector.identity);
        assert.equal(other.elector.getLeader(), leader.elector.identity);

        const stoppedAt = Date.now();
        leader.abort.abort();
        await leader.done;
        assert.equal(leader.stopped, 1);
        if (releaseOnCancel) assert.equal((await lease(name)).holderIdentity, '');
        await until(() => other.startedAt.length > 0, 'the takeover');
        const took = other.startedAt[0] - stoppedAt;
        if (releaseOnCancel) assert.ok(took < 1500, `took over ${took} ms after a release`);
        else assert.ok(took >= 1000, `waited out the lease (${took} ms)`);
        const spec = await lease(name);
        assert.equal(spec.holderIdentity, other.elector.identity);
        assert.equal(spec.leaseTransitions, 1);
        assert.equal(spec.leaseDurationSeconds, 2);
      } finally {
        one.abort.abort();
        two.abort.abort();
        await Promise.all([one.done, two.done]);
      }
    });
  }
});
