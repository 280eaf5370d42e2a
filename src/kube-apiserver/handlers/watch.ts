// WATCH: a chunked stream of JSON watch events, one per line, served from the watch cache.
// resourceVersion "" or "0" starts with synthetic ADDED events for what exists now; a
// concrete version resumes after it (410 Gone when it is older than the cache's window).
// Objects that start or stop matching the selectors arrive as ADDED or DELETED, as
// upstream sends them. Bookmarks carry progress when the client allows them.

import type { KubeObject } from '../../api/kind.ts';
import { badRequest, StatusError } from '../../machinery/status.ts';
import { negotiateObject } from '../http/negotiation.ts';
import type { ResourceStore } from '../registry/resource-store.ts';
import type { ApiResource } from '../registry/resources.ts';
import { selection } from '../registry/selection.ts';
import type { CacheEvent } from '../registry/watch-cache.ts';
import type { RequestContext } from './context.ts';
import { parseIncludeObject, partialObjectMetadata, table } from './table.ts';

const bookmarkIntervalMs = 60_000;
const defaultTimeoutSeconds = 1800;

type Encode = (type: string, object: KubeObject, first: boolean) => string;

export async function serveWatch(ctx: RequestContext, resource: ApiResource, store: ResourceStore, namespace: string): Promise<void> {
  const q = ctx.url.searchParams;
  const output = negotiateObject(ctx.req.headers.accept, true);
  const filter = selection(resource, q.get('labelSelector'), q.get('fieldSelector'));
  const rvParam = q.get('resourceVersion') ?? '';
  if (rvParam !== '' && !/^\d+$/.test(rvParam)) throw badRequest(`resourceVersion: Invalid value: "${rvParam}": must be an unsigned integer`);
  const sendInitialEvents = q.get('sendInitialEvents') === 'true';
  const bookmarks = q.get('allowWatchBookmarks') === 'true';
  const timeoutParam = q.get('timeoutSeconds');
  const timeoutSeconds = timeoutParam ? Number(timeoutParam) : defaultTimeoutSeconds;
  if (!Number.isFinite(timeoutSeconds) || timeoutSeconds < 0) throw badRequest(`timeoutSeconds: Invalid value: "${timeoutParam}"`);
  const prefix = store.prefix(namespace);

  await store.cache.start();
  const fromRevision = rvParam === '' || rvParam === '0' ? 0 : Number(rvParam);
  const initial = fromRevision === 0 || sendInitialEvents;
  // Selectors see objects as this resource serves them (they may be stored in another shape).
  const matches = (o: KubeObject | undefined) => o !== undefined && (!filter || filter(store.served(o)));
  // Registered before the snapshot is taken, in the same tick: nothing falls between them.
  const watcher = store.cache.watch(fromRevision, (e) => e.key.startsWith(prefix) && (matches(e.object) || matches(e.prevObject)));
  const snapshot = initial ? store.cache.list(prefix).filter((o) => matches(o)) : [];
  const snapshotRevision = store.cache.revision;

  const now = () => ctx.server.clock.now();
  let encode: Encode;
  let contentType: string;
  if (output.as === 'Table') {
    const include = parseIncludeObject(q.get('includeObject'));
    contentType = output.contentType;
    encode = (type, object, first) =>
      type === 'BOOKMARK' || type === 'ERROR'
        ? JSON.stringify({ type, object })
        : JSON.stringify({ type, object: table(resource, [object], output.version, now(), include, { resourceVersion: object.metadata?.resourceVersion }, first) });
  } else if (output.as === 'PartialObjectMetadata') {
    contentType = output.contentType;
    encode = (type, object) => JSON.stringify({ type, object: type === 'BOOKMARK' || type === 'ERROR' ? object : partialObjectMetadata(object, output.version) });
  } else {
    contentType = 'application/json';
    encode = (type, object) => JSON.stringify({ type, object });
  }

  const res = ctx.res;
  res.writeHead(200, { 'Content-Type': contentType, 'Transfer-Encoding': 'chunked', 'Cache-Control': 'no-cache, private' });
  res.flushHeaders();
  let first = true;
  let lastRevision = Math.max(fromRevision, snapshotRevision);
  const write = (line: string): boolean => res.write(`${line}\n`);
  const line = (type: string, object: KubeObject): string => {
    const encoded = encode(type, object, first);
    first = false;
    return encoded;
  };
  const send = (type: string, object: KubeObject): boolean => write(line(type, object));
  const bookmark = (annotations?: Record<string, string>) =>
    write(
      JSON.stringify({
        type: 'BOOKMARK',
        object: {
          kind: resource.kind,
          apiVersion: resource.apiVersion,
          metadata: { resourceVersion: String(lastRevision), ...(annotations ? { annotations } : {}) },
        },
      }),
    );

  const stop = new AbortController();
  const onClose = () => stop.abort();
  res.on('close', onClose);
  ctx.server.signal.addEventListener('abort', onClose);
  const timeout = setTimeout(onClose, timeoutSeconds * 1000);
  const bookmarkTimer = bookmarks ? setInterval(() => bookmark(), bookmarkIntervalMs) : undefined;
  stop.signal.addEventListener('abort', () => watcher.close());

  try {
    for (const object of snapshot) send('ADDED', store.served(object));
    if (sendInitialEvents && bookmarks) bookmark({ 'k8s.io/initial-events-end': 'true' });
    for await (const batch of watcher.events) {
      // One write per batch: under load a batch holds many events, and each write is a
      // chunk (and a TLS record) of its own.
      let out = '';
      for (const event of batch) {
        const type = eventType(event, matches);
        if (!type) continue;
        const served = store.served(event.object);
        // Plain JSON of an object served as stored is encoded once, for every watcher.
        out +=
          output.as === 'object' && served === event.object
            ? `{"type":"${type}","object":${(event.json ??= JSON.stringify(event.object))}}\n`
            : `${line(type, served)}\n`;
        lastRevision = event.revision;
      }
      if (out !== '' && !res.write(out)) {
        await new Promise<void>((resolve) => {
          res.once('drain', resolve);
          stop.signal.addEventListener('abort', () => resolve(), { once: true });
        });
      }
      if (stop.signal.aborted) break;
    }
  } catch (err) {
    if (err instanceof StatusError && !res.writableEnded) write(JSON.stringify({ type: 'ERROR', object: err.status }));
  } finally {
    clearTimeout(timeout);
    if (bookmarkTimer) clearInterval(bookmarkTimer);
    ctx.server.signal.removeEventListener('abort', onClose);
    res.off('close', onClose);
    watcher.close();
    if (!res.writableEnded) res.end();
  }
}

/** ADDED/MODIFIED/DELETED as the client's selectors see the change, or undefined to skip it. */
function eventType(event: CacheEvent, matches: (o: KubeObject | undefined) => boolean): string | undefined {
  if (event.type === 'DELETED') return matches(event.prevObject ?? event.object) ? 'DELETED' : undefined;
  const now = matches(event.object);
  const before = event.type === 'MODIFIED' && matches(event.prevObject);
  if (now && before) return 'MODIFIED';
  if (now) return 'ADDED';
  if (before) return 'DELETED';
  return undefined;
}
