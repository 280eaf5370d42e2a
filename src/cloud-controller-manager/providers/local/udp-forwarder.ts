// A UDP listener of the local load balancer. Each client address gets an association: a socket
// connected to the first candidate backend, whose replies go back to the client from the load
// balancer's address. An association ends after idleTimeoutMs without traffic either way, or when
// the backend refuses (ICMP port unreachable), which also marks that backend failed; the client's
// next datagram then starts a new association. Datagrams from clients outside the allowed source
// ranges, or with no backend, are dropped.

import { createSocket, type Socket } from 'node:dgram';
import type { Timer } from '../../../machinery/clock.ts';
import type { ForwarderOptions } from './tcp-forwarder.ts';
import type { Target } from './health-checker.ts';

interface Association {
  backend: Socket;
  connected: boolean;
  queued: Buffer[];
  lastActive: number;
  timer?: Timer;
  closed: boolean;
}

const maxQueued = 64;
export const udpIdleTimeoutMs = 30_000;

export class UDPForwarder {
  readonly #o: ForwarderOptions;
  readonly #idleMs: number;
  readonly #socket: Socket;
  readonly #associations = new Map<string, Association>();
  #bound = false;

  constructor(options: ForwarderOptions & { idleTimeoutMs?: number }) {
    this.#o = options;
    this.#idleMs = options.idleTimeoutMs ?? udpIdleTimeoutMs;
    this.#socket = createSocket(options.address.includes(':') ? 'udp6' : 'udp4');
    this.#socket.on('message', (msg, rinfo) => this.#onMessage(msg, rinfo.address, rinfo.port));
    this.#socket.on('error', (err) => this.#bound && options.log.warn('load balancer listener error', { listener: options.name, err }));
  }

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
    for (const key of [...this.#associations.keys()]) this.#end(key);
    if (!this.#bound) {
      try {
        this.#socket.close();
      } catch {
        // never bound, or already closed
      }
      return;
    }
    this.#bound = false;
    await new Promise<void>((resolve) => this.#socket.close(() => resolve()));
  }

  get connections(): number {
    return this.#associations.size;
  }

  #onMessage(msg: Buffer, clientIP: string, clientPort: number): void {
    const key = `${clientIP}\u0000${clientPort}`;
    let a = this.#associations.get(key);
    if (!a) {
      if (!this.#o.balancer.allows(clientIP)) return;
      const target = this.#o.balancer.candidates(clientIP)[0];
      if (!target) return;
      a = this.#associate(key, target, clientIP, clientPort);
    }
    a.lastActive = this.#o.clock.now();
    if (a.connected) a.backend.send(msg);
    else if (a.queued.length < maxQueued) a.queued.push(msg);
  }

  #associate(key: string, target: Target, clientIP: string, clientPort: number): Association {
    const { clock } = this.#o;
    const backend = createSocket(target.ip.includes(':') ? 'udp6' : 'udp4');
    const a: Association = { backend, connected: false, queued: [], lastActive: clock.now(), closed: false };
    this.#associations.set(key, a);
    backend.on('message', (reply) => {
      a.lastActive = clock.now();
      if (this.#bound) this.#socket.send(reply, clientPort, clientIP);
    });
    backend.on('error', () => {
      this.#o.balancer.failed(target);
      this.#end(key);
    });
    backend.connect(target.port, target.ip, () => {
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
    if (a.timer) this.#o.clock.clearTimeout(a.timer);
    try {
      a.backend.close();
    } catch {
      // already closed
    }
  }
}
