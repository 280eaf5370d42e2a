import { startEtcd } from './test/support/etcd-server.ts';
import { openEtcdStore } from './src/store/etcd/etcd-store.ts';
import { bytes, text } from './src/store/keys.ts';
const etcd = await startEtcd();
try {
  const s = await openEtcdStore(etcd.url);
  const put = (k: string) => s.txn({ compare: [], success: [{ type: 'put', key: bytes(k), value: bytes('1'), lease: undefined }] });
  await put('/p/a'); await put('/p/b');
  console.log((await s.range(bytes('/p/a'), { revision: undefined })).kvs.map(kv => text(kv.key)));
  console.log((await s.range(bytes('/p/x'), {})).kvs.map(kv => text(kv.key)));
  console.log((await s.range(bytes('/p/'), {})).kvs.map(kv => text(kv.key)));
  await s.close();
} finally { await etcd.stop(); }
