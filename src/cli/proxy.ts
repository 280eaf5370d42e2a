// `k8ts proxy`: kube-proxy alone, against any API server a kubeconfig names.

import { hostname } from 'node:os';
import { parseArgs } from 'node:util';
import { deleteTable } from '../kube-proxy/nftables/nft.ts';
import { defaultTable } from '../kube-proxy/nftables/proxier.ts';
import { createKubeProxy, proxyModes, type ProxyMode } from '../kube-proxy/server.ts';
import { untilSignal } from './process.ts';
import { optionalGoDuration } from '../machinery/duration.ts';

const usage = `Usage: k8ts proxy --kubeconfig PATH [flags]

Makes Services reachable on this node: watches Services and EndpointSlices through the API
server and forwards connections to each Service's ClusterIP:port and to the node's NodePorts
to the Service's ready endpoints.

Flags:
  --kubeconfig PATH        Kubeconfig of the API server to use (required)
  --mode MODE              Data plane: userspace (sockets in this process, no root needed;
                           ClusterIPs must be local addresses, e.g. a service CIDR in 127.0.0.0/8)
                           or nftables (the nft table "k8ts", IPv4; needs root and the nft
                           binary) (default: userspace)
  --node-name NAME         This node's name, for endpoints' nodeName and the Local traffic
                           policies (default: the host name; also --hostname-override)
  --bind-address ADDR      The node's address, where NodePorts listen (default: 127.0.0.1);
                           nftables: 0.0.0.0 serves them on every non-loopback local address,
                           127.0.0.1 sets net.ipv4.conf.all.route_localnet=1
  --cluster-cidr CIDR      nftables: the pod network; traffic to ClusterIPs from outside it is
                           masqueraded
  --masquerade-all         nftables: masquerade all traffic to ClusterIPs
  --cleanup                nftables: delete the "k8ts" table and exit
  --health-port PORT       Port of /healthz, /livez, /readyz and /metrics (upstream splits them
                           over 10256 and 10249); 0 picks a free one (default: 10256)
  --health-bind-address ADDR
                           Address of that port (default: 127.0.0.1)
  --udp-timeout DURATION   Idle time after which a UDP client association ends (default: 250ms)
  --sync-period DURATION   How often everything is re-synced (default: 30s)
  -h, --help               Show this help
`;

async function run(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      kubeconfig: { type: 'string' },
      mode: { type: 'string', default: 'userspace' },
      'node-name': { type: 'string' },
      'hostname-override': { type: 'string' },
      'bind-address': { type: 'string', default: '127.0.0.1' },
      'health-port': { type: 'string', default: '10256' },
      'health-bind-address': { type: 'string', default: '127.0.0.1' },
      'udp-timeout': { type: 'string' },
      'sync-period': { type: 'string' },
      'cluster-cidr': { type: 'string' },
      'masquerade-all': { type: 'boolean', default: false },
      cleanup: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.cleanup) {
    await deleteTable(defaultTable);
    return 0;
  }
  if (!values.kubeconfig) throw new Error(`--kubeconfig is required\n\n${usage}`);
  if (!proxyModes.includes(values.mode as ProxyMode)) throw new Error(`--mode: unsupported mode ${JSON.stringify(values.mode)} (supported: ${proxyModes.join(', ')})`);
  const healthPort = Number(values['health-port']);
  if (!Number.isInteger(healthPort) || healthPort < 0 || healthPort > 65535) throw new Error(`--health-port: invalid port ${values['health-port']}`);
  const udpIdleTimeoutMs = optionalGoDuration(values['udp-timeout'], '--udp-timeout');
  if (udpIdleTimeoutMs !== undefined && udpIdleTimeoutMs <= 0) throw new Error('--udp-timeout: must be greater than 0');
  const proxy = createKubeProxy({
    kubeconfig: values.kubeconfig,
    mode: values.mode as ProxyMode,
    nodeName: values['node-name'] ?? values['hostname-override'] ?? hostname(),
    bindAddress: values['bind-address'],
    healthPort,
    healthBindAddress: values['health-bind-address'],
    udpIdleTimeoutMs,
    syncPeriodMs: optionalGoDuration(values['sync-period'], '--sync-period'),
    clusterCIDR: values['cluster-cidr'],
    masqueradeAll: values['masquerade-all'],
  });
  await proxy.start();
  const signal = await untilSignal();
  process.stdout.write(`${new Date().toISOString()} INFO kube-proxy: ${signal}: shutting down\n`);
  await proxy.close();
  return 0;
}

export const proxy = { usage, run };
