import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import { FakeClock } from '../../machinery/fake-clock.ts';
import { grpcProbe } from './grpc.ts';

// grpc.health.v1 messages, encoded by hand so the test does not share the prober's codec.
const health = {
  Check: {
    path: '/grpc.health.v1.Health/Check',
    requestStream: false,
    responseStream: false,
    requestSerialize: (r: { service: string }) => Buffer.from(r.service),
    // An object, not the bare name: grpc-js takes a falsy request for a missing one.
    requestDeserialize: (b: Buffer) => ({ service: b.length ? b.subarray(2).toString() : '' }),
    responseSerialize: (status: number) => Buffer.from([0x08, status]),
    responseDeserialize: (b: Buffer) => b[1] ?? 0,
  },
};

const statuses: Record<string, number> = { '': 1, db: 2 };
const userAgents: string[] = [];
let onHang: (() => void) | undefined;
let server: grpc.Server;
let bare: grpc.Server;
let port = 0;
let barePort = 0;

function bind(s: grpc.Server): Promise<number> {
  return new Promise((resolve, reject) => s.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))));
}

before(async () => {
  server = new grpc.Server();
  server.addService(health, {
    Check: (call: grpc.ServerUnaryCall<{ service: string }, number>, callback: grpc.sendUnaryData<number>) => {
      userAgents.push(String(call.metadata.get('user-agent')[0] ?? ''));
      if (call.request.service === 'hang') return onHang?.();
      const status = statuses[call.request.service];
      if (status === undefined) callback({ code: grpc.status.NOT_FOUND, details: 'unknown service' });
      else callback(null, status);
    },
  });
  port = await bind(server);
  bare = new grpc.Server();
  barePort = await bind(bare);
});

after(() => {
  server.forceShutdown();
  bare.forceShutdown();
});

const opts = () => ({ clock: new FakeClock(), timeoutSeconds: 1, userAgent: 'kube-probe/1.33' });

test('grpc probe: SERVING succeeds and other statuses fail', async () => {
  assert.deepEqual(await grpcProbe('127.0.0.1', port, '', opts()), { result: 'success', output: 'service is serving' });
  assert.deepEqual(await grpcProbe('127.0.0.1', port, 'db', opts()), { result: 'failure', output: 'service unhealthy (responded with "NOT_SERVING")' });
  assert.match(userAgents[0], /^kube-probe\/1\.33/);
});

test('grpc probe: RPC errors and servers without the Health service fail', async () => {
  assert.deepEqual(await grpcProbe('127.0.0.1', port, 'nope', opts()), {
    result: 'failure',
    output: 'error: health rpc probe failed: rpc error: code = NotFound desc = unknown service',
  });
  const got = await grpcProbe('127.0.0.1', barePort, '', opts());
  assert.equal(got.result, 'failure');
  assert.match(got.output, /^error: this server does not implement the grpc health protocol \(grpc\.health\.v1\.Health\)/);
});

test('grpc probe: a server that never comes up fails after timeoutSeconds', async () => {
  const down = new grpc.Server();
  const downPort = await bind(down);
  down.forceShutdown();
  const o = opts();
  const pending = grpcProbe('127.0.0.1', downPort, '', o);
  await new Promise((r) => setTimeout(r, 20));
  o.clock.advance(1000);
  assert.deepEqual(await pending, {
    result: 'failure',
    output: `timeout: failed to connect service "127.0.0.1:${downPort}" within 1s: context deadline exceeded`,
  });
});

test('grpc probe: a connected server that does not answer in time fails as an rpc timeout', async () => {
  const o = opts();
  const arrived = new Promise<void>((r) => (onHang = r));
  const pending = grpcProbe('127.0.0.1', port, 'hang', o);
  await arrived;
  o.clock.advance(1000);
  assert.deepEqual(await pending, { result: 'failure', output: 'timeout: health rpc did not complete within 1s' });
});
