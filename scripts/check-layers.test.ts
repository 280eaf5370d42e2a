import assert from 'node:assert/strict';
import { it } from 'node:test';
import { findViolations, importsOf } from './check-layers.ts';

it('finds static, type-only, re-export and dynamic imports', () => {
  const source = `import a from './a.ts';\nimport type { B } from "../b.ts";\nexport { c } from './c.ts';\nconst d = await import('./d.ts');\nimport './e.ts';`;
  assert.deepEqual(importsOf(source), ['./a.ts', '../b.ts', './c.ts', './d.ts', './e.ts']);
});

it('allows the layering of DESIGN.md and refuses the rest', () => {
  const files = new Map([
    ['src/store/sqlite/x.ts', `import { e } from '../../machinery/clock.ts';`],
    ['src/kube-apiserver/server.ts', `import { s } from '../store/store.ts';`],
    ['src/kube-scheduler/q.ts', `import { s } from '../store/store.ts';\nimport { k } from '../kubelet/k.ts';`],
    ['src/machinery/m.ts', `import { c } from '../client/c.ts';`],
    ['src/store/s.ts', `import { h } from '../../test/support/h.ts';`],
    ['src/store/s.test.ts', `import { h } from '../../test/support/h.ts';`],
  ]);
  const found = findViolations(files).map((v) => `${v.file} -> ${v.specifier}: ${v.message}`);
  assert.deepEqual(found, [
    'src/kube-scheduler/q.ts -> ../store/store.ts: kube-scheduler may not import store',
    'src/kube-scheduler/q.ts -> ../kubelet/k.ts: kube-scheduler may not import kubelet',
    'src/machinery/m.ts -> ../client/c.ts: machinery may not import client',
    'src/store/s.ts -> ../../test/support/h.ts: src/ may not import test/support/h.ts (only tests may)',
  ]);
});
