// Writes responses: objects as JSON or YAML, errors as metav1.Status with their code.

import type { ServerResponse } from 'node:http';
import { stringify as toYaml } from 'yaml';
import type { Status } from '../../machinery/status.ts';
import { internalError, StatusError } from '../../machinery/status.ts';

export function writeJson(res: ServerResponse, code: number, body: unknown, contentType = 'application/json'): void {
  const text = JSON.stringify(body);
  res.writeHead(code, { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

/** A JSON body already encoded. */
export function writeBytes(res: ServerResponse, code: number, body: Uint8Array, contentType = 'application/json'): void {
  res.writeHead(code, { 'Content-Type': contentType, 'Content-Length': body.byteLength });
  res.end(body);
}

export function writeBody(res: ServerResponse, code: number, body: unknown, format: 'json' | 'yaml', contentType: string): void {
  if (format === 'yaml') {
    const text = toYaml(body);
    res.writeHead(code, { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(text) });
    res.end(text);
    return;
  }
  writeJson(res, code, body, contentType);
}

export function writeStatus(res: ServerResponse, status: Status): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const headers: Record<string, string> = {};
  if (status.details?.retryAfterSeconds) headers['Retry-After'] = String(status.details.retryAfterSeconds);
  const text = JSON.stringify(status);
  res.writeHead(status.code, { ...headers, 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

/** Turns anything thrown by a handler into a Status; unexpected errors are 500s. */
export function toStatus(err: unknown): Status {
  if (err instanceof StatusError) return err.status;
  return internalError(err instanceof Error ? err.message : String(err)).status;
}
