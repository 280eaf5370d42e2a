// The one way components talk to the API server: JSON over HTTPS with a keep-alive agent.
// Every non-2xx answer becomes a StatusError carrying the server's metav1.Status (or one
// built from the HTTP code, as client-go does when the body is not a Status). A request
// ends by its timeout or its AbortSignal, whichever comes first, and then rejects with
// the signal's reason (a TimeoutError DOMException for timeouts). A watch resolves once
// the server has answered, then yields events until the server ends the stream; closing
// it or aborting its signal ends the iteration quietly, a broken connection throws.

import { readFileSync } from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import { urlToHttpOptions } from 'node:url';
import type { KubeObject } from '../api/kind.ts';
import { StatusError, type Status, type StatusDetails } from '../machinery/status.ts';
import type { RestConfig } from './kubeconfig.ts';

/** A resource, a collection or one object of it: what a URL path names. */
export interface ResourceRef {
  /** "" for the core group. */
  group: string;
  version: string;
  /** Plural resource name, e.g. "configmaps". */
  resource: string;
  namespace?: string;
  name?: string;
  subresource?: string;
}

type QueryValue = string | number | boolean | undefined;

export interface RequestOptions {
  signal?: AbortSignal;
  /** Overrides RestConfig.timeoutMs for this request. */
  timeoutMs?: number;
  /** Extra query parameters. */
  query?: Record<string, QueryValue>;
}

/** A selector as a string, or anything that prints as one (labels.LabelSelector, fields.FieldSelector). */
export type Selector = string | { toString(): string };

export interface GetOptions extends RequestOptions {
  resourceVersion?: string;
}

export interface ListOptions extends RequestOptions {
  labelSelector?: Selector;
  fieldSelector?: Selector;
  limit?: number;
  continue?: string;
  resourceVersion?: string;
  resourceVersionMatch?: 'NotOlderThan' | 'Exact';
  timeoutSeconds?: number;
}

export interface WatchOptions extends RequestOptions {
  labelSelector?: Selector;
  fieldSelector?: Selector;
  resourceVersion?: string;
  resourceVersionMatch?: 'NotOlderThan' | 'Exact';
  allowWatchBookmarks?: boolean;
  /** The server ends the watch after this long. */
  timeoutSeconds?: number;
  sendInitialEvents?: boolean;
}

export interface WriteOptions extends RequestOptions {
  dryRun?: boolean;
  fieldManager?: string;
  fieldValidation?: 'Ignore' | 'Warn' | 'Strict';
}

/** json: RFC 6902; merge: RFC 7386; strategic: strategic merge patch; apply: server-side apply. */
export type PatchType = 'json' | 'merge' | 'strategic' | 'apply';

export const patchContentTypes: Record<PatchType, string> = {
  json: 'application/json-patch+json',
  merge: 'application/merge-patch+json',
  strategic: 'application/strategic-merge-patch+json',
  apply: 'application/apply-patch+yaml',
};

export interface PatchOptions extends WriteOptions {
  type: PatchType;
  /** Server-side apply only: take ownership of conflicting fields. */
  force?: boolean;
}

export interface DeleteOptions extends RequestOptions {
  dryRun?: boolean;
  gracePeriodSeconds?: number;
  propagationPolicy?: 'Orphan' | 'Background' | 'Foreground';
  preconditions?: { uid?: string; resourceVersion?: string };
}

export interface ListMeta {
  resourceVersion?: string;
  continue?: string;
  remainingItemCount?: number;
}

export interface KubeList<T = KubeObject> {
  apiVersion?: string;
  kind?: string;
  metadata: ListMeta;
  items: T[];
}

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';

