// The kubelet scenarios (./kubelet-scenarios.ts) on `k8ts up --runtime cri`: pods run as containers of
// the machine's containerd on its CNI bridge (10.244.0.0/24). Every sandbox the cluster made is removed
// afterwards (the kubelet leaves its containers running when it stops, as upstream does).
// Skipped (with the reason) where containerd does not answer and we are not root to set it up.

import { describe } from 'node:test';
import { defaultEndpoint } from '../../src/kubelet/runtime/cri/runtime.ts';
import { criSkipReason, ensureCri } from '../../src/kubelet/runtime/cri/testing.ts';
import { qosCgroups, removeClusterSandboxes } from '../support/cri-sandboxes.ts';
import { kubeletScenarios } from './kubelet-scenarios.ts';

let qosBefore = new Set<string>();

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
    },
    async cleanUp(dataDir) {
      await removeClusterSandboxes(dataDir, qosBefore);
    },
  });
});
