// The UDP listener of the userspace proxier (upstream's userspace udpProxySocket). Each client
// address gets an association: a socket connected to the endpoint chosen for it, whose replies
// go back to the client from the service address. An association ends after `idleTimeoutMs`
// without traffic either way (upstream's --udp-timeout, 250 ms by default) or when the endpoint
// refuses (ICMP port unreachable); the client's next datagram then picks an endpoint afresh,
// past the one that failed. With no endpoint, datagrams are dropped.

import { createSocket, type Socket } from 'node:dgram';
import type { Timer } from '../../machinery/clock.ts';
import type { Endpoint } from '../endpoints.ts';
import type { RoundRobin } from '../load-balancer.ts';
import type { ProxySocket, ProxySocketOptions } from './proxy-socket.ts';

export const defaultUDPIdleTimeoutMs = 250;

export interface UDPProxyOptions extends ProxySocketOptions {
  idleTimeoutMs?: number;
}

interface Association {
  backend: Socket;
  endpoint: Endpoint;
  connected: boolean;
  queued: Buffer[];
  lastActive: number;
  timer?: Timer;
  closed: boolean;
}

/** Datagrams held per association while its socket connects. */
const maxQueued = 64;

export class UDPProxySocket implements ProxySocket {
  readonly protocol = 'UDP';
  readonly address: string;
  readonly port: number;
  balancer: RoundRobin;
  readonly #options: UDPProxyOptions;
  readonly #idleMs: number;
  readonly #socket: Socket;
  readonly #associations = new Map<string, Association>();
  /** Clients whose last association failed: their next pick skips affinity. */
  readonly #failed = new Set<string>();
  #bound = false;
  #closed = false;

  constructor(options: UDPProxyOptions) {
    this.#options = options;
    this.address = options.address;
    this.port = options.port;
    this.balancer = options.balancer;
    this.#idleMs = options.idleTimeoutMs ?? defaultUDPIdleTimeoutMs;
    this.#socket = createSocket(options.address.includes(':') ? 'udp6' : 'udp4');
    this.#socket.on('message', (msg, rinfo) => this.#onMessage(msg, rinfo.address, rinfo.port));
    this.#socket.on('error', (err) => this.#bound && options.log.warn('Proxy listener error', { service: options.name, err }));
  }

  get activeConnections(): number {
    return this.#associations.size;
  }

  listen(): Promise<void> {
    return new Promise((resolve, reject) => {
      const onError = (err: Error) => reject(err);
      this.#socket.once('error', onError);
      this.#socket.bind({ address: this.address, port: this.port, exclusive: true }, () => {
        this.#socket.off('error', onError);
        this.#bound = true;
        resolve();
      });
    });
  }

  async close(_options: { dropConnections?: boolean } = {}): Promise<void> {
    // Replies travel through the listening socket, so closing it ends every association.
    for (const key of [...this.#associations.keys()]) this.#end(key);
    this.#failed.clear();
    if (this.#closed) return;
    this.#closed = true;
    this.#bound = false;
    await new Promise<void>((resolve) => {
      try {
        this.#socket.close(() => resolve());
      } catch {
        resolve();
      }
    });
  }

  #onMessage(msg: Buffer, clientIP: string, clientPort: number): void {
    const key = `${clientIP}\u0000${clientPort}`;
    let a = this.#associations.get(key);
    if (!a) {
      const reset = this.#failed.delete(key);
      const endpoint = this.balancer.next(clientIP, reset);
      if (!endpoint) return;
      a = this.#associate(key, endpoint, clientIP, clientPort);
    }
    a.lastActive = this.#options.clock.now();
    if (a.connected) a.backend.send(msg);
    else if (a.queued.length < maxQueued) a.queued.push(msg);
  }

  #associate(key: string, endpoint: Endpoint, clientIP: string, clientPort: number): Association {
    const { clock, log, name } = this.#options;
    const backend = createSocket(endpoint.ip.includes(':') ? 'udp6' : 'udp4');
    const a: Association = { backend, endpoint, connected: false, queued: [], lastActive: clock.now(), closed: false };
    this.#associations.set(key, a);
    backend.on('message', (reply) => {
      a.lastActive = clock.now();
      if (this.#bound) this.#socket.send(reply, clientPort, clientIP);
    });
    backend.on('error', (err: NodeJS.ErrnoException) => {
      log.debug('UDP endpoint failed', { service: name, endpoint: `${endpoint.ip}:${endpoint.port}`, err });
      this.#failed.add(key);
      this.#end(key);
    });
    backend.connect(endpoint.port, endpoint.ip, () => {
      if (a.closed) return;
      a.connected = true;
      for (const m of a.queued.splice(0)) backend.send(m);
    });
    const check = () => {
      if (a.closed) return;
      const idle = clock.now() - a.lastActive;
      if (idle >= this.#idleMs) this.#end(key);
      else a.timer = clock.setTimeout(check, this.#idleMs - idle);
    };
    a.timer = clock.setTimeout(check, this.#idleMs);
    return a;
  }

  #end(key: string): void {
    const a = this.#associations.get(key);
    if (!a || a.closed) return;
    a.closed = true;
    this.#associations.delete(key);
    if (a.timer) this.#options.clock.clearTimeout(a.timer);
    try {
      a.backend.close();
    } catch {
      // already closed
    }
  }
}
