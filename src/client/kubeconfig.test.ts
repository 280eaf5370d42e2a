import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { buildRestConfig, inClusterConfig, loadKubeconfig, parseKubeconfig } from './kubeconfig.ts';

const b64 = (s: string) => Buffer.from(s).toString('base64');
const dir = mkdtempSync(join(tmpdir(), 'k8ts-kubeconfig-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const twoContexts = `
apiVersion: v1
kind: Config
current-context: admin
clusters:
- name: main
  cluster:
    server: https://127.0.0.1:6443/
    certificate-authority-data: ${b64('CA PEM')}
- name: other
  cluster:
    server: https://other.example:443
    certificate-authority: certs/ca.crt
    tls-server-name: kubernetes
- name: insecure
  cluster:
    server: https://10.0.0.1:6443
    insecure-skip-tls-verify: true
contexts:
- name: admin
  context: { cluster: main, user: admin }
- name: files
  context: { cluster: other, user: files }
- name: tokens
  context: { cluster: insecure, user: tokens }
- name: nouser
  context: { cluster: main }
- name: exec
  context: { cluster: main, user: exec }
users:
- name: admin
  user:
    client-certificate-data: ${b64('CERT PEM')}
    client-key-data: ${b64('KEY PEM')}
- name: files
  user:
    client-certificate: certs/client.crt
    client-key: ${join(dir, 'certs', 'client.key')}
- name: tokens
  user:
    token: abc
    tokenFile: token.txt
- name: exec
  user:
    exec: { command: aws, apiVersion: client.authentication.k8s.io/v1 }
`;

describe('kubeconfig', () => {
  mkdirSync(join(dir, 'certs'));
  writeFileSync(join(dir, 'certs', 'ca.crt'), 'CA FROM FILE');
  writeFileSync(join(dir, 'certs', 'client.crt'), 'CERT FROM FILE');
  writeFileSync(join(dir, 'certs', 'client.key'), 'KEY FROM FILE');
  const path = join(dir, 'config');
  writeFileSync(path, twoContexts);

  it('uses current-context with inline data', () => {
    const c = loadKubeconfig(path, { userAgent: 'test' });
    assert.deepEqual(c, { server: 'https://127.0.0.1:6443', ca: 'CA PEM', cert: 'CERT PEM', key: 'KEY PEM', userAgent: 'test' });
  });

  it('reads files relative to the kubeconfig, or absolute', () => {
    const c = loadKubeconfig(path, { context: 'files', userAgent: 'test' });
    assert.deepEqual(c, { server: 'https://other.example:443', ca: 'CA FROM FILE', cert: 'CERT FROM FILE', key: 'KEY FROM FILE', tlsServerName: 'kubernetes', userAgent: 'test' });
  });

  it('takes tokens, token files and insecure-skip-tls-verify', () => {
    const c = loadKubeconfig(path, { context: 'tokens', userAgent: 'test' });
    assert.deepEqual(c, { server: 'https://10.0.0.1:6443', insecureSkipTLSVerify: true, token: 'abc', tokenFile: join(dir, 'token.txt'), userAgent: 'test' });
    assert.equal(loadKubeconfig(path, { context: 'nouser' }).cert, undefined);
  });

  it('names what it cannot use', () => {
    assert.throws(() => loadKubeconfig(path, { context: 'exec' }), /exec credential plugin/);
    assert.throws(() => loadKubeconfig(path, { context: 'missing' }), /context "missing" does not exist/);
    assert.throws(() => parseKubeconfig('apiVersion: v1\nkind: Config\n', dir), /no current-context/);
    assert.throws(() => parseKubeconfig('current-context: x\ncontexts:\n- name: x\n  context: {cluster: y}\n', dir), /cluster "y" of context "x" does not exist/);
  });

  it('in-cluster: the service host and port from the environment, token and CA from the mount', () => {
    const sa = join(dir, 'sa');
    mkdirSync(sa);
    writeFileSync(join(sa, 'token'), 'sa-token\n');
    writeFileSync(join(sa, 'ca.crt'), 'SA CA');
    const c = inClusterConfig({ env: { KUBERNETES_SERVICE_HOST: '10.96.0.1', KUBERNETES_SERVICE_PORT: '443' }, dir: sa, userAgent: 'test' });
    assert.deepEqual(c, { server: 'https://10.96.0.1:443', token: 'sa-token', tokenFile: join(sa, 'token'), ca: 'SA CA', userAgent: 'test' });
    const v6 = inClusterConfig({ env: { KUBERNETES_SERVICE_HOST: 'fd00::1', KUBERNETES_SERVICE_PORT: '443' }, dir: sa });
    assert.equal(v6.server, 'https://[fd00::1]:443');
    assert.throws(() => inClusterConfig({ env: {}, dir: sa }), /KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT must be defined/);
  });

  it('buildRestConfig: flag, then $KUBECONFIG; --master overrides the server', () => {
    assert.equal(buildRestConfig({ kubeconfig: path, master: 'https://m:1' }).server, 'https://m:1');
    assert.equal(buildRestConfig({ env: { KUBECONFIG: `${path}:/nonexistent` } }).cert, 'CERT PEM');
    assert.deepEqual(buildRestConfig({ env: { HOME: dir }, master: 'http://127.0.0.1:8080', userAgent: 'u' }), { server: 'http://127.0.0.1:8080', userAgent: 'u' });
  });
});
