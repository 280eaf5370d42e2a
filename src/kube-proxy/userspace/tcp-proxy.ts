// The TCP listener of the userspace proxier (upstream's userspace tcpProxySocket): TCP forwarding
// (component-base) whose policy is upstream's. An endpoint is dialled with a growing timeout
// (250 ms, 500 ms, 1 s, 2 s), moving to the next endpoint (affinity reset) after a refusal or
// timeout. With no endpoint left, or none reachable, the client is reset (RST) at once.

import { TCPForwarder, type DialAttempt } from '../../component-base/forwarding/tcp.ts';
import type { Endpoint } from '../endpoints.ts';
import type { RoundRobin } from '../load-balancer.ts';
import type { ProxySocket, ProxySocketOptions } from './proxy-socket.ts';

/** Upstream's EndpointDialTimeouts. */
export const endpointDialTimeoutsMs = [250, 500, 1000, 2000];

export interface TCPProxyOptions extends ProxySocketOptions {
  dialTimeoutsMs?: readonly number[];
}

export class TCPProxySocket implements ProxySocket {
  readonly protocol = 'TCP';
  readonly address: string;
  readonly port: number;
  balancer: RoundRobin;
  readonly #dialTimeouts: readonly number[];
  readonly #forwarder: TCPForwarder<Endpoint>;

  constructor(options: TCPProxyOptions) {
    const { clock, log, name } = options;
    this.address = options.address;
    this.port = options.port;
    this.balancer = options.balancer;
    this.#dialTimeouts = options.dialTimeoutsMs ?? endpointDialTimeoutsMs;
    const where = `${this.address.includes(':') ? `[${this.address}]` : this.address}:${this.port}`;
    this.#forwarder = new TCPForwarder<Endpoint>({
      address: this.address,
      port: this.port,
      clock,
      attempts: (clientIP) => this.#attempts(clientIP),
      dialFailed: (endpoint, err) => {
        const at = `${endpoint.ip}:${endpoint.port}`;
        if (err) log.debug('Dial failed', { service: name, endpoint: at, err });
        else log.debug('Dial timed out', { service: name, endpoint: at });
      },
      listenerError: (err) => log.warn('Proxy listener error', { service: name, address: where, err }),
    });
  }

  get activeConnections(): number {
    return this.#forwarder.clients;
  }

  listen(): Promise<void> {
    return this.#forwarder.listen();
  }

  close(options: { dropConnections?: boolean } = {}): Promise<void> {
    return this.#forwarder.close(options);
  }

  *#attempts(clientIP: string): Iterable<DialAttempt<Endpoint>> {
    let reset = false;
    for (const timeoutMs of this.#dialTimeouts) {
      const endpoint = this.balancer.next(clientIP, reset);
      if (!endpoint) return;
      yield { backend: endpoint, timeoutMs };
      reset = true;
    }
  }
}
