// The Endpoints kind: subsets of addresses and ports (TCP by default), validated as upstream
// does (valid, non-special IPs; named ports when there are several), and the ENDPOINTS/AGE
// table ("10.0.0.1:80,10.0.0.2:80 + 3 more...").

import type { StatusCause } from '../../../machinery/status.ts';
import type { ColumnDefinition, KindDefinition, KubeObject } from '../../kind.ts';
import { kindSchema } from '../../meta.ts';
import { age, ageColumn } from '../../printing.ts';
import { int32, list, obj, str } from '../../schema.ts';
import { objectReference } from './common.ts';
import { child, index, invalid, notSupported, required } from './field-errors.ts';
import type { JSONObject } from './json.ts';
import { records, setDefaultString, str as text } from './json.ts';
import { isDNS1123Label, isIP, isIPv4, isQualifiedName, isValidPortNum, nameIsDNSSubdomain } from './names.ts';
import { validateObjectMeta, validateObjectMetaUpdate } from './object-meta.ts';

export const endpointPort = obj(
  {
    name: str('The name of this port.'),
    port: int32('The port number of the endpoint.'),
    protocol: str('The IP protocol for this port.'),
    appProtocol: str('The application protocol for this port.'),
  },
  { required: ['port'], 'x-kubernetes-map-type': 'atomic' },
);

export const endpointAddress = obj(
  {
    ip: str('The IP of this endpoint.'),
    hostname: str('The Hostname of this endpoint.'),
    nodeName: str('Optional: Node hosting this endpoint.'),
    targetRef: { ...objectReference, description: 'Reference to object providing the endpoint.' },
  },
  { required: ['ip'], 'x-kubernetes-map-type': 'atomic' },
);

export const endpointSubset = obj({
  addresses: list(endpointAddress, 'IP addresses which offer the related ports that are marked as ready.', { 'x-kubernetes-list-type': 'atomic' }),
  notReadyAddresses: list(endpointAddress, 'IP addresses which offer the related ports but are not currently marked as ready.', {
    'x-kubernetes-list-type': 'atomic',
  }),
  ports: list(endpointPort, 'Port numbers available on the related IP addresses.', { 'x-kubernetes-list-type': 'atomic' }),
});

export const endpointsSchema = kindSchema('Endpoints is a collection of endpoints that implement the actual service.', {
  subsets: list(endpointSubset, 'The set of all endpoints is the union of all subsets.', { 'x-kubernetes-list-type': 'atomic' }),
});

export const endpointsColumns: ColumnDefinition[] = [
  { name: 'Endpoints', type: 'string', priority: 0, description: "The set of all endpoints is the union of all subsets. Addresses are placed into subsets according to the IPs they share. A single address with multiple ports, some of which are ready and some of which are not (because they come from different containers) will result in the address being displayed in different subsets for the different ports. No address will appear in both Addresses and NotReadyAddresses in the same subset. Sets of addresses and ports that comprise a service." },
  ageColumn,
];

function joinHostPort(ip: string, port: unknown): string {
  return ip.includes(':') ? `[${ip}]:${String(port)}` : `${ip}:${String(port)}`;
}

/** formatEndpoints: up to three "ip:port" entries, then " + N more...". */
export function formatEndpoints(endpoints: KubeObject): string {
  const subsets = records(endpoints.subsets);
  if (subsets.length === 0) return '<none>';
  const list: string[] = [];
  const max = 3;
  let more = false;
  let count = 0;
  for (const ss of subsets) {
    const addresses = records(ss.addresses);
    const ports = records(ss.ports);
    if (ports.length === 0) {
      count += addresses.length;
      for (const a of addresses) {
        if (list.length === max) {
          more = true;
          break;
        }
        list.push(text(a.ip));
      }
      continue;
    }
    for (const port of ports) {
      count += addresses.length;
      for (const a of addresses) {
        if (list.length === max) {
          more = true;
          break;
        }
        list.push(joinHostPort(text(a.ip), port.port));
      }
    }
  }
  const ret = list.join(',');
  return more ? `${ret} + ${count - max} more...` : ret;
}

