// kube-proxy inside `k8ts up --proxy-mode nftables` with the cri runtime (see
// ./kube-proxy-up-scenario.ts): pods are containerd's, on its CNI bridge (10.244.0.0/24), and
// ClusterIPs come from the default range of this mode, 10.96.0.0/16. Root, nft and containerd
// only (skipped with the reason otherwise; with CI=true as root, missing nft fails).
// Network safety: the range is blackholed before the cluster starts, so nothing meant for it
// can leave by the default route even if k8ts misbehaves; k8ts routes it locally while it runs.
// Afterwards the table, the local route and route_localnet must be as they were (k8ts restores
// them when it stops), and the test removes what is left in any case.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { describe } from 'node:test';
import { criSkipReason, ensureCri } from '../../src/kubelet/runtime/cri/testing.ts';
import { defaultEndpoint } from '../../src/kubelet/runtime/cri/runtime.ts';
import { localRouteOf, removeLocalRoute } from '../../src/kube-proxy/nftables/local-service-range.ts';
import { deleteTable, nftCommand, nftUsable } from '../../src/kube-proxy/nftables/nft.ts';
import { defaultTable } from '../../src/kube-proxy/nftables/proxier.ts';
import { qosCgroups, removeClusterSandboxes } from '../support/cri-sandboxes.ts';
import { kubeProxyUpScenario } from './kube-proxy-up-scenario.ts';

const serviceRange = '10.96.0.0/16';
const routeLocalnet = '/proc/sys/net/ipv4/conf/all/route_localnet';
const ip = (args: string[]) => execFileSync('ip', args, { stdio: ['ignore', 'pipe', 'pipe'] }).toString();

async function skipReason(): Promise<string | false> {
  if (process.getuid?.() !== 0) return 'needs root (nftables, routes, containerd)';
  if (!(await nftUsable())) {
    if (process.env.CI === 'true') throw new Error('CI=true: the nftables e2e test needs the nft binary (apt-get install nftables)');
    return 'needs the nft binary (apt-get install nftables)';
  }
  return criSkipReason(defaultEndpoint);
}

async function tableExists(): Promise<boolean> {
  return (await nftCommand().exec(['list', 'tables'])).split('\n').some((l) => l.trim() === `table ip ${defaultTable}`);
}

let qosBefore = new Set<string>();
let localnetBefore = '';
let blackholed = false;

describe('kube-proxy in k8ts up (nftables, cri runtime)', { skip: await skipReason() }, () => {
  kubeProxyUpScenario({
    upArgs: ['--runtime', 'cri', '--proxy-mode', 'nftables'],
    clusterIP: /^10\.96\./,
    async setUp() {
      // First of all: nothing for the range may take the default route.
      ip(['route', 'add', 'blackhole', serviceRange]);
      blackholed = true;
      assert.match(ip(['route', 'show', serviceRange]), /blackhole/);
      assert.equal(await tableExists(), false, `an nft table ${defaultTable} exists already; is another k8ts running?`);
      await ensureCri(defaultEndpoint);
      qosBefore = qosCgroups();
      localnetBefore = readFileSync(routeLocalnet, 'utf8').trim();
    },
    async cleanUp(dataDir) {
      const left: string[] = [];
      if (await tableExists()) left.push(`nft table ${defaultTable}`);
      if (localRouteOf(serviceRange)) left.push(`local route ${serviceRange}`);
      if (localnetBefore && readFileSync(routeLocalnet, 'utf8').trim() !== localnetBefore) left.push('route_localnet changed');
      // Remove whatever is left, then the blackhole (last).
      if (dataDir) await removeClusterSandboxes(dataDir, qosBefore);
      await deleteTable(defaultTable).catch(() => {});
      removeLocalRoute(serviceRange);
      if (localnetBefore) writeFileSync(routeLocalnet, localnetBefore);
      if (blackholed) ip(['route', 'del', 'blackhole', serviceRange]);
      assert.deepEqual(left, [], 'k8ts up left changes to the host behind');
    },
  });
});
