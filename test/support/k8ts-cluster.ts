// Runs `k8ts up` as its own process for end-to-end tests, and the real kubectl against it.
// Each cluster gets a temp data dir and a free port; stop() ends it by PID and removes the
// dir. kubectl gets its own cache dir, so tests never touch the user's ~/.kube.

import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const bin = fileURLToPath(new URL('../../bin/k8ts.js', import.meta.url));

export interface KubectlResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface Cluster {
  url: string;
  kubeconfig: string;
  dataDir: string;
  pid: number;
  output(): string;
  /** Runs kubectl (the default binary, or `kubectl.1.NN` for version "1.NN"). */
  kubectl(args: string[], options?: { version?: string; input?: string; env?: Record<string, string> }): Promise<KubectlResult>;
  /** Runs kubectl and returns its output; throws with its stderr if it fails. */
  ok(args: string[], input?: string): Promise<string>;
  /** `ok(args + -o json)`, parsed. */
  json(args: string[]): Promise<any>;
  stop(): Promise<void>;
}

/** The kubectl binary for a version ("1.27"…"1.33"), or the default one. */
export function kubectlPath(version?: string): string {
  const base = findOnPath('kubectl');
  if (!base) throw new Error('kubectl not found on PATH');
  if (!version) return base;
  const path = join(dirname(realpathSync(base)), `kubectl.${version}`);
  if (!existsSync(path)) throw new Error(`kubectl ${version} not found beside ${base}`);
  return path;
}

function findOnPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir && existsSync(join(dir, name))) return join(dir, name);
  }
  return undefined;
}

export async function startCluster(args: string[] = []): Promise<Cluster> {
  const dataDir = mkdtempSync(join(tmpdir(), 'k8ts-e2e-'));
  // The process runtime unless a test asks for another: `up` would pick containerd where it runs.
  const runtime = args.includes('--runtime') ? [] : ['--runtime', 'process'];
  const child: ChildProcess = spawn(process.execPath, [bin, 'up', '--data-dir', dataDir, '--port', '0', '--kubelet-port', '0', ...runtime, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.setEncoding('utf8').on('data', (c: string) => (output += c));
  child.stderr!.setEncoding('utf8').on('data', (c: string) => (output += c));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const deadline = Date.now() + 30_000;
  while (!/ready in \d+ ms/.test(output)) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      rmSync(dataDir, { recursive: true, force: true });
      throw new Error(`k8ts up did not become ready:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  const url = /kube-apiserver: (https:\/\/\S+)/.exec(output)![1];
  const kubeconfig = join(dataDir, 'kubeconfig.yaml');
  const cacheDir = join(dataDir, 'kubectl-cache');
  const cluster: Cluster = {
    url,
    kubeconfig,
    dataDir,
    pid: child.pid!,
    output: () => output,
    kubectl(kargs, options = {}) {
      return new Promise((resolve) => {
        const proc = execFile(
          kubectlPath(options.version),
          ['--kubeconfig', kubeconfig, '--cache-dir', cacheDir, ...kargs],
          { env: { ...process.env, KUBECONFIG: kubeconfig, HOME: dataDir, ...options.env }, timeout: 60_000, maxBuffer: 64 * 1024 * 1024 },
          (err, stdout, stderr) => resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }),
        );
        if (options.input !== undefined) proc.stdin!.end(options.input);
      });
    },
    async ok(kargs, input) {
      const r = await cluster.kubectl(kargs, { input });
      if (r.code !== 0) throw new Error(`kubectl ${kargs.join(' ')} failed (${r.code}):\n${r.stderr}\n${r.stdout}`);
      return r.stdout;
    },
    async json(kargs) {
      return JSON.parse(await cluster.ok([...kargs, '-o', 'json']));
    },
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(timer);
      }
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return cluster;
}
