// `k8ts up`: the whole cluster in one process. It runs what exists of the control plane,
// in dependency order, until SIGINT or SIGTERM, then stops it in reverse order.

import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
// Layering exception: until the kube-apiserver exists, `up` opens the store itself.
import { openStore } from '../store/open.ts';

const usage = `Usage: k8ts up [flags]

Runs a cluster in this process, with its state in --data-dir.

Flags:
  --data-dir DIR            Where state is kept (default: .k8ts)
  --store URL               Store to use (default: sqlite://DIR/state.db); also etcd://host:port[,...]
  --compact-interval DUR    How often old history is compacted, e.g. 5m; 0 disables (default: 5m)
  -h, --help                Show this help
`;

async function run(args: string[]): Promise<number> {
  const started = performance.now();
  const { values } = parseArgs({
    args,
    options: {
      'data-dir': { type: 'string', default: '.k8ts' },
      store: { type: 'string' },
      'compact-interval': { type: 'string' },
    },
    strict: true,
  });
  const dataDir = resolve(values['data-dir']);
  mkdirSync(dataDir, { recursive: true });
  let url = values.store ?? `sqlite://${dataDir}/state.db`;
  if (values['compact-interval'] !== undefined && url.startsWith('sqlite://')) {
    url += `${url.includes('?') ? '&' : '?'}compact-interval=${encodeURIComponent(values['compact-interval'])}`;
  }
  const store = await openStore(url);
  const { revision } = await store.range(new TextEncoder().encode('/'), { countOnly: true });
  log(`store ready: ${redact(url)} at revision ${revision}`);
  log(`ready in ${Math.round(performance.now() - started)} ms; stop with Ctrl-C`);

  // Nothing else holds the event loop open while the store is all there is.
  const keepAlive = setInterval(() => {}, 2 ** 30);
  const signal = await new Promise<string>((done) => {
    for (const s of ['SIGINT', 'SIGTERM'] as const) process.once(s, () => done(s));
  });
  clearInterval(keepAlive);
  log(`${signal}: shutting down`);
  await store.close();
  log('stopped');
  return 0;
}

function log(message: string): void {
  process.stdout.write(`${new Date().toISOString()} k8ts up: ${message}\n`);
}

/** Leaves credentials out of URLs that are printed. */
function redact(url: string): string {
  return url.replace(/\/\/[^@/]*@/, '//***@');
}

export const up = { usage, run };
