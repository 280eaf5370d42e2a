// A listener of the local load balancer on one address and port: TCP or UDP forwarding
// (component-base) with the load balancer's policy. A client outside the allowed source ranges
// is reset (TCP) or its datagrams dropped (UDP). TCP: the balancer's candidates are dialled in
// order, at most three, a second each; a refusal or timeout marks that backend failed and moves
// to the next; with none reachable the client is reset. UDP: a client's association goes to the
// first candidate and ends after idleTimeoutMs without traffic (30 s by default) or when the
// backend refuses, which also marks it failed; with no candidate, datagrams are dropped.
// close() stops listening and ends every connection.

import { TCPForwarder } from '../../../component-base/forwarding/tcp.ts';
import { UDPForwarder } from '../../../component-base/forwarding/udp.ts';
import type { Logger } from '../../../component-base/logging.ts';
import type { Clock } from '../../../machinery/clock.ts';
import type { Target } from './health-checker.ts';

export interface Balancer {
  /** Backends to try for a new connection, best first (may be empty). */
  candidates(clientIP: string): Target[];
  /** A dial to this backend failed. */
  failed(target: Target): void;
  /** Whether a client address may use the load balancer (loadBalancerSourceRanges). */
  allows(clientIP: string): boolean;
}

export interface ListenerOptions {
  protocol: 'TCP' | 'UDP';
  address: string;
  port: number;
  balancer: Balancer;
  clock: Clock;
  log: Logger;
  /** For log lines, e.g. "default/web:80/TCP". */
  name: string;
  /** UDP only. */
  idleTimeoutMs?: number;
}

export interface Listener {
  /** Binds; rejects with the bind error. */
  listen(): Promise<void>;
  close(): Promise<void>;
  /** Open sockets (TCP, client and backend sides) or client associations (UDP). */
  readonly connections: number;
}

/** Backends tried per TCP connection before the client is reset. */
const maxAttempts = 3;
const dialTimeoutMs = 1_000;
const udpIdleTimeoutMs = 30_000;

export function createListener(options: ListenerOptions): Listener {
  const { address, port, balancer, clock, log, name } = options;
  const listenerError = (err: Error) => log.warn('load balancer listener error', { listener: name, err });
  if (options.protocol === 'TCP') {
    const forwarder = new TCPForwarder<Target>({
      address,
      port,
      clock,
      *attempts(clientIP) {
        if (!balancer.allows(clientIP)) return;
        for (const backend of balancer.candidates(clientIP).slice(0, maxAttempts)) yield { backend, timeoutMs: dialTimeoutMs };
      },
      dialFailed(target, err) {
        if (err) log.debug('dial failed', { listener: name, backend: `${target.ip}:${target.port}`, err });
        balancer.failed(target);
      },
      listenerError,
    });
    return {
      listen: () => forwarder.listen(),
      close: () => forwarder.close({ dropConnections: true }),
      get connections() {
        return forwarder.sockets;
      },
    };
  }
  const forwarder = new UDPForwarder<Target>({
    address,
    port,
    clock,
    idleTimeoutMs: options.idleTimeoutMs ?? udpIdleTimeoutMs,
    pick: (client) => (balancer.allows(client.ip) ? balancer.candidates(client.ip)[0] : undefined),
    backendFailed: (target) => balancer.failed(target),
    listenerError,
  });
  return {
    listen: () => forwarder.listen(),
    close: () => forwarder.close(),
    get connections() {
      return forwarder.associations;
    },
  };
}
