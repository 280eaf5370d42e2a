// How the API server reaches a pod's kubelet, as upstream's kubelet client: the node the pod is
// bound to names the kubelet's address (status.addresses, InternalIP first) and port
// (status.daemonEndpoints.kubeletEndpoint.Port); the API server connects over TLS with its own
// client certificate (kube-apiserver-kubelet-client). The kubelet's serving certificate is not
// verified unless a CA for it is configured (upstream's default when --kubelet-certificate-authority
// is unset).

import { connect, type TLSSocket } from 'node:tls';
import type { IncomingMessage } from 'node:http';
import { request } from 'node:https';
import { StatusError } from '../../machinery/status.ts';
import type { KubeObject } from '../../api/kind.ts';
import type { ResourceStore } from '../registry/resource-store.ts';

export interface KubeletClientConfig {
  certPem: string;
  keyPem: string;
  /** CA of kubelets' serving certificates; undefined: not verified. */
  caPem?: string;
}

export interface KubeletLocation {
  host: string;
  port: number;
  pod: KubeObject;
}

type Pod = KubeObject & { spec?: { nodeName?: string; containers?: { name: string }[]; initContainers?: { name: string }[]; ephemeralContainers?: { name: string }[] } };
type Node = KubeObject & { status?: { addresses?: { type: string; address: string }[]; daemonEndpoints?: { kubeletEndpoint?: { Port?: number } } } };

/** Finds the kubelet that runs a pod; 400 when the pod has no node yet, as upstream. */
export async function locateKubelet(pods: ResourceStore, nodes: ResourceStore, namespace: string, name: string): Promise<KubeletLocation> {
  const pod = (await pods.get(namespace, name)) as Pod;
  const nodeName = pod.spec?.nodeName;
  if (!nodeName) throw new StatusError(400, 'BadRequest', `pod ${name} does not have a host assigned`);
  const node = (await nodes.get('', nodeName)) as Node;
  const addresses = node.status?.addresses ?? [];
  const host = (addresses.find((a) => a.type === 'InternalIP') ?? addresses.find((a) => a.type === 'ExternalIP') ?? addresses.find((a) => a.type === 'Hostname'))?.address;
  const port = node.status?.daemonEndpoints?.kubeletEndpoint?.Port;
  if (!host || !port) throw new StatusError(500, 'InternalError', `node ${nodeName} has no kubelet endpoint in its status`);
  return { host, port, pod };
}

/** The container a request is for: the one named, or the pod's only one; 400 otherwise, as upstream. */
export function containerFor(pod: Pod, requested: string | null): string {
  const all = [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? []), ...(pod.spec?.ephemeralContainers ?? [])].map((c) => c.name);
  const name = pod.metadata?.name ?? '';
  if (requested) {
    if (!all.includes(requested)) throw new StatusError(400, 'BadRequest', `container ${requested} is not valid for pod ${name}`);
    return requested;
  }
  const containers = (pod.spec?.containers ?? []).map((c) => c.name);
  if (containers.length === 1) return containers[0];
  throw new StatusError(400, 'BadRequest', `a container name must be specified for pod ${name}, choose one of: [${containers.join(' ')}]`);
}

/** A plain HTTPS GET to the kubelet; resolves with the response (status and body to stream). */
export function kubeletGet(config: KubeletClientConfig, location: KubeletLocation, path: string, signal: AbortSignal): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: location.host,
        port: location.port,
        path,
        method: 'GET',
        cert: config.certPem,
        key: config.keyPem,
        ...(config.caPem ? { ca: config.caPem } : { rejectUnauthorized: false }),
        signal,
      },
      resolve,
    );
    req.on('error', (err) => reject(new StatusError(500, 'InternalError', `error dialing kubelet: ${err.message}`)));
    req.end();
  });
}

/** A TLS connection to the kubelet, for requests that upgrade (exec, attach, port-forward). */
export function kubeletConnect(config: KubeletClientConfig, location: KubeletLocation): Promise<TLSSocket> {
  return new Promise((resolve, reject) => {
    const socket = connect({
      host: location.host,
      port: location.port,
      cert: config.certPem,
      key: config.keyPem,
      ...(config.caPem ? { ca: config.caPem } : { rejectUnauthorized: false }),
      servername: undefined,
    });
    socket.once('secureConnect', () => {
      socket.off('error', reject);
      resolve(socket);
    });
    socket.once('error', (err) => reject(new StatusError(500, 'InternalError', `error dialing kubelet: ${err.message}`)));
  });
}
