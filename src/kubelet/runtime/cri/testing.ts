// For tests that need a real CRI runtime: whether one answers, and setting this machine up as a CRI node
// (containerd, runc, CNI plugins, the offline busybox and pause images) when it does not and we are root.
// The setup script lives beside the repository, in ../shared/scripts (K8TS_CRI_SETUP overrides it).

import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { criAvailable, defaultEndpoint } from './runtime.ts';

export const setupScript = process.env.K8TS_CRI_SETUP ?? fileURLToPath(new URL('../../../../../shared/scripts/setup-cri-node.sh', import.meta.url));

const isRoot = (): boolean => process.getuid?.() === 0;

/**
 * Why CRI tests cannot run here, or false when they can: the runtime answers, or we are root and can
 * set it up (with CI=true as root they always run, and fail if the set-up does).
 */
export async function criSkipReason(endpoint: string = defaultEndpoint): Promise<string | false> {
  if (await criAvailable(endpoint)) return false;
  if (isRoot() && (existsSync(setupScript) || process.env.CI === 'true')) return false;
  return `no CRI runtime answers at ${endpoint}${isRoot() ? ` and ${setupScript} is missing` : ` (run ${setupScript} as root to start containerd)`}`;
}

/** Makes sure the CRI runtime answers, running the (idempotent) setup script if it does not. */
export async function ensureCri(endpoint: string = defaultEndpoint): Promise<void> {
  if (await criAvailable(endpoint)) return;
  if (!isRoot()) throw new Error(`no CRI runtime answers at ${endpoint}, and setting one up needs root`);
  await new Promise<void>((resolve, reject) => {
    execFile('bash', [setupScript], { maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${setupScript} failed: ${err.message}\n${stdout}\n${stderr}`));
      else resolve();
    });
  });
  const deadline = Date.now() + 30_000;
  while (!(await criAvailable(endpoint))) {
    if (Date.now() > deadline) throw new Error(`no CRI runtime answers at ${endpoint} after ${setupScript}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
