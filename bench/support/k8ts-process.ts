// Runs k8ts as a child process for a benchmark, so client and server are measured as
// separate processes: `k8ts apiserver` or `k8ts up` on a free port, ready when its log says
// so; stop() ends it by PID (SIGTERM, SIGKILL after 10 s). K8TS_BENCH_CHILD_NODE_OPTIONS adds
// node flags to the child (e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof` to profile the server).

import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const bin = fileURLToPath(new URL('../../bin/k8ts.js', import.meta.url));

/** The log line each subcommand prints once it serves. */
const readyLine = { apiserver: /kube-apiserver: kubeconfig: /, up: /ready in \d+ ms/ };

export interface K8tsProcess {
  /** https://host:port of the API server. */
  url: string;
  kubeconfig: string;
  pid: number;
  /** What it has logged (the last 500 kB to 1 MB of it). */
  output(): string;
  stop(): Promise<void>;
}

export async function startK8ts(subcommand: 'apiserver' | 'up', dataDir: string, args: string[] = []): Promise<K8tsProcess> {
  const nodeFlags = (process.env.K8TS_BENCH_CHILD_NODE_OPTIONS ?? '').split(/\s+/).filter(Boolean);
  const child: ChildProcess = spawn(process.execPath, [...nodeFlags, bin, subcommand, '--data-dir', dataDir, '--port', '0', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const keep = (c: string) => {
    output += c;
    if (output.length > 1_000_000) output = output.slice(-500_000);
  };
  child.stdout!.setEncoding('utf8').on('data', keep);
  child.stderr!.setEncoding('utf8').on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    }
  };
  const deadline = Date.now() + 60_000;
  while (!readyLine[subcommand].test(output)) {
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`k8ts ${subcommand} did not become ready:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  const url = /(?:serving on|kube-apiserver:) (https:\/\/\S+)/.exec(output)?.[1];
  if (!url) {
    await stop();
    throw new Error(`no URL in the output of k8ts ${subcommand}:\n${output}`);
  }
  return { url, kubeconfig: join(dataDir, 'kubeconfig.yaml'), pid: child.pid!, output: () => output, stop };
}
