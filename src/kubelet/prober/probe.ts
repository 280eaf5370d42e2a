// What every probe runner shares, after upstream's pkg/probe: the outcome of one probe (success,
// warning, failure, unknown, plus the output the events quote), the deadline each runner keeps on
// the injected clock, port resolution from a container's named ports, and Go-style texts for dial
// errors and durations so that event messages read like upstream's.

import type { Clock } from '../../machinery/clock.ts';
import type { Container } from '../types.ts';

export const probeTypes = ['liveness', 'readiness', 'startup'] as const;
export type ProbeType = (typeof probeTypes)[number];

/** probe.Result: warning counts as success but gets its own event. */
export type ProbeResult = 'success' | 'warning' | 'failure' | 'unknown';

export interface ProbeOutcome {
  result: ProbeResult;
  /** What the probe said: the exec output, the HTTP body or failure text, a dial error. */
  output: string;
  /** Set when the probe could not be run at all; upstream retries it and then throws the result away. */
  error?: Error;
}

export interface RunnerOptions {
  timeoutSeconds: number;
  clock: Clock;
  /** Cancels the probe (the worker stopped); the outcome is then thrown away. */
  signal?: AbortSignal;
}

/** Output kept from a probe's response body or command output (upstream's maxRespBodyLength/maxReadLength). */
export const maxOutputBytes = 10 * 1024;

/** "Liveness", "Readiness", "Startup": upstream's probeType.String(), used in events and metrics. */
export function probeTypeName(t: ProbeType): string {
  return t[0].toUpperCase() + t.slice(1);
}

export function success(output = ''): ProbeOutcome {
  return { result: 'success', output };
}

export function failure(output: string): ProbeOutcome {
  return { result: 'failure', output };
}

export function errored(error: Error, result: ProbeResult = 'unknown'): ProbeOutcome {
  return { result, output: '', error };
}

export const cancelled = (): ProbeOutcome => errored(new Error('probe cancelled'));

/**
 * A deadline of timeoutSeconds on the injected clock, joined with the caller's signal: `signal`
 * aborts on either, and `timedOut` tells which. `done()` releases the timer.
 */
export function deadline(opts: RunnerOptions): { signal: AbortSignal; timedOut: () => boolean; done: () => void } {
  const controller = new AbortController();
  let expired = false;
  const timer = opts.clock.setTimeout(() => {
    expired = true;
    controller.abort();
  }, opts.timeoutSeconds * 1000);
  const onAbort = () => controller.abort();
  if (opts.signal?.aborted) controller.abort();
  else opts.signal?.addEventListener('abort', onAbort, { once: true });
  return {
    signal: controller.signal,
    timedOut: () => expired,
    done: () => {
      opts.clock.clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
    },
  };
}

/** probe.ResolveContainerPort: a number, a named container port, or a number in a string. */
export function resolveContainerPort(port: number | string | undefined, container: Pick<Container, 'ports'>): number {
  let n: number;
  if (typeof port === 'number') n = port;
  else if (typeof port === 'string') {
    const named = (container.ports ?? []).find((p) => p.name === port);
    if (named) n = named.containerPort;
    else if (/^[+-]?\d+$/.test(port)) n = Number(port);
    else throw new Error(`strconv.Atoi: parsing ${JSON.stringify(port)}: invalid syntax`);
  } else throw new Error(`intOrString had no kind: ${JSON.stringify(port)}`);
  if (Number.isInteger(n) && n > 0 && n < 65536) return n;
  throw new Error(`invalid port number: ${n}`);
}

/** net.JoinHostPort: brackets around IPv6 literals. */
export function joinHostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/** time.Duration.String() for whole seconds: 1s, 1m30s, 1h0m0s. */
export function goDuration(seconds: number): string {
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  if (h) return `${h}h${m}m${s}s`;
  if (m) return `${m}m${s}s`;
  return `${s}s`;
}

/** How Go's net package words a failed dial, so probe failures read as upstream's do. */
export function dialErrorMessage(err: unknown, host: string, port: number): string {
  const addr = joinHostPort(host, port);
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'ECONNREFUSED':
      return `dial tcp ${addr}: connect: connection refused`;
    case 'EHOSTUNREACH':
      return `dial tcp ${addr}: connect: no route to host`;
    case 'ENETUNREACH':
      return `dial tcp ${addr}: connect: network is unreachable`;
    case 'ETIMEDOUT':
      return `dial tcp ${addr}: i/o timeout`;
    case 'ECONNRESET':
      return `read tcp ${addr}: read: connection reset by peer`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `dial tcp: lookup ${host}: no such host`;
  }
  const message = err instanceof Error ? err.message : String(err);
  return message === 'socket hang up' ? 'EOF' : `dial tcp ${addr}: ${message}`;
}
