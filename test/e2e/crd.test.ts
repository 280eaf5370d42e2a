// Custom resources with the real kubectl against a real `k8ts up`: a CustomResourceDefinition
// is applied, becomes Established, and its resources are served with their schema, status
// and scale subresources and printer columns; deleting it removes them again.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { kubectlPath, startCluster } from '../support/k8ts-cluster.ts';

const crd = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.example.com
spec:
  group: example.com
  scope: Namespaced
  names:
    plural: widgets
    singular: widget
    kind: Widget
    shortNames: [wd]
  versions:
  - name: v1
    served: true
    storage: true
    subresources:
      status: {}
      scale:
        specReplicasPath: .spec.replicas
        statusReplicasPath: .status.replicas
    additionalPrinterColumns:
    - name: Replicas
      type: integer
      jsonPath: .spec.replicas
    - name: Color
      type: string
      jsonPath: .spec.color
    - name: Ready
      type: string
      jsonPath: .status.conditions[?(@.type=="Ready")].status
    - name: Age
      type: date
      jsonPath: .metadata.creationTimestamp
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
            type: object
            required: [color]
            properties:
              replicas: {type: integer, minimum: 0, default: 1}
              color: {type: string, enum: [red, green, blue]}
          status:
            type: object
            properties:
              replicas: {type: integer}
              conditions:
                type: array
                items:
                  type: object
                  properties:
                    type: {type: string}
                    status: {type: string}
`;

const widget = (name: string, spec: string) => `apiVersion: example.com/v1
kind: Widget
metadata:
  name: ${name}
