// Docker-links style service variables (`<SVC>_SERVICE_HOST`, `<SVC>_PORT_80_TCP_ADDR`, ...) that
// upstream's kubelet puts into every container: always for the master service `kubernetes` in
// the default namespace, and for every service of the pod's namespace when enableServiceLinks.
// Services without a cluster IP (headless, ExternalName) get none.

import type { Service } from './types.ts';

const masterServices = new Set(['kubernetes']);

function isServiceIPSet(service: Service): boolean {
  const ip = service.spec?.clusterIP;
  return !!ip && ip !== 'None';
}

function envName(name: string): string {
  return name.replaceAll('-', '_').toUpperCase();
}

function joinHostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/** The variables for these services, in order (envvars.FromServices). */
export function envVarsFromServices(services: readonly Service[]): { name: string; value: string }[] {
  const out: { name: string; value: string }[] = [];
  for (const service of services) {
    const ports = service.spec?.ports ?? [];
    if (!isServiceIPSet(service) || ports.length === 0) continue;
    const ip = service.spec!.clusterIP!;
    const prefix = envName(service.metadata?.name ?? '');
    out.push({ name: `${prefix}_SERVICE_HOST`, value: ip });
    const portName = `${prefix}_SERVICE_PORT`;
    out.push({ name: portName, value: String(ports[0]!.port) });
    for (const sp of ports) if (sp.name) out.push({ name: `${portName}_${envName(sp.name)}`, value: String(sp.port) });
    ports.forEach((sp, i) => {
      const protocol = sp.protocol || 'TCP';
      const url = `${protocol.toLowerCase()}://${joinHostPort(ip, sp.port)}`;
      if (i === 0) out.push({ name: `${prefix}_PORT`, value: url });
      const portPrefix = `${prefix}_PORT_${sp.port}_${protocol.toUpperCase()}`;
      out.push(
        { name: portPrefix, value: url },
        { name: `${portPrefix}_PROTO`, value: protocol.toLowerCase() },
        { name: `${portPrefix}_PORT`, value: String(sp.port) },
        { name: `${portPrefix}_ADDR`, value: ip },
      );
    });
  }
  return out;
}

/**
 * The service variables a pod in `namespace` sees (getServiceEnvVarMap), given every service the
 * kubelet knows. The master service always wins over a same-named service of the pod's namespace.
 */
export function serviceEnvVarMap(namespace: string, enableServiceLinks: boolean, services: readonly Service[]): Map<string, string> {
  const byName = new Map<string, Service>();
  const masters = new Set<string>();
  for (const service of services) {
    if (!isServiceIPSet(service)) continue;
    const name = service.metadata?.name ?? '';
    if (service.metadata?.namespace === 'default' && masterServices.has(name)) {
      byName.set(name, service);
      masters.add(name);
    } else if (service.metadata?.namespace === namespace && enableServiceLinks && !masters.has(name)) {
      byName.set(name, service);
    }
  }
  const ordered = [...byName.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, s]) => s);
  return new Map(envVarsFromServices(ordered).map((e) => [e.name, e.value]));
}
