// The exec probe (upstream pkg/probe/exec plus the kubelet's RunInContainer): runs the command in
// the container through the runtime's execSync. Exit code 0 is success, anything else a failure
// whose output is the command's stdout then stderr (at most 10 KiB). A command still running after
// timeoutSeconds fails with `command timed out: "<cmd>" timed out after <d>`, as upstream's
// ExecProbeTimeout does; a runtime that cannot run the command at all gives an error.

import type { ContainerRuntime } from '../runtime/runtime.ts';
import { cancelled, deadline, errored, failure, goDuration, maxOutputBytes, success } from './probe.ts';
import type { ProbeOutcome, RunnerOptions } from './probe.ts';

export type ExecRunner = Pick<ContainerRuntime, 'execSync'>;

/** Whether a runtime's rejection means the command ran out of time (CRI: gRPC DEADLINE_EXCEEDED). */
function isTimeout(err: unknown): boolean {
  const e = err as { name?: string; code?: unknown } | undefined;
  return e?.name === 'TimeoutError' || e?.code === 'ETIMEDOUT' || e?.code === 4;
}

export async function execProbe(runtime: ExecRunner, containerId: string, command: string[], opts: RunnerOptions): Promise<ProbeOutcome> {
  const timedOutMessage = `command timed out: ${JSON.stringify(command.join(' '))} timed out after ${goDuration(opts.timeoutSeconds)}`;
  const d = deadline(opts);
  try {
    const aborted = new Promise<'aborted'>((resolve) => {
      if (d.signal.aborted) resolve('aborted');
      else d.signal.addEventListener('abort', () => resolve('aborted'), { once: true });
    });
    const exec = runtime.execSync(containerId, command, opts.timeoutSeconds);
    // The runtime keeps its own deadline; the command may outlive an abandoned wait.
    exec.catch(() => {});
    let res;
    try {
      res = await Promise.race([exec, aborted]);
    } catch (err) {
      if (isTimeout(err)) return failure(timedOutMessage);
      return errored(err instanceof Error ? err : new Error(String(err)));
    }
    if (res === 'aborted') return d.timedOut() ? failure(timedOutMessage) : cancelled();
    const output = Buffer.concat([res.stdout, res.stderr]).subarray(0, maxOutputBytes).toString('utf8');
    return res.exitCode === 0 ? success(output) : failure(output);
  } finally {
    d.done();
  }
}

/**
 * ExpandContainerCommandOnlyStatic: $(VAR) takes the value of an env entry with a literal value
 * (probes see no downward API or secrets); $$ escapes a dollar; unknown references stay as written.
 */
export function expandCommand(command: readonly string[], env: readonly { name: string; value?: string }[] = []): string[] {
  const vars = new Map<string, string>();
  for (const e of env) if (typeof e.name === 'string' && typeof e.value === 'string') vars.set(e.name, e.value);
  return command.map((arg) => expand(arg, vars));
}

function expand(input: string, vars: Map<string, string>): string {
  let out = '';
  for (let i = 0; i < input.length; i++) {
    if (input[i] !== '$' || i + 1 >= input.length) {
      out += input[i];
      continue;
    }
    const next = input[i + 1];
    if (next === '$') {
      out += '$';
      i++;
    } else if (next === '(') {
      const close = input.indexOf(')', i + 2);
      if (close < 0) {
        out += '$(';
        i++;
        continue;
      }
      const name = input.slice(i + 2, close);
      out += vars.get(name) ?? `$(${name})`;
      i = close;
    } else {
      out += `$${next}`;
      i++;
    }
  }
  return out;
}
