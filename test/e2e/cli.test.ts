// The k8ts command as a user runs it: through bin/k8ts.js, in its own process.

import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const bin = fileURLToPath(new URL('../../bin/k8ts.js', import.meta.url));
const dirs: string[] = [];
after(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

it('k8ts --help lists the subcommands', () => {
  const r = spawnSync(process.execPath, [bin, '--help'], { encoding: 'utf8' });
  assert.equal(r.status, 0);
  assert.match(r.stdout, /Usage: k8ts <command>/);
  assert.match(r.stdout, /^\s+up\s+Run a whole cluster/m);
  assert.match(r.stdout, /^\s+apiserver\s+Run the kube-apiserver alone/m);
});

it('an unknown subcommand fails with the help text', () => {
  const r = spawnSync(process.execPath, [bin, 'frobnicate'], { encoding: 'utf8' });
  assert.equal(r.status, 2);
  assert.match(r.stderr, /unknown command "frobnicate"/);
});

it('k8ts up serves the API on an embedded store, writes a kubeconfig, and stops cleanly on SIGTERM', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'k8ts-up-'));
  dirs.push(dir);
  const child = spawn(process.execPath, [bin, 'up', '--data-dir', dir, '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  try {
    const deadline = Date.now() + 20_000;
    while (!/ready in \d+ ms/.test(output)) {
      assert.ok(Date.now() < deadline, `k8ts up did not report ready: ${output}`);
      assert.equal(child.exitCode, null, `k8ts up exited early: ${output}`);
      await new Promise((r) => setTimeout(r, 20));
    }
    assert.match(output, /store: sqlite:\/\/.*state\.db/);
    assert.match(output, /kube-apiserver: https:\/\/127\.0\.0\.1:\d+/);
    assert.ok(existsSync(join(dir, 'state.db')));
    assert.ok(existsSync(join(dir, 'kubeconfig.yaml')));
    child.kill('SIGTERM');
    assert.equal(await exited, 0, output);
    assert.match(output, /stopped/);
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
  }
});
