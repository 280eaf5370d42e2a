import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { buildEnv, lookPath, mountTranslator, resolveCommand, shellQuote } from './command.ts';
import { imageRef, imageRepositoryName, normalizeImage } from '../image.ts';

describe('mount path translation', () => {
  const translate = mountTranslator([
    { containerPath: '/etc/config', hostPath: '/host/cm', readonly: true },
    { containerPath: '/etc/config/nested/', hostPath: '/host/nested', readonly: false },
    { containerPath: '/data', hostPath: '/host/data', readonly: false },
    { containerPath: '/', hostPath: '/host/root', readonly: false },
  ]);

  it('rewrites a whole value and paths below a mount; the longest containerPath wins', () => {
    assert.equal(translate('/etc/config'), '/host/cm');
    assert.equal(translate('/etc/config/x.yaml'), '/host/cm/x.yaml');
    assert.equal(translate('/etc/config/nested/y'), '/host/nested/y');
    assert.equal(translate('/data/'), '/host/data/');
  });

  it('rewrites path tokens inside a value', () => {
    assert.equal(translate('cat /etc/config/x; ls "/data"'), 'cat /host/cm/x; ls "/host/data"');
    assert.equal(translate('--config=/etc/config/x'), '--config=/host/cm/x');
    assert.equal(translate('/data/bin:/usr/bin'), '/host/data/bin:/usr/bin');
  });

  it('leaves other text alone, including the root mount', () => {
    for (const same of ['/etc/configuration', '/database', 'http://example.com/data', 'data', '/usr/bin', '/etc']) assert.equal(translate(same), same);
    assert.equal(mountTranslator([])('/data'), '/data');
  });
});

describe('command resolution', () => {
  it('looks names up on PATH and takes paths as they are', () => {
    const dir = mkdtempSync(join(tmpdir(), 'command-'));
    try {
      writeFileSync(join(dir, 'tool'), '#!/bin/sh\n', { mode: 0o755 });
      writeFileSync(join(dir, 'plain'), 'not executable', { mode: 0o644 });
      assert.equal(lookPath('tool', `/nonexistent:${dir}`), join(dir, 'tool'));
      assert.equal(lookPath('plain', dir), undefined);
      assert.deepEqual(resolveCommand(['tool', 'a'], dir, '/'), { file: join(dir, 'tool'), args: ['a'], argv0: 'tool' });
      assert.deepEqual(resolveCommand(['./tool'], '', dir), { file: join(dir, 'tool'), args: [], argv0: './tool' });
      assert.throws(() => resolveCommand([join(dir, 'plain')], '', '/'), { name: 'StartError', message: `exec: ${JSON.stringify(join(dir, 'plain'))}: permission denied` });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('fails as runc does', () => {
    assert.throws(() => resolveCommand(['nope-k8ts'], '/usr/bin', '/'), { name: 'StartError', message: 'exec: "nope-k8ts": executable file not found in $PATH' });
    assert.throws(() => resolveCommand(['/nope/k8ts'], '/usr/bin', '/'), { message: 'exec: "/nope/k8ts": stat /nope/k8ts: no such file or directory' });
    assert.throws(() => resolveCommand([], '/usr/bin', '/'), { message: 'no command specified' });
  });

  it('quotes words for the shell', () => {
    assert.equal(shellQuote('plain/path-1.2'), 'plain/path-1.2');
    assert.equal(shellQuote("it's a $thing"), `'it'\\''s a $thing'`);
    assert.equal(shellQuote(''), "''");
  });

  it('builds the environment from the config, then defaults, then the PATH prefix', () => {
    const env = buildEnv([{ key: 'A', value: '/data/x' }, { key: 'HOME', value: '/root' }], { PATH: '/usr/bin', HOME: '/tmp/c' }, (v) => v.replace('/data', '/host'), '/applets');
    assert.deepEqual(env, { A: '/host/x', HOME: '/root', PATH: '/applets:/usr/bin' });
  });
});

describe('image names', () => {
  it('normalizes as containerd reports them', () => {
    assert.equal(normalizeImage('busybox'), 'docker.io/library/busybox:latest');
    assert.equal(normalizeImage('busybox:1.36'), 'docker.io/library/busybox:1.36');
    assert.equal(normalizeImage('docker.io/busybox'), 'docker.io/library/busybox:latest');
    assert.equal(normalizeImage('bitnami/nginx'), 'docker.io/bitnami/nginx:latest');
    assert.equal(normalizeImage('registry.k8s.io/pause:3.10'), 'registry.k8s.io/pause:3.10');
    assert.equal(normalizeImage('localhost:5000/app'), 'localhost:5000/app:latest');
    assert.equal(normalizeImage('nginx@sha256:abc'), 'docker.io/library/nginx@sha256:abc');
    assert.equal(imageRef('busybox'), imageRef('docker.io/library/busybox:latest'));
    assert.notEqual(imageRef('busybox'), imageRef('busybox:1.36'));
  });

  it('names the repository', () => {
    for (const name of ['busybox', 'busybox:1.36', 'docker.io/library/busybox:latest', 'registry.k8s.io/e2e-test-images/busybox:1.29-4', 'busybox@sha256:abc']) {
      assert.equal(imageRepositoryName(name), 'busybox', name);
    }
    assert.equal(imageRepositoryName('localhost:5000/app:1'), 'app');
  });
});
