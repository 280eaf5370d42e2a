// A throw-away network on this machine for tests and benchmarks of the nftables data plane
// (root only): a bridge with a /24 out of 10.123.0.0/16 standing in for the CNI bridge, "pods"
// (network namespaces on veths to it, hairpin mode on as cni0's) that run small TCP servers or
// clients, and a /24 out of 10.201.0.0/16 as Service CIDR. Nothing is sent off the machine:
// the Service CIDR is blackholed before anything else is created, and routed with a better
// metric to a second, empty bridge (the sink) while it lives. (A blackhole alone makes
// connect() fail with EINVAL before the nat output hook sees the packet; routing to the pods'
// own bridge would have the node answer pods with ICMP redirects, which use up the rate limit
// of the ICMP rejects.) Packets to Service IPs that are not DNATed die in the sink, unanswered.
// route_localnet is set on the bridge only (loopback clients DNATed to pods leave through it),
// so the host's setting is left alone. close() removes everything in reverse order, and a
// process exit handler does the same if a test never gets there.

import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { createInterface } from 'node:readline';

const ip = (args: string[]) => execFileSync('ip', args, { stdio: ['ignore', 'pipe', 'pipe'] }).toString();

/** The result of one TCP connection: what the server wrote, or the error code. */
export type Reply = string;

// Reads what the server sends until it closes; prints one JSON array of replies.
const clientScript = `
const net = require('node:net');
const [host, port, count, timeoutMs] = process.argv.slice(1);
const one = () => new Promise((resolve) => {
  const s = net.connect(Number(port), host);
  let data = '';
  const timer = setTimeout(() => { s.destroy(); resolve('ETIMEDOUT'); }, Number(timeoutMs));
  s.setEncoding('utf8').on('data', (c) => (data += c));
  s.on('error', (e) => { clearTimeout(timer); resolve(e.code || String(e)); });
  s.on('close', () => { clearTimeout(timer); resolve(data); });
});
(async () => { const out = []; for (let i = 0; i < Number(count); i++) out.push(await one()); process.stdout.write(JSON.stringify(out)); })();
`;

// Writes its name to each connection and closes it; prints "listening" once bound.
const serverScript = `
const net = require('node:net');
const [port, name] = process.argv.slice(1);
net.createServer((s) => s.end(name)).listen(Number(port), '0.0.0.0', () => process.stdout.write('listening\\n'));
`;

/** One connection from this process; resolves with the reply or the error code. */
export function request(host: string, port: number, timeoutMs = 2000): Promise<Reply> {
  return new Promise((resolve) => {
    const s = connect(port, host);
    let data = '';
    const timer = setTimeout(() => {
      s.destroy();
      resolve('ETIMEDOUT');
    }, timeoutMs);
    s.setEncoding('utf8').on('data', (c: string) => (data += c));
    s.on('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      resolve(err.code ?? String(err));
    });
    s.on('close', () => {
      clearTimeout(timer);
      resolve(data);
    });
  });
}

export async function requests(host: string, port: number, count: number, timeoutMs = 2000): Promise<Reply[]> {
  const out: Reply[] = [];
  for (let i = 0; i < count; i++) out.push(await request(host, port, timeoutMs));
  return out;
}

/** A TCP port on 127.0.0.1 where nothing listens now (for NodePorts that hijack nobody's traffic). */
export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  await new Promise((r) => server.close(r));
  return port;
}

export interface Pod {
  readonly name: string;
  readonly netns: string;
  readonly ip: string;
  /** Starts a server on port that answers with its name. */
  serve(port: number, reply: string): Promise<void>;
  /** count connections from inside the pod, one after another. */
  connect(host: string, port: number, count: number, timeoutMs?: number): Promise<Reply[]>;
}

/** Whether this process may build a TestNetwork (root, ip and a usable netns directory). */
export function testNetworkSupported(): boolean {
  return process.getuid?.() === 0 && existsSync('/proc/sys/net/ipv4/conf/all/route_localnet');
}

/** Bridged frames pass the ip hooks (br_netfilter), which un-DNATs replies between pods of one bridge. */
export function bridgeNetfilterEnabled(): boolean {
  try {
    return readFileSync('/proc/sys/net/bridge/bridge-nf-call-iptables', 'utf8').trim() === '1';
  } catch {
    return false;
  }
}

export class TestNetwork {
  readonly id: string;
  readonly bridge: string;
  /** The empty bridge the Service CIDR is routed to. */
  readonly sink: string;
  /** The bridge's address: the pods' gateway and the node's address. */
  readonly gateway: string;
  readonly serviceCIDR: string;
  readonly #servicePrefix: string;
  readonly #podPrefix: string;
  readonly #undo: (() => void)[] = [];
  readonly #children = new Set<ChildProcess>();
  readonly #pods: Pod[] = [];
  readonly #onExit = () => this.#teardown();
  #closed = false;

  private constructor(n: number) {
    this.id = `${process.pid}`;
    this.bridge = `k8tbr${process.pid}`;
    this.sink = `k8tsink${process.pid}`;
    this.#podPrefix = `10.123.${n}`;
    this.#servicePrefix = `10.201.${n}`;
    this.gateway = `${this.#podPrefix}.1`;
    this.serviceCIDR = `${this.#servicePrefix}.0/24`;
  }

