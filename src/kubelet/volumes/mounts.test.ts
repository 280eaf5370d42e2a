// volumeMounts to runtime mounts: read-only rules, subPath creation, subPathExpr and escapes.

import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { ContainerConfigError } from '../env/errors.ts';
import type { Container } from '../env/types.ts';
import { makeMounts } from './mounts.ts';
import type { PodVolume } from './types.ts';

const root = realpathSync(mkdtempSync(join(tmpdir(), 'k8ts-mounts-')));
after(() => rmSync(root, { recursive: true, force: true }));
let n = 0;

function volumes(): { scratch: string; config: string; host: string; map: Map<string, PodVolume> } {
  const base = join(root, `v${n++}`);
  const scratch = join(base, 'scratch');
  const config = join(base, 'config');
  const host = join(base, 'host');
  mkdirSync(scratch, { recursive: true, mode: 0o777 });
  mkdirSync(join(config, '..2025_01_01_00_00_00.abcdef'), { recursive: true });
  writeFileSync(join(config, '..2025_01_01_00_00_00.abcdef', 'app.conf'), 'x');
  symlinkSync('..2025_01_01_00_00_00.abcdef', join(config, '..data'));
  symlinkSync('..data/app.conf', join(config, 'app.conf'));
  mkdirSync(host, { recursive: true });
  return {
    scratch,
    config,
    host,
    map: new Map([
      ['scratch', { hostPath: scratch, readOnly: false }],
      ['config', { hostPath: config, readOnly: true }],
      ['host', { hostPath: host, readOnly: false }],
    ]),
  };
}

const container = (volumeMounts: Container['volumeMounts']): Container => ({ name: 'app', volumeMounts });

async function rejectsConfig(p: Promise<unknown>, message: string): Promise<void> {
  await assert.rejects(p, (err: unknown) => {
    assert.ok(err instanceof ContainerConfigError, String(err));
    assert.equal(err.message, message);
    return true;
  });
}

describe('makeMounts', () => {
  it('maps volumeMounts to host paths; read-only when asked or when the volume must be', async () => {
    const v = volumes();
    const mounts = await makeMounts(
      container([
        { name: 'scratch', mountPath: '/data' },
        { name: 'scratch', mountPath: '/data-ro', readOnly: true },
        { name: 'config', mountPath: '/etc/app' },
        { name: 'host', mountPath: 'relative/path' },
      ]),
      v.map,
      [],
    );
    assert.deepEqual(mounts, [
      { containerPath: '/data', hostPath: v.scratch, readonly: false },
      { containerPath: '/data-ro', hostPath: v.scratch, readonly: true },
      { containerPath: '/etc/app', hostPath: v.config, readonly: true },
      { containerPath: '/relative/path', hostPath: v.host, readonly: false },
    ]);
  });

  it('creates a missing subPath as a directory with the volume mode', async () => {
    const v = volumes();
    const [mount] = await makeMounts(container([{ name: 'scratch', mountPath: '/logs', subPath: 'logs/app' }]), v.map, []);
    assert.equal(mount!.hostPath, join(v.scratch, 'logs/app'));
    assert.ok(statSync(join(v.scratch, 'logs/app')).isDirectory());
    assert.equal(statSync(join(v.scratch, 'logs/app')).mode & 0o777, 0o777 & statSync(v.scratch).mode);
  });

  it('a subPath to a file of a configMap volume resolves to the file itself', async () => {
    const v = volumes();
    const [mount] = await makeMounts(container([{ name: 'config', mountPath: '/etc/app.conf', subPath: 'app.conf' }]), v.map, []);
    assert.equal(mount!.hostPath, join(v.config, '..2025_01_01_00_00_00.abcdef', 'app.conf'));
    assert.equal(readFileSync(mount!.hostPath, 'utf8'), 'x');
    assert.equal(mount!.readonly, true);
  });

  it('expands subPathExpr with the container environment', async () => {
    const v = volumes();
    const env = [{ key: 'POD_NAME', value: 'web-0' }];
    const [mount] = await makeMounts(container([{ name: 'scratch', mountPath: '/out', subPathExpr: 'pods/$(POD_NAME)' }]), v.map, env);
    assert.equal(mount!.hostPath, join(v.scratch, 'pods/web-0'));
    await rejectsConfig(makeMounts(container([{ name: 'scratch', mountPath: '/out', subPathExpr: '$(NOPE)' }]), v.map, env), 'missing value for NOPE');
    await rejectsConfig(
      makeMounts(container([{ name: 'scratch', mountPath: '/out', subPathExpr: '$(UP)/x' }]), v.map, [{ key: 'UP', value: '..' }]),
      "unable to provision SubPath `../x`: must not contain '..'",
    );
  });

  it('rejects subPaths that leave the volume, by name or through symlinks', async () => {
    const v = volumes();
    const outside = join(root, `outside-${n++}`);
    mkdirSync(outside);
    writeFileSync(join(outside, 'secret'), 'host secret');
    symlinkSync(outside, join(v.scratch, 'escape'));
    symlinkSync('/', join(v.scratch, 'rootfs'));
    await rejectsConfig(makeMounts(container([{ name: 'scratch', mountPath: '/x', subPath: '../host' }]), v.map, []), "unable to provision SubPath `../host`: must not contain '..'");
    await rejectsConfig(makeMounts(container([{ name: 'scratch', mountPath: '/x', subPath: '/etc' }]), v.map, []), 'error SubPath `/etc` must not be an absolute path');
    await rejectsConfig(
      makeMounts(container([{ name: 'scratch', mountPath: '/x', subPath: 'escape' }]), v.map, []),
      'failed to prepare subPath for volumeMount "scratch" of container "app"',
    );
    await rejectsConfig(
      makeMounts(container([{ name: 'scratch', mountPath: '/x', subPath: 'escape/secret' }]), v.map, []),
      'failed to prepare subPath for volumeMount "scratch" of container "app"',
    );
    await rejectsConfig(
      makeMounts(container([{ name: 'scratch', mountPath: '/x', subPath: 'escape/new-dir' }]), v.map, []),
      'failed to create subPath directory for volumeMount "scratch" of container "app"',
    );
    assert.equal(existsSync(join(outside, 'new-dir')), false, 'nothing was created outside the volume');
    await rejectsConfig(
      makeMounts(container([{ name: 'scratch', mountPath: '/x', subPath: 'rootfs/tmp' }]), v.map, []),
      'failed to prepare subPath for volumeMount "scratch" of container "app"',
    );
  });

  it('a symlink that stays inside the volume is fine', async () => {
    const v = volumes();
    mkdirSync(join(v.scratch, 'real'));
    symlinkSync('real', join(v.scratch, 'alias'));
    const [mount] = await makeMounts(container([{ name: 'scratch', mountPath: '/x', subPath: 'alias/inner' }]), v.map, []);
    assert.equal(mount!.hostPath, join(v.scratch, 'real', 'inner'));
    assert.ok(statSync(join(v.scratch, 'real', 'inner')).isDirectory());
  });

  it('fails for a volume the pod does not have', async () => {
    await rejectsConfig(makeMounts(container([{ name: 'ghost', mountPath: '/g' }]), volumes().map, []), 'cannot find volume "ghost" to mount into container "app"');
  });
});
