// TCP forwarding to a backend chosen per connection, for proxies and load balancers. Each accepted
// connection is held (paused) while backends are dialled one at a time, each with its own timeout,
// in the order the caller's policy gives them; a refusal or timeout moves to the next. Then bytes
// are copied both ways with half-close kept, and a reset on one side resets the other. With no
// backend left, or none reachable, the client is reset (RST) at once. close() stops accepting;
// with dropConnections it also ends every connection and resolves once the listener is closed.
// Which backends, in what order and how long to wait for each is the caller's policy.

import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import type { Clock } from '../../machinery/clock.ts';

export interface Backend {
  ip: string;
  port: number;
}

export interface DialAttempt<B extends Backend> {
  backend: B;
  timeoutMs: number;
}

export interface TCPForwarderOptions<B extends Backend> {
  address: string;
  /** 0 picks a free one. */
  port: number;
  clock: Clock;
  /**
   * The backends to dial for a new connection from clientIP, best first. Read lazily: the next
   * attempt is taken only after the one before failed. None: the client is reset.
   */
  attempts(clientIP: string): Iterable<DialAttempt<B>>;
  /** A dial was refused or failed (err), or timed out (no err), while its client still waited. */
  dialFailed?(backend: B, err?: Error): void;
  /** The bound listener failed. */
  listenerError?(err: Error): void;
}

export class TCPForwarder<B extends Backend> {
  readonly #o: TCPForwarderOptions<B>;
  readonly #server: Server;
  /** Every client and backend socket, to destroy when connections are dropped. */
  readonly #sockets = new Set<Socket>();
  readonly #clients = new Set<Socket>();
  #listening = false;

  constructor(options: TCPForwarderOptions<B>) {
    this.#o = options;
    this.#server = createServer({ pauseOnConnect: true, allowHalfOpen: true, noDelay: true }, (client) => void this.#accept(client));
    this.#server.on('error', (err) => this.#listening && options.listenerError?.(err));
  }

  /** The bound port, once listening. */
  get port(): number {
    return (this.#server.address() as AddressInfo | null)?.port ?? 0;
  }

  /** Open client connections. */
  get clients(): number {
    return this.#clients.size;
  }

  /** Open sockets, client and backend sides. */
  get sockets(): number {
    return this.#sockets.size;
  }

  /** Binds; rejects with the bind error (EADDRINUSE, EADDRNOTAVAIL, EACCES). */
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

  #track(socket: Socket): void {
    this.#sockets.add(socket);
    socket.once('close', () => this.#sockets.delete(socket));
  }

  async #accept(client: Socket): Promise<void> {
    this.#track(client);
    this.#clients.add(client);
    client.once('close', () => this.#clients.delete(client));
    client.on('error', () => {});
    for (const { backend, timeoutMs } of this.#o.attempts(client.remoteAddress ?? '')) {
      const dialled = await this.#dial(backend, timeoutMs);
      if (client.destroyed) {
        dialled.socket?.destroy();
        return;
      }
      if (dialled.socket) return this.#splice(client, dialled.socket);
      this.#o.dialFailed?.(backend, dialled.err);
    }
    client.resetAndDestroy();
  }

  #dial(target: Backend, timeoutMs: number): Promise<{ socket?: Socket; err?: Error }> {
    const { clock } = this.#o;
    return new Promise((resolve) => {
      const backend = connect({ host: target.ip, port: target.port, allowHalfOpen: true, noDelay: true });
      this.#track(backend);
      const onError = (err: Error) => {
        clock.clearTimeout(timer);
        resolve({ err });
      };
      const timer = clock.setTimeout(() => {
        backend.off('error', onError);
        backend.on('error', () => {});
        backend.destroy();
        resolve({});
      }, timeoutMs);
      backend.once('error', onError);
      backend.once('connect', () => {
        clock.clearTimeout(timer);
        backend.off('error', onError);
        resolve({ socket: backend });
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
    // A side that closes without an error ends the copy the other way as pipe() would not.
    client.once('close', () => backend.destroySoon());
    backend.once('close', () => client.destroySoon());
    client.pipe(backend);
    backend.pipe(client);
  }
}
