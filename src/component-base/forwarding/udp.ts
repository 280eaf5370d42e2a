// UDP forwarding to a backend chosen per client, for proxies and load balancers. Each client
// address gets an association: a socket connected to the backend the caller's policy picks for
// it, whose replies go back to the client from the listening address. Datagrams that arrive while
// that socket connects are held (up to a limit). An association ends after idleTimeoutMs without
// traffic either way, or when the backend refuses (ICMP port unreachable); the client's next
// datagram then starts a new one. With no backend picked, datagrams are dropped. close() ends
// every association and the listening socket.

import { createSocket, type Socket } from 'node:dgram';
import type { Clock, Timer } from '../../machinery/clock.ts';
import type { Backend } from './tcp.ts';

export interface UDPClient {
  ip: string;
  port: number;
}

export interface UDPForwarderOptions<B extends Backend> {
  address: string;
  /** 0 picks a free one. */
  port: number;
  clock: Clock;
  idleTimeoutMs: number;
  /** The backend for a client without an association; none: its datagram is dropped. */
  pick(client: UDPClient): B | undefined;
  /** The backend of a client's association failed (refused); the association has ended. */
  backendFailed?(backend: B, client: UDPClient, err: Error): void;
  /** The bound listening socket failed. */
  listenerError?(err: Error): void;
}

interface Association {
  backend: Socket;
  connected: boolean;
  queued: Buffer[];
  lastActive: number;
  timer?: Timer;
  closed: boolean;
}

/** Datagrams held per association while its socket connects. */
const maxQueued = 64;

export class UDPForwarder<B extends Backend> {
  readonly #o: UDPForwarderOptions<B>;
  readonly #socket: Socket;
  readonly #associations = new Map<string, Association>();
  #bound = false;
  #closed = false;

  constructor(options: UDPForwarderOptions<B>) {
    this.#o = options;
    this.#socket = createSocket(options.address.includes(':') ? 'udp6' : 'udp4');
    this.#socket.on('message', (msg, rinfo) => this.#onMessage(msg, { ip: rinfo.address, port: rinfo.port }));
    this.#socket.on('error', (err) => this.#bound && options.listenerError?.(err));
  }

  /** The bound port, once listening. */
  get port(): number {
    return this.#bound ? this.#socket.address().port : 0;
  }

  /** Open client associations. */
  get associations(): number {
    return this.#associations.size;
  }

  /** Binds; rejects with the bind error (EADDRINUSE, EADDRNOTAVAIL, EACCES). */
  listen(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#socket.once('error', reject);
      this.#socket.bind({ address: this.#o.address, port: this.#o.port, exclusive: true }, () => {
        this.#socket.off('error', reject);
        this.#bound = true;
        resolve();
      });
    });
  }

  async close(): Promise<void> {
    // Replies travel through the listening socket, so closing it ends every association.
    for (const key of [...this.#associations.keys()]) this.#end(key);
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

  #onMessage(msg: Buffer, client: UDPClient): void {
    const key = `${client.ip}\u0000${client.port}`;
    let a = this.#associations.get(key);
    if (!a) {
      const backend = this.#o.pick(client);
      if (!backend) return;
      a = this.#associate(key, backend, client);
    }
    a.lastActive = this.#o.clock.now();
    if (a.connected) a.backend.send(msg);
    else if (a.queued.length < maxQueued) a.queued.push(msg);
  }

  #associate(key: string, target: B, client: UDPClient): Association {
    const { clock, idleTimeoutMs } = this.#o;
    const backend = createSocket(target.ip.includes(':') ? 'udp6' : 'udp4');
    const a: Association = { backend, connected: false, queued: [], lastActive: clock.now(), closed: false };
    this.#associations.set(key, a);
    backend.on('message', (reply) => {
      a.lastActive = clock.now();
      if (this.#bound) this.#socket.send(reply, client.port, client.ip);
    });
    backend.on('error', (err) => {
      this.#end(key);
      this.#o.backendFailed?.(target, client, err);
    });
    backend.connect(target.port, target.ip, () => {
      if (a.closed) return;
      a.connected = true;
      for (const m of a.queued.splice(0)) backend.send(m);
    });
    const check = () => {
      if (a.closed) return;
      const idle = clock.now() - a.lastActive;
      if (idle >= idleTimeoutMs) this.#end(key);
      else a.timer = clock.setTimeout(check, idleTimeoutMs - idle);
    };
    a.timer = clock.setTimeout(check, idleTimeoutMs);
    return a;
  }

  #end(key: string): void {
    const a = this.#associations.get(key);
    if (!a || a.closed) return;
    a.closed = true;
    this.#associations.delete(key);
    if (a.timer) this.#o.clock.clearTimeout(a.timer);
    try {
      a.backend.close();
    } catch {
      // already closed
    }
  }
}