/** BOOKMARK objects carry only kind, apiVersion and metadata.resourceVersion (and annotations). */
export type WatchEvent<T = KubeObject> = { type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK'; object: T } | { type: 'ERROR'; object: Status };

export interface WatchStream<T = KubeObject> extends AsyncIterable<WatchEvent<T>> {
  /** Ends the watch; a pending or later iteration finishes without error. */
  close(): void;
}

/** The URL path of a ref: /api/v1/namespaces/ns/pods/name/status, /apis/apps/v1/deployments, ... */
export function resourcePath(ref: ResourceRef): string {
  let path = ref.group ? `/apis/${ref.group}/${ref.version}` : `/api/${ref.version}`;
  if (ref.namespace) path += `/namespaces/${encodeURIComponent(ref.namespace)}`;
  path += `/${ref.resource}`;
  if (ref.name) path += `/${encodeURIComponent(ref.name)}`;
  else if (ref.subresource) throw new Error(`subresource "${ref.subresource}" of ${ref.resource} needs a name`);
  if (ref.subresource) path += `/${ref.subresource}`;
  return path;
}

/** A StatusError carrying a Status exactly as the server sent it (in an error body or an ERROR event). */
export function statusErrorFrom(status: Partial<Status>, fallbackCode = 500): StatusError {
  const err = new StatusError(status.code || fallbackCode, status.reason ?? '', status.message ?? '', status.details);
  if (status.reason === undefined) delete err.status.reason;
  if (status.metadata) err.status.metadata = status.metadata;
  return err;
}

// client-go's NewGenericServerResponse: the reason and message for a code when the body is not a Status.
const genericReasons: Record<number, [string, string]> = {
  400: ['BadRequest', 'the server rejected our request for an unknown reason'],
  401: ['Unauthorized', 'the server has asked for the client to provide credentials'],
  403: ['Forbidden', 'the server does not allow access to the requested resource'],
  404: ['NotFound', 'the server could not find the requested resource'],
  405: ['MethodNotAllowed', 'the server does not allow this method on the requested resource'],
  406: ['NotAcceptable', 'the server was unable to respond with a content type that the client supports'],
  409: ['Conflict', 'the server reported a conflict'],
  410: ['Expired', 'the server reported the resource version is too old'],
  415: ['UnsupportedMediaType', 'the server was unable to respond with a content type that the client supports'],
  422: ['Invalid', 'the server rejected our request due to an error in our request'],
  429: ['TooManyRequests', 'the server has received too many requests and has asked us to try again later'],
  503: ['ServiceUnavailable', 'the server is currently unable to handle the request'],
  504: ['Timeout', 'the server was unable to return a response in the time allotted, but may still be processing the request'],
};

function errorFromResponse(code: number, body: string, method: string, retryAfter: string | undefined): StatusError {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    parsed = undefined;
  }
  if (parsed && typeof parsed === 'object' && (parsed as { kind?: unknown }).kind === 'Status') return statusErrorFrom(parsed as Partial<Status>, code);
  let [reason, message] = genericReasons[code] ?? ['', ''];
  if (code === 409 && method === 'POST') reason = 'AlreadyExists';
  if (!reason) {
    reason = code >= 500 ? 'InternalError' : 'Unknown';
    message = `an error on the server (${JSON.stringify(body.trim().slice(0, 200))}) has prevented the request from succeeding`;
  }
  const details: StatusDetails = { causes: [{ reason: 'UnexpectedServerResponse', message: body.trim().slice(0, 1024) }] };
  if (retryAfter && /^\d+$/.test(retryAfter)) details.retryAfterSeconds = Number(retryAfter);
  return new StatusError(code, reason, message, details);
}

const tokenRefreshMs = 60_000;
const defaultTimeoutMs = 30_000;

interface Exchange {
  res: http.IncomingMessage;
  /** Clears the timeout and signal link; the response stays open. */
  settle(): void;
  abort: AbortController;
}

interface SendInit extends RequestOptions {
  body?: unknown;
  contentType?: string;
  /** Keep the response open after headers (watch): the timeout covers only the wait for them. */
  stream?: boolean;
}

