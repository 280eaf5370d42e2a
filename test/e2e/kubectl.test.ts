// The real kubectl (1.33 and 1.27) against a real `k8ts up`: every command a user would
// try on the API server alone (no controllers, scheduler or kubelet yet), checked by what
// kubectl prints and by what the server then holds.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { kubectlPath, startCluster, type Cluster } from '../support/k8ts-cluster.ts';

let cluster: Cluster;
before(async () => {
  cluster = await startCluster(['--disable-controller-manager', '--disable-agent']);
});
after(async () => {
  await cluster?.stop();
});

async function ok(args: string[], options: { version?: string; input?: string; env?: Record<string, string> } = {}): Promise<string> {
  const r = await cluster.kubectl(args, options);
  assert.equal(r.code, 0, `kubectl ${args.join(' ')} failed (${r.code}):\n${r.stderr}`);
  assert.equal(r.stderr, '', `kubectl ${args.join(' ')} warned:\n${r.stderr}`);
  return r.stdout;
}

async function fails(args: string[], options: { version?: string; input?: string } = {}): Promise<string> {
  const r = await cluster.kubectl(args, options);
  assert.notEqual(r.code, 0, `kubectl ${args.join(' ')} should have failed:\n${r.stdout}`);
  return r.stderr;
}

async function json(args: string[], version?: string): Promise<Record<string, any>> {
  return JSON.parse(await ok([...args, '-o', 'json'], { version }));
}

const deployment = (name: string, replicas: number, image = 'nginx:1.25') => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
  labels: {app: ${name}}
spec:
  replicas: ${replicas}
  selector:
    matchLabels: {app: ${name}}
  template:
    metadata:
      labels: {app: ${name}}
    spec:
      containers:
      - name: main
        image: ${image}
        ports:
        - containerPort: 80
