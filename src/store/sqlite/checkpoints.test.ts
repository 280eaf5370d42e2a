import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'node:test';
import { Checkpoints } from './checkpoints.ts';

it('close() returns when the worker thread has already died', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'k8ts-ckpt-'));
  try {
    // A database the worker cannot open: its thread fails at start and exits.
    const checkpoints = new Checkpoints(join(dir, 'missing', 'state.db'), () => {});
    while (checkpoints.counts.errors === 0) await new Promise((r) => setTimeout(r, 10));
    // Let the thread's exit (which follows its error) happen before close() is called.
    await new Promise((r) => setTimeout(r, 200));
    await checkpoints.close();
    assert.equal(checkpoints.counts.worker, 0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
