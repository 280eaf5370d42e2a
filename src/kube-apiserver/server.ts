// kube-apiserver: the only component that reaches the store; serves the Kubernetes REST
// API over HTTPS to everything else. createKubeApiServer(options) follows the component
// shape of DESIGN.md: start(signal), ready, close().
//
// Request chain: authentication (client certificate; anonymous only for health and
// version), then routing to discovery, OpenAPI, metrics or a resource; every error leaves
// as a metav1.Status.

import { mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import { DEFAULT_CIPHERS as tlsDefaultCiphers } from 'node:tls';
import { STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { isIP, type AddressInfo } from 'node:net';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import type { KindDefinition } from '../api/kind.ts';
import type { Clock } from '../machinery/clock.ts';
import { realClock } from '../machinery/clock.ts';
import { forbidden, StatusError, unauthorized } from '../machinery/status.ts';
import { openStore } from '../store/open.ts';
import type { Store } from '../store/store.ts';
import { mastersAuthorizer, type Authorizer } from './auth/authorizer.ts';
import { ServiceAccountTokens, serviceAccountUser } from './auth/service-account-tokens.ts';
import type { UserInfo } from './auth/user.ts';
import { advertiseAddress, bootstrap } from './bootstrap.ts';
import { builtinKinds } from '../api/builtin.ts';
import { allowLoopbackEndpoints } from './loopback-endpoints.ts';
import { builtinResources } from './builtin.ts';
import { createCrdController } from './apiextensions/crd-controller.ts';
import { aggregatedDiscovery, apiGroup, apiGroupList, apiResourceList, apiVersions } from './discovery/discovery.ts';
import type { RequestContext, ServerContext } from './handlers/context.ts';
import { serveResource } from './handlers/resource.ts';
import { proxyPodStream } from './kubelet/pod-streams.ts';
import { negotiateDiscovery, parseMediaTypes } from './http/negotiation.ts';
import { requestInfo } from './http/request-info.ts';
import { toStatus, writeJson, writeStatus } from './http/respond.ts';
import { Metrics } from './metrics.ts';
import { OpenApi, serverVersion } from './openapi/openapi.ts';
import { ensurePki, type Pki } from './pki/pki-dir.ts';
import { userFromTLSSocket } from '../component-base/certificates.ts';
import { writeKubeconfig } from './pki/kubeconfig.ts';
import { ResourceStore } from './registry/resource-store.ts';
import { ResourceRegistry, type ApiResource } from './registry/resources.ts';
import { WatchCache } from './registry/watch-cache.ts';
import { ServiceAllocator } from './registry/service-allocator.ts';

export interface ApiServerOptions {
  /** Where the PKI and the admin kubeconfig live. */
  dataDir: string;
  /** Store URL (sqlite://, etcd://, memory://); ignored when `store` is given. */
  storeUrl?: string;
  /** An already open store, for embedding; the server does not close it. */
  store?: Store;
  bindAddress?: string;
  /** 0 picks a free port. */
  port?: number;
  clock?: Clock;
  authorizer?: Authorizer;
  /** --service-cluster-ip-range (default 10.96.0.0/12). */
  serviceClusterIpRange?: string;
  /** --service-node-port-range (default 30000-32767). */
  serviceNodePortRange?: string;
  /** Kinds to serve instead of the built-in ones. */
  kinds?: KindDefinition[];
  /** Admit loopback addresses in Endpoints and EndpointSlices (pods that are host processes). */
  allowLoopbackEndpoints?: boolean;
  log?: (message: string) => void;
}

export interface KubeApiServer {
  start(signal?: AbortSignal): Promise<void>;
  /** Resolves when the server answers requests. */
  ready: Promise<void>;
  close(): Promise<void>;
  /** https://host:port, once started. */
  readonly url: string;
  readonly kubeconfigPath: string;
  readonly store: Store | undefined;
}

/** Paths anyone may read, without credentials. */
const publicPaths = new Set(['/healthz', '/livez', '/readyz', '/version', '/version/']);

export function createKubeApiServer(options: ApiServerOptions): KubeApiServer {
  const clock = options.clock ?? realClock;
  const log = options.log ?? (() => {});
  const registry = new ResourceRegistry();
  const kinds = options.kinds ?? builtinKinds();
  for (const r of builtinResources(options.allowLoopbackEndpoints ? allowLoopbackEndpoints(kinds) : kinds)) registry.add(r);
  const openApi = new OpenApi(registry);
  const metrics = new Metrics();
  const stopping = new AbortController();
  const stores = new Map<string, ResourceStore>();
  /** Connections handed over to kubelet streams, ended when the server closes. */
  const upgraded = new Set<Duplex>();
  const certUsers = new WeakMap<TLSSocket, ReturnType<typeof userFromTLSSocket> | null>();
  const caches = new Map<string, WatchCache>();
  let store: Store | undefined = options.store;
  let server: Server | undefined;
  let url = '';
  let ready = false;
  let resolveReady!: () => void;
  let rejectReady!: (err: unknown) => void;
  const readyPromise = new Promise<void>((resolve, reject) => {
    resolveReady = resolve;
    rejectReady = reject;
  });
  readyPromise.catch(() => {});
  const kubeconfigPath = join(options.dataDir, 'kubeconfig.yaml');

  const tokens = new ServiceAccountTokens(join(options.dataDir, 'pki', 'sa.key'));
  const context: ServerContext = {
    tokens,
    registry,
    clock,
    authorizer: options.authorizer ?? mastersAuthorizer,
    serviceAllocator: new ServiceAllocator({ serviceCidr: options.serviceClusterIpRange, nodePortRange: options.serviceNodePortRange }),
    signal: stopping.signal,
    storeFor(resource: ApiResource): ResourceStore {
      const key = `${resource.group}/${resource.resource}`;
      let rs = stores.get(key);
      if (!rs || rs.resource !== resource) {
        // One watch cache per storage prefix, shared by resources stored in one place.
        let cache = caches.get(resource.keyPrefix);
        if (!cache) caches.set(resource.keyPrefix, (cache = new WatchCache(store!, resource.keyPrefix)));
        rs = new ResourceStore(resource, store!, cache);
        stores.set(key, rs);
      }
      return rs;
    },
  };
  // Custom resources: serves what CustomResourceDefinitions define (apiextensions/).
  const crdController = createCrdController(context, { log });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = performance.now();
    const url = new URL(req.url ?? '/', 'https://localhost');
    const path = url.pathname.length > 1 ? url.pathname.replace(/\/+$/, '') : url.pathname;
    const info = requestInfo(req.method ?? 'GET', path, url.searchParams);
    let code = 500;
    try {
      if (publicPaths.has(path) || path.startsWith('/healthz/') || path.startsWith('/livez/') || path.startsWith('/readyz/')) {
        code = serveHealth(path, res);
        return;
      }
      const user = impersonate(await authenticate(req), req);
      const ctx: RequestContext = { req, res, url, info, user, server: context, warnings: [] };
      await route(ctx, path);
      code = res.statusCode;
    } catch (err) {
      const status = toStatus(err);
      if (status.code >= 500) log(`${req.method} ${req.url}: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
      code = status.code;
      writeStatus(res, status);
    } finally {
      metrics.observe(info.verb, info.isResource ? info.resource : '', info.subresource, code, (performance.now() - started) / 1000);
    }
  }

  /** Upgrade requests: pods/exec, pods/attach and pods/portforward, spliced through to the kubelet. */
  async function handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    upgraded.add(socket);
    socket.on('close', () => upgraded.delete(socket));
    socket.on('error', () => socket.destroy());
    const url = new URL(req.url ?? '/', 'https://localhost');
    const path = url.pathname.length > 1 ? url.pathname.replace(/\/+$/, '') : url.pathname;
    const info = requestInfo(req.method ?? 'GET', path, url.searchParams);
    const started = performance.now();
    let code = 101;
    try {
      const user = impersonate(await authenticate(req), req);
      const sub = info.subresource;
      if (!info.isResource || info.group !== '' || info.resource !== 'pods' || (sub !== 'exec' && sub !== 'attach' && sub !== 'portforward') || !info.name) {
        throw new StatusError(404, 'NotFound', 'the server could not find the requested resource');
      }
      const pods = registry.get('', 'v1', 'pods');
      const nodes = registry.get('', 'v1', 'nodes');
      if (!ready || !pods || !nodes || !context.kubeletClient) throw new StatusError(503, 'ServiceUnavailable', 'the server is starting up');
      const decision = context.authorizer.authorize({ user, verb: info.verb, group: '', version: 'v1', resource: 'pods', subresource: sub, namespace: info.namespace, name: info.name });
      if (!decision.allowed) throw forbidden(pods.gr, info.name, user.name, info.verb, decision.reason, info.namespace);
      await proxyPodStream(req, socket, head, url, context.kubeletClient, context.storeFor(pods), context.storeFor(nodes), info.namespace, info.name, sub);
    } catch (err) {
      const status = toStatus(err);
      code = status.code;
      const body = JSON.stringify(status);
      socket.end(`HTTP/1.1 ${status.code} ${STATUS_CODES[status.code] ?? ''}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
    } finally {
      metrics.observe(info.verb, 'pods', info.subresource, code, (performance.now() - started) / 1000);
    }
  }

  function serveHealth(path: string, res: ServerResponse): number {
    if (path === '/version') {
      writeJson(res, 200, {
        ...serverVersion,
        gitCommit: '0000000000000000000000000000000000000000',
        gitTreeState: 'clean',
        buildDate: '2026-01-01T00:00:00Z',
        goVersion: `node${process.versions.node}`,
        compiler: 'k8ts',
        platform: `${process.platform}/${process.arch === 'x64' ? 'amd64' : process.arch}`,
      });
      return 200;
    }
    const code = ready ? 200 : 503;
    const text = ready ? 'ok' : 'not ready';
    res.writeHead(code, { 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff' });
    res.end(text);
    return code;
  }

  /** Impersonate-User / Impersonate-Group (kubectl --as / --as-group), for those allowed to. */
  function impersonate(user: UserInfo, req: IncomingMessage): UserInfo {
    const as = req.headers['impersonate-user'];
    if (typeof as !== 'string' || as === '') return user;
    const decision = context.authorizer.authorize({ user, verb: 'impersonate', group: '', resource: 'users', name: as });
    if (!decision.allowed) throw forbidden({ group: '', resource: 'users' }, as, user.name, 'impersonate', decision.reason);
    const groups = req.headersDistinct['impersonate-group'] ?? [];
    const serviceAccount = /^system:serviceaccount:([^:]+):/.exec(as);
    const implied = serviceAccount ? ['system:serviceaccounts', `system:serviceaccounts:${serviceAccount[1]}`] : [];
    return { name: as, groups: [...new Set([...groups, ...implied, 'system:authenticated'])] };
  }

  /** Client certificate first, then a service account bearer token; nothing else is accepted. */
  async function authenticate(req: IncomingMessage): Promise<UserInfo> {
    // A connection's certificate does not change: read it once per connection.
    const socket = req.socket as TLSSocket;
    let fromCert = certUsers.get(socket);
    if (fromCert === undefined) certUsers.set(socket, (fromCert = userFromTLSSocket(socket) ?? null));
    if (fromCert) return { name: fromCert.user, groups: [...fromCert.groups, 'system:authenticated'] };
    const bearer = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
    if (bearer) {
      const claims = tokens.verify(bearer, Math.floor(clock.now() / 1000));
      const accounts = registry.get('', 'v1', 'serviceaccounts');
      if (claims && accounts) {
        const { namespace, serviceaccount } = claims['kubernetes.io'];
        try {
          const sa = await context.storeFor(accounts).get(namespace, serviceaccount.name);
          if (sa.metadata?.uid === serviceaccount.uid) return serviceAccountUser(claims);
        } catch {
          // deleted: the token is no longer valid
        }
      }
    }
    throw unauthorized();
  }

  async function route(ctx: RequestContext, path: string): Promise<void> {
    const { info, req, res } = ctx;
    if (path === '/metrics') {
      res.writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4' });
      res.end(metrics.render());
      return;
    }
    if (path === '/openapi/v2') return serveOpenApiV2(req, res);
    if (path === '/openapi/v3') return writeJson(res, 200, openApi.v3Index());
    if (path.startsWith('/openapi/v3/')) {
      const doc = openApi.v3Document(path.slice('/openapi/v3/'.length));
      if (!doc) throw new StatusError(404, 'NotFound', 'the server could not find the requested resource');
      res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': ctx.url.searchParams.has('hash') ? 'public, immutable' : 'no-cache' });
      res.end(doc);
      return;
    }
    if (path === '/api' || path === '/apis') {
      const output = negotiateDiscovery(req.headers.accept);
      if (output.aggregated) {
        res.setHeader('Vary', 'Accept');
        return writeJson(res, 200, aggregatedDiscovery(registry, path === '/api', output.aggregated), output.contentType);
      }
      return writeJson(res, 200, path === '/api' ? apiVersions(`${serverHost()}`) : apiGroupList(registry));
    }
    if (!info.isResource) {
      if (info.prefix === 'apis' && info.group && !info.version) {
        const group = registry.groups().find((g) => g.group === info.group);
        if (group) return writeJson(res, 200, apiGroup(group.group, group.versions));
      }
      if (info.prefix && info.version && info.parts.length === 0) {
        const list = apiResourceList(registry, info.group, info.version);
        if (list) return writeJson(res, 200, list);
      }
      throw new StatusError(404, 'NotFound', 'the server could not find the requested resource');
    }
    const resource = registry.get(info.group, info.version, info.resource);
    if (!resource) {
      throw new StatusError(404, 'NotFound', 'the server could not find the requested resource', info.name ? { name: info.name, group: info.group || undefined, kind: info.resource } : undefined);
    }
    if (!ready) throw new StatusError(503, 'ServiceUnavailable', 'the server is starting up');
    const decision = context.authorizer.authorize({
      user: ctx.user,
      verb: info.verb,
      group: info.group,
      version: info.version,
      resource: info.resource,
      subresource: info.subresource,
      namespace: info.namespace,
      name: info.name,
    });
    if (!decision.allowed) throw forbidden(resource.gr, info.name, ctx.user.name, info.verb, decision.reason, info.namespace);
    await serveResource(ctx, resource);
  }

  function serveOpenApiV2(req: IncomingMessage, res: ServerResponse): void {
    const wantsProto = parseMediaTypes(req.headers.accept).some((m) => m.subtype.startsWith('com.github.proto-openapi.spec.v2'));
    if (wantsProto) {
      // An empty protobuf message is a valid (empty) document; kubectl reads v3 for schemas.
      res.writeHead(200, { 'Content-Type': 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf', 'Content-Length': 0 });
      res.end();
      return;
    }
    const body = openApi.v2Json();
    res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
    res.end(body);
  }

  function serverHost(): string {
    return url.replace(/^https:\/\//, '');
  }

  async function start(signal?: AbortSignal): Promise<void> {
    signal?.addEventListener('abort', () => void close());
    try {
      mkdirSync(options.dataDir, { recursive: true });
      const storeReady = store ? Promise.resolve(store) : openStore(options.storeUrl ?? `sqlite://${join(options.dataDir, 'state.db')}`);
      // The serving certificate names the service IP and, when bound to one, the bind address.
      const bind = options.bindAddress ?? '127.0.0.1';
      const serverIPs = [context.serviceAllocator.firstIP, ...(isIP(bind) && bind !== '0.0.0.0' && bind !== '::' ? [bind] : [])];
      const machine = hostname().toLowerCase();
      const serverNames = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/.test(machine) ? [machine] : [];
      const pkiReady = ensurePki(join(options.dataDir, 'pki'), { serverIPs, serverNames });
      const [opened, pki] = await Promise.all([storeReady, pkiReady]);
      store = opened;
      const kubeletClientCert = await pki.issueClientCertificate('kube-apiserver-kubelet-client', ['system:masters']);
      context.kubeletClient = { certPem: kubeletClientCert.certPem, keyPem: kubeletClientCert.keyPem };
      server = await listen(pki, options.bindAddress ?? '127.0.0.1', options.port ?? 6443);
      const address = server.address() as AddressInfo;
      const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
      url = `https://${host}:${address.port}`;
      await writeKubeconfig(kubeconfigPath, {
        server: url,
        caPem: pki.ca.certPem,
        clientCertPem: pki.admin.certPem,
        clientKeyPem: pki.admin.keyPem,
        user: 'kubernetes-admin',
      });
      await bootstrap(context, { apiServerAddress: advertiseAddress(bind), apiServerPort: address.port, now: clock.now(), serviceIP: context.serviceAllocator.firstIP, log });
      await crdController.start();
      ready = true;
      log(`serving on ${url}`);
      resolveReady();
    } catch (err) {
      rejectReady(err);
      throw err;
    }
  }

  function listen(pki: Pki, host: string, port: number): Promise<Server> {
    const https = createServer(
      {
        cert: pki.server.certPem,
        key: pki.server.keyPem,
        ca: pki.ca.certPem,
        requestCert: true,
        rejectUnauthorized: false,
        keepAliveTimeout: 30_000,
        // AES-128-GCM first, as Go's TLS servers prefer it (upstream's API server included): the
        // same security level for clients here, and a quarter less time on bulk bytes (LISTs).
        ciphers: preferAes128(tlsDefaultCiphers),
        honorCipherOrder: true,
      },
      (req, res) => void handle(req, res),
    );
    https.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => void handleUpgrade(req, socket, head));
    https.requestTimeout = 0;
    return new Promise((resolve, reject) => {
      https.once('error', reject);
      https.listen(port, host, () => {
        https.off('error', reject);
        resolve(https);
      });
    });
  }

  let closing: Promise<void> | undefined;
  function close(): Promise<void> {
    closing ??= (async () => {
      ready = false;
      stopping.abort();
      crdController.close();
      for (const cache of caches.values()) cache.close();
      for (const socket of upgraded) socket.destroy();
      if (server) {
        const s = server;
        await new Promise<void>((resolve) => {
          s.close(() => resolve());
          s.closeAllConnections();
        });
      }
      if (store && !options.store) await store.close();
    })();
    return closing;
  }

  return {
    start,
    ready: readyPromise,
    close,
    get url() {
      return url;
    },
    kubeconfigPath,
    get store() {
      return store;
    },
  };
}

/** Node's cipher list with TLS_AES_128_GCM_SHA256 moved to the front. */
function preferAes128(ciphers: string): string {
  const first = 'TLS_AES_128_GCM_SHA256';
  return [first, ...ciphers.split(':').filter((c) => c !== first)].join(':');
}
