// Cleaning up after a `k8ts up --runtime cri` cluster: its kubelet leaves its containers running when
// it stops (as upstream does), so a test removes every sandbox the cluster made, and the QoS cgroup
// parents its runtime created once no pod uses them.

import { existsSync, readdirSync, rmdirSync } from 'node:fs';
import { join } from 'node:path';
import { cgroupMounts } from '../../src/kubelet/runtime/cri/cgroups.ts';
import { createCriClient } from '../../src/kubelet/runtime/cri/client.ts';
import { createCriRuntime, defaultEndpoint } from '../../src/kubelet/runtime/cri/runtime.ts';

/** The QoS cgroup directories (kubepods, kubepods/besteffort) that exist now, in every hierarchy. */
export function qosCgroups(): Set<string> {
  const out = new Set<string>();
  for (const m of cgroupMounts()) for (const p of ['kubepods', 'kubepods/besteffort']) if (existsSync(join(m, p))) out.add(join(m, p));
  return out;
}

/**
 * Removes every sandbox whose log directory is under `dataDir` (that cluster's), then the QoS cgroups
 * not in `qosBefore` that no pod uses any more. Returns how many sandboxes it removed.
 */
export async function removeClusterSandboxes(dataDir: string, qosBefore: Set<string>, endpoint: string = defaultEndpoint): Promise<number> {
  const client = createCriClient(endpoint);
  const runtime = createCriRuntime({ endpoint });
  let removed = 0;
  try {
    const { items } = await client.call('ListPodSandbox', {}, 30_000);
    for (const s of items) {
      const res = await client.call('PodSandboxStatus', { pod_sandbox_id: s.id, verbose: true }, 30_000).catch(() => undefined);
      const logDirectory = (JSON.parse(res?.info.info ?? '{}') as { config?: { log_directory?: string } }).config?.log_directory ?? '';
      if (!logDirectory.startsWith(`${dataDir}/`)) continue;
      await runtime.removePodSandbox(s.id).catch(() => undefined);
      removed++;
    }
  } finally {
    client.close();
    await runtime.close();
  }
  // The QoS parents that the cluster's runtime made, once no pod uses them (deepest first).
  for (const dir of [...qosCgroups()].filter((d) => !qosBefore.has(d)).sort((a, b) => b.length - a.length)) {
    if (readdirSync(dir, { withFileTypes: true }).some((e) => e.isDirectory())) continue;
    try {
      rmdirSync(dir);
    } catch {
      // In use again.
    }
  }
  return removed;
}