export class RestClient {
  readonly config: RestConfig;
  readonly #agent: http.Agent;
  readonly #transport: typeof https | typeof http;
  /** Host, port and protocol of every request; the server URL's path prefixes each path. */
  readonly #target: http.RequestOptions;
  readonly #basePath: string;
  #fileToken: string | undefined;
  #tokenReadAt = -Infinity;

  constructor(config: RestConfig) {
    this.config = config;
    const base = new URL(config.server);
    const { protocol, hostname, port, auth } = urlToHttpOptions(base);
    this.#target = { protocol, hostname, port, auth };
    this.#basePath = base.pathname.replace(/\/$/, '');
    if (base.protocol === 'https:') {
      this.#transport = https;
      this.#agent = new https.Agent({
        keepAlive: true,
        ca: config.ca,
        cert: config.cert,
        key: config.key,
        rejectUnauthorized: !config.insecureSkipTLSVerify,
        servername: config.tlsServerName,
      });
    } else if (base.protocol === 'http:') {
      this.#transport = http;
      this.#agent = new http.Agent({ keepAlive: true });
    } else {
      throw new Error(`unsupported server URL ${config.server}: want https:// or http://`);
    }
  }

  async get<T = KubeObject>(ref: ResourceRef, options: GetOptions = {}): Promise<T> {
    return this.request<T>('GET', resourcePath(ref), { ...options, query: { resourceVersion: options.resourceVersion, ...options.query } });
  }

  async list<T = KubeObject>(ref: ResourceRef, options: ListOptions = {}): Promise<KubeList<T>> {
    return this.request<KubeList<T>>('GET', resourcePath(ref), { ...options, query: { ...listQuery(options), ...options.query } });
  }

  async create<T = KubeObject>(ref: ResourceRef, body: T, options: WriteOptions = {}): Promise<T> {
    return this.request<T>('POST', resourcePath(ref), { ...options, body, query: { ...writeQuery(options), ...options.query } });
  }

  /** PUT; the name comes from the ref or else from body.metadata.name. */
  async update<T = KubeObject>(ref: ResourceRef, body: T, options: WriteOptions = {}): Promise<T> {
    const name = ref.name ?? (body as KubeObject).metadata?.name;
    if (!name) throw new Error(`update of ${ref.resource} needs a name`);
    return this.request<T>('PUT', resourcePath({ ...ref, name }), { ...options, body, query: { ...writeQuery(options), ...options.query } });
  }

  async patch<T = KubeObject>(ref: ResourceRef, patch: unknown, options: PatchOptions): Promise<T> {
    const query = { ...writeQuery(options), force: options.type === 'apply' && options.force ? true : undefined, ...options.query };
    return this.request<T>('PATCH', resourcePath(ref), { ...options, body: patch, contentType: patchContentTypes[options.type], query });
  }

  /** The deleted object (or the object marked for deletion), or a Success Status for kinds that return one. */
  async delete<T = KubeObject>(ref: ResourceRef, options: DeleteOptions = {}): Promise<T | Status> {
    return this.request<T | Status>('DELETE', resourcePath(ref), { ...options, body: deleteBody(options) });
  }

  async deleteCollection<T = KubeObject>(ref: ResourceRef, options: DeleteOptions & ListOptions = {}): Promise<KubeList<T> | Status> {
    return this.request('DELETE', resourcePath(ref), { ...options, body: deleteBody(options), query: { ...listQuery(options), ...options.query } });
  }

  /** Starts a watch of a collection (or of one object, when the ref names it). */
  async watch<T = KubeObject>(ref: ResourceRef, options: WatchOptions = {}): Promise<WatchStream<T>> {
    let fieldSelector = options.fieldSelector === undefined ? '' : String(options.fieldSelector);
    if (ref.name) fieldSelector = fieldSelector ? `metadata.name=${ref.name},${fieldSelector}` : `metadata.name=${ref.name}`;
    const query: Record<string, QueryValue> = {
      watch: true,
      labelSelector: options.labelSelector === undefined ? undefined : String(options.labelSelector),
      fieldSelector: fieldSelector || undefined,
      resourceVersion: options.resourceVersion,
      resourceVersionMatch: options.resourceVersionMatch,
      allowWatchBookmarks: options.allowWatchBookmarks || undefined,
      timeoutSeconds: options.timeoutSeconds,
      sendInitialEvents: options.sendInitialEvents,
      ...options.query,
    };
    const path = resourcePath({ ...ref, name: undefined });
    const exchange = await this.#send('GET', path, { ...options, query, stream: true });
    return watchStream<T>(exchange);
  }

  /** Any request, with a JSON body; resolves to the parsed JSON answer (undefined when empty). */
  async request<T>(method: string, path: string, init: SendInit = {}): Promise<T> {
    const exchange = await this.#send(method, path, init);
    try {
      const text = await readBody(exchange.res);
      return (text === '' ? undefined : JSON.parse(text)) as T;
    } catch (err) {
      throw exchange.abort.signal.aborted ? exchange.abort.signal.reason : err;
    } finally {
      exchange.settle();
    }
  }

  /** Closes idle keep-alive connections and refuses none: later requests open new ones. */
  close(): void {
    this.#agent.destroy();
  }

  #bearer(): string | undefined {
    const file = this.config.tokenFile;
    if (file && Date.now() - this.#tokenReadAt >= tokenRefreshMs) {
      try {
        this.#fileToken = readFileSync(file, 'utf8').trim();
        this.#tokenReadAt = Date.now();
      } catch (err) {
        if (this.#fileToken === undefined && !this.config.token) throw err;
      }
    }
    return this.#fileToken || this.config.token;
  }

  async #send(method: string, path: string, init: SendInit): Promise<Exchange> {
    // The request line is built by hand: parsing a URL for every request costs more than the
    // rest of the client's work on it.
    let target = this.#basePath + path;
    let sep = '?';
    for (const k in init.query) {
      const v = init.query[k];
      if (v === undefined || v === '') continue;
      target += `${sep}${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`;
      sep = '&';
    }
    const headers: Record<string, string> = { Accept: 'application/json', 'User-Agent': this.config.userAgent };
    const token = this.#bearer();
    if (token) headers.Authorization = `Bearer ${token}`;
    let payload: Buffer | undefined;
    if (init.body !== undefined) {
      payload = Buffer.from(JSON.stringify(init.body), 'utf8');
      headers['Content-Type'] = init.contentType ?? 'application/json';
      headers['Content-Length'] = String(payload.length);
    }

    const abort = new AbortController();
    const outer = init.signal;
    if (outer?.aborted) throw outer.reason;
    const onOuterAbort = () => abort.abort(outer!.reason);
    outer?.addEventListener('abort', onOuterAbort, { once: true });
    const timeoutMs = init.timeoutMs ?? this.config.timeoutMs ?? defaultTimeoutMs;
    let timer: ReturnType<typeof setTimeout> | undefined =
      timeoutMs > 0 ? setTimeout(() => abort.abort(new DOMException(`${method} ${this.#basePath + path} timed out after ${timeoutMs} ms`, 'TimeoutError')), timeoutMs) : undefined;
    const settle = () => {
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
      outer?.removeEventListener('abort', onOuterAbort);
    };

    let res: http.IncomingMessage;
    try {
      res = await new Promise<http.IncomingMessage>((resolve, reject) => {
        const req = this.#transport.request({ ...this.#target, path: target, method, headers, agent: this.#agent });
        // Aborting destroys the request (and its response); cheaper than the request's `signal` option.
        abort.signal.addEventListener('abort', () => req.destroy(abort.signal.reason), { once: true });
        req.once('response', resolve);
        req.once('error', reject);
        req.end(payload);
      });
    } catch (err) {
      settle();
      throw abort.signal.aborted ? abort.signal.reason : err;
    }

    const code = res.statusCode ?? 0;
    if (code < 200 || code > 299) {
      try {
        throw errorFromResponse(code, await readBody(res), method, headerValue(res.headers['retry-after']));
      } catch (err) {
        throw abort.signal.aborted ? abort.signal.reason : err;
      } finally {
        settle();
      }
    }
    if (init.stream) {
      // The timeout guarded the wait for an answer; from here the server's timeoutSeconds and
      // the caller's signal decide how long the stream lives.
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
    }
    return { res, settle, abort };
  }
}

