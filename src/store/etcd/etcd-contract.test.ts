// The shared store contract against a real etcd, started on free loopback ports.

import { findEtcd, startEtcd } from '../../../test/support/etcd-server.ts';
import type { EtcdServer } from '../../../test/support/etcd-server.ts';
import { storeContract } from '../contract.ts';
import type { Store } from '../store.ts';
import { openEtcdStore } from './etcd-store.ts';

const servers = new Map<Store, EtcdServer>();

storeContract('etcd', {
  unavailable: () => {
    if (findEtcd()) return undefined;
    if (process.env.CI === 'true') throw new Error('etcd is required in CI: install the Debian package etcd-server (or set ETCD_BIN)');
    return 'etcd not found: install Debian package etcd-server or set ETCD_BIN';
  },
  open: async () => {
    const server = await startEtcd();
    const store = await openEtcdStore(server.url);
    servers.set(store, server);
    return store;
  },
  reopen: async (store) => {
    const server = servers.get(store)!;
    await store.close();
    await server.restart();
    const reopened = await openEtcdStore(server.url);
    servers.set(reopened, server);
    return reopened;
  },
  cleanup: async () => {
    for (const server of new Set(servers.values())) await server.stop();
  },
});