`;

const pod = (name: string, labels: Record<string, string> = {}) =>
  JSON.stringify({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, labels },
    spec: { containers: [{ name: 'c', image: 'busybox', command: ['sleep', '3600'] }] },
  });

for (const version of ['1.33', '1.27']) {
  describe(`kubectl ${version}: discovery and reads`, () => {
    it('api-resources, api-versions and cluster-info', async () => {
      const resources = await ok(['api-resources'], { version });
      for (const line of [/^deployments\s+deploy\s+apps\/v1\s+true\s+Deployment$/m, /^pods\s+po\s+v1\s+true\s+Pod$/m, /^customresourcedefinitions\s+crd,crds\s+apiextensions\.k8s\.io\/v1\s+false/m]) {
        assert.match(resources, line);
      }
      assert.match(await ok(['api-versions'], { version }), /^apps\/v1$/m);
      const info = (await ok(['cluster-info'], { version })).replace(/\x1b\[[0-9;]*m/g, '');
      assert.match(info, /Kubernetes control plane is running at https:\/\/127\.0\.0\.1:\d+/);
    });

    it('get prints the upstream columns, -o wide, name, yaml, json and jsonpath', async () => {
      const ns = await ok(['get', 'namespaces'], { version });
      assert.match(ns, /^NAME\s+STATUS\s+AGE$/m);
      for (const name of ['default', 'kube-system', 'kube-public', 'kube-node-lease']) assert.match(ns, new RegExp(`^${name}\\s+Active\\s+\\d+[smh]$`, 'm'));
      const svc = await ok(['get', 'svc', 'kubernetes', '-o', 'wide'], { version });
      assert.match(svc, /^NAME\s+TYPE\s+CLUSTER-IP\s+EXTERNAL-IP\s+PORT\(S\)\s+AGE\s+SELECTOR$/m);
      assert.match(svc, /^kubernetes\s+ClusterIP\s+127\.100\.0\.1\s+<none>\s+443\/TCP\s+\S+\s+<none>$/m);
      assert.equal(await ok(['get', 'ns', 'default', '-o', 'name'], { version }), 'namespace/default\n');
      assert.match(await ok(['get', 'ns', 'default', '-o', 'yaml'], { version }), /^kind: Namespace$/m);
      const obj = await json(['get', 'ns', 'kube-system'], version);
      assert.equal(obj.status.phase, 'Active');
      assert.equal(await ok(['get', 'svc', 'kubernetes', '-o', 'jsonpath={.spec.ports[0].port}'], { version }), '443');
    });
  });
}

describe('kubectl 1.33: writes', () => {
  it('create -f, get with selectors across namespaces, chunked lists', async () => {
    await ok(['create', 'namespace', 'e2e-a']);
    await ok(['create', 'namespace', 'e2e-b']);
    for (let i = 0; i < 5; i++) await ok(['create', '-n', i < 3 ? 'e2e-a' : 'e2e-b', '-f', '-'], { input: pod(`p${i}`, { tier: i % 2 ? 'odd' : 'even' }) });
    await fails(['create', '-n', 'e2e-a', '-f', '-'], { input: pod('p0') });
    const pods = await ok(['get', 'pods', '-n', 'e2e-a']);
    assert.match(pods, /^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE$/m);
    assert.match(pods, /^p0\s+0\/1\s+Pending\s+0\s+\d+s$/m);
    const odd = await ok(['get', 'pods', '-A', '-l', 'tier=odd', '-o', 'name']);
    assert.deepEqual(odd.trim().split('\n'), ['pod/p1', 'pod/p3']);
    const byName = await ok(['get', 'pods', '-A', '--field-selector', 'metadata.name=p4', '-o', 'jsonpath={.items[*].metadata.namespace}']);
    assert.equal(byName, 'e2e-b');
    const chunked = await ok(['get', 'pods', '-A', '--chunk-size=2', '-o', 'name']);
    assert.equal(chunked.trim().split('\n').length, 5);
    const bad = await fails(['get', 'pods', '--field-selector', 'spec.bogus=x']);
    assert.match(bad, /field label not supported: spec\.bogus/);
  });

  it('create with a bad object changes nothing and explains why', async () => {
    const unknown = await fails(['create', '-f', '-'], { input: JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' }, bogus: 1 }) });
    assert.match(unknown, /unknown field "bogus"/);
    const invalidName = await fails(['create', 'configmap', 'Bad_Name']);
    assert.match(invalidName, /Invalid value: "Bad_Name"/);
    const missingNs = await fails(['create', 'configmap', 'c', '-n', 'does-not-exist']);
    assert.match(missingNs, /namespaces "does-not-exist" not found/);
    await fails(['get', 'configmap', 'x']);
  });

  it('apply client-side and server-side, dry run, diff', async () => {
    assert.match(await ok(['apply', '-f', '-'], { input: deployment('web', 2) }), /deployment\.apps\/web created/);
    const live = await json(['get', 'deploy', 'web']);
    assert.ok(live.metadata.annotations['kubectl.kubernetes.io/last-applied-configuration'], 'client-side apply records what it applied');
    assert.equal(live.metadata.generation, 1);
    const diff = await cluster.kubectl(['diff', '-f', '-'], { input: deployment('web', 4) });
    assert.equal(diff.code, 1, 'diff exits 1 when there are differences');
    assert.match(diff.stdout, /-\s+replicas: 2\n\+\s+replicas: 4/);
    assert.match(await ok(['apply', '--dry-run=server', '-f', '-'], { input: deployment('web', 4) }), /configured \(server dry run\)/);
    assert.equal((await json(['get', 'deploy', 'web'])).spec.replicas, 2, 'a dry run persists nothing');
    assert.match(await ok(['apply', '-f', '-'], { input: deployment('web', 4) }), /deployment\.apps\/web configured/);
    const after = await json(['get', 'deploy', 'web']);
    assert.equal(after.spec.replicas, 4);
    assert.equal(after.metadata.generation, 2, 'a spec change bumps the generation');
    assert.match(await ok(['apply', '--server-side', '-f', '-'], { input: deployment('api', 1) }), /deployment\.apps\/api serverside-applied/);
    assert.equal((await json(['get', 'deploy', 'api'])).spec.replicas, 1);
  });

  it('patch (strategic, merge, json), label, annotate, edit, scale', async () => {
    await ok(['patch', 'deploy', 'web', '-p', '{"spec":{"template":{"spec":{"containers":[{"name":"main","image":"nginx:1.26"}]}}}}']);
    const patched = await json(['get', 'deploy', 'web']);
    assert.equal(patched.spec.template.spec.containers.length, 1, 'strategic merge matches containers by name');
    assert.equal(patched.spec.template.spec.containers[0].image, 'nginx:1.26');
    assert.equal(patched.spec.template.spec.containers[0].ports[0].containerPort, 80);
    await ok(['patch', 'deploy', 'web', '--type', 'merge', '-p', '{"metadata":{"labels":{"team":"a"}}}']);
    await ok(['patch', 'deploy', 'web', '--type', 'json', '-p', '[{"op":"replace","path":"/spec/replicas","value":3}]']);
    const badJson = await fails(['patch', 'deploy', 'web', '--type', 'json', '-p', '[{"op":"test","path":"/spec/replicas","value":9}]']);
    assert.match(badJson, /test/);
    assert.match(await ok(['label', 'deploy', 'web', 'env=prod']), /labeled/);
    assert.match(await ok(['annotate', 'deploy', 'web', 'note=hello']), /annotated/);
    const editor = join(cluster.dataDir, 'editor.sh');
    writeFileSync(editor, "#!/bin/sh\nsed -i 's/note: hello/note: edited/' \"$1\"\n");
    chmodSync(editor, 0o755);
    assert.match(await ok(['edit', 'deploy', 'web'], { env: { EDITOR: editor, KUBE_EDITOR: editor } }), /edited/);
    assert.match(await ok(['scale', 'deploy', 'web', '--replicas=5']), /scaled/);
    const final = await json(['get', 'deploy', 'web']);
    assert.equal(final.spec.replicas, 5);
    assert.equal(final.metadata.labels.team, 'a');
    assert.equal(final.metadata.labels.env, 'prod');
    assert.equal(final.metadata.annotations.note, 'edited');
  });

  it('create namespace/configmap/secret/deployment/service/job, expose, run (protobuf bodies)', async () => {
    await ok(['create', 'configmap', 'cfg', '--from-literal=a=b']);
    await ok(['create', 'secret', 'generic', 'sec', '--from-literal=p=q']);
    await ok(['create', 'deployment', 'made', '--image=nginx', '--replicas=0']);
    await ok(['create', 'service', 'nodeport', 'np', '--tcp=80:8080']);
    await ok(['create', 'job', 'once', '--image=busybox', '--', 'echo', 'hi']);
    await ok(['expose', 'deploy', 'web', '--port', '80', '--target-port', '8080']);
    await ok(['run', 'solo', '--image=busybox', '--', 'sleep', '10']);
    assert.equal((await json(['get', 'cm', 'cfg'])).data.a, 'b');
    assert.equal(Buffer.from((await json(['get', 'secret', 'sec'])).data.p, 'base64').toString(), 'q');
    assert.equal((await json(['get', 'deploy', 'made'])).spec.replicas, 0);
    const np = await json(['get', 'svc', 'np']);
    assert.ok(np.spec.ports[0].nodePort >= 30000 && np.spec.ports[0].nodePort <= 32767);
    const web = await json(['get', 'svc', 'web']);
    assert.match(web.spec.clusterIP, /^127\.100\.\d+\.\d+$/, 'k8ts up takes cluster IPs from 127.100.0.0/16');
    assert.notEqual(web.spec.clusterIP, np.spec.clusterIP);
    assert.deepEqual(web.spec.selector, { app: 'web' });
    assert.equal((await json(['get', 'job', 'once'])).spec.template.spec.restartPolicy, 'Never');
    assert.equal((await json(['get', 'pod', 'solo'])).spec.containers[0].image, 'busybox');
    assert.match(await ok(['get', 'all']), /deployment\.apps\/web/);
  });

  it('rollout pause, resume and restart change the deployment', async () => {
    await ok(['rollout', 'pause', 'deploy/web']);
    assert.equal((await json(['get', 'deploy', 'web'])).spec.paused, true);
    await ok(['rollout', 'resume', 'deploy/web']);
    assert.equal((await json(['get', 'deploy', 'web'])).spec.paused, undefined);
    await ok(['rollout', 'restart', 'deploy/web']);
    assert.ok((await json(['get', 'deploy', 'web'])).spec.template.metadata.annotations['kubectl.kubernetes.io/restartedAt']);
  });

  it('describe pods, deployments, services, nodes and namespaces', async () => {
    await ok(['apply', '-f', '-'], { input: JSON.stringify({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'node-1', labels: { 'kubernetes.io/hostname': 'node-1' } } }) });
    assert.match(await ok(['describe', 'pod', 'solo']), /^Name:\s+solo$/m);
    assert.match(await ok(['describe', 'deploy', 'web']), /^Replicas:\s+5 desired/m);
    assert.match(await ok(['describe', 'svc', 'web']), /^IP:\s+127\.100\./m);
    assert.match(await ok(['describe', 'node', 'node-1']), /^Name:\s+node-1$/m);
    assert.match(await ok(['describe', 'ns', 'default']), /^Status:\s+Active$/m);
  });

  it('wait for a condition and for deletion; delete with finalizers and propagation', async () => {
    await ok(['create', 'configmap', 'held', '--from-literal=x=y']);
    await ok(['patch', 'cm', 'held', '--type', 'merge', '-p', '{"metadata":{"finalizers":["example.com/hold"]}}']);
    const waiting = cluster.kubectl(['wait', '--for=delete', 'cm/held', '--timeout=20s']);
    await ok(['delete', 'cm', 'held', '--wait=false']);
    const held = await json(['get', 'cm', 'held']);
    assert.ok(held.metadata.deletionTimestamp, 'a finalizer keeps a deleted object, marked');
    await ok(['patch', 'cm', 'held', '--type', 'json', '-p', '[{"op":"remove","path":"/metadata/finalizers"}]']);
    const waited = await waiting;
    assert.equal(waited.code, 0, waited.stderr);
    await fails(['get', 'cm', 'held']);

    await ok(['create', 'deployment', 'fg', '--image=nginx']);
    await ok(['delete', 'deploy', 'fg', '--cascade=foreground', '--wait=false']);
    assert.deepEqual((await json(['get', 'deploy', 'fg'])).metadata.finalizers, ['foregroundDeletion']);
    await ok(['create', 'deployment', 'orphan', '--image=nginx']);
    await ok(['delete', 'deploy', 'orphan', '--cascade=orphan', '--wait=false']);
    assert.deepEqual((await json(['get', 'deploy', 'orphan'])).metadata.finalizers, ['orphan']);

    await ok(['patch', 'deploy', 'api', '--subresource=status', '--type', 'merge', '-p', '{"status":{"conditions":[{"type":"Available","status":"True","reason":"Test","message":"ok","lastUpdateTime":"2026-01-01T00:00:00Z","lastTransitionTime":"2026-01-01T00:00:00Z"}]}}']);
    assert.match(await ok(['wait', '--for=condition=Available', 'deploy/api', '--timeout=20s']), /condition met/);
  });

  it('get -w streams changes', async () => {
    const watch = spawn(kubectlPath('1.33'), ['--kubeconfig', cluster.kubeconfig, 'get', 'configmaps', '-w', '--output-watch-events'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    watch.stdout.setEncoding('utf8').on('data', (c: string) => (out += c));
    try {
      const until = async (re: RegExp) => {
        const deadline = Date.now() + 15_000;
        while (!re.test(out)) {
          assert.ok(Date.now() < deadline, `watch output lacks ${re}:\n${out}`);
          await new Promise((r) => setTimeout(r, 50));
        }
      };
      await until(/^ADDED\s+cfg\s/m);
      await ok(['create', 'configmap', 'watched', '--from-literal=a=1']);
      await until(/^ADDED\s+watched\s+1\s/m);
      await ok(['patch', 'cm', 'watched', '--type', 'merge', '-p', '{"data":{"b":"2"}}']);
      await until(/^MODIFIED\s+watched\s+2\s/m);
      await ok(['delete', 'cm', 'watched']);
      await until(/^DELETED\s+watched\s/m);
    } finally {
      watch.kill();
    }
  });

  it('service account tokens authenticate; impersonation is authorized', async () => {
    await ok(['create', 'serviceaccount', 'robot']);
    const token = (await ok(['create', 'token', 'robot', '--duration=1h'])).trim();
    assert.match(token, /^[\w-]+\.[\w-]+\.[\w-]+$/);
    const ca = /certificate-authority-data: (\S+)/.exec(readFileSync(cluster.kubeconfig, 'utf8'))![1];
    const tokenConfig = (t: string) => {
      const path = join(cluster.dataDir, `token-${t.length}.yaml`);
      writeFileSync(path, `apiVersion: v1\nkind: Config\nclusters: [{name: k, cluster: {server: "${cluster.url}", certificate-authority-data: ${ca}}}]\nusers: [{name: u, user: {token: "${t}"}}]\ncontexts: [{name: c, context: {cluster: k, user: u}}]\ncurrent-context: c\n`);
      return path;
    };
    const asRobot = await cluster.kubectl(['--kubeconfig', tokenConfig(token), 'get', 'pods']);
    assert.notEqual(asRobot.code, 0);
    assert.match(asRobot.stderr, /User "system:serviceaccount:default:robot" cannot list resource "pods"/, 'a valid token authenticates (then RBAC-less authorization denies)');
    const bogus = await cluster.kubectl(['--kubeconfig', tokenConfig('not-a-token'), 'get', 'pods']);
    assert.match(bogus.stderr, /Unauthorized|must be logged in/);
    const canI = await cluster.kubectl(['auth', 'can-i', 'list', 'pods', '--as=system:serviceaccount:default:robot']);
    assert.deepEqual([canI.code, canI.stdout], [1, 'no\n'], 'the review is made as the impersonated account');
  });

  it('a deleted namespace terminates until namespaces/finalize clears its finalizers', async () => {
    await ok(['create', 'namespace', 'doomed']);
    await ok(['create', 'configmap', 'inside', '-n', 'doomed']);
    await ok(['delete', 'namespace', 'doomed', '--wait=false']);
    assert.match(await ok(['get', 'namespace', 'doomed']), /^doomed\s+Terminating\s/m);
    assert.match(await fails(['create', 'configmap', 'late', '-n', 'doomed']), /unable to create new content in namespace doomed because it is being terminated/);
    assert.match(await fails(['delete', 'namespace', 'kube-system']), /this namespace may not be deleted/);
    const ns = await json(['get', 'namespace', 'doomed']);
    ns.spec.finalizers = [];
    const path = join(cluster.dataDir, 'finalize.json');
    writeFileSync(path, JSON.stringify(ns));
    await ok(['replace', '--raw', '/api/v1/namespaces/doomed/finalize', '-f', path]);
    await fails(['get', 'namespace', 'doomed']);
  });

  it('pods get their priority from their PriorityClass', async () => {
    assert.match(await ok(['get', 'priorityclasses']), /^system-node-critical\s+2000001000\s+false\s/m);
    await ok(['create', 'priorityclass', 'urgent', '--value=500']);
    await ok(['run', 'urgent-pod', '--image=busybox', '--overrides={"spec":{"priorityClassName":"urgent"}}']);
    assert.equal((await json(['get', 'pod', 'urgent-pod'])).spec.priority, 500);
    assert.equal((await json(['get', 'pod', 'solo'])).spec.priority, 0);
    assert.match(await fails(['run', 'bad-prio', '--image=busybox', '--overrides={"spec":{"priorityClassName":"nope"}}']), /no PriorityClass with name nope was found/);
  });

  it('events written through either events API are read through both', async () => {
    const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    const uid = (await json(['get', 'pod', 'solo'])).metadata.uid;
    await ok(['create', '-f', '-'], {
      input: JSON.stringify({ apiVersion: 'v1', kind: 'Event', metadata: { name: 'solo.core' }, involvedObject: { kind: 'Pod', name: 'solo', namespace: 'default', uid }, reason: 'Pulled', message: 'pulled the image', type: 'Normal', source: { component: 'kubelet' }, firstTimestamp: now, lastTimestamp: now, count: 1 }),
    });
    await ok(['create', '-f', '-'], {
      input: JSON.stringify({ apiVersion: 'events.k8s.io/v1', kind: 'Event', metadata: { name: 'solo.new' }, regarding: { kind: 'Pod', name: 'solo', namespace: 'default', uid }, reason: 'Started', note: 'started it', type: 'Normal', action: 'Start', reportingController: 'kubelet', reportingInstance: 'node-1', eventTime: now.replace('Z', '.000000Z') }),
    });
    const newApi = await json(['get', 'events.v1.events.k8s.io', 'solo.core']);
    assert.equal(newApi.note, 'pulled the image');
    assert.equal(newApi.regarding.name, 'solo');
    const core = await json(['get', 'events.v1.', 'solo.new']);
    assert.equal(core.message, 'started it');
    assert.equal(core.involvedObject.uid, uid);
    const described = await ok(['describe', 'pod', 'solo']);
    assert.match(described, /Normal\s+Pulled\s+\S+\s+kubelet\s+pulled the image/);
    assert.match(described, /Normal\s+Started\s+\S+\s+kubelet\s+started it/);
  });

  it('auth can-i and explain', async () => {
    assert.equal(await ok(['auth', 'can-i', 'create', 'pods']), 'yes\n');
    assert.match(await ok(['auth', 'whoami']), /kubernetes-admin/);
    const explained = await ok(['explain', 'deployment.spec.replicas']);
    assert.match(explained, /FIELD: replicas <integer>/);
    assert.match(await ok(['explain', 'pods.spec.containers'], { version: '1.27' }), /FIELD:\s+containers <\[\]Object>/);
  });
});

describe('kubectl 1.27: writes', () => {
  const v = { version: '1.27' };
  it('create, apply, patch, label, scale, create namespace/configmap/deployment, delete', async () => {
    await ok(['create', 'namespace', 'old-client'], v);
    await ok(['create', 'configmap', 'c127', '-n', 'old-client', '--from-literal=k=v'], v);
    await ok(['create', 'deployment', 'd127', '-n', 'old-client', '--image=nginx'], v);
    await ok(['apply', '-n', 'old-client', '-f', '-'], { ...v, input: deployment('a127', 1) });
    await ok(['apply', '-n', 'old-client', '-f', '-'], { ...v, input: deployment('a127', 2) });
    await ok(['apply', '--server-side', '-n', 'old-client', '-f', '-'], { ...v, input: deployment('s127', 1) });
    await ok(['patch', 'deploy', 'a127', '-n', 'old-client', '-p', '{"spec":{"template":{"spec":{"containers":[{"name":"main","image":"nginx:2"}]}}}}'], v);
    await ok(['label', 'cm', 'c127', '-n', 'old-client', 'x=y'], v);
    await ok(['scale', 'deploy', 'a127', '-n', 'old-client', '--replicas=3'], v);
    const a = await json(['get', 'deploy', 'a127', '-n', 'old-client'], '1.27');
    assert.equal(a.spec.replicas, 3);
    assert.equal(a.spec.template.spec.containers[0].image, 'nginx:2');
    assert.equal((await json(['get', 'cm', 'c127', '-n', 'old-client'], '1.27')).metadata.labels.x, 'y');
    await ok(['delete', 'deploy', 'a127', '-n', 'old-client'], v);
    await fails(['get', 'deploy', 'a127', '-n', 'old-client'], v);
    assert.match(await ok(['get', 'all', '-n', 'old-client'], v), /deployment\.apps\/d127/);
  });
});
