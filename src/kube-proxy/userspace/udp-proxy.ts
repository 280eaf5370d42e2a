// The UDP listener of the userspace proxier (upstream's userspace udpProxySocket): UDP forwarding
// (component-base) whose policy is upstream's. Each client association goes to the endpoint the
// balancer chooses for it and ends after `idleTimeoutMs` without traffic (upstream's
// --udp-timeout, 250 ms by default) or when the endpoint refuses; the client's next datagram then
// picks an endpoint afresh, past the one that failed. With no endpoint, datagrams are dropped.

import { UDPForwarder, type UDPClient } from '../../component-base/forwarding/udp.ts';
import type { Endpoint } from '../endpoints.ts';
import type { RoundRobin } from '../load-balancer.ts';
import type { ProxySocket, ProxySocketOptions } from './proxy-socket.ts';

export const defaultUDPIdleTimeoutMs = 250;

export interface UDPProxyOptions extends ProxySocketOptions {
  idleTimeoutMs?: number;
}

const clientKey = (client: UDPClient) => `${client.ip}\u0000${client.port}`;

export class UDPProxySocket implements ProxySocket {
  readonly protocol = 'UDP';
  readonly address: string;
  readonly port: number;
  balancer: RoundRobin;
  readonly #forwarder: UDPForwarder<Endpoint>;
  /** Clients whose last association failed: their next pick skips affinity. */
  readonly #failed = new Set<string>();

  constructor(options: UDPProxyOptions) {
    const { log, name } = options;
    this.address = options.address;
    this.port = options.port;
    this.balancer = options.balancer;
    this.#forwarder = new UDPForwarder<Endpoint>({
      address: this.address,
      port: this.port,
      clock: options.clock,
      idleTimeoutMs: options.idleTimeoutMs ?? defaultUDPIdleTimeoutMs,
      pick: (client) => this.balancer.next(client.ip, this.#failed.delete(clientKey(client))),
      backendFailed: (endpoint, client, err) => {
        log.debug('UDP endpoint failed', { service: name, endpoint: `${endpoint.ip}:${endpoint.port}`, err });
        this.#failed.add(clientKey(client));
      },
      listenerError: (err) => log.warn('Proxy listener error', { service: name, err }),
    });
  }

  get activeConnections(): number {
    return this.#forwarder.associations;
  }

  listen(): Promise<void> {
    return this.#forwarder.listen();
  }

  async close(_options: { dropConnections?: boolean } = {}): Promise<void> {
    this.#failed.clear();
    await this.#forwarder.close();
  }
}
