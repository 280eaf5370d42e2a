// Records the request bodies real kubectl binaries send for create-style commands, to refresh the fixtures
// beside this file. A fake API server on loopback http serves just enough discovery for kubectl, answers
// each write 201 with the decoded object (so kubectl prints its usual line), and saves each body as
// <kubectl>/<name>.pb (protobuf) or <name>.json. Not run by the tests:
//   node src/kube-apiserver/protobuf/testdata/capture.ts [outdir] [kubectl.1.33 kubectl.1.31 ...]
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { decodeKubernetesProtobuf, isProtobufContentType } from '../decode.ts';

type Res = { name: string; kind: string; namespaced: boolean; verbs?: string[]; short?: string[] };
const rw = ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'];
const groups: Record<string, Res[]> = {
  v1: [
    { name: 'configmaps', kind: 'ConfigMap', namespaced: true, short: ['cm'] },
    { name: 'secrets', kind: 'Secret', namespaced: true },
    { name: 'namespaces', kind: 'Namespace', namespaced: false, short: ['ns'] },
    { name: 'services', kind: 'Service', namespaced: true, short: ['svc'] },
    { name: 'serviceaccounts', kind: 'ServiceAccount', namespaced: true, short: ['sa'] },
    { name: 'serviceaccounts/token', kind: 'TokenRequest', namespaced: true, verbs: ['create'] },
    { name: 'resourcequotas', kind: 'ResourceQuota', namespaced: true, short: ['quota'] },
    { name: 'pods', kind: 'Pod', namespaced: true, short: ['po'] },
    { name: 'pods/eviction', kind: 'Eviction', namespaced: true, verbs: ['create'] },
  ],
  'apps/v1': [
    { name: 'deployments', kind: 'Deployment', namespaced: true, short: ['deploy'] },
    { name: 'deployments/scale', kind: 'Scale', namespaced: true, verbs: ['get', 'patch', 'update'] },
  ],
  'batch/v1': [
    { name: 'jobs', kind: 'Job', namespaced: true },
    { name: 'cronjobs', kind: 'CronJob', namespaced: true, short: ['cj'] },
  ],
  'autoscaling/v2': [{ name: 'horizontalpodautoscalers', kind: 'HorizontalPodAutoscaler', namespaced: true, short: ['hpa'] }],
  'autoscaling/v1': [{ name: 'horizontalpodautoscalers', kind: 'HorizontalPodAutoscaler', namespaced: true, short: ['hpa'] }],
  'policy/v1': [{ name: 'poddisruptionbudgets', kind: 'PodDisruptionBudget', namespaced: true, short: ['pdb'] }],
  'scheduling.k8s.io/v1': [{ name: 'priorityclasses', kind: 'PriorityClass', namespaced: false, short: ['pc'] }],
  'networking.k8s.io/v1': [{ name: 'ingresses', kind: 'Ingress', namespaced: true, short: ['ing'] }],
  'rbac.authorization.k8s.io/v1': [
    { name: 'roles', kind: 'Role', namespaced: true },
    { name: 'rolebindings', kind: 'RoleBinding', namespaced: true },
    { name: 'clusterroles', kind: 'ClusterRole', namespaced: false },
    { name: 'clusterrolebindings', kind: 'ClusterRoleBinding', namespaced: false },
  ],
  'authorization.k8s.io/v1': [
    { name: 'selfsubjectaccessreviews', kind: 'SelfSubjectAccessReview', namespaced: false, verbs: ['create'] },
    { name: 'selfsubjectrulesreviews', kind: 'SelfSubjectRulesReview', namespaced: false, verbs: ['create'] },
  ],
  'authentication.k8s.io/v1': [
    { name: 'selfsubjectreviews', kind: 'SelfSubjectReview', namespaced: false, verbs: ['create'] },
  ],
};

/** Objects kubectl reads before it writes (autoscale, create job --from). */
const existing: Record<string, object> = {
  '/apis/apps/v1/namespaces/default/deployments/web': {
    kind: 'Deployment', apiVersion: 'apps/v1',
    metadata: { name: 'web', namespace: 'default', uid: '6f1c9a52-3a43-4d7e-9d43-7f3b3b0c1a11' },
    spec: { selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'nginx', image: 'nginx' }] } } },
  },
  '/apis/batch/v1/namespaces/default/cronjobs/nightly': {
    kind: 'CronJob', apiVersion: 'batch/v1',
    metadata: { name: 'nightly', namespace: 'default', uid: '0b7c2f7e-9a51-4a8e-8f2e-3c1d2e4f5a6b' },
    spec: { schedule: '0 3 * * *', jobTemplate: { spec: { template: { spec: { restartPolicy: 'OnFailure', containers: [{ name: 'job', image: 'busybox', command: ['date'] }] } } } } },
  },
};

