import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'node:test';
import { storeContract } from '../contract.ts';
import { UnavailableError } from '../errors.ts';
import type { Store } from '../store.ts';
import { bytes, prefixEnd } from '../keys.ts';
import { Engine } from '../mvcc/engine.ts';
import { SqliteBackend } from './sqlite-backend.ts';
import { openSqliteStore } from './sqlite-store.ts';

const dirs: string[] = [];
const paths = new Map<Store, string>();

storeContract('sqlite', {
  open: async () => {
    const dir = mkdtempSync(join(tmpdir(), 'k8ts-sqlite-'));
    dirs.push(dir);
    const path = join(dir, 'state.db');
    const store = openSqliteStore(path);
    paths.set(store, path);
    return store;
  },
  reopen: async (store) => {
    const path = paths.get(store)!;
    await store.close();
    const reopened = openSqliteStore(path);
    paths.set(reopened, path);
    return reopened;
  },
  cleanup: async () => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  },
});

it('a second opener of the same file is refused while the first has it', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'k8ts-sqlite-lock-'));
  try {
    const path = join(dir, 'state.db');
    const first = openSqliteStore(path);
    assert.throws(() => openSqliteStore(path), (err: unknown) => err instanceof UnavailableError && /in use by another process/.test(err.message));
    await first.close();
    const again = openSqliteStore(path);
    await again.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

it('a second process cannot open the store while this one has it', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'k8ts-sqlite-lock-'));
  try {
    const path = join(dir, 'state.db');
    const first = openSqliteStore(path);
    const script = `import('${new URL('./sqlite-store.ts', import.meta.url).href}').then((m) => { try { m.openSqliteStore(${JSON.stringify(path)}); console.log('opened'); process.exit(0); } catch (e) { console.log(e.message); } })`;
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { timeout: 30_000 }).toString();
    assert.match(out, /in use by another process/);
    await first.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

it('checkpoints run in the worker, the WAL restarts from its beginning, and nothing is lost', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'k8ts-sqlite-ckpt-'));
  try {
    const path = join(dir, 'state.db');
    // Small limits, so a few hundred writes exercise the worker and the writer's RESTART.
    const backend = new SqliteBackend(path, { checkpoints: { everyCommits: 2, maxWalFrames: 64, idleMs: 20 } });
    const engine = new Engine(backend);
    try {
      const value = bytes('x'.repeat(3000));
      for (let round = 0; round < 40; round++) {
        await Promise.all(Array.from({ length: 10 }, (_, i) => engine.txn({ compare: [], success: [{ type: 'put', key: bytes(`/k/${round}/${i}`), value }] })));
        // Room for the worker to answer between rounds, as a server has between bursts.
        await new Promise((r) => setTimeout(r, 5));
      }
      await new Promise((r) => setTimeout(r, 100));
      const counts = backend.checkpointCounts!;
      assert.ok(counts.worker > 5, `worker checkpoints: ${counts.worker}`);
      assert.ok(counts.writer > 0, `writer RESTART checkpoints: ${counts.writer}`);
      assert.equal(counts.errors, 0);
      // 400 values of 3 KB went through a WAL that restarted: it holds far less than all of them.
      assert.ok(statSync(`${path}-wal`).size < 400 * 3000, `WAL of ${statSync(`${path}-wal`).size} bytes`);
    } finally {
      await engine.close();
    }
    const reopened = openSqliteStore(path);
    const { count } = await reopened.range(bytes('/k/'), { end: prefixEnd(bytes('/k/')), countOnly: true });
    assert.equal(count, 400);
    await reopened.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
