// The REST-backed PodResourceSource against a local plain-HTTP stub of the API server.

import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { RestClient } from '../../client/rest-client.ts';
import { restPodResourceSource } from './resource-source.ts';

describe('restPodResourceSource', () => {
  let server: Server;
  let client: RestClient;
  const requests: { method: string; url: string; body: unknown }[] = [];

  before(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk));
      req.on('end', () => {
        requests.push({ method: req.method!, url: req.url!, body: body ? JSON.parse(body) : undefined });
        const send = (code: number, obj: unknown): void => {
          res.writeHead(code, { 'content-type': 'application/json' });
          res.end(JSON.stringify(obj));
        };
        if (req.url === '/api/v1/namespaces/ns/configmaps/present') return send(200, { kind: 'ConfigMap', metadata: { name: 'present' }, data: { a: '1' } });
        if (req.url === '/api/v1/namespaces/ns/serviceaccounts/builder/token') {
          return send(201, { kind: 'TokenRequest', status: { token: 'jwt', expirationTimestamp: '2025-01-01T01:00:00Z' } });
        }
        if (req.url === '/api/v1/namespaces/ns/secrets/broken') return send(500, { kind: 'Status', status: 'Failure', reason: 'InternalError', message: 'etcd is down', code: 500 });
        send(404, { kind: 'Status', status: 'Failure', reason: 'NotFound', message: 'not found', code: 404 });
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    client = new RestClient({ server: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, userAgent: 'kubelet-test' });
  });
  after(async () => {
    client.close();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('reads objects, maps NotFound to undefined and passes other failures on', async () => {
    const source = restPodResourceSource(client);
    assert.deepEqual((await source.getConfigMap('ns', 'present'))?.data, { a: '1' });
    assert.equal(await source.getConfigMap('ns', 'absent'), undefined);
    assert.equal(await source.getSecret('ns', 'absent'), undefined);
    await assert.rejects(source.getSecret('ns', 'broken'), { message: 'etcd is down' });
  });

  it('asks for a pod-bound token through the TokenRequest subresource', async () => {
    const source = restPodResourceSource(client);
    const issued = await source.requestServiceAccountToken('ns', 'builder', { audiences: ['vault'], expirationSeconds: 3607, pod: { name: 'web-0', uid: 'u1' } });
    assert.deepEqual(issued, { token: 'jwt', expirationTimestamp: '2025-01-01T01:00:00Z' });
    const req = requests.find((r) => r.method === 'POST')!;
    assert.equal(req.url, '/api/v1/namespaces/ns/serviceaccounts/builder/token');
    assert.deepEqual(req.body, {
      apiVersion: 'authentication.k8s.io/v1',
      kind: 'TokenRequest',
      spec: { audiences: ['vault'], expirationSeconds: 3607, boundObjectRef: { apiVersion: 'v1', kind: 'Pod', name: 'web-0', uid: 'u1' } },
    });
  });
});
