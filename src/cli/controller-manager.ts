// `k8ts controller-manager`: the kube-controller-manager alone, against any API server.

import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { createKubeControllerManager } from '../kube-controller-manager/server.ts';
import { controllers } from '../kube-controller-manager/controllers.ts';
import { log, untilSignal } from './process.ts';
import { optionalGoDuration } from '../machinery/duration.ts';

const usage = `Usage: k8ts controller-manager --kubeconfig PATH [flags]

Runs the controllers that move the cluster toward its desired state.

Flags:
  --kubeconfig PATH       Kubeconfig of the API server (required)
  --controllers LIST      Comma-separated controllers to run: '*' enables all on by default,
                          'foo' enables foo, '-foo' disables foo (default: *)
                          Known: ${controllers.map((c) => c.name).join(', ')}
  --leader-elect          Run only while holding the Lease kube-system/kube-controller-manager
                          (default: true; --leader-elect=false turns it off)
  --concurrent NAME=N     Concurrent reconciles of one controller (repeatable)
  --node-monitor-grace-period DURATION
                          A node whose Lease is not renewed this long becomes Unknown (default: 40s)
  --node-monitor-period DURATION
                          How often node health is checked (default: 5s)
  --node-eviction-rate R  Nodes per second tainted for eviction in a healthy zone (default: 0.1)
  --secondary-node-eviction-rate R
                          The same in a partially disrupted zone of a large cluster (default: 0.01)
  --large-cluster-size-threshold N
                          Zones with more nodes use the secondary rate; smaller ones stop (default: 50)
  --unhealthy-zone-threshold F
                          Share of not-Ready nodes that makes a zone partially disrupted (default: 0.55)
  --terminated-pod-gc-threshold N
                          Terminated pods kept before the oldest are deleted; 0 never (default: 12500)
  --root-ca-file PATH     CA bundle published to every namespace as the ConfigMap kube-root-ca.crt
                          (default: the certificate authority of --kubeconfig)
  --secure-port PORT      Port of /healthz, /readyz and /metrics; 0 picks a free one (default: 10257)
  --bind-address ADDR     Address of that port (default: 127.0.0.1)
  -h, --help              Show this help
`;

function parseBool(v: string | boolean | undefined, flag: string): boolean | undefined {
  if (v === undefined || typeof v === 'boolean') return v;
  if (v === 'true') return true;
  if (v === 'false') return false;
  throw new Error(`${flag}: want true or false, got ${JSON.stringify(v)}`);
}

function optionalNumber(v: string | undefined, flag: string): number | undefined {
  if (v === undefined) return undefined;
  if (!/^\d+(\.\d+)?$/.test(v)) throw new Error(`${flag}: want a non-negative number, got ${JSON.stringify(v)}`);
  return Number(v);
}

function optionalInt(v: string | undefined, flag: string): number | undefined {
  if (v === undefined) return undefined;
  if (!/^-?\d+$/.test(v)) throw new Error(`${flag}: want an integer, got ${JSON.stringify(v)}`);
  return Number(v);
}

async function run(args: string[]): Promise<number> {
  // --leader-elect=false arrives as a string; bare --leader-elect as true.
  const normalized = args.map((a) => (a === '--leader-elect' ? '--leader-elect=true' : a));
  const { values } = parseArgs({
    args: normalized,
    options: {
      kubeconfig: { type: 'string' },
      controllers: { type: 'string', default: '*' },
      'leader-elect': { type: 'string' },
      concurrent: { type: 'string', multiple: true },
      'node-monitor-grace-period': { type: 'string' },
      'node-monitor-period': { type: 'string' },
      'terminated-pod-gc-threshold': { type: 'string' },
      'node-eviction-rate': { type: 'string' },
      'secondary-node-eviction-rate': { type: 'string' },
      'large-cluster-size-threshold': { type: 'string' },
      'unhealthy-zone-threshold': { type: 'string' },
      'root-ca-file': { type: 'string' },
      'secure-port': { type: 'string', default: '10257' },
      'bind-address': { type: 'string', default: '127.0.0.1' },
    },
    strict: true,
  });
  if (!values.kubeconfig) throw new Error('--kubeconfig is required');
  const concurrency: Record<string, number> = {};
  for (const c of values.concurrent ?? []) {
    const [name, n] = c.split('=');
    if (!name || !/^\d+$/.test(n ?? '')) throw new Error(`--concurrent: want NAME=N, got ${JSON.stringify(c)}`);
    concurrency[name] = Number(n);
  }
  const port = Number(values['secure-port']);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--secure-port: invalid port ${values['secure-port']}`);
  const kcm = createKubeControllerManager({
    kubeconfig: values.kubeconfig,
    controllers: values.controllers.split(',').map((s) => s.trim()).filter(Boolean),
    leaderElect: parseBool(values['leader-elect'], '--leader-elect') ?? true,
    concurrency,
    healthPort: port,
    bindAddress: values['bind-address'],
    rootCA: values['root-ca-file'] === undefined ? undefined : readFileSync(values['root-ca-file'], 'utf8'),
    settings: {
      nodeMonitorGracePeriodMs: optionalGoDuration(values['node-monitor-grace-period'], '--node-monitor-grace-period'),
      nodeMonitorPeriodMs: optionalGoDuration(values['node-monitor-period'], '--node-monitor-period'),
      terminatedPodGCThreshold: optionalInt(values['terminated-pod-gc-threshold'], '--terminated-pod-gc-threshold'),
      nodeEvictionRate: optionalNumber(values['node-eviction-rate'], '--node-eviction-rate'),
      secondaryNodeEvictionRate: optionalNumber(values['secondary-node-eviction-rate'], '--secondary-node-eviction-rate'),
      largeClusterSizeThreshold: optionalInt(values['large-cluster-size-threshold'], '--large-cluster-size-threshold'),
      unhealthyZoneThreshold: optionalNumber(values['unhealthy-zone-threshold'], '--unhealthy-zone-threshold'),
    },
  });
  await kcm.start();
  log('kube-controller-manager', `controllers: ${kcm.controllers.join(', ')}`);
  const signal = await untilSignal();
  log('kube-controller-manager', `${signal}: shutting down`);
  await kcm.close();
  return 0;
}

export const controllerManager = { usage, run };
