// `k8ts cloud-controller-manager`: the controllers that depend on the infrastructure (cloud node,
// cloud node lifecycle, service load balancers, routes) against one cloud provider.

import { parseArgs } from 'node:util';
import { loadCloudConfig } from '../cloud-controller-manager/config.ts';
import { optionalGoDuration } from '../machinery/duration.ts';
import { controllers } from '../cloud-controller-manager/controllers.ts';
import { aliases } from '../cloud-controller-manager/names.ts';
import { cloudProviders } from '../cloud-controller-manager/providers.ts';
import { createCloudControllerManager } from '../cloud-controller-manager/server.ts';
import type { LocalProvider } from '../cloud-controller-manager/providers/local/local.ts';
import { log, untilSignal } from './process.ts';

const usage = `Usage: k8ts cloud-controller-manager --kubeconfig PATH [flags]

Runs the controllers that depend on the cloud: node initialization and addresses, deletion of
nodes whose instance is gone, load balancers for Services of type LoadBalancer, and routes.

Flags:
  --kubeconfig PATH       Kubeconfig of the API server (required)
  --cloud-provider NAME   ${Object.keys(cloudProviders).join(' | ')} (default: local)
                          local: this machine (or a set of machines) as the cloud; load balancers
                            listen on addresses of a pool (default 127.200.0.0/24)
                          external: any program speaking the protocol of
                            docs/cloud-provider-protocol.md (its url in the cloud config)
  --cloud-config FILE     The provider's settings, JSON or YAML, e.g.
                            local:    {loadBalancerPool: [127.200.0.0/24], zone: local-a,
                                       region: local, instanceType: k8ts.local, apiPort: 10260}
                            external: {url: http://127.0.0.1:8080, token: ..., timeout: 10s}
  --controllers LIST      Comma-separated controllers to run: '*' all, 'foo' enables, '-foo'
                          disables (default: *). Known: ${controllers.map((c) => `${c.name} (${Object.keys(aliases).find((a) => aliases[a] === c.name)})`).join(', ')}
  --cluster-name NAME     Load balancers and routes are named within it (default: kubernetes)
  --cluster-cidr LIST     Comma-separated CIDRs of pods; only routes inside them are deleted
  --node-monitor-period DURATION
                          How often NotReady nodes are checked at the cloud (default: 5s)
  --node-status-update-frequency DURATION
                          How often node addresses are refreshed from the cloud (default: 5m)
  --route-reconciliation-period DURATION
                          How often routes are reconciled (default: 10s)
  --concurrent-service-syncs N  Services synced at once (default: 1)
  --leader-elect          Run only while holding the Lease kube-system/cloud-controller-manager
                          (default: true; --leader-elect=false turns it off)
  --secure-port PORT      Port of /healthz, /readyz and /metrics; 0 picks a free one (default: 10258)
  --bind-address ADDR     Address of that port (default: 127.0.0.1)
  -h, --help              Show this help
`;

function positiveInt(v: string | undefined, flag: string): number | undefined {
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v) || Number(v) < 1) throw new Error(`${flag}: want a positive integer, got ${JSON.stringify(v)}`);
  return Number(v);
}

async function run(args: string[]): Promise<number> {
  const normalized = args.map((a) => (a === '--leader-elect' ? '--leader-elect=true' : a));
  const { values } = parseArgs({
    args: normalized,
    options: {
      kubeconfig: { type: 'string' },
      'cloud-provider': { type: 'string', default: 'local' },
      'cloud-config': { type: 'string' },
      controllers: { type: 'string', default: '*' },
      'cluster-name': { type: 'string' },
      'cluster-cidr': { type: 'string' },
      'node-monitor-period': { type: 'string' },
      'node-status-update-frequency': { type: 'string' },
      'route-reconciliation-period': { type: 'string' },
      'concurrent-service-syncs': { type: 'string' },
      'leader-elect': { type: 'string', default: 'true' },
      'secure-port': { type: 'string', default: '10258' },
      'bind-address': { type: 'string', default: '127.0.0.1' },
    },
    strict: true,
  });
  if (!values.kubeconfig) throw new Error(`--kubeconfig is required\n\n${usage}`);
  if (values['leader-elect'] !== 'true' && values['leader-elect'] !== 'false') throw new Error(`--leader-elect: want true or false, got ${JSON.stringify(values['leader-elect'])}`);
  const port = Number(values['secure-port']);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--secure-port: invalid port ${values['secure-port']}`);
  const ccm = createCloudControllerManager({
    kubeconfig: values.kubeconfig,
    cloudProvider: values['cloud-provider'],
    cloudConfig: values['cloud-config'] ? loadCloudConfig(values['cloud-config']) : {},
    controllers: values.controllers.split(',').map((s) => s.trim()).filter(Boolean),
    leaderElect: values['leader-elect'] === 'true',
    healthPort: port,
    bindAddress: values['bind-address'],
    settings: {
      clusterName: values['cluster-name'],
      clusterCIDRs: values['cluster-cidr']?.split(',').map((s) => s.trim()).filter(Boolean),
      nodeMonitorPeriodMs: optionalGoDuration(values['node-monitor-period'], '--node-monitor-period'),
      nodeStatusUpdateFrequencyMs: optionalGoDuration(values['node-status-update-frequency'], '--node-status-update-frequency'),
      routeReconciliationPeriodMs: optionalGoDuration(values['route-reconciliation-period'], '--route-reconciliation-period'),
      concurrentServiceSyncs: positiveInt(values['concurrent-service-syncs'], '--concurrent-service-syncs'),
    },
  });
  await ccm.start();
  log('cloud-controller-manager', `cloud provider ${ccm.provider.providerName}; controllers: ${ccm.controllers.join(', ')}; health and metrics on http://${values['bind-address']}:${ccm.healthPort}`);
  const apiURL = (ccm.provider as Partial<LocalProvider>).apiURL;
  if (apiURL) log('cloud-controller-manager', `local cloud API: ${apiURL}`);
  const signal = await untilSignal();
  log('cloud-controller-manager', `${signal}: shutting down`);
  await ccm.close();
  return 0;
}

export const cloudControllerManager = { usage, run };
