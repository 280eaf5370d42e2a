// Makes a Service CIDR local to this machine for a one-node cluster: a `local` route for the
// whole range in the kernel's local table (as kube-proxy's IPVS mode makes ClusterIPs local by
// binding them to a dummy interface). Connections from the host to a ClusterIP then pass the
// route lookup that precedes the nat output hook (with no route, or a blackhole, connect()
// fails first), are DNATed there to the Service's endpoints, and the packets of any address in
// the range that is not DNATed (an unallocated ClusterIP, a port no Service has) are delivered
// to this host, where nothing listens: nothing meant for the range can leave the machine by
// the default route. release() removes the route again; a range that already has a local route
// is left as it is (and not removed).

import { execFileSync } from 'node:child_process';

const ip = (args: string[]) => execFileSync('ip', args, { stdio: ['ignore', 'pipe', 'pipe'] }).toString();

export interface LocalServiceRange {
  readonly cidr: string;
  /** Whether this process added the route (and release() removes it). */
  readonly added: boolean;
  release(): void;
}

/** The `local` route for `cidr` in the local table, if there is one. */
export function localRouteOf(cidr: string): string | undefined {
  const lines = ip(['-4', 'route', 'show', 'table', 'local', 'type', 'local', 'exact', cidr]).split('\n');
  return lines.find((l) => l.startsWith(`local ${cidr} `))?.trim();
}

/** Removes the `local` route for `cidr` from the local table, if it is there. */
export function removeLocalRoute(cidr: string): void {
  if (localRouteOf(cidr)) ip(['-4', 'route', 'del', 'local', cidr, 'dev', 'lo', 'table', 'local']);
}

/** Adds `local CIDR dev lo` to the local table (needs CAP_NET_ADMIN). */
export function claimLocalServiceRange(cidr: string): LocalServiceRange {
  if (!/^\d{1,3}(\.\d{1,3}){3}\/\d{1,2}$/.test(cidr)) throw new Error(`service range ${JSON.stringify(cidr)} is not an IPv4 CIDR`);
  if (localRouteOf(cidr)) return { cidr, added: false, release: () => {} };
  ip(['-4', 'route', 'add', 'local', cidr, 'dev', 'lo', 'table', 'local', 'proto', 'static']);
  let released = false;
  return {
    cidr,
    added: true,
    release() {
      if (released) return;
      released = true;
      removeLocalRoute(cidr);
    },
  };
}
