// `k8ts kubelet`: one node's kubelet, against any API server a kubeconfig names.

import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { createKubelet } from '../kubelet/kubelet.ts';
import { createRuntime, runtimeNames, type RuntimeName } from '../kubelet/runtime/select.ts';
import { untilSignal } from './process.ts';

const usage = `Usage: k8ts kubelet --kubeconfig PATH [flags]

Registers a Node and runs the pods bound to it.

Flags:
  --kubeconfig PATH        Kubeconfig of the API server (required)
  --node-name NAME         Name of the Node (default: the hostname)
  --node-ip IP             The node's address; every pod's on the process runtime (default: 127.0.0.1)
  --runtime NAME           ${runtimeNames.join(' | ')} (default: process)
  --root-dir DIR           Pods' volumes, logs and runtime state (default: .k8ts/kubelet/<node>)
  --port PORT              Kubelet API (logs, exec, port-forward); 0 picks a free one (default: 10250)
  --client-ca-file FILE    CA of the clients (the API server) allowed to use the kubelet API
  --tls-cert-file FILE     Serving certificate (default: a self-signed one)
  --tls-private-key-file FILE
  --pod-manifest-path DIR  Directory of static pod manifests
  --node-labels K=V,...    Labels to register the node with
  --max-pods N             Pods this node runs at most (default: 110)
  --cloud-provider NAME    'external' registers the node tainted until the cloud-controller-manager initializes it
  -h, --help               Show this help
`;

async function run(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      kubeconfig: { type: 'string' },
      'node-name': { type: 'string' },
      'node-ip': { type: 'string', default: '127.0.0.1' },
      runtime: { type: 'string', default: 'process' },
      'root-dir': { type: 'string' },
      port: { type: 'string', default: '10250' },
      'client-ca-file': { type: 'string' },
      'tls-cert-file': { type: 'string' },
      'tls-private-key-file': { type: 'string' },
      'pod-manifest-path': { type: 'string' },
      'node-labels': { type: 'string' },
      'max-pods': { type: 'string' },
      'cloud-provider': { type: 'string' },
    },
    strict: true,
  });
  if (!values.kubeconfig) throw new Error(`--kubeconfig is required\n\n${usage}`);
  if (!runtimeNames.includes(values.runtime as RuntimeName)) throw new Error(`--runtime: want one of ${runtimeNames.join(', ')}, got ${JSON.stringify(values.runtime)}`);
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port: invalid port ${values.port}`);
  const nodeName = (values['node-name'] ?? hostname()).toLowerCase();
  const rootDir = resolve(values['root-dir'] ?? join('.k8ts', 'kubelet', nodeName));
  const labels = Object.fromEntries(
    (values['node-labels'] ?? '').split(',').filter(Boolean).map((kv) => {
      const i = kv.indexOf('=');
      if (i <= 0) throw new Error(`--node-labels: want key=value, got ${JSON.stringify(kv)}`);
      return [kv.slice(0, i), kv.slice(i + 1)];
    }),
  );
  if (!!values['tls-cert-file'] !== !!values['tls-private-key-file']) throw new Error('--tls-cert-file and --tls-private-key-file go together');
  const kubelet = createKubelet({
    kubeconfig: values.kubeconfig,
    nodeName,
    nodeIP: values['node-ip'],
    runtime: createRuntime(values.runtime as RuntimeName, { rootDir: join(rootDir, 'runtime'), nodeIP: values['node-ip'] }),
    rootDir,
    port,
    clientCaPem: values['client-ca-file'] ? readFileSync(values['client-ca-file'], 'utf8') : undefined,
    tls: values['tls-cert-file'] ? { certPem: readFileSync(values['tls-cert-file'], 'utf8'), keyPem: readFileSync(values['tls-private-key-file']!, 'utf8') } : undefined,
    staticPodPath: values['pod-manifest-path'] ? resolve(values['pod-manifest-path']) : undefined,
    labels,
    maxPods: values['max-pods'] ? Number(values['max-pods']) : undefined,
    cloudProvider: values['cloud-provider'],
  });
  await kubelet.start();
  const signal = await untilSignal();
  process.stdout.write(`${new Date().toISOString()} INFO kubelet: ${signal}: shutting down\n`);
  await kubelet.close();
  return 0;
}

export const kubelet = { usage, run };