/** ValidateEndpointIP (also used for a Service's external IPs). */
export function validateEndpointIP(ip: string, field: string): StatusCause[] {
  if (!isIP(ip)) return [invalid(field, ip, 'must be a valid IP address')];
  const errs: StatusCause[] = [];
  const v4 = isIPv4(ip);
  if ((v4 && ip.split('.').every((p) => Number(p) === 0)) || /^[0:]+$/.test(ip)) errs.push(invalid(field, ip, `may not be unspecified (${ip})`));
  if ((v4 && ip.startsWith('127.')) || ip === '::1') errs.push(invalid(field, ip, 'may not be in the loopback range (127.0.0.0/8, ::1/128)'));
  if ((v4 && ip.startsWith('169.254.')) || /^fe[89ab]/i.test(ip)) errs.push(invalid(field, ip, 'may not be in the link-local range (169.254.0.0/16, fe80::/10)'));
  if ((v4 && ip.startsWith('224.0.0.')) || /^ff02:/i.test(ip))
    errs.push(invalid(field, ip, 'may not be in the link-local multicast range (224.0.0.0/24, ff02::/10)'));
  return errs;
}

function validateAddress(a: JSONObject, field: string): StatusCause[] {
  const errs: StatusCause[] = [];
  const ip = text(a.ip);
  if (!isIP(ip)) errs.push(invalid(child(field, 'ip'), ip, 'must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)'));
  if (text(a.hostname)) for (const m of isDNS1123Label(text(a.hostname))) errs.push(invalid(child(field, 'hostname'), a.hostname, m));
  if (typeof a.nodeName === 'string') for (const m of nameIsDNSSubdomain(a.nodeName, false)) errs.push(invalid(child(field, 'nodeName'), a.nodeName, m));
  errs.push(...validateEndpointIP(ip, child(field, 'ip')));
  return errs;
}

function validateSubsets(subsets: unknown): StatusCause[] {
  const errs: StatusCause[] = [];
  records(subsets).forEach((ss, i) => {
    const p = index('subsets', i);
    const addresses = records(ss.addresses);
    const notReady = records(ss.notReadyAddresses);
    if (addresses.length === 0 && notReady.length === 0) errs.push(required(p, 'must specify `addresses` or `notReadyAddresses`'));
    addresses.forEach((a, j) => errs.push(...validateAddress(a, index(child(p, 'addresses'), j))));
    notReady.forEach((a, j) => errs.push(...validateAddress(a, index(child(p, 'notReadyAddresses'), j))));
    const ports = records(ss.ports);
    ports.forEach((port, j) => {
      const pp = index(child(p, 'ports'), j);
      const name = text(port.name);
      if (ports.length > 1 && !name) errs.push(required(child(pp, 'name')));
      else if (name) for (const m of isDNS1123Label(name)) errs.push(invalid(child(pp, 'name'), name, m));
      for (const m of isValidPortNum(Number(port.port))) errs.push(invalid(child(pp, 'port'), port.port ?? 0, m));
      if (!text(port.protocol)) errs.push(required(child(pp, 'protocol')));
      else if (!['SCTP', 'TCP', 'UDP'].includes(text(port.protocol))) errs.push(notSupported(child(pp, 'protocol'), port.protocol, ['SCTP', 'TCP', 'UDP']));
      if (typeof port.appProtocol === 'string') for (const m of isQualifiedName(port.appProtocol)) errs.push(invalid(child(pp, 'appProtocol'), port.appProtocol, m));
    });
  });
  return errs;
}

export const endpoints: KindDefinition = {
  group: '',
  version: 'v1',
  kind: 'Endpoints',
  resource: 'endpoints',
  namespaced: true,
  shortNames: ['ep'],
  schema: endpointsSchema,
  table: { columns: endpointsColumns, cells: (o, now) => [formatEndpoints(o), age(o, now)] },
  strategy: {
    defaults: (o) => {
      for (const ss of records(o.subsets)) for (const p of records(ss.ports)) setDefaultString(p, 'protocol', 'TCP');
    },
    validate: (o) => [...validateObjectMeta(o, true, nameIsDNSSubdomain), ...validateSubsets(o.subsets)],
    validateUpdate: (o, old) => validateObjectMetaUpdate(o, old),
  },
};
