// The kubelet's /portForward streaming, in the three shapes clients use:
// - SPDY/3.1 upgrade, protocol portforward.k8s.io (kubectl <= 1.30, and later ones as a fallback);
// - WebSocket subprotocol SPDY/3.1+portforward.k8s.io: the same SPDY session carried in binary
//   messages (kubectl >= 1.31);
// - WebSocket v4.channel.k8s.io (and base64, and none) with the ports in the query: per port a data
//   channel 2i and an error channel 2i+1, each opening with the port as 2 bytes little-endian
//   (@kubernetes/client-node).
// In the SPDY shapes the client opens a data and an error stream per connection, paired by their
// requestID header; each pair gets its own `forward(port)` connection. A failure to connect, or a
// connection that breaks, is reported as text on the pair's error stream, as upstream does. Every
// forwarded connection is closed when the client's connection ends.

import type { IncomingMessage } from 'node:http';
import type { Duplex, Readable, Writable } from 'node:stream';
import { createWebSocketStream } from 'ws';
import { StatusError, badRequest } from '../../../machinery/status.ts';
import {
  headerProtocolVersion,
  isSpdyUpgradeRequest,
  isWebSocketRequest,
  negotiateStreamProtocol,
  offeredSubprotocols,
  rejectStreamingRequest,
  spdy31,
  upgradeRequired,
  writeSwitchingProtocols,
} from './handshake.ts';
import { SpdySession } from './spdy/connection.ts';
import type { SpdyStream } from './spdy/stream.ts';
import { WebSocketChannels, acceptWebSocket } from './websocket-channels.ts';

export const portForwardProtocol = 'portforward.k8s.io';
/** kubectl >= 1.31 tunnels SPDY through a WebSocket under this subprotocol. */
export const spdyTunnelProtocol = `${spdy31}+${portForwardProtocol}`;
const websocketProtocols: Record<string, boolean> = { '': false, 'v4.channel.k8s.io': false, 'v4.base64.channel.k8s.io': true };
const defaultStreamCreationTimeoutMs = 30_000;

/** Opens a connection to `port` in the pod's network. */
export type PortForwarder = (port: number) => Promise<Duplex>;

export interface PortForwardOptions {
  /** Named in error messages as upstream does: "error forwarding port P to pod NAME, uid UID: ...". */
  pod?: string;
  uid?: string;
  /** How long a SPDY client has to open the second stream of a pair; 30 s by default. */
  streamCreationTimeoutMs?: number;
}

/** Serves one port-forward upgrade request; resolves when the client's connection is closed. */
export async function servePortForward(req: IncomingMessage, socket: Duplex, head: Buffer, forward: PortForwarder, options: PortForwardOptions = {}): Promise<void> {
  if (isWebSocketRequest(req)) {
    const offered = offeredSubprotocols(req);
    if (offered.includes(spdyTunnelProtocol)) return serveTunnel(req, socket, head, forward, options);
    return serveWebSocketChannels(req, socket, head, offered, forward, options);
  }
  if (isSpdyUpgradeRequest(req)) return serveSpdy(req, socket, head, forward, options);
  rejectStreamingRequest(socket, upgradeRequired());
}

function errorMessage(port: number, options: PortForwardOptions, err: unknown): string {
  const cause = err instanceof Error ? err.message : String(err);
  return `error forwarding port ${port} to pod ${options.pod ?? ''}, uid ${options.uid ?? ''}: ${cause}`;
}

/** Errors after which upstream keeps the session: the pod's side reset or stopped reading. */
function isConnectionDrop(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ECONNRESET' || code === 'EPIPE';
}

/**
 * Copies both ways between the client's side (`inbound` into the pod, `outbound` back) and `target`,
 * half-closing each direction as it ends. Resolves when the target connection is closed, with the
 * error that broke it, if any.
 */
function splice(inbound: Readable, outbound: Writable, target: Duplex): Promise<Error | undefined> {
  return new Promise((resolve) => {
    let failure: Error | undefined;
    target.on('error', (err) => {
      failure ??= err;
    });
    inbound.pipe(target);
    target.pipe(outbound);
    target.once('close', () => {
      // Whatever the client still sends has nowhere to go; drain it so it does not hold up the session.
      inbound.unpipe(target);
      inbound.resume();
      resolve(failure);
    });
  });
}

// --- SPDY (direct and tunneled) ---

interface StreamPair {
  data?: SpdyStream;
  error?: SpdyStream;
  timer?: NodeJS.Timeout;
}

