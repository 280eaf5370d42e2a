// The TCP listener of the userspace proxier (upstream's userspace tcpProxySocket). Each accepted
// connection is paused, an endpoint is dialled with a growing timeout (250 ms, 500 ms, 1 s, 2 s),
// moving to the next endpoint (affinity reset) after a refusal or timeout; then bytes are copied
// both ways with half-close kept. With no endpoint left, or none reachable, the client is reset
// (RST) at once. A reset on one side resets the other.

import { createServer, connect, type Server, type Socket } from 'node:net';
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
  readonly #options: TCPProxyOptions;
  readonly #dialTimeouts: readonly number[];
  readonly #server: Server;
  /** Every client and backend socket, to destroy at shutdown. */
  readonly #sockets = new Set<Socket>();
  readonly #clients = new Set<Socket>();
  #listening = false;

  constructor(options: TCPProxyOptions) {
    this.#options = options;
    this.address = options.address;
    this.port = options.port;
    this.balancer = options.balancer;
    this.#dialTimeouts = options.dialTimeoutsMs ?? endpointDialTimeoutsMs;
    this.#server = createServer({ pauseOnConnect: true, allowHalfOpen: true, noDelay: true }, (client) => void this.#accept(client));
    this.#server.on('error', (err) => this.#listening && options.log.warn('Proxy listener error', { service: options.name, address: this.#where(), err }));
  }

  get activeConnections(): number {
    return this.#clients.size;
  }

  listen(): Promise<void> {
    return new Promise((resolve, reject) => {
      const onError = (err: Error) => reject(err);
      this.#server.once('error', onError);
      this.#server.listen({ host: this.address, port: this.port, exclusive: true }, () => {
        this.#server.off('error', onError);
        this.#listening = true;
        resolve();
      });
    });
  }

  async close(options: { dropConnections?: boolean } = {}): Promise<void> {
    const closed = new Promise<void>((resolve) => {
      if (!this.#listening) return resolve();
      this.#listening = false;
      this.#server.close(() => resolve());
    });
    if (!options.dropConnections) return;
    for (const s of this.#sockets) s.destroy();
    await closed;
  }

  #where(): string {
    return `${this.address.includes(':') ? `[${this.address}]` : this.address}:${this.port}`;
  }

  #track(socket: Socket): void {
    this.#sockets.add(socket);
    socket.once('close', () => this.#sockets.delete(socket));
  }

  async #accept(client: Socket): Promise<void> {
    this.#track(client);
    this.#clients.add(client);
    client.once('close', () => this.#clients.delete(client));
    client.on('error', () => {});
    const clientIP = client.remoteAddress ?? '';
    let reset = false;
    for (const timeout of this.#dialTimeouts) {
      const endpoint = this.balancer.next(clientIP, reset);
      if (!endpoint) break;
      const backend = await this.#dial(endpoint, timeout);
      if (client.destroyed) {
        backend?.destroy();
        return;
      }
      if (backend) return this.#splice(client, backend);
      reset = true;
    }
    client.resetAndDestroy();
  }

  #dial(endpoint: Endpoint, timeoutMs: number): Promise<Socket | undefined> {
    const { clock, log, name } = this.#options;
    return new Promise((resolve) => {
      const backend = connect({ host: endpoint.ip, port: endpoint.port, allowHalfOpen: true, noDelay: true });
      this.#track(backend);
      const timer = clock.setTimeout(() => {
        log.debug('Dial timed out', { service: name, endpoint: `${endpoint.ip}:${endpoint.port}` });
        backend.destroy();
        resolve(undefined);
      }, timeoutMs);
      backend.once('connect', () => {
        clock.clearTimeout(timer);
        backend.off('error', onError);
        resolve(backend);
      });
      const onError = (err: Error) => {
        clock.clearTimeout(timer);
        log.debug('Dial failed', { service: name, endpoint: `${endpoint.ip}:${endpoint.port}`, err });
        resolve(undefined);
      };
      backend.once('error', onError);
    });
  }

  #splice(client: Socket, backend: Socket): void {
    const onError = (other: Socket) => (err: NodeJS.ErrnoException) => {
      if (other.destroyed) return;
      if (err.code === 'ECONNRESET') other.resetAndDestroy();
      else other.destroy();
    };
    client.removeAllListeners('error');
    client.on('error', onError(backend));
    backend.on('error', onError(client));
    // A side that closes without an error ends the copy the other way as pipe() would not.
    client.once('close', () => backend.destroySoon());
    backend.once('close', () => client.destroySoon());
    client.pipe(backend);
    backend.pipe(client);
  }
}