/** The whole body of a response as text; rejects when it ends early. */
function readBody(res: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    res.on('data', (chunk: Buffer) => chunks.push(chunk));
    res.once('end', () => resolve(chunks.length === 1 ? chunks[0].toString('utf8') : Buffer.concat(chunks).toString('utf8')));
    res.once('error', reject);
    res.once('close', () => {
      if (!res.complete) reject(new Error('the response ended before its body was complete'));
    });
  });
}

function headerValue(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

function listQuery(o: ListOptions): Record<string, QueryValue> {
  return {
    labelSelector: o.labelSelector === undefined ? undefined : String(o.labelSelector),
    fieldSelector: o.fieldSelector === undefined ? undefined : String(o.fieldSelector),
    limit: o.limit,
    continue: o.continue,
    resourceVersion: o.resourceVersion,
    resourceVersionMatch: o.resourceVersionMatch,
    timeoutSeconds: o.timeoutSeconds,
  };
}

function writeQuery(o: WriteOptions): Record<string, QueryValue> {
  return { dryRun: o.dryRun ? 'All' : undefined, fieldManager: o.fieldManager, fieldValidation: o.fieldValidation };
}

function deleteBody(o: DeleteOptions): Record<string, unknown> | undefined {
  const body: Record<string, unknown> = { kind: 'DeleteOptions', apiVersion: 'v1' };
  if (o.dryRun) body.dryRun = ['All'];
  if (o.gracePeriodSeconds !== undefined) body.gracePeriodSeconds = o.gracePeriodSeconds;
  if (o.propagationPolicy) body.propagationPolicy = o.propagationPolicy;
  if (o.preconditions) body.preconditions = o.preconditions;
  return Object.keys(body).length > 2 ? body : undefined;
}

const eventTypes = new Set<string>(['ADDED', 'MODIFIED', 'DELETED', 'BOOKMARK', 'ERROR']);

function parseEvent<T>(line: string): WatchEvent<T> {
  const event = JSON.parse(line) as { type?: unknown; object?: unknown };
  if (typeof event.type !== 'string' || !eventTypes.has(event.type) || !event.object || typeof event.object !== 'object') {
    throw new Error(`malformed watch event: ${line.slice(0, 200)}`);
  }
  return event as WatchEvent<T>;
}

function watchStream<T>(exchange: Exchange): WatchStream<T> {
  const { res, abort, settle } = exchange;
  async function* events(): AsyncGenerator<WatchEvent<T>> {
    let buffer = '';
    res.setEncoding('utf8');
    try {
      for await (const chunk of res) {
        buffer += chunk as string;
        let nl: number;
        while ((nl = buffer.indexOf('\n')) >= 0) {
          const line = buffer.slice(0, nl).trim();
          buffer = buffer.slice(nl + 1);
          if (line !== '') yield parseEvent<T>(line);
          if (abort.signal.aborted) return;
        }
      }
      if (buffer.trim() !== '') yield parseEvent<T>(buffer.trim());
    } catch (err) {
      if (abort.signal.aborted) return;
      throw err;
    } finally {
      settle();
      // A stream the server ended cleanly leaves its connection to the agent; any other end drops it.
      if (!res.complete) abort.abort();
    }
  }
  let iterating = false;
  return {
    [Symbol.asyncIterator]() {
      if (iterating) throw new Error('a watch stream can be iterated only once');
      iterating = true;
      return events();
    },
    close() {
      if (!res.complete) abort.abort();
      settle();
    },
  };
}
