import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { storeContract } from '../contract.ts';
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
