import { test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { once } from 'node:events';
import { connect, createServer, type TLSSocket } from 'node:tls';
import type { AddressInfo } from 'node:net';
import {
  createCA,
  issueClientCertificate,
  issueServingCertificate,
  userFromPeerCertificate,
  userFromTLSSocket,
  type UserInfo,
} from './certificates.ts';

const ca = await createCA();

test('the CA is self-signed, a CA, named k8ts-ca and valid for ten years', () => {
  const cert = new X509Certificate(ca.certPem);
  assert.equal(cert.subject, 'CN=k8ts-ca');
  assert.equal(cert.issuer, 'CN=k8ts-ca');
  assert.equal(cert.ca, true);
  assert.ok(cert.verify(cert.publicKey));
  assert.ok(cert.checkPrivateKey(createPrivateKey(ca.keyPem)));
  const years = (Date.parse(cert.validTo) - Date.now()) / (365 * 24 * 3600 * 1000);
  assert.ok(years > 9.99 && years <= 10, `valid for ${years} years`);
  assert.match(ca.keyPem, /^-----BEGIN PRIVATE KEY-----\n/);
  assert.match(ca.certPem, /-----END CERTIFICATE-----\n$/);
  const legacy = cert.toLegacyObject() as { ext_key_usage?: string[] };
  assert.equal(legacy.ext_key_usage, undefined);
});

test('a serving certificate covers the default names and IPs plus the requested ones', async () => {
  const served = await issueServingCertificate(ca, { dnsNames: ['k8ts.example', '192.168.1.9'], ips: ['10.96.0.1'] });
  const cert = new X509Certificate(served.certPem);
  assert.equal(cert.ca, false);
  assert.ok(cert.verify(new X509Certificate(ca.certPem).publicKey));
  assert.ok(cert.checkPrivateKey(createPrivateKey(served.keyPem)));
  const names = [
    'localhost',
    'kubernetes',
    'kubernetes.default',
    'kubernetes.default.svc',
    'kubernetes.default.svc.cluster.local',
    'k8ts.example',
  ];
  for (const name of names) assert.equal(cert.checkHost(name, { subject: 'never' }), name);
  for (const ip of ['127.0.0.1', '::1', '10.96.0.1', '192.168.1.9']) assert.equal(cert.checkIP(ip), ip);
  assert.equal(cert.checkHost('other.example', { subject: 'never' }), undefined);
  const legacy = cert.toLegacyObject() as { ext_key_usage?: string[] };
  assert.deepEqual(legacy.ext_key_usage, ['1.3.6.1.5.5.7.3.1']);
});

test('a serving certificate refuses a non-IP among the IPs', async () => {
  await assert.rejects(issueServingCertificate(ca, { ips: ['kubernetes'] }), /not an IP address/);
});

test('a client certificate names the user in CN and the groups in O', async () => {
  const admin = await issueClientCertificate(ca, { user: 'kubernetes-admin', groups: ['system:masters'] });
  const cert = new X509Certificate(admin.certPem);
  assert.equal(cert.subject, 'CN=kubernetes-admin\nO=system:masters');
  const legacy = cert.toLegacyObject() as { ext_key_usage?: string[] };
  assert.deepEqual(legacy.ext_key_usage, ['1.3.6.1.5.5.7.3.2']);
  const many = await issueClientCertificate(ca, { user: 'system:node:n1', groups: ['system:nodes', 'a, b=c'] });
  assert.deepEqual(userFromPeerCertificate(new X509Certificate(many.certPem).toLegacyObject()), {
    user: 'system:node:n1',
    groups: ['system:nodes', 'a, b=c'],
  });
  await assert.rejects(issueClientCertificate(ca, { user: '' }), /must not be empty/);
});

test('userFromPeerCertificate reads CN and O as string or array', () => {
  assert.deepEqual(userFromPeerCertificate({ subject: { CN: 'alice', O: 'dev' } }), { user: 'alice', groups: ['dev'] });
  assert.deepEqual(userFromPeerCertificate({ subject: { CN: 'bob', O: ['a', 'b'] } }), {
    user: 'bob',
    groups: ['a', 'b'],
  });
  assert.deepEqual(userFromPeerCertificate({ subject: { CN: ['first', 'last'] } }), { user: 'last', groups: [] });
  assert.equal(userFromPeerCertificate({ subject: { O: 'no-cn' } }), undefined);
  assert.equal(userFromPeerCertificate({ subject: { CN: '' } }), undefined);
  assert.equal(userFromPeerCertificate({}), undefined);
  assert.equal(userFromPeerCertificate(undefined), undefined);
});

test('over TLS, only a certificate signed by the CA yields a user', async (t) => {
  const server = await issueServingCertificate(ca);
  const seen: (UserInfo | undefined)[] = [];
  const tlsServer = createServer(
    { cert: server.certPem, key: server.keyPem, ca: ca.certPem, requestCert: true, rejectUnauthorized: false },
    (socket: TLSSocket) => {
      seen.push(userFromTLSSocket(socket));
      socket.end('bye');
    },
  );
  tlsServer.listen(0, '127.0.0.1');
  await once(tlsServer, 'listening');
  t.after(() => tlsServer.close());
  const { port } = tlsServer.address() as AddressInfo;

  const dial = async (client?: { certPem: string; keyPem: string }) => {
    const socket = connect({
      host: '127.0.0.1',
      port,
      servername: 'localhost',
      ca: ca.certPem,
      cert: client?.certPem,
      key: client?.keyPem,
    });
    socket.resume();
    await once(socket, 'end');
    socket.destroy();
  };

  await dial(await issueClientCertificate(ca, { user: 'alice', groups: ['dev', 'ops'] }));
  await dial(await issueClientCertificate(await createCA(), { user: 'mallory', groups: ['system:masters'] }));
  await dial();
  assert.deepEqual(seen, [{ user: 'alice', groups: ['dev', 'ops'] }, undefined, undefined]);
});
