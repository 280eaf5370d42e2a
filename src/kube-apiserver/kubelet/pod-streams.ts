// The pods/log, pods/exec, pods/attach and pods/portforward subresources, which the API server
// does not serve itself but proxies to the kubelet running the pod, as upstream:
// - log: GET …/pods/P/log?container=&follow=&previous=&tailLines=&timestamps=&sinceSeconds=&sinceTime=&limitBytes=
//   → GET /containerLogs/NS/P/C?… on the kubelet, its text streamed back (chunked);
// - exec/attach/portforward: the client's upgrade request (WebSocket or SPDY) is forwarded to the
//   kubelet's /exec, /attach or /portForward as is, and from the kubelet's answer on the two
//   connections are spliced byte for byte, so any streaming protocol the kubelet speaks works.

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { invalid, StatusError } from '../../machinery/status.ts';
import type { ResourceStore } from '../registry/resource-store.ts';
import { containerFor, kubeletConnect, kubeletGet, locateKubelet, type KubeletClientConfig } from './kubelet-client.ts';

const logParams = ['follow', 'previous', 'tailLines', 'timestamps', 'sinceSeconds', 'sinceTime', 'limitBytes', 'insecureSkipTLSVerifyBackend'];

function validateLogParams(q: URLSearchParams): void {
  for (const name of ['tailLines', 'sinceSeconds', 'limitBytes']) {
    const v = q.get(name);
    if (v === null || v === '') continue;
    if (!/^-?\d+$/.test(v)) throw new StatusError(400, 'BadRequest', `couldn't parse ${name}: "${v}" is not an integer`);
    const n = Number(v);
    if (name === 'tailLines' && n < 0) throw invalid('', 'PodLogOptions', '', [{ reason: 'FieldValueInvalid', field: 'tailLines', message: `Invalid value: ${n}: must be greater than or equal to 0` }]);
    if (name !== 'tailLines' && n < 1) throw invalid('', 'PodLogOptions', '', [{ reason: 'FieldValueInvalid', field: name, message: `Invalid value: ${n}: must be greater than 0` }]);
  }
  if (q.get('sinceSeconds') && q.get('sinceTime')) {
    throw invalid('', 'PodLogOptions', '', [{ reason: 'FieldValueForbidden', field: 'sinceSeconds', message: 'Forbidden: at most one of `sinceTime` or `sinceSeconds` may be specified' }]);
  }
}

export async function servePodLog(req: IncomingMessage, res: ServerResponse, url: URL, config: KubeletClientConfig, pods: ResourceStore, nodes: ResourceStore, namespace: string, name: string, signal: AbortSignal): Promise<void> {
  validateLogParams(url.searchParams);
  const location = await locateKubelet(pods, nodes, namespace, name);
  const container = containerFor(location.pod, url.searchParams.get('container'));
  const query = new URLSearchParams();
  for (const p of logParams) {
    const v = url.searchParams.get(p);
    if (v !== null && p !== 'insecureSkipTLSVerifyBackend') query.set(p, v);
  }
  const abort = new AbortController();
  const onAbort = () => abort.abort();
  signal.addEventListener('abort', onAbort, { once: true });
  res.on('close', onAbort);
  try {
    const upstream = await kubeletGet(config, location, `/containerLogs/${encodeURIComponent(namespace)}/${encodeURIComponent(name)}/${encodeURIComponent(container)}${query.size ? `?${query}` : ''}`, abort.signal);
    const type = upstream.headers['content-type'] ?? 'text/plain';
    res.writeHead(upstream.statusCode ?? 500, { 'Content-Type': type, 'Transfer-Encoding': 'chunked' });
    // Each chunk goes out as it comes (kubectl logs -f prints lines as they are written).
    upstream.on('data', (chunk: Buffer) => res.write(chunk));
    await new Promise<void>((resolve) => {
      upstream.on('end', resolve);
      upstream.on('error', () => resolve());
      upstream.on('close', resolve);
    });
    res.end();
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
  void req;
}

const hopByHop = new Set(['host', 'authorization', 'impersonate-user', 'impersonate-group', 'impersonate-uid', 'content-length']);

/** Forwards an upgrade request for exec/attach/portforward to the kubelet and splices the connections. */
export async function proxyPodStream(req: IncomingMessage, socket: Duplex, head: Buffer, url: URL, config: KubeletClientConfig, pods: ResourceStore, nodes: ResourceStore, namespace: string, name: string, subresource: 'exec' | 'attach' | 'portforward'): Promise<void> {
  const location = await locateKubelet(pods, nodes, namespace, name);
  const q = new URLSearchParams(url.searchParams);
  let path: string;
  if (subresource === 'portforward') {
    path = `/portForward/${encodeURIComponent(namespace)}/${encodeURIComponent(name)}`;
  } else {
    const container = containerFor(location.pod, q.get('container'));
    q.delete('container');
    if (subresource === 'exec' && q.getAll('command').length === 0) throw new StatusError(400, 'BadRequest', 'you must specify at least 1 command');
    path = `/${subresource}/${encodeURIComponent(namespace)}/${encodeURIComponent(name)}/${encodeURIComponent(container)}`;
  }
  const kubelet = await kubeletConnect(config, location);
  const lines = [`${req.method} ${path}${q.size ? `?${q}` : ''} HTTP/1.1`, `Host: ${location.host}:${location.port}`];
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    const key = req.rawHeaders[i];
    if (hopByHop.has(key.toLowerCase())) continue;
    lines.push(`${key}: ${req.rawHeaders[i + 1]}`);
  }
  kubelet.write(`${lines.join('\r\n')}\r\n\r\n`);
  if (head.length) kubelet.write(head);
  const end = () => {
    socket.destroy();
    kubelet.destroy();
  };
  kubelet.on('error', end);
  socket.on('error', end);
  kubelet.on('close', end);
  socket.on('close', end);
  kubelet.pipe(socket);
  socket.pipe(kubelet);
}
