// Exec and attach over SPDY/3.1 (kubectl <= 1.29, and later ones when WebSockets fail): negotiates the
// protocol version, answers 101, and waits for the client to open its streams (error, then stdin, stdout,
// stderr, resize as asked), each tagged by its streamType header, before handing them over.

import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { headerProtocolVersion, negotiateStreamProtocol, rejectStreamingRequest, spdy31, writeSwitchingProtocols } from './handshake.ts';
import { terminalSizes } from './resize.ts';
import {
  type RemoteCommandOptions,
  type RemoteCommandSession,
  type StreamType,
  encodeStatus,
  remoteCommandProtocols,
  spdyRemoteCommandProtocols,
  streamChannels,
} from './remote-command-protocol.ts';
import { SpdySession } from './spdy/connection.ts';
import type { SpdyStream } from './spdy/stream.ts';

const defaultStreamCreationTimeoutMs = 30_000;

function isStreamType(value: string): value is StreamType {
  return Object.hasOwn(streamChannels, value);
}

/** Upgrades to SPDY and collects the client's streams; undefined when refused or when they never came. */
export async function openSpdyRemoteCommand(
  req: IncomingMessage,
  socket: Duplex,
  head: Buffer,
  options: RemoteCommandOptions,
): Promise<RemoteCommandSession | undefined> {
  const negotiation = negotiateStreamProtocol(req, spdyRemoteCommandProtocols);
  if ('error' in negotiation) {
    rejectStreamingRequest(socket, negotiation.error, negotiation.headers);
    return undefined;
  }
  const { protocol } = negotiation;
  writeSwitchingProtocols(socket, { Connection: 'Upgrade', Upgrade: spdy31, [headerProtocolVersion]: protocol });

  const resizable = protocol !== remoteCommandProtocols.v2 && protocol !== remoteCommandProtocols.v1;
  const expected = 1 + Number(options.stdin) + Number(options.stdout) + Number(options.stderr) + Number(options.tty && resizable);
  const streams: Partial<Record<StreamType, SpdyStream>> = {};
  let received = 0;
  let allReceived!: () => void;
  const ready = new Promise<void>((resolve) => {
    allReceived = resolve;
  });
  const session = new SpdySession(socket, {
    onStream: (stream) => {
      const type = stream.header('streamType');
      if (!isStreamType(type)) return;
      stream.on('error', () => undefined);
      streams[type] = stream;
      if (++received === expected) allReceived();
    },
  });
  session.receiveHead(head);

  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(true), options.streamCreationTimeoutMs ?? defaultStreamCreationTimeoutMs);
  });
  const failed = await Promise.race([ready.then(() => false), timedOut, session.closed.then(() => true)]);
  clearTimeout(timer);
  if (failed) {
    await session.close();
    return undefined;
  }

  const errorStream = streams.error;
  return {
    protocol,
    stdin: options.stdin ? streams.stdin : undefined,
    stdout: options.stdout ? streams.stdout : undefined,
    stderr: options.stderr ? streams.stderr : undefined,
    resize: options.tty && streams.resize ? terminalSizes(streams.resize) : undefined,
    async writeStatus(status) {
      if (!errorStream) return;
      const bytes = encodeStatus(protocol, status);
      await new Promise<void>((resolve) => {
        errorStream.end(bytes ?? Buffer.alloc(0), () => resolve());
      });
    },
    close: () => session.close(),
    closed: session.closed,
  };
}
