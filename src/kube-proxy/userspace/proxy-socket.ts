// What the userspace proxier opens per service address: a listener on (protocol, address, port)
// that hands each new connection (TCP) or client association (UDP) to an endpoint chosen by
// its balancer at that moment, so endpoint changes apply to the next connection at once.

import type { Logger } from '../../component-base/logging.ts';
import type { Clock } from '../../machinery/clock.ts';
import type { RoundRobin } from '../load-balancer.ts';

export interface ProxySocket {
  readonly protocol: 'TCP' | 'UDP';
  readonly address: string;
  readonly port: number;
  /** Where new connections go; the proxier may replace it. */
  balancer: RoundRobin;
  /** Binds; rejects with the bind error (EADDRINUSE, EADDRNOTAVAIL, EACCES). */
  listen(): Promise<void>;
  /**
   * Stops accepting. Connections in flight carry on unless dropConnections (used at
   * shutdown), which destroys them and resolves once they are gone.
   */
  close(options?: { dropConnections?: boolean }): Promise<void>;
  /** Open client connections (TCP) or associations (UDP). */
  readonly activeConnections: number;
}

export interface ProxySocketOptions {
  address: string;
  port: number;
  balancer: RoundRobin;
  clock: Clock;
  log: Logger;
  /** Name for log lines, e.g. "default/web:http". */
  name: string;
}
