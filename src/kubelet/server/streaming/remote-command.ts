// The kubelet's /exec and /attach streaming: takes an upgrade request (WebSocket channel.k8s.io family
// or SPDY/3.1), wires the client's streams to `run`, and when `run` settles sends the final status on
// the error channel (success, non-zero exit code, or internal error) and closes the connection.
// Guarantees: the status goes out only after everything `run` wrote to stdout/stderr; streams `run`
// did not end are ended for it; `run`'s signal aborts when the client goes away first.

import type { IncomingMessage } from 'node:http';
import type { Duplex, Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { badRequest } from '../../../machinery/status.ts';
import type { StreamIO } from '../../runtime/runtime.ts';
import { isSpdyUpgradeRequest, isWebSocketRequest, rejectStreamingRequest, upgradeRequired } from './handshake.ts';
import {
  type ExecStatus,
  type RemoteCommandOptions,
  type RemoteCommandSession,
  internalErrorStatus,
  nonZeroExitStatus,
  successStatus,
} from './remote-command-protocol.ts';
import { openSpdyRemoteCommand } from './remote-command-spdy.ts';
import { openWebSocketRemoteCommand } from './remote-command-websocket.ts';

export type { RemoteCommandOptions } from './remote-command-protocol.ts';

/** Runs the command (or attaches) on the given streams; resolves with the exit code. */
export type RemoteCommandRunner = (io: StreamIO, signal: AbortSignal) => Promise<number>;

/**
 * Reads exec/attach options from a request's query: the kubelet's own names (`input=1&output=1&error=1`,
 * as upstream's API server sends them on) and the API's (`stdin=true&stdout=true&stderr=true`, as
 * clients send them, which reach the kubelet unchanged when the API server passes requests through).
 */
export function remoteCommandOptionsFromQuery(query: URLSearchParams): RemoteCommandOptions & { command: string[]; container: string } {
  const flag = (...names: string[]): boolean =>
    names.some((name) => {
      const value = query.get(name);
      return value === '1' || value === 'true';
    });
  return {
    stdin: flag('input', 'stdin'),
    stdout: flag('output', 'stdout'),
    stderr: flag('error', 'stderr'),
    tty: flag('tty'),
    command: query.getAll('command'),
    container: query.get('container') ?? '',
  };
}

async function endAndFlush(stream: Writable | undefined): Promise<void> {
  if (!stream || stream.destroyed) return;
  if (!stream.writableEnded) stream.end();
  await finished(stream, { readable: false }).catch(() => undefined);
}

/** Serves one exec or attach upgrade request; resolves when the connection is closed. */
export async function serveRemoteCommand(req: IncomingMessage, socket: Duplex, head: Buffer, options: RemoteCommandOptions, run: RemoteCommandRunner): Promise<void> {
  const opts: RemoteCommandOptions = { ...options, stderr: options.stderr && !options.tty };
  if (!opts.stdin && !opts.stdout && !opts.stderr) {
    rejectStreamingRequest(socket, badRequest('you must specify at least 1 of stdin, stdout, stderr'));
    return;
  }
  let session: RemoteCommandSession | undefined;
  if (isWebSocketRequest(req)) session = await openWebSocketRemoteCommand(req, socket, head, opts);
  else if (isSpdyUpgradeRequest(req)) session = await openSpdyRemoteCommand(req, socket, head, opts);
  else rejectStreamingRequest(socket, upgradeRequired());
  if (!session) return;

  for (const stream of [session.stdin, session.stdout, session.stderr]) stream?.on('error', () => undefined);
  const abort = new AbortController();
  void session.closed.then(() => abort.abort(new Error('the client closed the connection')));
  const io: StreamIO = { stdin: session.stdin, stdout: session.stdout, stderr: session.stderr, tty: opts.tty, resize: session.resize };

  let status: ExecStatus;
  try {
    const exitCode = await run(io, abort.signal);
    status = exitCode === 0 ? successStatus() : nonZeroExitStatus(exitCode, opts.command);
  } catch (err) {
    status = internalErrorStatus(opts.operation ?? 'exec', err);
  }
  await Promise.all([endAndFlush(session.stdout), endAndFlush(session.stderr)]);
  await session.writeStatus(status);
  await session.close();
}