  /** Builds the bridge and the Service CIDR's routes; throws (after undoing) when anything fails. */
  static async create(): Promise<TestNetwork> {
    let n = 20 + (process.pid % 230);
    for (let tries = 0; ; tries++, n = 20 + ((n - 19) % 230)) {
      if (tries >= 230) throw new Error('no free /24 in 10.123.0.0/16 and 10.201.0.0/16');
      const used = ip(['-o', 'addr', 'show', 'to', `10.123.${n}.0/24`]).trim() || ip(['route', 'show', 'match', `10.201.${n}.1`]).includes(`10.201.${n}.0/24`);
      if (!used) break;
    }
    const net = new TestNetwork(n);
    process.on('exit', net.#onExit);
    try {
      net.#setup();
    } catch (err) {
      net.#teardown();
      throw err;
    }
    return net;
  }

  /** The i-th address of the Service CIDR (1..254). */
  serviceIP(i: number): string {
    return `${this.#servicePrefix}.${i}`;
  }

  #do(args: string[], undo?: string[]): void {
    ip(args);
    if (undo) this.#undo.push(() => ip(undo));
  }

  #setup(): void {
    // First of all, so that nothing meant for the Service CIDR can take the default route.
    this.#do(['route', 'add', 'blackhole', this.serviceCIDR, 'metric', '1000'], ['route', 'del', 'blackhole', this.serviceCIDR, 'metric', '1000']);
    if (!ip(['route', 'show', this.serviceCIDR]).includes('blackhole')) throw new Error(`the blackhole route for ${this.serviceCIDR} is missing`);
    this.#do(['link', 'add', this.bridge, 'type', 'bridge'], ['link', 'del', this.bridge]);
    this.#do(['addr', 'add', `${this.gateway}/24`, 'dev', this.bridge]);
    this.#do(['link', 'set', this.bridge, 'up']);
    this.#do(['link', 'add', this.sink, 'type', 'bridge'], ['link', 'del', this.sink]);
    this.#do(['link', 'set', this.sink, 'up']);
    this.#do(['route', 'add', this.serviceCIDR, 'dev', this.sink, 'metric', '10']);
    writeFileSync(`/proc/sys/net/ipv4/conf/${this.bridge}/route_localnet`, '1');
  }

  /** A network namespace on the bridge with the next free address (from .10 on). */
  async addPod(name: string): Promise<Pod> {
    const index = this.#pods.length;
    const podIP = `${this.#podPrefix}.${10 + index}`;
    const netns = `k8ts-test-${this.id}-${name}`;
    const host = `k8tv${this.id}-${index}`;
    const peer = `k8tp${this.id}-${index}`;
    this.#do(['netns', 'add', netns], ['netns', 'del', netns]);
    this.#do(['link', 'add', host, 'type', 'veth', 'peer', 'name', peer]);
    this.#undo.push(() => {
      try {
        ip(['link', 'del', host]);
      } catch {
        // Gone with its namespace.
      }
    });
    this.#do(['link', 'set', peer, 'netns', netns]);
    this.#do(['link', 'set', host, 'master', this.bridge]);
    // As the CNI bridge plugin's hairpinMode (cni0's setting): a pod's connection DNATed back to
    // itself is bridged out of the port it came in by.
    this.#do(['link', 'set', host, 'type', 'bridge_slave', 'hairpin', 'on']);
    this.#do(['link', 'set', host, 'up']);
    const inNs = (...args: string[]) => this.#do(['-n', netns, ...args]);
    inNs('link', 'set', peer, 'name', 'eth0');
    inNs('addr', 'add', `${podIP}/24`, 'dev', 'eth0');
    inNs('link', 'set', 'eth0', 'up');
    inNs('link', 'set', 'lo', 'up');
    inNs('route', 'add', 'default', 'via', this.gateway);
    const pod: Pod = {
      name,
      netns,
      ip: podIP,
      serve: async (port, reply) => {
        const child = this.#spawn(netns, ['-e', serverScript, port.toString(), reply]);
        const lines = createInterface({ input: child.stdout! });
        const [line] = (await Promise.race([once(lines, 'line'), once(child, 'exit').then(() => ['exited'])])) as string[];
        if (line !== 'listening') throw new Error(`the server in ${netns} did not start`);
      },
      connect: async (host, port, count, timeoutMs = 2000) => {
        const child = this.#spawn(netns, ['-e', clientScript, host, String(port), String(count), String(timeoutMs)]);
        let out = '';
        child.stdout!.setEncoding('utf8').on('data', (c: string) => (out += c));
        await once(child, 'exit');
        return JSON.parse(out) as Reply[];
      },
    };
    this.#pods.push(pod);
    return pod;
  }

  #spawn(netns: string, args: string[]): ChildProcess {
    const child = spawn('ip', ['netns', 'exec', netns, process.execPath, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
    this.#children.add(child);
    child.on('exit', () => this.#children.delete(child));
    return child;
  }

  async close(): Promise<void> {
    const exits = [...this.#children].map((c) => once(c, 'exit'));
    this.#teardown();
    await Promise.all(exits);
  }

  #teardown(): void {
    if (this.#closed) return;
    this.#closed = true;
    process.off('exit', this.#onExit);
    // `ip netns exec` runs the program in its own process, so the PID is the server's.
    for (const child of this.#children) if (child.exitCode === null) child.kill('SIGKILL');
    for (const undo of this.#undo.reverse()) {
      try {
        undo();
      } catch {
        // Best effort: keep undoing the rest.
      }
    }
  }
}
