// `k8ts up`: the whole cluster in one process. It runs what exists of the control plane,
// in dependency order, until SIGINT or SIGTERM, then stops it in reverse order.

import { readFileSync, writeFileSync } from 'node:fs';
import { hostname, platform } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadCloudConfig } from '../cloud-controller-manager/config.ts';
import { optionalGoDuration } from '../machinery/duration.ts';
import type { LocalProvider } from '../cloud-controller-manager/providers/local/local.ts';
import { createCloudControllerManager } from '../cloud-controller-manager/server.ts';
import { createKubeApiServer } from '../kube-apiserver/server.ts';
import { createKubeControllerManager } from '../kube-controller-manager/server.ts';
import { createKubeScheduler } from '../kube-scheduler/scheduler.ts';
import { createKubelet, type Kubelet, type KubeletOptions } from '../kubelet/kubelet.ts';
import { createKubeProxy, proxyModes, type ProxyMode } from '../kube-proxy/server.ts';
import { claimLocalServiceRange, type LocalServiceRange } from '../kube-proxy/nftables/local-service-range.ts';
import { deleteTable, nftUsable } from '../kube-proxy/nftables/nft.ts';
import { defaultTable } from '../kube-proxy/nftables/proxier.ts';
import { criAvailable } from '../kubelet/runtime/cri/runtime.ts';
import { createRuntime, runtimeNames, type RuntimeName } from '../kubelet/runtime/select.ts';
import { createLogger, formatLine } from '../component-base/logging.ts';
import { ComponentLogs, controlPlanePods, type ControlPlaneComponent } from './control-plane-pods.ts';
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
  --disable-agent           Run no kubelet: a control plane without nodes (as k3s's flag)
  --disable-kube-proxy      Run no kube-proxy (as k3s's flag)
  --proxy-mode MODE         kube-proxy's data plane: userspace (sockets in this process, no root;
                            ClusterIPs on loopback) | nftables (the nft table "k8ts"; root and the
                            nft binary; ClusterIPs reachable from pods too; the Service range is
                            routed locally while the cluster runs) (default: userspace)
  --disable-cloud-controller  Run no cloud-controller-manager (as k3s's flag); nodes then register
                            without the uninitialized taint, and LoadBalancer Services stay pending
  --cloud-provider NAME     Cloud of the cloud-controller-manager: local | external (default: local:
                            this machine; load balancers on 127.200.0.0/24)
  --cloud-config FILE       Its settings, JSON or YAML (docs/cloud-provider-protocol.md)
  --node-monitor-grace-period DURATION  A node not heard from this long becomes NotReady (default: 40s)
  --service-cluster-ip-range CIDR  ClusterIPs (default: 127.100.0.0/16 with the userspace proxy,
                            on loopback so it can serve them without root; 10.96.0.0/16 with nftables)
  --service-node-port-range RANGE  NodePorts (default: 30000-32767)
  --node-name NAME          Name of this machine's node (default: the hostname)
  --runtime NAME            Container runtime of that node: cri (containerd) | process (host
                            processes) | fake (default: cri when containerd answers, else process)
  --kubelet-port PORT       Its kubelet API port; 0 picks a free one (default: 10250)
  --pod-manifest-path DIR   Static pods of that node (default: DIR/manifests)
  --fake-nodes N            Also run N hollow nodes (fake runtime: pods run nothing) (default: 0)
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
      'disable-agent': { type: 'boolean', default: false },
      'disable-kube-proxy': { type: 'boolean', default: false },
      'proxy-mode': { type: 'string', default: 'userspace' },
      'disable-cloud-controller': { type: 'boolean', default: false },
      'cloud-provider': { type: 'string', default: 'local' },
      'cloud-config': { type: 'string' },
      'node-monitor-grace-period': { type: 'string' },
      'service-cluster-ip-range': { type: 'string' },
      'service-node-port-range': { type: 'string' },
      'node-name': { type: 'string' },
      runtime: { type: 'string' },
      'kubelet-port': { type: 'string', default: '10250' },
      'pod-manifest-path': { type: 'string' },
      'fake-nodes': { type: 'string', default: '0' },
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
  const kubeletPort = Number(values['kubelet-port']);
  if (!Number.isInteger(kubeletPort) || kubeletPort < 0 || kubeletPort > 65535) throw new Error(`--kubelet-port: invalid port ${values['kubelet-port']}`);
  const fakeNodes = Number(values['fake-nodes']);
  if (!Number.isInteger(fakeNodes) || fakeNodes < 0) throw new Error(`--fake-nodes: want a count, got ${values['fake-nodes']}`);
  if (values.runtime !== undefined && !runtimeNames.includes(values.runtime as RuntimeName)) throw new Error(`--runtime: want one of ${runtimeNames.join(', ')}, got ${JSON.stringify(values.runtime)}`);
  const proxyMode = values['proxy-mode'] as ProxyMode;
  if (!proxyModes.includes(proxyMode)) throw new Error(`--proxy-mode: want one of ${proxyModes.join(', ')}, got ${JSON.stringify(values['proxy-mode'])}`);
  const nftables = !values['disable-kube-proxy'] && proxyMode === 'nftables';
  if (nftables && !(await nftUsable())) throw new Error('--proxy-mode nftables: needs root (CAP_NET_ADMIN) and the nft binary (apt-get install nftables)');
  const serviceRange = values['service-cluster-ip-range'] ?? (nftables ? '10.96.0.0/16' : '127.100.0.0/16');
  const runtimeName: RuntimeName = (values.runtime as RuntimeName | undefined) ?? (!values['disable-agent'] && (await criAvailable()) ? 'cri' : 'process');

  const logs = new ComponentLogs(dataDir);
  const apiserverLog = logs.sink('kube-apiserver');
  const apiserver = createKubeApiServer({
    dataDir,
    storeUrl,
    bindAddress: values['bind-address'],
    port,
    serviceClusterIpRange: serviceRange,
    serviceNodePortRange: values['service-node-port-range'],
    // Pods of the process runtime are host processes with loopback IPs; Services must reach them.
    allowLoopbackEndpoints: runtimeName === 'process',
    log: (m) => apiserverLog(formatLine(Date.now(), 'info', 'kube-apiserver', m)),
  });
  await apiserver.start();
  // The scheduler uses the admin kubeconfig the API server wrote (a dedicated identity later).
  const scheduler = createKubeScheduler({ kubeconfig: apiserver.kubeconfigPath, healthPort: 0, logger: createLogger('kube-scheduler', { sink: logs.sink('kube-scheduler') }) });
  await scheduler.start();
  const controllerManager = values['disable-controller-manager']
    ? undefined
    : createKubeControllerManager({
        kubeconfig: apiserver.kubeconfigPath,
        healthPort: 0,
        settings: { nodeMonitorGracePeriodMs: optionalGoDuration(values['node-monitor-grace-period'], '--node-monitor-grace-period') },
        logger: createLogger('kube-controller-manager', { sink: logs.sink('kube-controller-manager') }),
      });
  await controllerManager?.start();
  // Before kube-proxy, so the load balancers bind their addresses before anything else may.
  const cloudControllerManager = values['disable-cloud-controller']
    ? undefined
    : createCloudControllerManager({
        kubeconfig: apiserver.kubeconfigPath,
        cloudProvider: values['cloud-provider'],
        // The local cloud's API (instances, load balancers) on a free port unless the config names one.
        cloudConfig: { ...(values['cloud-provider'] === 'local' ? { apiPort: 0 } : {}), ...(values['cloud-config'] ? loadCloudConfig(values['cloud-config']) : {}) },
        healthPort: 0,
        logger: createLogger('cloud-controller-manager', { sink: logs.sink('cloud-controller-manager') }),
      });
  await cloudControllerManager?.start();
  // Kubelets wait, tainted, for the cloud node controller to initialize their nodes (as --cloud-provider=external).
  const cloudProvider = cloudControllerManager ? 'external' : undefined;
  const nodeName = (values['node-name'] ?? hostname()).toLowerCase();
  const network = nftables ? claimNodeNetwork(serviceRange) : undefined;
  const kubeProxy = values['disable-kube-proxy']
    ? undefined
    : createKubeProxy({ kubeconfig: apiserver.kubeconfigPath, mode: proxyMode, nodeName, bindAddress: '127.0.0.1', healthPort: 0, logger: createLogger('kube-proxy', { sink: logs.sink('kube-proxy') }) });
  await kubeProxy?.start().catch(async (err: unknown) => {
    await network?.release();
    throw err;
  });
  logs.sink('etcd')(formatLine(Date.now(), 'info', 'etcd', `store ${redact(storeUrl)} open; the API server is its only client`));
  const apiserverURL = new URL(apiserver.url);
  const components: ControlPlaneComponent[] = [
    { name: 'etcd', health: { scheme: 'HTTPS', port: Number(apiserverURL.port), path: '/livez' } },
    { name: 'kube-apiserver', health: { scheme: 'HTTPS', port: Number(apiserverURL.port), path: '/readyz' } },
    { name: 'kube-scheduler', health: { scheme: 'HTTP', port: scheduler.healthPort, path: '/healthz' } },
    ...(controllerManager ? [{ name: 'kube-controller-manager', health: { scheme: 'HTTP' as const, port: controllerManager.healthPort, path: '/healthz' } }] : []),
    ...(kubeProxy ? [{ name: 'kube-proxy', health: { scheme: 'HTTP' as const, port: kubeProxy.healthPort, path: '/healthz' } }] : []),
    ...(cloudControllerManager ? [{ name: 'cloud-controller-manager', health: { scheme: 'HTTP' as const, port: cloudControllerManager.healthPort, path: '/healthz' } }] : []),
  ];
  const kubelets: Kubelet[] = [];
  if (!values['disable-agent']) {
    const rootDir = join(dataDir, 'kubelet', nodeName);
    kubelets.push(
      createKubelet({
        kubeconfig: apiserver.kubeconfigPath,
        nodeName,
        // On Linux all of 127.0.0.0/8 is local: each host-process pod gets its own loopback address.
        runtime: createRuntime(runtimeName, { rootDir: join(rootDir, 'runtime'), nodeIP: '127.0.0.1', podCIDR: platform() === 'linux' ? '127.64.0.0/16' : undefined }),
        rootDir,
        port: kubeletPort,
        clientCaPem: readFileSync(join(dataDir, 'pki', 'ca.crt'), 'utf8'),
        staticPodPath: resolve(values['pod-manifest-path'] ?? join(dataDir, 'manifests')),
        staticPods: controlPlanePods(components, logs) as KubeletOptions['staticPods'],
        cloudProvider,
        logger: createLogger('kubelet'),
      }),
    );
  }
  for (let i = 0; i < fakeNodes; i++) {
    const nodeName = `fake-node-${i}`;
    kubelets.push(
      createKubelet({
        kubeconfig: apiserver.kubeconfigPath,
        nodeName,
        nodeIP: `127.1.${Math.floor(i / 250)}.${(i % 250) + 1}`,
        runtime: createRuntime('fake', { rootDir: '', nodeIP: '127.0.0.1', podCIDR: `10.${64 + Math.floor(i / 256)}.${i % 256}.0/24` }),
        rootDir: join(dataDir, 'kubelet', nodeName),
        capacity: { cpu: '32', memory: '256Gi', pods: '110' },
        cloudProvider,
        logger: createLogger(`kubelet/${nodeName}`),
      }),
    );
  }
  await Promise.all(kubelets.map((k) => k.start()));
  log('up', `store: ${redact(storeUrl)}`);
  log('up', `kube-apiserver: ${apiserver.url}`);
  log('up', `kube-scheduler: health and metrics on http://127.0.0.1:${scheduler.healthPort}`);
  if (controllerManager) log('up', `kube-controller-manager: health and metrics on http://127.0.0.1:${controllerManager.healthPort}`);
  if (cloudControllerManager) {
    const apiURL = (cloudControllerManager.provider as Partial<LocalProvider>).apiURL;
    log('up', `cloud-controller-manager: provider ${cloudControllerManager.provider.providerName}${apiURL ? `, local cloud API on ${apiURL}` : ''}; health and metrics on http://127.0.0.1:${cloudControllerManager.healthPort}`);
  }
  if (kubeProxy) {
    const plane = nftables ? `nftables (table ${defaultTable}), ClusterIPs in ${serviceRange}, routed on this machine` : `userspace, ClusterIPs in ${serviceRange}`;
    log('up', `kube-proxy: ${plane}; health and metrics on http://127.0.0.1:${kubeProxy.healthPort}`);
  }
  for (const k of kubelets.slice(0, 1)) log('up', `kubelet: node ${k.nodeName}, runtime ${runtimeName}, API on https://127.0.0.1:${k.port}`);
  if (fakeNodes) log('up', `kubelet: ${fakeNodes} hollow nodes (fake-node-0 … fake-node-${fakeNodes - 1})`);
  log('up', `kubeconfig: ${apiserver.kubeconfigPath}  (export KUBECONFIG=${apiserver.kubeconfigPath})`);
  log('up', `ready in ${Math.round(performance.now() - started)} ms; stop with Ctrl-C`);

  const signal = await untilSignal();
  log('up', `${signal}: shutting down`);
  await Promise.all(kubelets.map((k) => k.close()));
  await kubeProxy?.close();
  await network?.release();
  await cloudControllerManager?.close();
  await controllerManager?.close();
  await scheduler.close();
  await apiserver.close();
  await logs.close();
  log('up', 'stopped');
  return 0;
}

/**
 * What the nftables data plane changes on this machine, undone by release(): the Service range
 * routed locally (unless it is on loopback already), the table, and route_localnet (which the
 * proxier sets for NodePorts on 127.0.0.1).
 */
function claimNodeNetwork(serviceRange: string): { release(): Promise<void> } {
  const routeLocalnet = '/proc/sys/net/ipv4/conf/all/route_localnet';
  const localnetBefore = readFileSync(routeLocalnet, 'utf8').trim();
  const range: LocalServiceRange | undefined = serviceRange.startsWith('127.') ? undefined : claimLocalServiceRange(serviceRange);
  return {
    async release() {
      await deleteTable(defaultTable).catch(() => {});
      range?.release();
      try {
        if (readFileSync(routeLocalnet, 'utf8').trim() !== localnetBefore) writeFileSync(routeLocalnet, localnetBefore);
      } catch {
        // Not ours to fail a shutdown over.
      }
    },
  };
}

/** Leaves credentials out of URLs that are printed. */
function redact(url: string): string {
  return url.replace(/\/\/[^@/]*@/, '//***@');
}

export const up = { usage, run };