/** name → kubectl arguments. Binary secret data comes from a file written beside the kubeconfig. */
const commands: Record<string, string[]> = {
  configmap: ['create', 'configmap', 'settings', '--from-literal=mode=fast', '--from-literal=empty=', '--from-file=blob=@BIN'],
  'secret-generic': ['create', 'secret', 'generic', 'creds', '--from-literal=user=admin', '--from-file=key.bin=@BIN'],
  'secret-docker-registry': ['create', 'secret', 'docker-registry', 'regcred', '--docker-server=registry.example', '--docker-username=u', '--docker-password=p'],
  namespace: ['create', 'namespace', 'team-a'],
  deployment: ['create', 'deployment', 'web', '--image=nginx', '--replicas=0'],
  'deployment-port': ['create', 'deployment', 'api', '--image=busybox', '--port=8080', '--replicas=3', '--', 'sleep', '3600'],
  'service-nodeport': ['create', 'service', 'nodeport', 'web', '--tcp=80:http', '--node-port=30080'],
  'service-clusterip': ['create', 'service', 'clusterip', 'db', '--tcp=5432:5432', '--tcp=9187:9187'],
  'service-headless': ['create', 'service', 'clusterip', 'peers', '--clusterip=None'],
  'service-externalname': ['create', 'service', 'externalname', 'ext', '--external-name=example.com'],
  serviceaccount: ['create', 'serviceaccount', 'builder'],
  job: ['create', 'job', 'once', '--image=busybox', '--', 'echo', 'hi'],
  'job-from-cronjob': ['create', 'job', 'manual', '--from=cronjob/nightly'],
  cronjob: ['create', 'cronjob', 'nightly', '--image=busybox', '--schedule=*/5 * * * *', '--restart=OnFailure', '--', 'date'],
  role: ['create', 'role', 'reader', '--verb=get,list,watch', '--resource=pods,deployments.apps', '--resource-name=web'],
  clusterrole: ['create', 'clusterrole', 'metrics', '--verb=get', '--non-resource-url=/metrics', '--non-resource-url=/healthz'],
  'clusterrole-aggregate': ['create', 'clusterrole', 'agg', '--aggregation-rule=rbac.example.com/aggregate=true'],
  rolebinding: ['create', 'rolebinding', 'read', '--role=reader', '--user=alice', '--group=devs', '--serviceaccount=default:builder'],
  clusterrolebinding: ['create', 'clusterrolebinding', 'metrics', '--clusterrole=metrics', '--user=bob'],
  priorityclass: ['create', 'priorityclass', 'high', '--value=1000', '--global-default=false', '--description=important', '--preemption-policy=Never'],
  pdb: ['create', 'poddisruptionbudget', 'web', '--selector=app=web', '--min-available=50%'],
  'pdb-max': ['create', 'poddisruptionbudget', 'db', '--selector=app=db', '--max-unavailable=1'],
  quota: ['create', 'quota', 'limits', '--hard=cpu=2,memory=1Gi,pods=10', '--scopes=NotTerminating'],
  ingress: ['create', 'ingress', 'site', '--class=nginx', '--rule=example.com/api*=api:8080,tls=site-tls', '--rule=/=web:http', '--annotation=a=b'],
  token: ['create', 'token', 'builder', '--audience=vault', '--duration=10m', '--bound-object-kind=Pod', '--bound-object-name=p', '--bound-object-uid=1234'],
  autoscale: ['autoscale', 'deployment', 'web', '--min=2', '--max=5', '--cpu-percent=80'],
  'can-i': ['auth', 'can-i', 'create', 'deployments.apps', '--namespace=prod', '--subresource=scale'],
  'can-i-nonresource': ['auth', 'can-i', 'get', '/logs'],
  'can-i-list': ['auth', 'can-i', '--list', '--namespace=prod'],
  whoami: ['auth', 'whoami'],
};

