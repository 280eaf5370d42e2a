// Reads and decodes request bodies: JSON, or YAML (one document), bounded in size. Bad
// bodies are 400s with a message saying what is wrong, and nothing is changed.

import type { IncomingMessage } from 'node:http';
import { parse as parseYaml } from 'yaml';
import { badRequest, requestEntityTooLarge, StatusError, unsupportedMediaType } from '../../machinery/status.ts';
import { decodeKubernetesProtobuf, NoProtobufDecodingError, ProtobufError } from '../protobuf/decode.ts';
import { parseMediaTypes } from './negotiation.ts';

/** Upstream's limit for a request body (3 MiB), a little above etcd's 1.5 MiB value limit. */
export const maxBodyBytes = 3 * 1024 * 1024;

export async function readBody(req: IncomingMessage, limit = maxBodyBytes): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limit) throw requestEntityTooLarge(limit);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw requestEntityTooLarge(limit);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/** The body's media type without parameters ("application/json" when absent, as kubectl scale sends). */
export function bodyType(req: IncomingMessage): string {
  const [m] = parseMediaTypes(req.headers['content-type']);
  return m ? `${m.type}/${m.subtype}` : 'application/json';
}

/** Decodes a JSON, YAML or Kubernetes protobuf body into a JSON value; other media types are 415. */
export function decodeBody(body: Buffer, mediaType: string): unknown {
  if (body.length === 0) throw badRequest('the request body is empty');
  if (mediaType === 'application/vnd.kubernetes.protobuf') {
    try {
      return decodeKubernetesProtobuf(body).object;
    } catch (err) {
      if (err instanceof NoProtobufDecodingError) throw unsupportedMediaType(`${mediaType} (${err.message})`);
      if (err instanceof ProtobufError) throw badRequest(`error decoding protobuf: ${err.message}`);
      throw err;
    }
  }
  switch (mediaType) {
    case 'application/json':
    case 'application/merge-patch+json':
    case 'application/strategic-merge-patch+json':
    case 'application/json-patch+json':
    case 'application/apply-patch+yaml':
    case 'application/yaml':
      break;
    default:
      throw unsupportedMediaType(mediaType);
  }
  const source = body.toString('utf8');
  try {
    return mediaType === 'application/yaml' || mediaType === 'application/apply-patch+yaml' ? parseYamlDocument(source) : JSON.parse(source);
  } catch (err) {
    if (err instanceof StatusError) throw err;
    throw badRequest(`error decoding ${mediaType === 'application/yaml' ? 'YAML' : 'JSON'}: ${(err as Error).message}`);
  }
}

function parseYamlDocument(source: string): unknown {
  // JSON is YAML, but the JSON parser is stricter and faster, and apply sends JSON.
  const trimmed = source.trimStart();
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
    try {
      return JSON.parse(source);
    } catch {
      // not JSON after all; try YAML
    }
  }
  return parseYaml(source, { maxAliasCount: 100 });
}

/** A decoded body that must be a JSON object (not null, an array or a scalar). */
export function requireObject(value: unknown, what = 'the request body'): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw badRequest(`${what} must be a JSON object`);
  return value as Record<string, unknown>;
}
