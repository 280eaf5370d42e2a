// Parses a request path into what it addresses, as upstream's RequestInfoFactory does:
//   /api/v1/namespaces/{ns}/{resource}/{name}/{subresource}
//   /apis/{group}/{version}/{resource}/{name}
// plus the verb (get, list, watch, create, update, patch, delete, deletecollection).
// Anything that is not a resource path (discovery, health, openapi) has isResource false.

export interface RequestInfo {
  isResource: boolean;
  path: string;
  verb: string;
  /** "api" or "apis" for resource and discovery paths. */
  prefix: string;
  group: string;
  version: string;
  namespace: string;
  resource: string;
  subresource: string;
  name: string;
  /** Path segments after the API version when the path is not a resource path. */
  parts: string[];
}

const namespaceSubresources = new Set(['status', 'finalize']);

const methodVerbs: Record<string, string> = {
  POST: 'create',
  GET: 'get',
  HEAD: 'get',
  PUT: 'update',
  PATCH: 'patch',
  DELETE: 'delete',
};

export function requestInfo(method: string, path: string, query: URLSearchParams): RequestInfo {
  const info: RequestInfo = {
    isResource: false,
    path,
    verb: (methodVerbs[method] ?? method).toLowerCase(),
    prefix: '',
    group: '',
    version: '',
    namespace: '',
    resource: '',
    subresource: '',
    name: '',
    parts: [],
  };
  const segments = path.split('/').filter((s) => s !== '');
  if (segments[0] !== 'api' && segments[0] !== 'apis') return info;
  info.prefix = segments[0];
  let rest = segments.slice(1);
  if (info.prefix === 'apis') {
    if (rest.length < 2) {
      info.group = rest[0] ?? '';
      info.parts = rest;
      return info;
    }
    info.group = rest[0];
    rest = rest.slice(1);
  }
  if (rest.length === 0) return info;
  info.version = rest[0];
  rest = rest.slice(1);
  info.parts = rest;
  if (rest.length === 0) return info;
  info.isResource = true;

  // Deprecated /watch/ prefix: /api/v1/watch/namespaces/x/pods
  if (rest[0] === 'watch') {
    info.verb = 'watch';
    rest = rest.slice(1);
  }
  if (rest[0] === 'namespaces' && rest.length > 1) {
    info.namespace = rest[1];
    // namespaces/{ns}/{resource}/... addresses a namespaced resource; namespaces/{ns},
    // namespaces/{ns}/status and namespaces/{ns}/finalize address the namespace itself.
    if (rest.length > 2 && !namespaceSubresources.has(rest[2])) rest = rest.slice(2);
  }
  info.resource = rest[0] ?? '';
  info.name = rest[1] ?? '';
  info.subresource = rest.slice(2).join('/');

  if (info.verb === 'get' && !info.name) info.verb = query.get('watch') === 'true' || query.get('watch') === '1' ? 'watch' : 'list';
  else if (info.verb === 'get' && query.get('watch') === 'true' && info.name === '') info.verb = 'watch';
  if (info.verb === 'delete' && !info.name) info.verb = 'deletecollection';
  return info;
}
