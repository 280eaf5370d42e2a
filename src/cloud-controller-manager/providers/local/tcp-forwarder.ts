// A TCP listener of the local load balancer. Each accepted connection is held (paused) while a
// backend is dialled: the balancer's candidates in order, each with a timeout; a refusal or
// timeout marks that backend failed and moves to the next. Then bytes are copied both ways with
// half-close kept, and a reset on one side resets the other. A client outside the allowed
// source ranges, or with no backend reachable, is reset at once. close() stops accepting and
// ends every connection.

import { connect, createServer, type Server, type Socket } from 'node:net';
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

export interface ForwarderOptions {
  address: string;
  port: number;
  balancer: Balancer;
  clock: Clock;
  log: Logger;
  /** For log lines, e.g. "default/web:80/TCP". */
  name: string;
}

/** Backends tried per connection before the client is reset. */
const maxAttempts = 3;
const dialTimeoutMs = 1_000;

export class TCPForwarder {
  readonly #o: ForwarderOptions;
  readonly #server: Server;
  readonly #sockets = new Set<Socket>();
  #listening = false;

  constructor(options: ForwarderOptions) {
    this.#o = options;
    this.#server = createServer({ pauseOnConnect: true, allowHalfOpen: true, noDelay: true }, (client) => void this.#accept(client));
    this.#server.on('error', (err) => this.#listening && options.log.warn('load balancer listener error', { listener: options.name, err }));
  }

  listen(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen({ host: this.#o.address, port: this.#o.port, exclusive: true }, () => {
        this.#server.off('error', reject);
        this.#listening = true;
        resolve();
      });
    });
  }

  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => (this.#listening ? this.#server.close(() => resolve()) : resolve()));
    this.#listening = false;
    for (const s of this.#sockets) s.destroy();
    await closed;
  }

  get connections(): number {
    return this.#sockets.size;
  }

  #track(socket: Socket): void {
    this.#sockets.add(socket);
    socket.once('close', () => this.#sockets.delete(socket));
  }

  async #accept(client: Socket): Promise<void> {
    this.#track(client);
    client.on('error', () => {});
    const clientIP = client.remoteAddress ?? '';
    if (!this.#o.balancer.allows(clientIP)) return void client.resetAndDestroy();
    for (const target of this.#o.balancer.candidates(clientIP).slice(0, maxAttempts)) {
      const backend = await this.#dial(target);
      if (client.destroyed) return void backend?.destroy();
      if (backend) return this.#splice(client, backend);
      this.#o.balancer.failed(target);
    }
    client.resetAndDestroy();
  }

  #dial(target: Target): Promise<Socket | undefined> {
    const { clock, log, name } = this.#o;
    return new Promise((resolve) => {
      const backend = connect({ host: target.ip, port: target.port, allowHalfOpen: true, noDelay: true });
      this.#track(backend);
      const onError = (err: Error) => {
        clock.clearTimeout(timer);
        log.debug('dial failed', { listener: name, backend: `${target.ip}:${target.port}`, err });
        resolve(undefined);
      };
      const timer = clock.setTimeout(() => {
        backend.off('error', onError);
        backend.on('error', () => {});
        backend.destroy();
        resolve(undefined);
      }, dialTimeoutMs);
      backend.once('error', onError);
      backend.once('connect', () => {
        clock.clearTimeout(timer);
        backend.off('error', onError);
        resolve(backend);
      });
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
    client.once('close', () => backend.destroySoon());
    backend.once('close', () => client.destroySoon());
    client.pipe(backend);
    backend.pipe(client);
  }
}
