// Exec and attach over WebSocket channels (kubectl >= 1.30 speaks v5.channel.k8s.io; client libraries
// v4 and older). Picks the first subprotocol the client offers that we serve, as upstream does; a client
// offering none gets the plain binary channel protocol. Like upstream, an empty message on the first
// output channel tells the client the session is established.

import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { StatusError } from '../../../machinery/status.ts';
import { offeredSubprotocols, rejectStreamingRequest } from './handshake.ts';
import { terminalSizes } from './resize.ts';
import { type RemoteCommandOptions, type RemoteCommandSession, encodeStatus, remoteCommandProtocols, streamChannels } from './remote-command-protocol.ts';
import { WebSocketChannels, acceptWebSocket } from './websocket-channels.ts';

/** WebSocket subprotocols for exec/attach and their framing. */
const websocketProtocols: Record<string, { base64: boolean; closeSignals: boolean }> = {
  [remoteCommandProtocols.v5]: { base64: false, closeSignals: true },
  [remoteCommandProtocols.v4]: { base64: false, closeSignals: false },
  'v4.base64.channel.k8s.io': { base64: true, closeSignals: false },
  [remoteCommandProtocols.v3]: { base64: false, closeSignals: false },
  [remoteCommandProtocols.v2]: { base64: false, closeSignals: false },
  [remoteCommandProtocols.v1]: { base64: false, closeSignals: false },
  'base64.channel.k8s.io': { base64: true, closeSignals: false },
};

/** Upgrades to a channel WebSocket; undefined when the handshake was refused. */
export async function openWebSocketRemoteCommand(
  req: IncomingMessage,
  socket: Duplex,
  head: Buffer,
  options: RemoteCommandOptions,
): Promise<RemoteCommandSession | undefined> {
  const offered = offeredSubprotocols(req);
  const protocol = offered.length === 0 ? '' : offered.find((p) => Object.hasOwn(websocketProtocols, p));
  if (protocol === undefined) {
    const message = `requested protocol(s) are not supported: [${offered.join(' ')}]; supports [${Object.keys(websocketProtocols).join(' ')}]`;
    rejectStreamingRequest(socket, new StatusError(400, 'BadRequest', message));
    return undefined;
  }
  const framing = websocketProtocols[protocol] ?? { base64: false, closeSignals: false };
  const inbound: number[] = [];
  if (options.stdin) inbound.push(streamChannels.stdin);
  if (options.tty) inbound.push(streamChannels.resize);
  const channels = await acceptWebSocket(req, socket, head, protocol, (ws) => new WebSocketChannels(ws, { ...framing, inbound }));
  if (!channels) return undefined;

  const first = options.stdout ? streamChannels.stdout : options.stderr ? streamChannels.stderr : streamChannels.error;
  await channels.send(first, Buffer.alloc(0));

  return {
    protocol,
    stdin: options.stdin ? channels.readable(streamChannels.stdin) : undefined,
    stdout: options.stdout ? channels.writable(streamChannels.stdout) : undefined,
    stderr: options.stderr ? channels.writable(streamChannels.stderr) : undefined,
    resize: options.tty ? terminalSizes(channels.readable(streamChannels.resize)) : undefined,
    async writeStatus(status) {
      const bytes = encodeStatus(protocol, status);
      if (bytes) await channels.send(streamChannels.error, bytes);
    },
    close: () => channels.close(),
    closed: channels.closed,
  };
}
