// The httpGet probe (upstream pkg/probe/http): a GET to <scheme>://<host or pod IP>:<port><path>
// with the probe's headers, `User-Agent: kube-probe/<major>.<minor>` and `Accept: */*` unless the
// probe sets them, no keep-alive, and no TLS verification. A status in [200, 400) is success. A
// redirect is followed only to the same host name (at most 10); a redirect elsewhere ends the probe
// with a warning (which counts as success). At most 10 KiB of the body is read.

import http from 'node:http';
import https from 'node:https';
import type { Container, HTTPGetAction } from '../types.ts';
import { deadline, dialErrorMessage, errored, failure, joinHostPort, maxOutputBytes, resolveContainerPort, success } from './probe.ts';
import type { ProbeOutcome, RunnerOptions } from './probe.ts';

export interface HTTPProbeRequest {
  url: URL;
  /** Header name and value pairs; a name may repeat. */
  headers: [string, string][];
}

const maxRedirects = 10;
const redirectCodes = new Set([301, 302, 303, 307, 308]);

/** NewRequestForHTTPGetAction: throws when the port cannot be resolved. */
export function httpGetRequest(action: HTTPGetAction, container: Pick<Container, 'ports'>, podIP: string, userAgent: string): HTTPProbeRequest {
  const scheme = (action.scheme ?? 'HTTP').toLowerCase() || 'http';
  const host = action.host || podIP;
  const port = resolveContainerPort(action.port, container);
  const path = action.path ?? '';
  const url = new URL(`${scheme}://${joinHostPort(host, port)}${path.startsWith('/') ? '' : '/'}${path}`);
  const headers: [string, string][] = (action.httpHeaders ?? []).map((h) => [h.name, h.value]);
  const has = (name: string) => headers.some(([n]) => n.toLowerCase() === name);
  if (!has('user-agent')) headers.push(['User-Agent', userAgent]);
  if (!has('accept')) headers.push(['Accept', '*/*']);
  return { url, headers: headers.filter(([n, v]) => n.toLowerCase() !== 'accept' || v !== '') };
}

function headerObject(pairs: [string, string][]): http.OutgoingHttpHeaders {
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of pairs) {
    const prev = out[name];
    out[name] = prev === undefined ? value : [...(Array.isArray(prev) ? prev : [prev]), value];
  }
  return out;
}

function get(url: URL, headers: [string, string][], signal: AbortSignal): Promise<http.IncomingMessage> {
  return new Promise((resolve, reject) => {
    const options = { method: 'GET', headers: headerObject(headers), agent: false as const, signal };
    const req =
      url.protocol === 'https:' ? https.request(url, { ...options, rejectUnauthorized: false }, resolve) : http.request(url, options, resolve);
    req.once('error', reject);
    req.end();
  });
}

/** Reads at most `limit` bytes of the body; more is not an error (upstream logs the truncation). */
function readAtMost(res: http.IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const finish = (err?: Error) => {
      if (settled) return;
      settled = true;
      res.removeAllListeners('data');
      if (err) reject(err);
      else resolve(Buffer.concat(chunks).subarray(0, limit));
    };
    res.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      size += chunk.length;
      if (size >= limit) {
        finish();
        res.destroy();
      }
    });
    res.once('end', () => finish());
    res.once('error', (err) => finish(err));
    res.once('close', () => finish(new Error('unexpected EOF')));
  });
}

function requestError(err: unknown, url: URL, timedOut: boolean): string {
  const port = Number(url.port) || (url.protocol === 'https:' ? 443 : 80);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const what = timedOut ? 'context deadline exceeded (Client.Timeout exceeded while awaiting headers)' : dialErrorMessage(err, host, port);
  return `Get ${JSON.stringify(url.href)}: ${what}`;
}

export async function httpProbe(request: HTTPProbeRequest, opts: RunnerOptions): Promise<ProbeOutcome> {
  const d = deadline(opts);
  try {
    const first = request.url;
    let url = first;
    let requests = 0;
    for (;;) {
      let res: http.IncomingMessage;
      try {
        res = await get(url, request.headers, d.signal);
        requests++;
      } catch (err) {
        if (d.signal.aborted && !d.timedOut()) return errored(new Error('probe cancelled'));
        return failure(requestError(err, url, d.timedOut()));
      }
      const code = res.statusCode ?? 0;
      const location = res.headers.location;
      if (redirectCodes.has(code) && location) {
        let next: URL;
        try {
          next = new URL(location, url);
        } catch {
          res.destroy();
          return failure(`Get ${JSON.stringify(url.href)}: failed to parse Location header ${JSON.stringify(location)}`);
        }
        if (next.hostname === first.hostname) {
          res.destroy();
          if (requests >= maxRedirects) return failure(`Get ${JSON.stringify(next.href)}: stopped after ${maxRedirects} redirects`);
          url = next;
          continue;
        }
      }
      let body: string;
      try {
        body = (await readAtMost(res, maxOutputBytes)).toString('utf8');
      } catch (err) {
        res.destroy();
        const message = d.timedOut() ? 'context deadline exceeded (Client.Timeout or context cancellation while reading body)' : (err as Error).message;
        return errored(new Error(message), 'failure');
      }
      if (code >= 200 && code < 400) {
        if (code >= 300) return { result: 'warning', output: `Probe terminated redirects, Response body: ${body}` };
        return success(body);
      }
      return failure(`HTTP probe failed with statuscode: ${code}`);
    }
  } finally {
    d.done();
  }
}
