// Content negotiation as kubectl and client-go practise it: the Accept header lists media
// types in preference order, some with parameters that ask for a transformed body (a
// meta.k8s.io Table, PartialObjectMetadata, or aggregated discovery). The first type the
// server can produce wins, and its exact spelling is echoed as the Content-Type.

import { notAcceptable } from '../../machinery/status.ts';

export interface MediaType {
  type: string;
  subtype: string;
  params: Record<string, string>;
  /** As the client spelled it, for echoing back. */
  raw: string;
}

export function parseMediaTypes(header: string | undefined): MediaType[] {
  if (!header) return [];
  return header
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '')
    .map((raw) => {
      const [base, ...paramParts] = raw.split(';').map((s) => s.trim());
      const [type = '', subtype = ''] = base.toLowerCase().split('/');
      const params: Record<string, string> = {};
      for (const p of paramParts) {
        const i = p.indexOf('=');
        if (i > 0) params[p.slice(0, i).trim().toLowerCase()] = p.slice(i + 1).trim().replace(/^"|"$/g, '');
      }
      return { type, subtype, params, raw };
    });
}

export type ObjectOutput =
  | { as: 'object'; format: 'json' | 'yaml'; contentType: string }
  | { as: 'Table'; version: 'v1' | 'v1beta1'; contentType: string }
  | { as: 'PartialObjectMetadata'; version: 'v1' | 'v1beta1'; list: boolean; contentType: string };

function isJson(m: MediaType): boolean {
  return (m.type === 'application' && m.subtype === 'json') || (m.type === '*' && m.subtype === '*') || (m.type === 'application' && m.subtype === '*');
}

/** What to send for a resource read; `list` says whether the request is a collection. */
export function negotiateObject(accept: string | undefined, list: boolean): ObjectOutput {
  const types = parseMediaTypes(accept);
  if (types.length === 0) return { as: 'object', format: 'json', contentType: 'application/json' };
  for (const m of types) {
    const as = m.params.as;
    if (as) {
      if (!(m.type === 'application' && m.subtype === 'json') || m.params.g !== 'meta.k8s.io') continue;
      const version = m.params.v === 'v1beta1' ? 'v1beta1' : m.params.v === 'v1' ? 'v1' : undefined;
      if (!version) continue;
      if (as === 'Table') return { as: 'Table', version, contentType: `application/json;as=Table;v=${version};g=meta.k8s.io` };
      if (as === 'PartialObjectMetadata' || as === 'PartialObjectMetadataList') {
        return { as: 'PartialObjectMetadata', version, list, contentType: `application/json;as=${list ? 'PartialObjectMetadataList' : 'PartialObjectMetadata'};v=${version};g=meta.k8s.io` };
      }
      continue;
    }
    if (isJson(m)) return { as: 'object', format: 'json', contentType: 'application/json' };
    if (m.type === 'application' && m.subtype === 'yaml') return { as: 'object', format: 'yaml', contentType: 'application/yaml' };
  }
  throw notAcceptable(`only the following media types are accepted: application/json, application/yaml, application/json;as=Table;v=v1;g=meta.k8s.io`);
}

export type DiscoveryOutput = { aggregated: 'v2' | 'v2beta1' | undefined; contentType: string };

/** For /api and /apis: aggregated discovery when asked for, else the legacy lists. */
export function negotiateDiscovery(accept: string | undefined): DiscoveryOutput {
  for (const m of parseMediaTypes(accept)) {
    if (m.params.as === 'APIGroupDiscoveryList' && m.params.g === 'apidiscovery.k8s.io' && m.type === 'application' && m.subtype === 'json') {
      if (m.params.v === 'v2' || m.params.v === 'v2beta1') return { aggregated: m.params.v, contentType: m.raw.replace(/\s+/g, '') };
      continue;
    }
    if (m.params.as) continue;
    if (isJson(m)) return { aggregated: undefined, contentType: 'application/json' };
  }
  return { aggregated: undefined, contentType: 'application/json' };
}
