// `k8ts up`: the whole cluster in one process. It runs what exists of the control plane,
// in dependency order, until SIGINT or SIGTERM, then stops it in reverse order.

import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { createKubeApiServer } from '../kube-apiserver/server.ts';
import { createKubeControllerManager } from '../kube-controller-manager/server.ts';
import { createKubeScheduler } from '../kube-scheduler/scheduler.ts';
import { createLogger } from '../component-base/logging.ts';
import { log, untilSignal } from './process.ts';

const usage = `Usage: k8ts up [flags]

Runs a cluster in this process, with its state in --data-dir, and writes an admin
kubeconfig to DIR/kubeconfig.yaml.

Flags:
  --data-dir DIR            Where state is kept (default: .k8ts)
  --store URL               Store to use (default: sqlite://DIR/state.db); also etcd://host:port[,...]
  --compact-interval DUR    How often old history is compacted, e.g. 5m; 0 disables (default: 5m)
  --bind-address ADDR       Address the API server listens on (default: 127.0.0.1)
  --port PORT               API server port; 0 picks a free one (default: 6443)
  --disable-controller-manager  Do not run the kube-controller-manager (as k3s's flag)
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
      'bind-address': { type: 'string', default: '127.0.0.1' },
      port: { type: 'string', default: '6443' },
      'disable-controller-manager': { type: 'boolean', default: false },
    },
    strict: true,
  });
  const dataDir = resolve(values['data-dir']);
  let storeUrl = values.store ?? `sqlite://${dataDir}/state.db`;
  if (values['compact-interval'] !== undefined && storeUrl.startsWith('sqlite://')) {
    storeUrl += `${storeUrl.includes('?') ? '&' : '?'}compact-interval=${encodeURIComponent(values['compact-interval'])}`;
  }
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port: invalid port ${values.port}`);

  const apiserver = createKubeApiServer({
    dataDir,
    storeUrl,
    bindAddress: values['bind-address'],
    port,
    log: (m) => log('kube-apiserver', m),
  });
  await apiserver.start();
  // The scheduler uses the admin kubeconfig the API server wrote (a dedicated identity later).
  const scheduler = createKubeScheduler({ kubeconfig: apiserver.kubeconfigPath, healthPort: 0, logger: createLogger('kube-scheduler') });
  await scheduler.start();
  const controllerManager = values['disable-controller-manager']
    ? undefined
    : createKubeControllerManager({ kubeconfig: apiserver.kubeconfigPath, healthPort: 0, logger: createLogger('kube-controller-manager') });
  await controllerManager?.start();
  log('up', `store: ${redact(storeUrl)}`);
  log('up', `kube-apiserver: ${apiserver.url}`);
  log('up', `kube-scheduler: health and metrics on http://127.0.0.1:${scheduler.healthPort}`);
  if (controllerManager) log('up', `kube-controller-manager: health and metrics on http://127.0.0.1:${controllerManager.healthPort}`);
  log('up', `kubeconfig: ${apiserver.kubeconfigPath}  (export KUBECONFIG=${apiserver.kubeconfigPath})`);
  log('up', `ready in ${Math.round(performance.now() - started)} ms; stop with Ctrl-C`);

  const signal = await untilSignal();
  log('up', `${signal}: shutting down`);
  await controllerManager?.close();
  await scheduler.close();
  await apiserver.close();
  log('up', 'stopped');
  return 0;
}

/** Leaves credentials out of URLs that are printed. */
function redact(url: string): string {
  return url.replace(/\/\/[^@/]*@/, '//***@');
}

export const up = { usage, run };
