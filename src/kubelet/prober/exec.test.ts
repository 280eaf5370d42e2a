import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FakeClock } from '../../machinery/fake-clock.ts';
import type { ExecSyncResult } from '../runtime/runtime.ts';
import { NotFoundError } from '../runtime/runtime.ts';
import { execProbe, expandCommand } from './exec.ts';

function result(exitCode: number, stdout = '', stderr = ''): ExecSyncResult {
  return { exitCode, stdout: Buffer.from(stdout), stderr: Buffer.from(stderr) };
}

test('exec probe: exit 0 succeeds, other codes fail, and the output is stdout then stderr', async () => {
  const clock = new FakeClock();
  const seen: unknown[][] = [];
  const runtime = {
    execSync: async (id: string, cmd: string[], timeoutSeconds: number) => {
      seen.push([id, cmd, timeoutSeconds]);
      return cmd[0] === 'ok' ? result(0, 'fine\n') : result(1, 'out;', "cat: can't open '/tmp/healthy'");
    },
  };
  assert.deepEqual(await execProbe(runtime, 'c1', ['ok'], { clock, timeoutSeconds: 5 }), { result: 'success', output: 'fine\n' });
  assert.deepEqual(await execProbe(runtime, 'c1', ['cat', '/tmp/healthy'], { clock, timeoutSeconds: 1 }), {
    result: 'failure',
    output: "out;cat: can't open '/tmp/healthy'",
  });
  assert.deepEqual(seen, [
    ['c1', ['ok'], 5],
    ['c1', ['cat', '/tmp/healthy'], 1],
  ]);
  assert.equal(clock.pendingTimers, 0);
});

test('exec probe: a command still running after timeoutSeconds fails as timed out', async () => {
  const clock = new FakeClock();
  const runtime = { execSync: () => new Promise<ExecSyncResult>(() => {}) };
  const probe = execProbe(runtime, 'c1', ['sleep', '10'], { clock, timeoutSeconds: 2 });
  clock.advance(1999);
  let settled = false;
  void probe.then(() => (settled = true));
  await new Promise((r) => setImmediate(r));
  assert.equal(settled, false);
  clock.advance(1);
  assert.deepEqual(await probe, { result: 'failure', output: 'command timed out: "sleep 10" timed out after 2s' });
});

test('exec probe: a runtime deadline is a timeout, other runtime errors are errors', async () => {
  const clock = new FakeClock();
  const timeout = Object.assign(new Error('deadline exceeded'), { code: 4 });
  const timedOut = await execProbe({ execSync: () => Promise.reject(timeout) }, 'c1', ['true'], { clock, timeoutSeconds: 60 });
  assert.deepEqual(timedOut, { result: 'failure', output: 'command timed out: "true" timed out after 1m0s' });
  const gone = await execProbe({ execSync: () => Promise.reject(new NotFoundError('container', 'c1')) }, 'c1', ['true'], { clock, timeoutSeconds: 1 });
  assert.equal(gone.result, 'unknown');
  assert.match(gone.error?.message ?? '', /container "c1" not found/);
});

test('exec probe: output is cut at 10 KiB', async () => {
  const clock = new FakeClock();
  const big = await execProbe({ execSync: async () => result(1, 'x'.repeat(20_000)) }, 'c1', ['x'], { clock, timeoutSeconds: 1 });
  assert.equal(big.output.length, 10 * 1024);
});

test('exec probe: an aborted probe is dropped, not failed', async () => {
  const clock = new FakeClock();
  const controller = new AbortController();
  const probe = execProbe({ execSync: () => new Promise<ExecSyncResult>(() => {}) }, 'c1', ['x'], { clock, timeoutSeconds: 1, signal: controller.signal });
  controller.abort();
  const outcome = await probe;
  assert.equal(outcome.result, 'unknown');
  assert.ok(outcome.error);
  assert.equal(clock.pendingTimers, 0);
});

test('expandCommand expands $(VAR) from literal env values only, as upstream', () => {
  const env = [{ name: 'PORT', value: '8080' }, { name: 'SECRET', valueFrom: { secretKeyRef: { name: 's', key: 'k' } } }];
  assert.deepEqual(expandCommand(['sh', '-c', 'wget -q localhost:$(PORT)/ $(SECRET) $$(PORT) $(MISSING) $x $(open'], env), [
    'sh',
    '-c',
    'wget -q localhost:8080/ $(SECRET) $(PORT) $(MISSING) $x $(open',
  ]);
});
