// The external provider: a cloud implemented by any program that speaks the HTTP+JSON protocol of
// docs/cloud-provider-protocol.md, so k8ts can be bridged to a real cloud without TypeScript.
// At initialize it reads GET <url>/v1/capabilities (retrying until initTimeout) to learn which of
// instances, loadBalancer and routes the program offers; every call is then a POST of one JSON
// object to <url>/v1/<interface>/<operation>, answered by one JSON object. An answer
// {"error", "code"} with code InstanceNotFound, NotImplemented or ImplementedElsewhere becomes the
// matching CloudProviderError; any other failure (status, timeout, bad JSON) an Error naming the
// operation. Objects sent have metadata.managedFields removed.
// Config fields: url (required), token (sent as "Authorization: Bearer <token>"), timeout (per
// call, default 10s), initTimeout (default 30s).

import * as http from 'node:http';
import * as https from 'node:https';
import { realClock, type Clock } from '../../../machinery/clock.ts';
import { CloudProviderError, defaultLoadBalancerName, type CloudProvider, type CloudProviderErrorCode, type InstanceMetadata, type InstancesV2, type LoadBalancer, type ProviderContext, type Route, type Routes } from '../../cloudprovider/cloud.ts';
import { ConfigReader, type CloudConfig } from '../../config.ts';
import { sleep } from '../../context.ts';
import type { KubeObject, LoadBalancerStatus, Node, Service } from '../../types.ts';

export const protocolVersion = 'v1';

export interface Capabilities {
  providerName: string;
  instances: boolean;
  loadBalancer: boolean;
  routes: boolean;
  hasClusterID: boolean;
}

export interface ExternalProvider extends CloudProvider {
  readonly capabilities: Capabilities | undefined;
}

const codes = new Set<CloudProviderErrorCode>(['InstanceNotFound', 'NotImplemented', 'ImplementedElsewhere']);

function slim<T extends KubeObject>(obj: T): T {
  const copy = structuredClone(obj) as T;
  if (copy.metadata) delete copy.metadata.managedFields;
  return copy;
}

