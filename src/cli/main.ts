// Entry point of the `k8ts` command: dispatches to one subcommand per module of cli/.

import { readFileSync } from 'node:fs';
import { apiserver } from './apiserver.ts';
import { cloudControllerManager } from './cloud-controller-manager.ts';
import { controllerManager } from './controller-manager.ts';
import { kubelet } from './kubelet.ts';
import { proxy } from './proxy.ts';
import { scheduler } from './scheduler.ts';
import { up } from './up.ts';

interface Subcommand {
  summary: string;
  usage: string;
  run(args: string[]): Promise<number>;
}

const subcommands: Record<string, Subcommand> = {
  up: {
    summary: 'Run a whole cluster in this process (k3s-style all in one)',
    usage: up.usage,
    run: up.run,
  },
  apiserver: {
    summary: 'Run the kube-apiserver alone',
    usage: apiserver.usage,
    run: apiserver.run,
  },
  scheduler: {
    summary: 'Run the kube-scheduler alone',
    usage: scheduler.usage,
    run: scheduler.run,
  },
  'controller-manager': {
    summary: 'Run the kube-controller-manager alone',
    usage: controllerManager.usage,
    run: controllerManager.run,
  },
  'cloud-controller-manager': {
    summary: 'Run the cloud-controller-manager alone (nodes, load balancers and routes of a cloud)',
    usage: cloudControllerManager.usage,
    run: cloudControllerManager.run,
  },
  kubelet: {
    summary: "Run one node's kubelet",
    usage: kubelet.usage,
    run: kubelet.run,
  },
  proxy: {
    summary: 'Run kube-proxy alone (userspace or nftables data plane)',
    usage: proxy.usage,
    run: proxy.run,
  },
};

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

function help(): string {
  const width = Math.max(...Object.keys(subcommands).map((n) => n.length));
  const lines = Object.entries(subcommands).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`);
  return [
    'k8ts: Kubernetes, implemented in TypeScript.',
    '',
    'Usage: k8ts <command> [flags]',
    '',
    'Commands:',
    ...lines,
    '',
    'Flags:',
    '  -h, --help     Show help (also: k8ts <command> --help)',
    '  -v, --version  Print the version',
    '',
  ].join('\n');
}

async function main(argv: string[]): Promise<number> {
  const [first, ...rest] = argv;
  if (first === undefined || first === '-h' || first === '--help' || first === 'help') {
    process.stdout.write(help());
    return first === undefined ? 1 : 0;
  }
  if (first === '-v' || first === '--version' || first === 'version') {
    process.stdout.write(`k8ts ${version()}\n`);
    return 0;
  }
  const command = subcommands[first];
  if (!command) {
    process.stderr.write(`k8ts: unknown command ${JSON.stringify(first)}\n\n${help()}`);
    return 2;
  }
  if (rest.includes('-h') || rest.includes('--help')) {
    process.stdout.write(command.usage);
    return 0;
  }
  return command.run(rest);
}

process.exitCode = await main(process.argv.slice(2)).catch((err: unknown) => {
  process.stderr.write(`k8ts: ${err instanceof Error ? err.message : String(err)}\n`);
  return 1;
});
