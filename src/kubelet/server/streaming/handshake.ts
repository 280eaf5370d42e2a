// The HTTP side of the streaming upgrades: tells WebSocket from SPDY/3.1 requests, negotiates
// X-Stream-Protocol-Version as upstream's httpstream.Handshake does (the first protocol the client
// lists that the server supports), answers 101, and refuses requests with a metav1.Status body.

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { StatusError, badRequest } from '../../../machinery/status.ts';

export const headerProtocolVersion = 'X-Stream-Protocol-Version';
export const headerAcceptedProtocolVersions = 'X-Accepted-Stream-Protocol-Versions';
export const spdy31 = 'SPDY/3.1';

function headerList(req: IncomingMessage, name: string): string[] {
  const raw = req.headers[name.toLowerCase()];
  const values = Array.isArray(raw) ? raw : raw === undefined ? [] : [raw];
  return values.flatMap((v) => v.split(',')).map((v) => v.trim()).filter((v) => v.length > 0);
}

function connectionUpgrades(req: IncomingMessage): boolean {
  return headerList(req, 'connection').some((v) => v.toLowerCase() === 'upgrade');
}

export function isWebSocketRequest(req: IncomingMessage): boolean {
  return (req.headers.upgrade ?? '').toLowerCase() === 'websocket' && connectionUpgrades(req);
}

export function isSpdyUpgradeRequest(req: IncomingMessage): boolean {
  return (req.headers.upgrade ?? '').toLowerCase().includes(spdy31.toLowerCase()) && connectionUpgrades(req);
}

/** The WebSocket subprotocols the client offered, in its order of preference. */
export function offeredSubprotocols(req: IncomingMessage): string[] {
  return headerList(req, 'sec-websocket-protocol');
}

export type Negotiation = { protocol: string } | { error: StatusError; headers: Record<string, string[]> };

/** Picks the first protocol in the client's X-Stream-Protocol-Version list that the server supports. */
export function negotiateStreamProtocol(req: IncomingMessage, serverProtocols: readonly string[]): Negotiation {
  const client = headerList(req, headerProtocolVersion);
  if (client.length === 0) return { error: badRequest(`unable to upgrade: ${headerProtocolVersion} is required`), headers: {} };
  const protocol = client.find((p) => serverProtocols.includes(p));
  if (protocol) return { protocol };
  const message = `unable to upgrade: unable to negotiate protocol: client supports [${client.join(' ')}], server accepts [${serverProtocols.join(' ')}]`;
  return {
    error: new StatusError(403, 'Forbidden', message),
    headers: { [headerAcceptedProtocolVersions]: [...serverProtocols] },
  };
}

/** Answers an upgrade request with 101 on the raw socket. */
export function writeSwitchingProtocols(socket: Duplex, headers: Record<string, string>): void {
  const lines = ['HTTP/1.1 101 Switching Protocols', ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`)];
  socket.write(`${lines.join('\r\n')}\r\n\r\n`);
}

const reasonPhrases: Record<number, string> = {
  400: 'Bad Request',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

/**
 * Refuses a streaming request with `error.status` as a JSON body. `target` is the ServerResponse of
 * a plain request or the raw socket of an upgrade request (which is then closed).
 */
export function rejectStreamingRequest(target: ServerResponse | Duplex, error: StatusError, headers: Record<string, string[]> = {}): void {
  const body = JSON.stringify(error.status);
  const code = error.status.code;
  const all: Record<string, string | string[]> = {
    'Content-Type': 'application/json',
    'Content-Length': String(Buffer.byteLength(body)),
    'X-Content-Type-Options': 'nosniff',
    ...headers,
  };
  if ('setHeader' in target) {
    if (!target.headersSent) target.writeHead(code, all);
    target.end(body);
    return;
  }
  if (target.destroyed) return;
  const lines = [`HTTP/1.1 ${code} ${reasonPhrases[code] ?? 'Error'}`, 'Connection: close'];
  for (const [name, value] of Object.entries(all)) {
    for (const v of Array.isArray(value) ? value : [value]) lines.push(`${name}: ${v}`);
  }
  target.end(`${lines.join('\r\n')}\r\n\r\n${body}`);
}

/** The refusal of a request to a streaming endpoint that is not an upgrade. */
export function upgradeRequired(): StatusError {
  return badRequest('Upgrade request required');
}
