// What exec and attach share across transports: protocol names, the streams a session opens, and the
// final status on the error channel, byte for byte as upstream's kubelet writes it (v4 and v5: a JSON
// metav1.Status without kind/apiVersion; older protocols: the failure message as text, nothing on success).

import type { Readable, Writable } from 'node:stream';
import type { TerminalSize } from './resize.ts';

export const remoteCommandProtocols = {
  v5: 'v5.channel.k8s.io',
  v4: 'v4.channel.k8s.io',
  v3: 'v3.channel.k8s.io',
  v2: 'v2.channel.k8s.io',
  v1: 'channel.k8s.io',
} as const;

/** SPDY X-Stream-Protocol-Version values we accept, most preferred first. */
export const spdyRemoteCommandProtocols: readonly string[] = [
  remoteCommandProtocols.v5,
  remoteCommandProtocols.v4,
  remoteCommandProtocols.v3,
  remoteCommandProtocols.v2,
  remoteCommandProtocols.v1,
];

/** Stream types of SPDY exec/attach (the streamType header) and their WebSocket channel numbers. */
export const streamChannels = { stdin: 0, stdout: 1, stderr: 2, error: 3, resize: 4 } as const;
export type StreamType = keyof typeof streamChannels;

export interface RemoteCommandOptions {
  stdin: boolean;
  stdout: boolean;
  /** Ignored with tty: a terminal merges stderr into stdout. */
  stderr: boolean;
  tty: boolean;
  /** Shapes error messages as upstream's exec or attach does; 'exec' by default. */
  operation?: 'exec' | 'attach';
  /** The command being run (exec), quoted in the non-zero exit message as the container runtime does. */
  command?: string[];
  /** How long to wait for a SPDY client to open its streams; 30 s by default, as upstream. */
  streamCreationTimeoutMs?: number;
}

/** The open streams of one exec/attach connection, whatever carries them. */
export interface RemoteCommandSession {
  protocol: string;
  stdin?: Readable;
  stdout?: Writable;
  stderr?: Writable;
  resize?: AsyncIterable<TerminalSize>;
  /** Sends the final status on the error channel. */
  writeStatus(status: ExecStatus): Promise<void>;
  close(): Promise<void>;
  /** Resolves when the client is gone (or the session closed). */
  closed: Promise<void>;
}

/** metav1.Status as upstream marshals it on the error channel (no kind, no apiVersion). */
export interface ExecStatus {
  metadata: Record<string, never>;
  status: 'Success' | 'Failure';
  message?: string;
  reason?: string;
  details?: { causes: { reason?: string; message: string }[] };
  code?: number;
}

export function successStatus(): ExecStatus {
  return { metadata: {}, status: 'Success' };
}

/** The status of a command that exited with a non-zero code; kubectl exits with that code. */
export function nonZeroExitStatus(exitCode: number, command?: string[]): ExecStatus {
  const detail = command ? `error executing command [${command.join(' ')}], exit code ${exitCode}` : `exit code ${exitCode}`;
  return {
    metadata: {},
    status: 'Failure',
    message: `command terminated with non-zero exit code: ${detail}`,
    reason: 'NonZeroExitCode',
    details: { causes: [{ reason: 'ExitCode', message: String(exitCode) }] },
  };
}

/** The status of an exec or attach that failed to run at all (apierrors.NewInternalError). */
export function internalErrorStatus(operation: 'exec' | 'attach', err: unknown): ExecStatus {
  const cause = err instanceof Error ? err.message : String(err);
  const message = operation === 'exec' ? `error executing command in container: ${cause}` : `error attaching to container: ${cause}`;
  return {
    metadata: {},
    status: 'Failure',
    message: `Internal error occurred: ${message}`,
    reason: 'InternalError',
    details: { causes: [{ message }] },
    code: 500,
  };
}

/** Bytes for the error channel under `protocol`, or undefined when nothing is sent. */
export function encodeStatus(protocol: string, status: ExecStatus): Buffer | undefined {
  if (protocol === remoteCommandProtocols.v5 || protocol === remoteCommandProtocols.v4 || protocol.startsWith('v4.')) {
    return Buffer.from(JSON.stringify(status));
  }
  if (status.status === 'Success') return undefined;
  return Buffer.from(status.message ?? '');
}