function discovery(path: string): object | undefined {
  if (path === '/api') return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: '127.0.0.1' }] };
  if (path === '/apis') {
    const byGroup = new Map<string, string[]>();
    for (const gv of Object.keys(groups)) {
      if (gv === 'v1') continue;
      const [g, v] = gv.split('/') as [string, string];
      byGroup.set(g, [...(byGroup.get(g) ?? []), v]);
    }
    return {
      kind: 'APIGroupList', apiVersion: 'v1',
      groups: [...byGroup].map(([name, vs]) => ({
        name,
        versions: vs.map((version) => ({ groupVersion: `${name}/${version}`, version })),
        preferredVersion: { groupVersion: `${name}/${vs[0]}`, version: vs[0] },
      })),
    };
  }
  const gv = path === '/api/v1' ? 'v1' : path.startsWith('/apis/') ? path.slice(6) : undefined;
  const list = gv === undefined ? undefined : groups[gv];
  if (!list) return undefined;
  return {
    kind: 'APIResourceList', apiVersion: 'v1', groupVersion: gv,
    resources: list.map((r) => ({
      name: r.name, singularName: r.name.includes('/') ? '' : r.kind.toLowerCase(), namespaced: r.namespaced,
      kind: r.kind, verbs: r.verbs ?? rw, ...(r.short ? { shortNames: r.short } : {}),
    })),
  };
}

/** What the server sends back for a write: the object, plus a status for reviews and tokens. */
function reply(obj: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...obj, metadata: { ...(obj['metadata'] as object), uid: 'c0ffee00-0000-4000-8000-000000000001', resourceVersion: '1' } };
  switch (obj['kind']) {
    case 'SelfSubjectAccessReview': return { ...out, status: { allowed: true } };
    case 'SelfSubjectRulesReview': return { ...out, status: { resourceRules: [{ verbs: ['get'], apiGroups: [''], resources: ['pods'] }], nonResourceRules: [], incomplete: false } };
    case 'SelfSubjectReview': return { ...out, status: { userInfo: { username: 'alice', groups: ['system:authenticated'] } } };
    case 'TokenRequest': return { ...out, status: { token: 'eyJhbGciOi.fake.token', expirationTimestamp: '2030-01-01T00:00:00Z' } };
    default: return out;
  }
}

async function main(): Promise<void> {
  const here = dirname(fileURLToPath(import.meta.url));
  const [outdir = here, ...bins] = process.argv.slice(2);
  const kubectls = bins.length ? bins : ['kubectl.1.33', 'kubectl.1.31'];
  const bodies: { body: Buffer; contentType: string | undefined }[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = new URL(req.url ?? '/', 'http://x').pathname;
      const json = (code: number, body: object) => {
        res.writeHead(code, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify(body));
      };
      if (req.method === 'GET') {
        const body = discovery(path) ?? existing[path];
        if (body) return json(200, body);
        return json(404, { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'NotFound', code: 404, message: `${path} not found` });
      }
      const body = Buffer.concat(chunks);
      bodies.push({ body, contentType: req.headers['content-type'] });
      const obj = isProtobufContentType(req.headers['content-type'])
        ? decodeKubernetesProtobuf(body).object
        : (JSON.parse(body.toString()) as Record<string, unknown>);
      json(201, reply(obj));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const tmp = mkdtempSync(join(tmpdir(), 'capture-'));
  try {
    const bin = join(tmp, 'blob.bin');
    writeFileSync(bin, Uint8Array.from([0, 1, 2, 0xfe, 0xff, 0x80, 10]));
    const kubeconfig = join(tmp, 'config');
    writeFileSync(kubeconfig, JSON.stringify({
      apiVersion: 'v1', kind: 'Config', 'current-context': 'c',
      clusters: [{ name: 'c', cluster: { server: `http://127.0.0.1:${port}` } }],
      contexts: [{ name: 'c', context: { cluster: 'c', user: 'u', namespace: 'default' } }],
      users: [{ name: 'u', user: {} }],
    }));
    for (const kubectl of kubectls) {
      const dir = join(outdir, kubectl);
      mkdirSync(dir, { recursive: true });
      for (const [name, args] of Object.entries(commands)) {
        bodies.length = 0;
        const argv = args.map((a) => a.replace('@BIN', bin));
        const env = { ...process.env, KUBECONFIG: kubeconfig, HOME: tmp };
        const r = await promisify(execFile)(kubectl, argv, { env }).catch((e: { stderr?: string }) => ({ stdout: '', stderr: e.stderr ?? String(e) }));
        const last = bodies.at(-1);
        if (!last) {
          console.log(`${kubectl} ${name}: no body (${r.stderr.trim()})`);
          continue;
        }
        const pb = isProtobufContentType(last.contentType);
        writeFileSync(join(dir, `${name}.${pb ? 'pb' : 'json'}`), last.body);
        console.log(`${kubectl} ${name}: ${last.contentType} ${last.body.length} bytes; ${r.stdout.trim()}`);
      }
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
    server.close();
  }
}

await main();
