import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, realpathSync } from 'node:fs';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import { promisify } from 'node:util';
import { userFromTLSSocket, type UserInfo } from '../../component-base/certificates.ts';
import { kubeconfigYaml, writeKubeconfig } from './kubeconfig.ts';
import { ensurePki } from './pki-dir.ts';

const run = promisify(execFile);

function findOnPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir && existsSync(join(dir, name))) return join(dir, name);
  }
  return undefined;
}

// The default kubectl plus the oldest and newest versioned ones installed beside the real binary.
function kubectls(): string[] {
  const kubectl = findOnPath('kubectl');
  if (!kubectl) return [];
  const beside = dirname(realpathSync(kubectl));
  return [kubectl, ...['kubectl.1.27', 'kubectl.1.33'].map((n) => join(beside, n)).filter((p) => existsSync(p))];
}

test('kubeconfigYaml has the layout kubectl writes, with base64 inline data', () => {
  const yaml = kubeconfigYaml({
    server: 'https://127.0.0.1:6443',
    caPem: 'CA',
    clientCertPem: 'CERT',
    clientKeyPem: 'KEY',
    user: 'kubernetes-admin',
  });
  assert.equal(
    yaml,
    [
      'apiVersion: v1',
      'clusters:',
      '- cluster:',
      '    certificate-authority-data: Q0E=',
      '    server: https://127.0.0.1:6443',
      '  name: k8ts',
      'contexts:',
      '- context:',
      '    cluster: k8ts',
      '    user: kubernetes-admin',
      '  name: k8ts',
      'current-context: k8ts',
      'kind: Config',
      'preferences: {}',
      'users:',
      '- name: kubernetes-admin',
      '  user:',
      '    client-certificate-data: Q0VSVA==',
      '    client-key-data: S0VZ',
      '',
    ].join('\n'),
  );
});

test('names YAML would read as something else are quoted', () => {
  const yaml = kubeconfigYaml({
    server: 'https://[::1]:6443',
    caPem: 'CA',
    clientCertPem: 'CERT',
    clientKeyPem: 'KEY',
    user: 'yes',
    cluster: '1.5',
    context: 'a: b # c',
  });
  assert.match(yaml, /^ {4}server: "https:\/\/\[::1\]:6443"$/m);
  assert.match(yaml, /^- name: "yes"$/m);
  assert.match(yaml, /^ {2}name: "1.5"$/m);
  assert.match(yaml, /^current-context: "a: b # c"$/m);
});

test('the real kubectl accepts the admin kubeconfig and authenticates by client certificate', async (t) => {
  const binaries = kubectls();
  if (binaries.length === 0) {
    t.skip('kubectl is not on PATH');
    return;
  }
  const root = await mkdtemp(join(tmpdir(), 'k8ts-kubeconfig-'));
  t.after(() => rm(root, { recursive: true, force: true }));
  const pki = await ensurePki(join(root, 'pki'), { serverIPs: ['10.96.0.1'] });

  const seen: (UserInfo | undefined)[] = [];
  const server = createServer(
    { cert: pki.server.certPem, key: pki.server.keyPem, ca: pki.ca.certPem, requestCert: true, rejectUnauthorized: false },
    (req, res) => {
      seen.push(userFromTLSSocket(req.socket as TLSSocket));
      if (req.method === 'GET' && new URL(req.url ?? '/', 'https://localhost').pathname === '/version') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ major: '1', minor: '33', gitVersion: 'v1.33.0', platform: 'linux/amd64' }));
        return;
      }
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'NotFound', code: 404 }));
    },
  );
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  t.after(() => {
    server.closeAllConnections();
    server.close();
  });
  const { port } = server.address() as AddressInfo;

  const kubeconfig = join(root, 'admin.kubeconfig');
  await writeKubeconfig(kubeconfig, {
    server: `https://127.0.0.1:${port}`,
    caPem: pki.ca.certPem,
    clientCertPem: pki.admin.certPem,
    clientKeyPem: pki.admin.keyPem,
    user: 'kubernetes-admin',
  });
  assert.equal((await stat(kubeconfig)).mode & 0o777, 0o600);
  assert.match(await readFile(kubeconfig, 'utf8'), /^current-context: k8ts$/m);

  for (const kubectl of binaries) {
    seen.length = 0;
    // HOME keeps kubectl's discovery cache inside the temp dir.
    const { stdout } = await run(kubectl, ['--kubeconfig', kubeconfig, 'version', '-o', 'json'], {
      env: { PATH: process.env.PATH, HOME: root },
      timeout: 30_000,
    });
    const version = JSON.parse(stdout) as { serverVersion?: { gitVersion?: string } };
    assert.equal(version.serverVersion?.gitVersion, 'v1.33.0', kubectl);
    assert.ok(seen.length > 0, `${kubectl} made no request`);
    for (const user of seen) assert.deepEqual(user, { user: 'kubernetes-admin', groups: ['system:masters'] }, kubectl);
    t.diagnostic(`${kubectl}: ok`);
  }

  // kubectl reads quoted names back as the same strings.
  const odd = join(root, 'odd.kubeconfig');
  const names = { server: 'https://[::1]:6443', user: 'yes', cluster: '1.5', context: 'a: b # c' };
  await writeKubeconfig(odd, { ...names, caPem: 'CA', clientCertPem: 'CERT', clientKeyPem: 'KEY' });
  const { stdout } = await run(binaries[0]!, ['--kubeconfig', odd, 'config', 'view', '-o', 'json'], {
    env: { PATH: process.env.PATH, HOME: root },
  });
  const config = JSON.parse(stdout) as {
    'current-context': string;
    clusters: { name: string; cluster: { server: string } }[];
    users: { name: string }[];
    contexts: { name: string; context: { cluster: string; user: string } }[];
  };
  assert.equal(config['current-context'], names.context);
  assert.deepEqual(
    [config.clusters[0]?.name, config.clusters[0]?.cluster.server, config.users[0]?.name],
    [names.cluster, names.server, names.user],
  );
  assert.deepEqual(config.contexts[0], { name: names.context, context: { cluster: names.cluster, user: names.user } });
});
