// The kubelet scenarios (./kubelet-scenarios.ts) on `k8ts up --runtime cri`: pods run as containers of
// the machine's containerd on its CNI bridge (10.244.0.0/24). Every sandbox the cluster made is removed
// afterwards (the kubelet leaves its containers running when it stops, as upstream does).
// A sandbox someone else made in the same containerd (no k8ts.io/node-name label) must outlive the
// whole suite untouched. Skipped (with the reason) where containerd does not answer and we are not
// root to set it up.

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe } from 'node:test';
import { createCriRuntime, defaultEndpoint } from '../../src/kubelet/runtime/cri/runtime.ts';
import { criSkipReason, ensureCri } from '../../src/kubelet/runtime/cri/testing.ts';
import { qosCgroups, removeClusterSandboxes } from '../support/cri-sandboxes.ts';
import { kubeletScenarios } from './kubelet-scenarios.ts';

let qosBefore = new Set<string>();
let foreign: { id: string; logs: string } | undefined;

/** A sandbox as another CRI client would make it: the kubelet's pod labels, but not its node label. */
async function runForeignSandbox(): Promise<{ id: string; logs: string }> {
  const logs = mkdtempSync(join(tmpdir(), 'k8ts-foreign-'));
  const cri = createCriRuntime();
  try {
    const uid = `foreign-${process.pid}`;
    const id = await cri.runPodSandbox({
      metadata: { name: 'foreign', namespace: 'elsewhere', uid, attempt: 0 },
      hostname: 'foreign',
      logDirectory: logs,
      portMappings: [],
      labels: { 'io.kubernetes.pod.name': 'foreign', 'io.kubernetes.pod.namespace': 'elsewhere', 'io.kubernetes.pod.uid': uid },
      annotations: {},
      hostNetwork: false,
    });
    return { id, logs };
  } finally {
    await cri.close();
  }
}

async function checkAndRemoveForeignSandbox(): Promise<void> {
  if (!foreign) return;
  const cri = createCriRuntime();
  try {
    const status = await cri.podSandboxStatus(foreign.id);
    assert.equal(status.state, 'ready', 'the kubelet left a sandbox it did not create alone');
  } finally {
    await cri.stopPodSandbox(foreign.id).catch(() => undefined);
    await cri.removePodSandbox(foreign.id).catch(() => undefined);
    await cri.close();
    rmSync(foreign.logs, { recursive: true, force: true });
    foreign = undefined;
  }
}

describe('kubelet (cri runtime)', { skip: await criSkipReason(defaultEndpoint) }, () => {
  kubeletScenarios({
    upArgs: ['--runtime', 'cri'],
    runtimeVersion: /^containerd:\/\//,
    podIP: /^10\.244\.0\.\d+$/,
    ownNamespaces: true,
    // A container reaches the host directory through a hostPath volume.
    preStopMark: (hostDir) => ({
      path: '/markers/prestop',
      volumeMounts: [{ name: 'markers', mountPath: '/markers' }],
      volumes: [{ name: 'markers', hostPath: { path: hostDir, type: 'Directory' } }],
    }),
    async setUp() {
      await ensureCri(defaultEndpoint);
      qosBefore = qosCgroups();
      foreign = await runForeignSandbox();
    },
    async cleanUp(dataDir) {
      await removeClusterSandboxes(dataDir, qosBefore);
      await checkAndRemoveForeignSandbox();
    },
  });
});
