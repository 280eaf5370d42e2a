// Acceptance against the real kubectl: exec, attach, cp and port-forward through the fake API server
// in testing.ts, for an old (SPDY only) and a current (WebSocket first) kubectl.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { type Server, createServer, request } from 'node:http';
import { type AddressInfo, connect, createServer as createTcpServer } from 'node:net';
import { join } from 'node:path';
import type { Duplex } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import type { StreamIO } from '../../runtime/runtime.ts';
import type { RemoteCommandRunner } from './remote-command.ts';
import { type FakeApiServer, hostExec, kubectlPath, startFakeApiServer } from './testing.ts';

const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

async function until(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out waiting for condition');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Runs a shell command line under `script`, which gives it a pseudo-terminal. */
function runInTerminal(api: FakeApiServer, line: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('script', ['-qfec', line, '/dev/null'], { env: { PATH: process.env.PATH ?? '', HOME: api.dir, KUBECACHEDIR: join(api.dir, 'cache') } });
    let output = '';
    child.stdout.on('data', (c: Buffer) => {
      output += c.toString();
    });
    child.stderr.on('data', (c: Buffer) => {
      output += c.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
  });
}

/** A pod-side HTTP server: GET /big returns `payload`; POST /sum answers the sha256 of the body. */
async function startPodServer(payload: Buffer): Promise<{ port: number; close(): Promise<void> }> {
  const server: Server = createServer((req, res) => {
    if (req.method === 'POST') {
      const hash = createHash('sha256');
      req.on('data', (c: Buffer) => hash.update(c));
      req.on('end', () => res.end(hash.digest('hex')));
      return;
    }
    res.writeHead(200, { 'Content-Length': payload.length });
    res.end(payload);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function connectTo(port: number): Promise<Duplex> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => resolve(socket));
    socket.once('error', reject);
  });
}

function httpCall(port: number, method: string, body?: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path: method === 'POST' ? '/sum' : '/big', agent: false }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (c: Buffer) => parts.push(c));
      res.on('end', () => resolve(Buffer.concat(parts)));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Starts `kubectl port-forward` and resolves with the local port it listens on. */
function portForward(api: FakeApiServer, version: string, remotePort: number, env?: Record<string, string>): Promise<{ localPort: number; stop(): void; stderr(): string }> {
  const child = api.spawnKubectl(version, ['port-forward', 'p', `:${remotePort}`], env);
  let out = '';
  let err = '';
  child.stderr?.on('data', (c: Buffer) => {
    err += c.toString();
  });
  return new Promise((resolve, reject) => {
    child.stdout?.on('data', (c: Buffer) => {
      out += c.toString();
      const m = out.match(/Forwarding from 127\.0\.0\.1:(\d+)/);
      if (m) resolve({ localPort: Number(m[1]), stop: () => child.kill('SIGTERM'), stderr: () => err });
    });
    child.on('exit', (code) => reject(new Error(`kubectl port-forward exited with ${code}: ${err}`)));
  });
}

/** Prints whether the session has a terminal and the first size the client reports. */
async function reportTerminal(io: StreamIO): Promise<number> {
  if (!io.tty || !io.resize) {
    io.stdout?.write('no terminal\n');
    return 0;
  }
  for await (const size of io.resize) {
    io.stdout?.write(`terminal ${size.width}x${size.height}\n`);
    break;
  }
  return 0;
}

const versions = ['1.27', '1.33'];