spec: ${spec}
`;

test('custom resources are served while their CRD exists', async (t) => {
  const cluster = await startCluster();
  t.after(() => cluster.stop());

  const ok = async (args: string[], input?: string): Promise<string> => {
    const r = await cluster.kubectl(args, { input });
    assert.equal(r.code, 0, `kubectl ${args.join(' ')} failed (${r.code}):\n${r.stderr}`);
    return r.stdout;
  };
  const eventually = async (what: string, check: () => Promise<boolean>): Promise<void> => {
    const deadline = Date.now() + 15_000;
    while (!(await check())) {
      assert.ok(Date.now() < deadline, `timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };

  await t.test('the CRD is applied and becomes Established', async () => {
    assert.match(await ok(['apply', '-f', '-'], crd), /customresourcedefinition.apiextensions.k8s.io\/widgets.example.com created/);
    assert.match(await ok(['wait', '--for=condition=Established', 'crd/widgets.example.com', '--timeout=20s']), /condition met/);
    const status = JSON.parse(await ok(['get', 'crd', 'widgets.example.com', '-o', 'json'])).status;
    assert.deepEqual(status.storedVersions, ['v1']);
    assert.equal(status.acceptedNames.kind, 'Widget');
    assert.deepEqual(
      status.conditions.map((c: { type: string; status: string; reason: string }) => [c.type, c.status, c.reason]),
      [
        ['NamesAccepted', 'True', 'NoConflicts'],
        ['Established', 'True', 'InitialNamesAccepted'],
      ],
    );
  });

  await t.test('a custom resource is created, defaulted and printed with the printer columns', async () => {
    assert.match(await ok(['apply', '-f', '-'], widget('w1', '{color: red}')), /widget.example.com\/w1 created/);
    const lines = (await ok(['get', 'widgets'])).trim().split('\n');
    assert.match(lines[0], /^NAME\s+REPLICAS\s+COLOR\s+READY\s+AGE$/);
    // Ready has no value yet: a null cell, which kubectl leaves blank.
    assert.match(lines[1], /^w1\s+1\s+red\s+\d+s$/);
    assert.match(await ok(['get', 'wd', 'w1', '-o', 'name']), /^widget.example.com\/w1$/m);
    assert.match(await ok(['api-resources', '--api-group=example.com']), /^widgets\s+wd\s+example.com\/v1\s+true\s+Widget$/m);
  });

  await t.test('an object the schema refuses is rejected with 422 Invalid', async () => {
    const r = await cluster.kubectl(['create', '-f', '-', '-v=6'], { input: widget('bad', '{color: red, replicas: two}') });
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /422 Unprocessable Entity/);
    assert.match(r.stderr, /The Widget "bad" is invalid: spec.replicas: Invalid value: "string": spec.replicas in body must be of type integer: "string"/);
    const enumErr = await cluster.kubectl(['create', '-f', '-'], { input: widget('bad', '{color: purple}') });
    assert.match(enumErr.stderr, /spec.color: Unsupported value: "purple": supported values: "red", "green", "blue"/);
  });

  await t.test('kubectl scale goes through the scale subresource; merge patches and status writes work', async () => {
    assert.match(await ok(['scale', 'widget/w1', '--replicas=3']), /widget.example.com\/w1 scaled/);
    const scale = JSON.parse(await ok(['get', '--raw', '/apis/example.com/v1/namespaces/default/widgets/w1/scale']));
    assert.deepEqual([scale.kind, scale.spec.replicas], ['Scale', 3]);
    await ok(['patch', 'widget', 'w1', '--type', 'merge', '-p', '{"spec":{"color":"blue"}}']);
    await ok(['patch', 'widget', 'w1', '--subresource=status', '--type', 'merge', '-p', '{"status":{"replicas":3,"conditions":[{"type":"Ready","status":"True"}]}}']);
    const w1 = JSON.parse(await ok(['get', 'widget', 'w1', '-o', 'json']));
    assert.deepEqual([w1.spec, w1.status.replicas, w1.metadata.generation], [{ color: 'blue', replicas: 3 }, 3, 3]);
    assert.match(await ok(['get', 'widgets']), /^w1\s+3\s+blue\s+True\s+\d+s$/m);
    await ok(['patch', 'widget', 'w1', '--type', 'merge', '-p', '{"status":{"replicas":9}}']);
    assert.equal(JSON.parse(await ok(['get', 'widget', 'w1', '-o', 'json'])).status.replicas, 3, 'the main resource does not write status');
  });

  await t.test('kubectl get -w sees changes', async () => {
    const watch = spawn(kubectlPath(), ['--kubeconfig', cluster.kubeconfig, '--cache-dir', join(cluster.dataDir, 'kubectl-cache'), 'get', 'widgets', '-w', '--output-watch-events'], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, HOME: cluster.dataDir },
    });
    let out = '';
    watch.stdout.setEncoding('utf8').on('data', (c: string) => (out += c));
    try {
      const until = (re: RegExp) => eventually(`watch output ${re}:\n${out}`, async () => re.test(out));
      await until(/^ADDED\s+w1\s+3\s+blue\s/m);
      await ok(['patch', 'widget', 'w1', '--type', 'merge', '-p', '{"spec":{"color":"green"}}']);
      await until(/^MODIFIED\s+w1\s+3\s+green\s/m);
      await ok(['apply', '-f', '-'], widget('w2', '{color: red, replicas: 2}'));
      await until(/^ADDED\s+w2\s+2\s+red\s/m);
    } finally {
      watch.kill();
    }
  });

  await t.test('deleting the CRD deletes its custom resources and stops serving them', async () => {
    assert.match(await ok(['delete', 'crd', 'widgets.example.com', '--timeout=30s']), /customresourcedefinition.apiextensions.k8s.io "widgets.example.com" deleted/);
    assert.doesNotMatch(await ok(['get', 'crd']), /widgets/);
    await eventually('widgets to leave api-resources', async () => !/widgets/.test(await ok(['api-resources'])));
    const gone = await cluster.kubectl(['get', 'widgets']);
    assert.notEqual(gone.code, 0);
    assert.match(gone.stderr, /the server doesn't have a resource type "widgets"/);

    // Created again, the CRD starts empty: its objects went with the old one.
    await ok(['apply', '-f', '-'], crd);
    await ok(['wait', '--for=condition=Established', 'crd/widgets.example.com', '--timeout=20s']);
    const again = await cluster.kubectl(['get', 'widgets']);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stderr, /No resources found/);
  });
});
