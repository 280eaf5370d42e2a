import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadCloudConfig } from './config.ts';
import { controllers, enabledControllers } from './controllers.ts';
import { createCloudProvider } from './providers.ts';
import { FakeCloud } from './testing.ts';

test('--controllers selection with names and aliases', () => {
  const names = (sel: string[]) => enabledControllers(sel).map((c) => c.name);
  assert.deepEqual(names(['*']), ['cloud-node-controller', 'cloud-node-lifecycle-controller', 'service-lb-controller', 'node-route-controller']);
  assert.deepEqual(names(['*', '-route']), ['cloud-node-controller', 'cloud-node-lifecycle-controller', 'service-lb-controller']);
  assert.deepEqual(names(['service', 'cloud-node-lifecycle-controller']), ['cloud-node-lifecycle-controller', 'service-lb-controller']);
  assert.throws(() => enabledControllers(['nodeipam']), /"nodeipam" is not in the list of known controllers/);
});

test('what a cloud lacks decides which controllers can run', () => {
  const cloud = new FakeCloud();
  assert.deepEqual(controllers.map((c) => c.unsupported(cloud)), [undefined, undefined, undefined, undefined]);
  const local = createCloudProvider('local');
  assert.deepEqual(controllers.map((c) => c.unsupported(local)), [undefined, undefined, undefined, 'the cloud provider does not support routes']);
  assert.throws(() => createCloudProvider('aws'), /unknown cloud provider "aws" \(known: local, external\)/);
});

test('cloud config files are JSON or YAML; the local provider checks its fields', () => {
  const dir = mkdtempSync(join(tmpdir(), 'k8ts-cloud-config-'));
  try {
    writeFileSync(join(dir, 'c.yaml'), 'loadBalancerPool:\n  - 127.200.0.0/24\n  - 127.201.0.1-127.201.0.9\nzone: z1\nhealthCheckInterval: 500ms\n');
    writeFileSync(join(dir, 'c.json'), '{"url": "http://127.0.0.1:1"}');
    writeFileSync(join(dir, 'list.yaml'), '- a\n');
    const yaml = loadCloudConfig(join(dir, 'c.yaml'));
    assert.deepEqual(yaml.loadBalancerPool, ['127.200.0.0/24', '127.201.0.1-127.201.0.9']);
    assert.equal(createCloudProvider('local', yaml).providerName, 'local');
    assert.equal(loadCloudConfig(join(dir, 'c.json')).url, 'http://127.0.0.1:1');
    assert.throws(() => loadCloudConfig(join(dir, 'list.yaml')), /must be an object/);
    assert.throws(() => createCloudProvider('local', { pool: '10.0.0.0/24' }), /unknown field "pool"/);
    assert.throws(() => createCloudProvider('local', { healthCheckInterval: 'soon' }), /invalid duration/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
