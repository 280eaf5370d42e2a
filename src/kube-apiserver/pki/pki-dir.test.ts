import { test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCA, issueServingCertificate, userFromPeerCertificate } from '../../component-base/certificates.ts';
import { ensurePki, renewBeforeMs } from './pki-dir.ts';

async function tempDir(t: { after(fn: () => Promise<void>): void }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'k8ts-pki-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return join(dir, 'pki');
}

async function contents(dir: string): Promise<Record<string, string>> {
  const names = ['ca.crt', 'ca.key', 'apiserver.crt', 'apiserver.key', 'admin.crt', 'admin.key'];
  return Object.fromEntries(await Promise.all(names.map(async (n) => [n, await readFile(join(dir, n), 'utf8')])));
}

test('first start writes the CA, serving and admin certificates; keys are 0600', async (t) => {
  const dir = await tempDir(t);
  const started = performance.now();
  const pki = await ensurePki(dir, { serverIPs: ['10.96.0.1'] });
  t.diagnostic(`first-start PKI generation took ${(performance.now() - started).toFixed(1)} ms`);

  assert.deepEqual(pki.issued, ['ca', 'apiserver', 'admin']);
  const files = await contents(dir);
  assert.equal(files['ca.crt'], pki.ca.certPem);
  assert.equal(files['apiserver.key'], pki.server.keyPem);
  assert.equal(files['admin.crt'], pki.admin.certPem);
  for (const key of ['ca.key', 'apiserver.key', 'admin.key']) {
    assert.equal((await stat(join(dir, key))).mode & 0o777, 0o600, key);
  }
  assert.equal((await stat(join(dir, 'ca.crt'))).mode & 0o777, 0o644);

  const server = new X509Certificate(pki.server.certPem);
  assert.equal(server.checkIP('10.96.0.1'), '10.96.0.1');
  assert.equal(server.checkHost('kubernetes.default.svc', { subject: 'never' }), 'kubernetes.default.svc');
  assert.deepEqual(userFromPeerCertificate(new X509Certificate(pki.admin.certPem).toLegacyObject()), {
    user: 'kubernetes-admin',
    groups: ['system:masters'],
  });

  const kubelet = await pki.issueClientCertificate('system:node:n1', ['system:nodes']);
  const kubeletCert = new X509Certificate(kubelet.certPem);
  assert.ok(kubeletCert.verify(new X509Certificate(pki.ca.certPem).publicKey));
  assert.equal(kubeletCert.subject, 'CN=system:node:n1\nO=system:nodes');
});

test('a second start reuses everything and does not regenerate the CA', async (t) => {
  const dir = await tempDir(t);
  await ensurePki(dir, { serverIPs: ['10.96.0.1'] });
  const before = await contents(dir);
  const again = await ensurePki(dir, { serverIPs: ['10.96.0.1'] });
  assert.deepEqual(again.issued, []);
  assert.deepEqual(await contents(dir), before);
  assert.equal(again.ca.certPem, before['ca.crt']);
});

test('a serving certificate missing a requested SAN is re-issued under the same CA', async (t) => {
  const dir = await tempDir(t);
  await ensurePki(dir, {});
  const before = await contents(dir);
  assert.equal(new X509Certificate(before['apiserver.crt']!).checkIP('10.96.0.1'), undefined);

  const pki = await ensurePki(dir, { serverIPs: ['10.96.0.1'], serverNames: ['k8ts.example'] });
  assert.deepEqual(pki.issued, ['apiserver']);
  const after = await contents(dir);
  assert.equal(after['ca.crt'], before['ca.crt']);
  assert.equal(after['ca.key'], before['ca.key']);
  assert.equal(after['admin.crt'], before['admin.crt']);
  assert.notEqual(after['apiserver.key'], before['apiserver.key']);
  const server = new X509Certificate(after['apiserver.crt']!);
  assert.equal(server.checkIP('10.96.0.1'), '10.96.0.1');
  assert.equal(server.checkHost('k8ts.example', { subject: 'never' }), 'k8ts.example');
  assert.ok(server.verify(new X509Certificate(after['ca.crt']!).publicKey));

  // Asking for a subset of what the certificate already holds changes nothing.
  assert.deepEqual((await ensurePki(dir, { serverIPs: ['10.96.0.1'] })).issued, []);
});

test('leaf certificates are re-issued when damaged, signed by another CA, or near expiry', async (t) => {
  const dir = await tempDir(t);
  const first = await ensurePki(dir, {});

  await writeFile(join(dir, 'admin.crt'), 'garbage');
  assert.deepEqual((await ensurePki(dir, {})).issued, ['admin']);

  const foreign = await issueServingCertificate(await createCA());
  await writeFile(join(dir, 'apiserver.crt'), foreign.certPem);
  await writeFile(join(dir, 'apiserver.key'), foreign.keyPem);
  assert.deepEqual((await ensurePki(dir, {})).issued, ['apiserver']);

  await unlink(join(dir, 'admin.key'));
  assert.deepEqual((await ensurePki(dir, {})).issued, ['admin']);

  const expiry = Date.parse(new X509Certificate((await contents(dir))['apiserver.crt']!).validTo);
  const late = { now: () => expiry - renewBeforeMs + 1000 };
  assert.deepEqual((await ensurePki(dir, { clock: late })).issued, ['apiserver', 'admin']);
  assert.equal((await contents(dir))['ca.crt'], first.ca.certPem);
});

test('a damaged or half-present CA is an error, not silently replaced', async (t) => {
  const dir = await tempDir(t);
  const first = await ensurePki(dir, {});

  await unlink(join(dir, 'ca.key'));
  await assert.rejects(ensurePki(dir, {}), /found only one of .*ca\.crt and .*ca\.key/);

  await writeFile(join(dir, 'ca.key'), (await createCA()).keyPem);
  await assert.rejects(ensurePki(dir, {}), /key does not match/);

  await writeFile(join(dir, 'ca.key'), first.ca.keyPem);
  const caExpiry = Date.parse(new X509Certificate(first.ca.certPem).validTo);
  await assert.rejects(ensurePki(dir, { clock: { now: () => caExpiry + 1 } }), /expired/);

  assert.equal((await ensurePki(dir, {})).ca.certPem, first.ca.certPem);
});

test('a new CA (after the old one was removed) re-issues both leaves', async (t) => {
  const dir = await tempDir(t);
  await ensurePki(dir, {});
  await unlink(join(dir, 'ca.crt'));
  await unlink(join(dir, 'ca.key'));
  const pki = await ensurePki(dir, {});
  assert.deepEqual(pki.issued, ['ca', 'apiserver', 'admin']);
});