describe('streaming with the real kubectl', () => {
  const payload = randomBytes(5 * 1024 * 1024);
  let podServer: Awaited<ReturnType<typeof startPodServer>>;
  let api: FakeApiServer;
  let spdyOnly: FakeApiServer;
  let refusedPort: number;

  before(async () => {
    podServer = await startPodServer(payload);
    const closed = createTcpServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    refusedPort = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const forward = (port: number): Promise<Duplex> => connectTo(port === 8080 ? podServer.port : refusedPort);
    const exec = (command: string[]): RemoteCommandRunner => (command[0] === 'report-terminal' ? reportTerminal : hostExec(command));
    const attach = hostExec(['sh', '-c', 'echo attached; echo to-stderr >&2']);
    api = await startFakeApiServer({ exec, attach, forward });
    spdyOnly = await startFakeApiServer({ exec, attach, forward, refuseWebSockets: true });
  });

  after(async () => {
    await api?.close();
    await spdyOnly?.close();
    await podServer?.close();
  });

  for (const version of versions) {
    describe(`kubectl ${version}`, () => {
      it('exec prints stdout and stderr and exits with the command exit code', async () => {
        const r = await api.kubectl(version, ['exec', 'p', '--', 'sh', '-c', 'echo out; echo err >&2; exit 3']);
        assert.equal(r.stdout.toString(), 'out\n');
        assert.match(r.stderr, /err\n/);
        assert.match(r.stderr, /command terminated with exit code 3/);
        assert.equal(r.code, 3);
      });

      it('exec succeeds with exit code 0, over the transport this version prefers', async () => {
        const r = await api.kubectl(version, ['exec', 'p', '-c', 'c', '--', 'echo', 'hello', 'world']);
        assert.equal(r.code, 0, r.stderr);
        assert.equal(r.stdout.toString(), 'hello world\n');
        assert.equal(api.upgrades.at(-1), version === '1.27' ? 'POST /api/v1/namespaces/default/pods/p/exec spdy' : 'GET /api/v1/namespaces/default/pods/p/exec websocket');
      });

      it('exec -it through a terminal gets a tty and the terminal size', async () => {
        const kubectl = `${kubectlPath(version)} --kubeconfig ${api.kubeconfig} exec -it p -- report-terminal`;
        const r = await runInTerminal(api, `stty cols 123 rows 45; ${kubectl}`);
        assert.equal(r.code, 0, r.output);
        assert.match(r.output, /terminal 123x45/);
      });

      it('exec -i streams stdin in and a large output back', async () => {
        const input = randomBytes(3 * 1024 * 1024);
        const r = await api.kubectl(version, ['exec', '-i', 'p', '--', 'sh', '-c', 'cat; echo done >&2'], { input });
        assert.equal(r.code, 0, r.stderr);
        assert.equal(r.stdout.length, input.length);
        assert.equal(sha256(r.stdout), sha256(input));
        assert.match(r.stderr, /done/);
      });

      it('exec -i finishes when the command stops reading stdin early', async () => {
        const r = await api.kubectl(version, ['exec', '-i', 'p', '--', 'head', '-c', '10'], { input: randomBytes(8 * 1024 * 1024) });
        assert.equal(r.code, 0, r.stderr);
        assert.equal(r.stdout.length, 10);
      });

      it('exec reports a command that cannot start', async () => {
        const r = await api.kubectl(version, ['exec', 'p', '--', '/nonexistent/binary']);
        assert.notEqual(r.code, 0);
        assert.match(r.stderr, /error executing command in container: spawn \/nonexistent\/binary ENOENT/);
      });

      it('attach shows the output of the attached process', async () => {
        const r = await api.kubectl(version, ['attach', 'p', '-c', 'c']);
        assert.equal(r.code, 0, r.stderr);
        assert.equal(r.stdout.toString(), 'attached\n');
        assert.match(r.stderr, /to-stderr/);
      });

      it('cp copies a file into the pod and back out', async () => {
        const dir = join(api.dir, `cp-${version}`);
        mkdirSync(join(dir, 'pod'), { recursive: true });
        const content = randomBytes(2 * 1024 * 1024 + 17);
        writeFileSync(join(dir, 'local.bin'), content);
        const up = await api.kubectl(version, ['cp', join(dir, 'local.bin'), `p:${join(dir, 'pod', 'remote.bin')}`]);
        assert.equal(up.code, 0, up.stderr);
        assert.equal(sha256(readFileSync(join(dir, 'pod', 'remote.bin'))), sha256(content));
        const down = await api.kubectl(version, ['cp', `p:${join(dir, 'pod', 'remote.bin')}`, join(dir, 'back.bin')]);
        assert.equal(down.code, 0, down.stderr);
        assert.equal(sha256(readFileSync(join(dir, 'back.bin'))), sha256(content));
      });

      it('port-forward carries 5 MB each way', async () => {
        const pf = await portForward(api, version, 8080);
        const kind = version === '1.27' ? 'POST /api/v1/namespaces/default/pods/p/portforward spdy' : 'GET /api/v1/namespaces/default/pods/p/portforward websocket';
        try {
          const body = await httpCall(pf.localPort, 'GET');
          assert.equal(body.length, payload.length);
          assert.equal(sha256(body), sha256(payload));
          const sum = await httpCall(pf.localPort, 'POST', payload);
          assert.equal(sum.toString(), sha256(payload));
          const again = await httpCall(pf.localPort, 'GET');
          assert.equal(sha256(again), sha256(payload));
          assert.equal(api.upgrades.at(-1), kind);
        } finally {
          pf.stop();
        }
      });

      it('port-forward reports a port nothing listens on', async () => {
        const pf = await portForward(api, version, 9);
        try {
          await assert.rejects(httpCall(pf.localPort, 'GET'));
          await until(() => /error forwarding port 9 to pod p, uid 6f1f7c4e-5a43-4c0a-9d7e-0c9f1c2b3a4d: connect ECONNREFUSED/.test(pf.stderr()));
        } finally {
          pf.stop();
        }
      });
    });
  }

  describe('kubectl 1.33 over SPDY (WebSockets refused)', () => {
    it('exec falls back to SPDY with protocol v5', async () => {
      const r = await spdyOnly.kubectl('1.33', ['exec', '-i', 'p', '--', 'sh', '-c', 'cat; echo err >&2; exit 5'], { input: 'abc' });
      assert.equal(r.code, 5);
      assert.equal(r.stdout.toString(), 'abc');
      assert.match(r.stderr, /err/);
      assert.ok(spdyOnly.upgrades.some((u) => u.endsWith('/exec spdy')));
    });

    it('port-forward falls back to plain SPDY', async () => {
      const pf = await portForward(spdyOnly, '1.33', 8080);
      try {
        const body = await httpCall(pf.localPort, 'GET');
        assert.equal(sha256(body), sha256(payload));
      } finally {
        pf.stop();
      }
      assert.ok(spdyOnly.upgrades.some((u) => u.endsWith('/portforward spdy')));
    });
  });
});