function serveSpdySession(transport: Duplex, head: Buffer, forward: PortForwarder, options: PortForwardOptions): Promise<void> {
  const pairs = new Map<string, StreamPair>();
  const targets = new Set<Duplex>();
  const timeoutMs = options.streamCreationTimeoutMs ?? defaultStreamCreationTimeoutMs;

  const run = async (port: number, data: SpdyStream, error: SpdyStream): Promise<void> => {
    let target: Duplex;
    try {
      target = await forward(port);
    } catch (err) {
      error.end(errorMessage(port, options, err));
      data.end();
      return;
    }
    if (data.dead) {
      target.destroy();
      return;
    }
    targets.add(target);
    const onTerminated = (): void => {
      target.destroy();
    };
    data.once('terminated', onTerminated);
    const failure = await splice(data, data, target);
    targets.delete(target);
    data.off('terminated', onTerminated);
    if (failure && !isConnectionDrop(failure)) error.write(errorMessage(port, options, failure));
    data.end();
    error.end();
  };

  const session = new SpdySession(transport, {
    onStream: (stream) => {
      const portHeader = stream.header('port');
      const port = Number(portHeader);
      const type = stream.header('streamType');
      if (!/^\d+$/.test(portHeader) || port < 1 || port > 65535) return false;
      if (type !== 'data' && type !== 'error') return false;
      stream.on('error', () => undefined);
      // Clients too old to send requestID open error then data streams with consecutive ids.
      const requestID = stream.header('requestID') || String(type === 'error' ? stream.id : stream.id - 2);
      let pair = pairs.get(requestID);
      if (!pair) {
        const created: StreamPair = {};
        created.timer = setTimeout(() => {
          pairs.delete(requestID);
          created.error?.end(`(request=${requestID}) timed out waiting for streams`);
          created.data?.end();
        }, timeoutMs);
        created.timer.unref();
        pair = created;
        pairs.set(requestID, pair);
      }
      if (pair[type]) {
        stream.end(`error processing stream for request ${requestID}: ${type} stream already assigned`);
        return;
      }
      pair[type] = stream;
      if (pair.data && pair.error) {
        clearTimeout(pair.timer);
        pairs.delete(requestID);
        void run(port, pair.data, pair.error);
      }
    },
  });
  session.receiveHead(head);
  return session.closed.then(() => {
    for (const pair of pairs.values()) clearTimeout(pair.timer);
    for (const target of targets) target.destroy();
  });
}

async function serveSpdy(req: IncomingMessage, socket: Duplex, head: Buffer, forward: PortForwarder, options: PortForwardOptions): Promise<void> {
  const negotiation = negotiateStreamProtocol(req, [portForwardProtocol]);
  if ('error' in negotiation) {
    rejectStreamingRequest(socket, negotiation.error, negotiation.headers);
    return;
  }
  writeSwitchingProtocols(socket, { Connection: 'Upgrade', Upgrade: spdy31, [headerProtocolVersion]: negotiation.protocol });
  await serveSpdySession(socket, head, forward, options);
}

async function serveTunnel(req: IncomingMessage, socket: Duplex, head: Buffer, forward: PortForwarder, options: PortForwardOptions): Promise<void> {
  const transport = await acceptWebSocket(req, socket, head, spdyTunnelProtocol, (ws) => createWebSocketStream(ws));
  if (!transport) return;
  transport.on('error', () => undefined);
  await serveSpdySession(transport, Buffer.alloc(0), forward, options);
}

// --- WebSocket channels ---

/** The ports of a WebSocket port-forward: `port` as upstream's kubelet reads it, or `ports` as clients send it. */
export function portsFromQuery(query: URLSearchParams): number[] {
  const values = [...query.getAll('port'), ...query.getAll('ports')];
  if (values.length === 0) throw badRequest('query parameter "port" is required');
  const ports: number[] = [];
  for (const value of values) {
    if (value === '') throw badRequest('query parameter "port" cannot be empty');
    for (const part of value.split(',')) {
      const port = /^\d+$/.test(part) ? Number(part) : NaN;
      if (!(port >= 0 && port <= 65535)) throw badRequest(`unable to parse "${value}" as a port`);
      if (port < 1) throw badRequest(`port "${value}" must be > 0`);
      ports.push(port);
    }
  }
  return ports;
}

async function serveWebSocketChannels(
  req: IncomingMessage,
  socket: Duplex,
  head: Buffer,
  offered: string[],
  forward: PortForwarder,
  options: PortForwardOptions,
): Promise<void> {
  const protocol = offered.length === 0 ? '' : offered.find((p) => Object.hasOwn(websocketProtocols, p));
  if (protocol === undefined) {
    const message = `requested protocol(s) are not supported: [${offered.join(' ')}]; supports [${Object.keys(websocketProtocols).join(' ')}]`;
    rejectStreamingRequest(socket, new StatusError(400, 'BadRequest', message));
    return;
  }
  let ports: number[];
  try {
    ports = portsFromQuery(new URL(req.url ?? '/', 'http://localhost').searchParams);
  } catch (err) {
    rejectStreamingRequest(socket, err instanceof StatusError ? err : badRequest(String(err)));
    return;
  }
  const inbound = ports.map((_, i) => 2 * i);
  const channels = await acceptWebSocket(req, socket, head, protocol, (ws) => new WebSocketChannels(ws, { base64: websocketProtocols[protocol], closeSignals: false, inbound }));
  if (!channels) return;

  const targets = new Set<Duplex>();
  void channels.closed.then(() => {
    for (const target of targets) target.destroy();
  });
  await Promise.all(
    ports.map(async (port, i) => {
      const portBytes = Buffer.alloc(2);
      portBytes.writeUInt16LE(port);
      await channels.send(2 * i, portBytes);
      await channels.send(2 * i + 1, portBytes);
      let target: Duplex;
      try {
        target = await forward(port);
      } catch (err) {
        await channels.send(2 * i + 1, Buffer.from(errorMessage(port, options, err)));
        return;
      }
      targets.add(target);
      const failure = await splice(channels.readable(2 * i), channels.writable(2 * i), target);
      targets.delete(target);
      if (failure) await channels.send(2 * i + 1, Buffer.from(errorMessage(port, options, failure)));
    }),
  );
  await channels.close();
}
