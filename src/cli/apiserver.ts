// `k8ts apiserver`: the kube-apiserver alone.

import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { createKubeApiServer } from '../kube-apiserver/server.ts';
import { log, untilSignal } from './process.ts';

const usage = `Usage: k8ts apiserver [flags]

Serves the Kubernetes API over HTTPS from a store, writing its PKI and an admin kubeconfig
into --data-dir.

Flags:
  --data-dir DIR        PKI and kubeconfig (default: .k8ts)
  --store URL           sqlite://<path>, etcd://host:port[,host:port...] or etcds://... (default: sqlite://DIR/state.db)
  --bind-address ADDR   Listen address (default: 127.0.0.1)
  --port PORT           Port; 0 picks a free one (default: 6443)
  --service-cluster-ip-range CIDR   ClusterIPs (default: 10.96.0.0/12)
  --service-node-port-range RANGE   NodePorts (default: 30000-32767)
  --allow-loopback-endpoints        Admit loopback addresses in Endpoints and EndpointSlices
                                    (nodes whose kubelets run pods as host processes)
  -h, --help            Show this help
`;

async function run(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      'data-dir': { type: 'string', default: '.k8ts' },
      store: { type: 'string' },
      'bind-address': { type: 'string', default: '127.0.0.1' },
      port: { type: 'string', default: '6443' },
      'service-cluster-ip-range': { type: 'string' },
      'service-node-port-range': { type: 'string' },
      'allow-loopback-endpoints': { type: 'boolean', default: false },
    },
    strict: true,
  });
  const dataDir = resolve(values['data-dir']);
  const apiserver = createKubeApiServer({
    dataDir,
    storeUrl: values.store ?? `sqlite://${dataDir}/state.db`,
    bindAddress: values['bind-address'],
    serviceClusterIpRange: values['service-cluster-ip-range'],
    serviceNodePortRange: values['service-node-port-range'],
    allowLoopbackEndpoints: values['allow-loopback-endpoints'],
    port: Number(values.port),
    log: (m) => log('kube-apiserver', m),
  });
  await apiserver.start();
  log('kube-apiserver', `kubeconfig: ${apiserver.kubeconfigPath}`);
  const signal = await untilSignal();
  log('kube-apiserver', `${signal}: shutting down`);
  await apiserver.close();
  return 0;
}

export const apiserver = { usage, run };
