// Enforces the dependency rules of DESIGN.md on src/: which layer may import which.
//   machinery <- api <- client <- component-base <- components <- cli
//   store imports only machinery and api; only kube-apiserver imports store;
//   no component imports another; src/ never imports test/ or bench/ (tests may).
// Run: node scripts/check-layers.ts (exits 1 and lists violations).

import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const components = ['kube-apiserver', 'kube-controller-manager', 'cloud-controller-manager', 'kube-scheduler', 'kubelet', 'kube-proxy'];
const base = ['machinery', 'api', 'client', 'component-base'];

/** What each layer (top folder of src/) may import besides itself. */
export const allowed: Record<string, string[]> = {
  machinery: [],
  api: ['machinery'],
  store: ['machinery', 'api'],
  client: ['machinery', 'api'],
  'component-base': ['machinery', 'api', 'client'],
  'kube-apiserver': [...base, 'store'],
  ...Object.fromEntries(components.filter((c) => c !== 'kube-apiserver').map((c) => [c, base])),
  cli: [...base, ...components],
};

/** Imports that break the rules on purpose; each says why. */
export const exceptions: { from: string; to: string; why: string }[] = [];

export interface Violation {
  file: string;
  specifier: string;
  message: string;
}

const importPattern = /(?:^|[\s;])(?:import|export)\s+(?:type\s+)?(?:[\w*{}\s,$]+\s+from\s+)?['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;

export function importsOf(source: string): string[] {
  const out: string[] = [];
  for (const m of source.matchAll(importPattern)) out.push(m[1] ?? m[2]);
  return out;
}

/** Checks files given as repo-relative paths (with '/' separators) and their sources. */
export function findViolations(files: Map<string, string>): Violation[] {
  const violations: Violation[] = [];
  for (const [file, source] of files) {
    if (!file.startsWith('src/')) continue;
    const isTest = file.endsWith('.test.ts');
    const layer = file.split('/')[1];
    for (const specifier of importsOf(source)) {
      if (!specifier.startsWith('.')) continue;
      const target = join(dirname(file), specifier).split(sep).join('/');
      if (!target.startsWith('src/')) {
        if (!isTest) violations.push({ file, specifier, message: `src/ may not import ${target} (only tests may)` });
        continue;
      }
      const to = target.split('/')[1];
      if (to === layer) continue;
      if (!(layer in allowed)) {
        violations.push({ file, specifier, message: `unknown layer src/${layer}: add it to scripts/check-layers.ts` });
        continue;
      }
      if (allowed[layer].includes(to)) continue;
      if (exceptions.some((e) => e.from === file && e.to === to)) continue;
      violations.push({ file, specifier, message: `${layer} may not import ${to}` });
    }
  }
  return violations;
}

function listTs(dir: string, root: string, out: Map<string, string>): void {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) listTs(path, root, out);
    else if (entry.name.endsWith('.ts')) out.set(relative(root, path).split(sep).join('/'), readFileSync(path, 'utf8'));
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
  const files = new Map<string, string>();
  listTs(join(root, 'src'), root, files);
  const violations = findViolations(files);
  for (const v of violations) console.error(`${v.file}: import '${v.specifier}': ${v.message}`);
  if (violations.length > 0) {
    console.error(`check-layers: ${violations.length} violation(s); see DESIGN.md for the rules`);
    process.exit(1);
  }
  console.log(`check-layers: ${files.size} files follow the layering rules`);
}
