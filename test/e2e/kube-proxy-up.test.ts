// kube-proxy inside `k8ts up` with the userspace data plane and the process runtime: ClusterIPs
// from 127.100.0.0/16, on loopback (see ./kube-proxy-up-scenario.ts).

import { describe } from 'node:test';
import { busyboxSkipReason } from '../support/busybox.ts';
import { kubeProxyUpScenario } from './kube-proxy-up-scenario.ts';

describe('kube-proxy in k8ts up (userspace)', { skip: busyboxSkipReason() }, () => {
  kubeProxyUpScenario({ upArgs: [], clusterIP: /^127\.100\./ });
});
