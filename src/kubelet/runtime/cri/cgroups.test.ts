import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { CgroupParents, cgroupMounts, cgroupPathChain } from './cgroups.ts';

const mountinfo = `31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu
35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,name=systemd
41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw
22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw
`;

describe('cgroup parents', () => {
  let root: string;
  let mounts: string[];
  /** What runc does when it runs a sandbox under `parent`: creates the chain and the sandbox's own cgroup. */
  const runc = (parent: string, sandbox: string) => {
    for (const m of mounts) mkdirSync(join(m, parent, sandbox), { recursive: true });
  };
  const runcRemoves = (parent: string, sandbox: string) => {
    for (const m of mounts) rmSync(join(m, parent, sandbox), { recursive: true });
  };
  const exists = (path: string) => mounts.map((m) => existsSync(join(m, path)));

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'k8ts-cgroups-'));
    mounts = [join(root, 'cpu'), join(root, 'memory')];
    for (const m of mounts) mkdirSync(m);
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('finds the cgroup and cgroup2 hierarchies in mountinfo', () => {
    assert.deepEqual(cgroupMounts(mountinfo), ['/sys/fs/cgroup/cpu', '/sys/fs/cgroup/memory', '/sys/fs/cgroup/systemd', '/sys/fs/cgroup/unified']);
    assert.deepEqual(cgroupPathChain('/kubepods/besteffort/podu1'), ['/kubepods', '/kubepods/besteffort', '/kubepods/besteffort/podu1']);
  });

  it('removes the directories it saw runc create, deepest first, once the sandbox cgroup is gone', () => {
    const cgroups = new CgroupParents(mounts);
    const a = '/kubepods/besteffort/poda';
    const b = '/kubepods/besteffort/podb';
    cgroups.prepare(a);
    runc(a, 'sandbox-a');
    cgroups.prepare(b);
    runc(b, 'sandbox-b');
    // Busy while the sandbox's own cgroup is there.
    assert.equal(cgroups.busy(a, 'a'), true);
    assert.deepEqual(cgroups.cleanup(a, 'a'), []);
    runcRemoves(a, 'sandbox-a');
    cgroups.cleanup(a, 'a');
    assert.equal(cgroups.busy(a, 'a'), false);
    assert.deepEqual(exists(a), [false, false]);
    assert.deepEqual(exists('/kubepods/besteffort'), [true, true], 'still holds pod b');
    runcRemoves(b, 'sandbox-b');
    cgroups.cleanup(b, 'b');
    assert.deepEqual(exists('/kubepods'), [false, false]);
  });

  it('leaves parents that were there before, and directories that are not empty', () => {
    for (const m of mounts) mkdirSync(join(m, 'kubepods', 'besteffort'), { recursive: true });
    writeFileSync(join(mounts[0], 'kubepods', 'besteffort', 'keep'), '');
    const cgroups = new CgroupParents(mounts);
    const parent = '/kubepods/besteffort/podc';
    cgroups.prepare(parent);
    runc(parent, 'sandbox');
    runcRemoves(parent, 'sandbox');
    cgroups.cleanup(parent, 'c');
    assert.deepEqual(exists(parent), [false, false]);
    assert.deepEqual(exists('/kubepods/besteffort'), [true, true]);
  });

  it('removes the pod directory of an adopted sandbox (named pod<uid>) but no parent it did not create', () => {
    const parent = '/kubepods/besteffort/podd';
    runc(parent, 'sandbox');
    runcRemoves(parent, 'sandbox');
    const cgroups = new CgroupParents(mounts);
    cgroups.cleanup(parent, 'd');
    assert.deepEqual(exists(parent), [false, false]);
    assert.deepEqual(exists('/kubepods/besteffort'), [true, true]);
    // A cgroup parent not named for the pod is not the pod's own: it stays.
    runc('/shared', 'sandbox');
    runcRemoves('/shared', 'sandbox');
    cgroups.cleanup('/shared', 'd');
    assert.deepEqual(exists('/shared'), [true, true]);
  });
});
