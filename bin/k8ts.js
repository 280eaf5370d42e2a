#!/usr/bin/env node
// The k8ts command. The sources are TypeScript, which Node.js 24 runs directly; on an older
// node this re-runs itself with the Node.js 24 that the project's `node` package brings.

import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';

const major = Number(process.versions.node.split('.')[0]);
if (major >= 24) {
  await import('../src/cli/main.ts');
} else {
  let node;
  try {
    node = createRequire(import.meta.url).resolve('node/bin/node');
  } catch {
    console.error(`k8ts needs Node.js 24 or newer (this is ${process.version}); run npm install in the k8ts package, or install Node.js 24.`);
    process.exit(1);
  }
  const child = spawn(node, [new URL(import.meta.url).pathname, ...process.argv.slice(2)], { stdio: 'inherit' });
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => child.kill(signal));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 128 + 1 : 1)));
}