export function createExternalProvider(config: CloudConfig = {}, options: { clock?: Clock } = {}): ExternalProvider {
  const read = new ConfigReader(config, ['url', 'token', 'timeout', 'initTimeout'], 'cloud config (external provider)');
  const url = read.string('url');
  if (!url) throw new Error('cloud config (external provider): url is required (where the provider program listens)');
  const base = new URL(url.endsWith('/') ? url : `${url}/`);
  if (base.protocol !== 'http:' && base.protocol !== 'https:') throw new Error(`cloud config (external provider): url must be http:// or https://, got ${url}`);
  const token = read.string('token');
  const timeoutMs = read.durationMs('timeout') ?? 10_000;
  const initTimeoutMs = read.durationMs('initTimeout') ?? 30_000;
  const clock = options.clock ?? realClock;
  const agent = base.protocol === 'https:' ? new https.Agent({ keepAlive: true }) : new http.Agent({ keepAlive: true });
  let capabilities: Capabilities | undefined;

  function call<T>(method: 'GET' | 'POST', operation: string, body?: unknown): Promise<T> {
    const target = new URL(`${protocolVersion}/${operation}`, base);
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (payload) {
      headers['Content-Type'] = 'application/json';
      headers['Content-Length'] = String(payload.length);
    }
    if (token) headers.Authorization = `Bearer ${token}`;
    const transport = base.protocol === 'https:' ? https : http;
    return new Promise<T>((resolve, reject) => {
      const fail = (message: string) => reject(new Error(`cloud provider ${operation}: ${message}`));
      const req = transport.request(target, { method, headers, agent, timeout: timeoutMs }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', (err) => fail(err.message));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed: unknown;
          try {
            parsed = text.trim() === '' ? {} : JSON.parse(text);
          } catch {
            return fail(`HTTP ${res.statusCode}: answer is not JSON: ${JSON.stringify(text.slice(0, 200))}`);
          }
          const answer = (parsed ?? {}) as { error?: unknown; code?: unknown };
          if ((res.statusCode ?? 500) >= 300 || answer.error !== undefined) {
            const message = typeof answer.error === 'string' ? answer.error : `HTTP ${res.statusCode}`;
            if (typeof answer.code === 'string' && codes.has(answer.code as CloudProviderErrorCode)) return reject(new CloudProviderError(answer.code as CloudProviderErrorCode, message));
            return fail(message);
          }
          resolve(parsed as T);
        });
      });
      req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
      req.on('error', (err) => fail(err.message));
      req.end(payload);
    });
  }

  const post = <T>(operation: string, body: unknown) => call<T>('POST', operation, body);

  const instancesV2: InstancesV2 = {
    instanceExists: async (node: Node) => Boolean((await post<{ exists?: boolean }>('instances/exists', { node: slim(node) })).exists),
    instanceShutdown: async (node: Node) => Boolean((await post<{ shutdown?: boolean }>('instances/shutdown', { node: slim(node) })).shutdown),
    instanceMetadata: async (node: Node) => {
      const m = await post<Partial<InstanceMetadata>>('instances/metadata', { node: slim(node) });
      return { ...m, providerID: m.providerID ?? '' };
    },
  };

  const loadBalancer: LoadBalancer = {
    getLoadBalancerName: (_clusterName: string, service: Service) => defaultLoadBalancerName(service),
    async getLoadBalancer(clusterName, service) {
      const r = await post<{ exists?: boolean; status?: LoadBalancerStatus }>('loadbalancers/get', { clusterName, name: defaultLoadBalancerName(service), service: slim(service) });
      return { exists: Boolean(r.exists), status: r.status };
    },
    async ensureLoadBalancer(clusterName, service, nodes) {
      const r = await post<{ status?: LoadBalancerStatus }>('loadbalancers/ensure', { clusterName, name: defaultLoadBalancerName(service), service: slim(service), nodes: nodes.map(slim) });
      if (!r.status) throw new Error('cloud provider loadbalancers/ensure: the answer has no status');
      return r.status;
    },
    async updateLoadBalancer(clusterName, service, nodes) {
      await post('loadbalancers/update', { clusterName, name: defaultLoadBalancerName(service), service: slim(service), nodes: nodes.map(slim) });
    },
    async ensureLoadBalancerDeleted(clusterName, service) {
      await post('loadbalancers/delete', { clusterName, name: defaultLoadBalancerName(service), service: slim(service) });
    },
  };

  const routes: Routes = {
    listRoutes: async (clusterName) => (await post<{ routes?: Route[] }>('routes/list', { clusterName })).routes ?? [],
    async createRoute(clusterName, nameHint, route) {
      await post('routes/create', { clusterName, nameHint, route });
    },
    async deleteRoute(clusterName, route) {
      await post('routes/delete', { clusterName, route });
    },
  };

  return {
    get providerName() {
      return 'external';
    },
    get capabilities() {
      return capabilities;
    },
    async initialize(ctx: ProviderContext) {
      const deadline = clock.now() + initTimeoutMs;
      for (;;) {
        try {
          const c = await call<Partial<Capabilities>>('GET', 'capabilities');
          capabilities = { providerName: c.providerName ?? 'external', instances: Boolean(c.instances), loadBalancer: Boolean(c.loadBalancer), routes: Boolean(c.routes), hasClusterID: c.hasClusterID ?? true };
          ctx.log.info('cloud provider program answered', { url: base.href, ...capabilities });
          return;
        } catch (err) {
          if (ctx.signal.aborted || clock.now() >= deadline) throw new Error(`the external cloud provider at ${base.href} did not answer: ${err instanceof Error ? err.message : String(err)}`);
          await sleep(clock, 500, ctx.signal);
        }
      }
    },
    async close() {
      agent.destroy();
    },
    loadBalancer: () => (capabilities?.loadBalancer ? loadBalancer : undefined),
    instances: () => undefined,
    instancesV2: () => (capabilities?.instances ? instancesV2 : undefined),
    zones: () => undefined,
    routes: () => (capabilities?.routes ? routes : undefined),
    hasClusterID: () => capabilities?.hasClusterID ?? true,
  };
}
