// The kubelet scenarios (./kubelet-scenarios.ts) on the process runtime of `k8ts up`: pods run as host
// processes, each with its own loopback IP, and need busybox on the host for their image.

import { join } from 'node:path';
import { describe } from 'node:test';
import { busyboxSkipReason } from '../support/busybox.ts';
import { kubeletScenarios } from './kubelet-scenarios.ts';

describe('kubelet (process runtime)', { skip: busyboxSkipReason() }, () => {
  kubeletScenarios({
    upArgs: ['--runtime', 'process'],
    runtimeVersion: /^process:\/\//,
    podIP: /^127\.64\.\d+\.\d+$/,
    ownNamespaces: false,
    // A host process writes a host path as it is.
    preStopMark: (hostDir) => ({ path: join(hostDir, 'prestop') }),
  });
});
