import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'node:test';
import { storeContract } from '../contract.ts';
import { UnavailableError } from '../errors.ts';
import type { Store } from '../store.ts';
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
