// The external provider's client against a small fake provider program (an HTTP server here).

import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { isInstanceNotFound, isNotImplemented, type ProviderContext } from '../../cloudprovider/cloud.ts';
import { loadBalancerService, node, quietLogger } from '../../testing.ts';
import { realClock } from '../../../machinery/clock.ts';
import type { SharedInformerFactory } from '../../../client/informer-factory.ts';
import type { RestClient } from '../../../client/rest-client.ts';
import { createExternalProvider, type ExternalProvider } from './external.ts';

interface Received {
  method: string;
  path: string;
  auth?: string;
  body: any;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    let text = '';
    req.setEncoding('utf8').on('data', (c: string) => (text += c));
    req.on('end', () => resolve(text));
  });
}

describe('external provider', () => {
  let server: Server;
  let url = '';
  const received: Received[] = [];
  const routes = [{ name: 'r1', targetNode: 'n1', destinationCIDR: '10.244.1.0/24' }];
  let provider: ExternalProvider;

  before(async () => {
    server = createServer(async (req, res) => {
      const text = await readBody(req);
      const body = text ? JSON.parse(text) : undefined;
      received.push({ method: req.method!, path: req.url!, auth: req.headers.authorization, body });
      const send = (code: number, obj: unknown) => {
        res.writeHead(code, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify(obj));
      };
      const name = body?.node?.metadata?.name;
      switch (req.url) {
        case '/cloud/v1/capabilities':
          return send(200, { providerName: 'fakecloud', instances: true, loadBalancer: true, routes: true });
        case '/cloud/v1/instances/exists':
          return send(200, { exists: name !== 'gone' });
        case '/cloud/v1/instances/shutdown':
          return send(200, { shutdown: name === 'stopped' });
        case '/cloud/v1/instances/metadata':
          if (name === 'gone') return send(404, { error: `no machine ${name}`, code: 'InstanceNotFound' });
          return send(200, { providerID: `fakecloud://${name}`, instanceType: 'small', zone: 'z1', region: 'r1', nodeAddresses: [{ type: 'InternalIP', address: '10.1.1.1' }] });
        case '/cloud/v1/loadbalancers/ensure':
          if (body.service.metadata.name === 'unsupported') return send(501, { error: 'no load balancers in this region', code: 'NotImplemented' });
          if (body.service.metadata.name === 'broken') {
            res.writeHead(500);
            return res.end('oops');
          }
          return send(200, { status: { ingress: [{ ip: '203.0.113.9' }] } });
        case '/cloud/v1/loadbalancers/get':
          return send(200, { exists: true, status: { ingress: [{ ip: '203.0.113.9' }] } });
        case '/cloud/v1/loadbalancers/update':
        case '/cloud/v1/loadbalancers/delete':
        case '/cloud/v1/routes/create':
        case '/cloud/v1/routes/delete':
          return send(200, {});
        case '/cloud/v1/routes/list':
          return send(200, { routes });
        default:
          return send(501, { error: 'not here', code: 'NotImplemented' });
      }
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/cloud`;
    provider = createExternalProvider({ url, token: 's3cret', timeout: '2s' });
    const ctx: ProviderContext = { client: {} as RestClient, informers: {} as SharedInformerFactory, clock: realClock, log: quietLogger, signal: new AbortController().signal };
    await provider.initialize!(ctx);
  });
  after(async () => {
    await provider.close!();
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  test('reads the capabilities at initialize and offers what the program implements', () => {
    assert.deepEqual(provider.capabilities, { providerName: 'fakecloud', instances: true, loadBalancer: true, routes: true, hasClusterID: true });
    assert.ok(provider.instancesV2());
    assert.ok(provider.loadBalancer());
    assert.ok(provider.routes());
    assert.equal(provider.zones(), undefined);
    assert.equal(received[0].method, 'GET');
    assert.equal(received[0].auth, 'Bearer s3cret');
  });

  test('instances: exists, shutdown, metadata; InstanceNotFound is recognised', async () => {
    const v2 = provider.instancesV2()!;
    const n1 = node('n1');
    n1.metadata.managedFields = [{ manager: 'kubelet' }];
    assert.equal(await v2.instanceExists(n1), true);
    assert.equal(await v2.instanceExists(node('gone')), false);
    assert.equal(await v2.instanceShutdown(node('stopped')), true);
    assert.deepEqual(await v2.instanceMetadata(n1), { providerID: 'fakecloud://n1', instanceType: 'small', zone: 'z1', region: 'r1', nodeAddresses: [{ type: 'InternalIP', address: '10.1.1.1' }] });
    const sent = received.find((r) => r.path === '/cloud/v1/instances/exists')!;
    assert.equal(sent.method, 'POST');
    assert.equal(sent.body.node.metadata.name, 'n1');
    assert.equal(sent.body.node.metadata.managedFields, undefined, 'managedFields are not sent');
    await assert.rejects(v2.instanceMetadata(node('gone')), (err) => isInstanceNotFound(err) && /no machine gone/.test((err as Error).message));
  });

  test('load balancers: ensure, get, update, delete carry the cluster name, the name and the nodes', async () => {
    const lb = provider.loadBalancer()!;
    const svc = loadBalancerService('web', { uid: '1234-5678' });
    assert.deepEqual(await lb.ensureLoadBalancer('kubernetes', svc, [node('n1'), node('n2')]), { ingress: [{ ip: '203.0.113.9' }] });
    const ensure = received.find((r) => r.path === '/cloud/v1/loadbalancers/ensure')!;
    assert.equal(ensure.body.clusterName, 'kubernetes');
    assert.equal(ensure.body.name, 'a12345678');
    assert.equal(ensure.body.service.metadata.name, 'web');
    assert.deepEqual(ensure.body.nodes.map((n: { metadata: { name: string } }) => n.metadata.name), ['n1', 'n2']);
    assert.deepEqual(await lb.getLoadBalancer('kubernetes', svc), { exists: true, status: { ingress: [{ ip: '203.0.113.9' }] } });
    await lb.updateLoadBalancer('kubernetes', svc, [node('n1')]);
    await lb.ensureLoadBalancerDeleted('kubernetes', svc);
    assert.ok(received.some((r) => r.path === '/cloud/v1/loadbalancers/delete' && r.body.name === 'a12345678'));
  });

  test('routes: list, create, delete', async () => {
    const r = provider.routes()!;
    assert.deepEqual(await r.listRoutes('kubernetes'), routes);
    await r.createRoute('kubernetes', 'uid-n2', { targetNode: 'n2', destinationCIDR: '10.244.2.0/24' });
    await r.deleteRoute('kubernetes', routes[0]);
    const create = received.find((x) => x.path === '/cloud/v1/routes/create')!;
    assert.deepEqual(create.body, { clusterName: 'kubernetes', nameHint: 'uid-n2', route: { targetNode: 'n2', destinationCIDR: '10.244.2.0/24' } });
  });

  test('an error code NotImplemented is recognised; other failures name the operation', async () => {
    const lb = provider.loadBalancer()!;
    await assert.rejects(lb.ensureLoadBalancer('kubernetes', loadBalancerService('unsupported'), []), (err) => isNotImplemented(err) && (err as Error).message === 'no load balancers in this region');
    await assert.rejects(lb.ensureLoadBalancer('kubernetes', loadBalancerService('broken'), []), /cloud provider loadbalancers\/ensure: HTTP 500: answer is not JSON/);
    const wrongPath = createExternalProvider({ url: `${url}/nowhere` });
    const ctx: ProviderContext = { client: {} as RestClient, informers: {} as SharedInformerFactory, clock: realClock, log: quietLogger, signal: AbortSignal.abort() };
    await assert.rejects(wrongPath.initialize!(ctx), /did not answer: not here/);
    await wrongPath.close!();
  });

  test('a program that never answers makes initialize fail after initTimeout', async () => {
    const dead = createExternalProvider({ url: 'http://127.0.0.1:9/', initTimeout: '300ms', timeout: '200ms' });
    const ctx: ProviderContext = { client: {} as RestClient, informers: {} as SharedInformerFactory, clock: realClock, log: quietLogger, signal: new AbortController().signal };
    await assert.rejects(dead.initialize!(ctx), /did not answer/);
    await dead.close!();
  });

  test('the config is checked', () => {
    assert.throws(() => createExternalProvider({}), /url is required/);
    assert.throws(() => createExternalProvider({ url: 'ftp://x' }), /http/);
    assert.throws(() => createExternalProvider({ url: 'http://x', tiemout: '1s' }), /unknown field "tiemout"/);
  });
});
