// Bad requests get a 4xx metav1.Status, change nothing, and never take the server down:
// malformed bodies, unknown kinds, invalid names, oversize bodies, bad selectors, bad
// patches, and a burst of random garbage.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Agent, request } from 'node:https';
import { after, before, it } from 'node:test';
import { parse } from 'yaml';
import { startCluster, type Cluster } from '../support/k8ts-cluster.ts';

let cluster: Cluster;
let agent: Agent;

before(async () => {
  cluster = await startCluster();
  const config = parse(readFileSync(cluster.kubeconfig, 'utf8')) as {
    clusters: { cluster: Record<string, string> }[];
    users: { user: Record<string, string> }[];
  };
  const b64 = (s: string) => Buffer.from(s, 'base64');
  agent = new Agent({
    ca: b64(config.clusters[0].cluster['certificate-authority-data']),
    cert: b64(config.users[0].user['client-certificate-data']),
    key: b64(config.users[0].user['client-key-data']),
    keepAlive: true,
  });
});
after(async () => {
  agent?.destroy();
  await cluster?.stop();
});

interface Reply {
  code: number;
  body: string;
}

function send(method: string, path: string, body?: string | Buffer, contentType = 'application/json'): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | number> = body !== undefined ? { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(body) } : {};
    const req = request(new URL(path, cluster.url), { method, agent, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ code: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

function status(reply: Reply, code: number, reason?: string): void {
  assert.equal(reply.code, code, reply.body);
  assert.ok(reply.body.startsWith('{'), `a ${code} without a Status body: ${JSON.stringify(reply.body)}`);
  const s = JSON.parse(reply.body) as { kind: string; status: string; code: number; reason?: string; message?: string };
  assert.equal(s.kind, 'Status');
  assert.equal(s.status, 'Failure');
  assert.equal(s.code, code);
  if (reason) assert.equal(s.reason, reason);
  assert.ok(s.message, 'a Status says what is wrong');
}

const cms = '/api/v1/namespaces/default/configmaps';

it('refuses bad requests with the right Status and stores nothing', async () => {
  const before = JSON.parse((await send('GET', cms)).body).items.length;
  status(await send('POST', cms, '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"x"'), 400, 'BadRequest');
  status(await send('POST', cms, 'kind: [unclosed', 'application/yaml'), 400, 'BadRequest');
  status(await send('POST', cms, '[1,2,3]'), 400, 'BadRequest');
  status(await send('POST', cms, '{"apiVersion":"v1","kind":"Secret","metadata":{"name":"x"}}'), 400, 'BadRequest');
  status(await send('POST', cms, '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"Not_Valid"}}'), 422, 'Invalid');
  status(await send('POST', cms, '{"apiVersion":"v1","kind":"ConfigMap","metadata":{}}'), 422, 'Invalid');
  status(await send('POST', cms, '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"t"},"data":"text"}'), 400, 'BadRequest');
  status(await send('POST', cms, 'x', 'text/plain'), 415, 'UnsupportedMediaType');
  status(await send('POST', cms, Buffer.alloc(4 * 1024 * 1024, 0x20)), 413, 'RequestEntityTooLarge');
  status(await send('POST', '/api/v1/namespaces/default/widgets', '{}'), 404, 'NotFound');
  status(await send('POST', '/api/v1/namespaces/missing/configmaps', '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"y"}}'), 404, 'NotFound');
  status(await send('GET', `${cms}?labelSelector=a%20in%20(`), 400, 'BadRequest');
  status(await send('GET', `${cms}?fieldSelector=nope=1`), 400, 'BadRequest');
  status(await send('GET', `${cms}?limit=-1`), 400, 'BadRequest');
  status(await send('GET', `${cms}?continue=garbage`), 400, 'BadRequest');
  status(await send('GET', `${cms}?watch=true&resourceVersion=abc`), 400, 'BadRequest');
  status(await send('GET', `${cms}?watch=true&resourceVersion=1`), 410, 'Expired');
  assert.equal((await send('POST', cms, '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"target"},"data":{"a":"1"}}')).code, 201);
  status(await send('PATCH', `${cms}/target`, '{"data":', 'application/merge-patch+json'), 400, 'BadRequest');
  status(await send('PATCH', `${cms}/target`, '[{"op":"bogus","path":"/data"}]', 'application/json-patch+json'), 422);
  status(await send('PATCH', `${cms}/target`, '[{"op":"test","path":"/data/a","value":"2"}]', 'application/json-patch+json'), 422);
  status(await send('PATCH', `${cms}/target`, '{"data":{"a":1}}', 'application/merge-patch+json'), 400, 'BadRequest');
  status(await send('PATCH', `${cms}/target`, '{}', 'application/xml'), 415, 'UnsupportedMediaType');
  status(await send('PUT', `${cms}/target`, '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"other"}}'), 400, 'BadRequest');
  status(await send('PUT', `${cms}/target`, '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"target","resourceVersion":"1"}}'), 409, 'Conflict');
  status(await send('DELETE', `${cms}/target`, '{"propagationPolicy":"Sideways"}'), 400, 'BadRequest');
  status(await send('DELETE', `${cms}/target`, '{"preconditions":{"uid":"not-it"}}'), 409, 'Conflict');
  const target = JSON.parse((await send('GET', `${cms}/target`)).body) as { data: Record<string, string> };
  assert.deepEqual(target.data, { a: '1' }, 'refused patches and updates changed nothing');
  const afterCount = JSON.parse((await send('GET', cms)).body).items.length;
  assert.equal(afterCount, before + 1, 'only the one good create stored anything');
});

it('survives a burst of garbage and keeps serving', async () => {
  let seed = 7;
  const random = (n: number) => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return (seed >>> 8) % n;
  };
  const paths = [cms, `${cms}/target`, '/api/v1/namespaces/default/pods', '/apis/apps/v1/namespaces/default/deployments', '/api/v1/nodes', '/api/v1/namespaces/default/pods/p/binding'];
  const types = ['application/json', 'application/yaml', 'application/merge-patch+json', 'application/json-patch+json', 'application/strategic-merge-patch+json', 'application/apply-patch+yaml', 'application/vnd.kubernetes.protobuf'];
  const methods = ['POST', 'PUT', 'PATCH', 'DELETE'];
  const bodies = ['{', '{}', 'null', '"x"', '[{}]', '{"metadata":null}', '{"metadata":{"name":7}}', '{"spec":{"containers":"no"}}', 'k8s\u0000\u0001\u0002', '---\n- a\n- b', '{"apiVersion":1}', '\u0000\u00ff'];
  for (let i = 0; i < 300; i++) {
    const r = await send(methods[random(methods.length)], paths[random(paths.length)], bodies[random(bodies.length)], types[random(types.length)]);
    // Some of these are valid (a PUT of {} replaces an object); none may be a server error.
    assert.ok(r.code < 500, `garbage got ${r.code}: ${r.body}`);
    if (r.code >= 400) assert.match(r.body, /^\{"kind":"Status"/);
  }
  assert.equal((await send('GET', '/readyz')).code, 200);
});
