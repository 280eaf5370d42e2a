import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { parseLogLine } from '../cri-log.ts';
import { NotFoundError, type ContainerConfig, type PodSandboxConfig } from '../runtime.ts';
import type { ContainerEvent } from '../events.ts';
import { createProcessRuntime, type ProcessRuntime } from './runtime.ts';

const busyboxPath = ['/bin/busybox', '/usr/bin/busybox'].find((p) => existsSync(p));
const scriptPath = ['/usr/bin/script', '/bin/script'].find((p) => existsSync(p));

let work: string;
let runtime: ProcessRuntime;
let podCount = 0;
const events: ContainerEvent[] = [];

function sandboxConfig(): PodSandboxConfig {
  const n = podCount++;
  const logDirectory = join(work, 'logs', `pod-${n}`);
  mkdirSync(logDirectory, { recursive: true });
  return {
    metadata: { name: `pod-${n}`, namespace: 'default', uid: `uid-${n}`, attempt: 0 },
    hostname: `pod-${n}`,
    logDirectory,
    portMappings: [],
    labels: { app: 'test' },
    annotations: {},
    hostNetwork: false,
  };
}

function containerConfig(name: string, command: string[], extra: Partial<ContainerConfig> = {}): ContainerConfig {
  return {
    metadata: { name, attempt: 0 },
    image: 'debian',
    command,
    args: [],
    envs: [],
    mounts: [],
    labels: {},
    annotations: {},
    logPath: `${name}/0.log`,
    stdin: false,
    stdinOnce: false,
    tty: false,
    ...extra,
  };
}

async function run(name: string, command: string[], extra: Partial<ContainerConfig> = {}) {
  const sandbox = sandboxConfig();
  const sandboxId = await runtime.runPodSandbox(sandbox);
  const config = containerConfig(name, command, extra);
  const id = await runtime.createContainer(sandboxId, config, sandbox);
  await runtime.startContainer(id);
  return { sandboxId, id, sandbox, logPath: join(sandbox.logDirectory, config.logPath) };
}

async function waitFor<T>(what: string, f: () => Promise<T | undefined> | T | undefined, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await f();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function waitExited(id: string) {
  return waitFor(`container ${id} to exit`, async () => {
    const s = await runtime.containerStatus(id);
    return s.state === 'exited' ? s : undefined;
  });
}

/** Whether `pid` runs (a zombie waiting for a reaper has already died). */
function alive(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  await new Promise((r) => server.close(r));
  return port;
}

function collector() {
  const chunks: Buffer[] = [];
  const stream = new Writable({
    write(chunk, _enc, cb) {
      chunks.push(chunk);
      cb();
    },
  });
  return { stream, text: () => Buffer.concat(chunks).toString() };
}

before(() => {
  work = mkdtempSync(join(tmpdir(), 'process-runtime-'));
  runtime = createProcessRuntime({ rootDir: join(work, 'root'), nodeIP: '127.0.0.1' });
  runtime.onEvent((e) => events.push(e));
});

after(async () => {
  await runtime.close();
  rmSync(work, { recursive: true, force: true });
});

describe('process runtime', () => {
  it('reports its version and made-up images', async () => {
    assert.equal((await runtime.version()).runtimeName, 'process');
    const image = await runtime.pullImage('busybox');
    assert.equal(image.image, 'docker.io/library/busybox:latest');
    assert.match(image.imageRef, /^sha256:[0-9a-f]{64}$/);
    assert.deepEqual(await runtime.imageStatus('docker.io/library/busybox:latest'), image);
  });

  it('writes stdout and stderr to the CRI log file and exits Completed', async () => {
    const { id, logPath, sandboxId } = await run('logs', ['sh', '-c', 'echo out1; echo err1 >&2; printf "a\\n\\nb"; exit 0']);
    const status = await waitExited(id);
    assert.equal(status.exitCode, 0);
    assert.equal(status.reason, 'Completed');
    assert.equal(status.logPath, logPath);
    assert.ok(status.startedAt > 0 && status.finishedAt >= status.startedAt && status.startedAt >= status.createdAt);
    assert.equal(status.podSandboxId, sandboxId);
    const lines = readFileSync(logPath, 'utf8').split('\n');
    assert.equal(lines.pop(), '');
    for (const line of lines) assert.match(line, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z (stdout|stderr) [FP] /);
    const parsed = lines.map((l) => parseLogLine(l)!);
    const byStream = (s: string) => parsed.filter((p) => p.stream === s).map((p) => `${p.tag} ${p.content}`);
    assert.deepEqual(byStream('stdout'), ['F out1', 'F a', 'F ', 'F b']);
    assert.deepEqual(byStream('stderr'), ['F err1']);
    assert.deepEqual(events.filter((e) => e.containerId === id).map((e) => e.type), ['created', 'started', 'stopped']);
  });

  it('reports exit codes: Error for non-zero, 128+N for a signal', async () => {
    const failed = await run('fail', ['sh', '-c', 'exit 3']);
    const s1 = await waitExited(failed.id);
    assert.deepEqual([s1.exitCode, s1.reason], [3, 'Error']);
    const killed = await run('killed', ['sh', '-c', 'kill -KILL $$']);
    const s2 = await waitExited(killed.id);
    assert.deepEqual([s2.exitCode, s2.reason], [137, 'Error']);
  });

  it('stops with SIGTERM, then SIGKILL after the timeout when SIGTERM is ignored', async () => {
    const polite = await run('polite', ['sleep', '30']);
    await runtime.stopContainer(polite.id, 10);
    const s1 = await runtime.containerStatus(polite.id);
    assert.deepEqual([s1.state, s1.exitCode], ['exited', 143]);

    const stubborn = await run('stubborn', ['sh', '-c', "trap '' TERM; echo ready; sleep 30 & wait"]);
    await waitFor('ready', () => readFileSync(stubborn.logPath, 'utf8').includes('ready'));
    const pid = runtime.containerPid(stubborn.id)!;
    const started = Date.now();
    await runtime.stopContainer(stubborn.id, 1);
    assert.ok(Date.now() - started >= 900, 'SIGKILL waited for the timeout');
    const s2 = await runtime.containerStatus(stubborn.id);
    assert.deepEqual([s2.state, s2.exitCode], ['exited', 137]);
    assert.equal(alive(pid), false);
    await runtime.stopContainer(stubborn.id, 1); // already exited: not an error
  });

  it('kills what is left of the session when the main process exits, including other process groups', async () => {
    const perl = existsSync('/usr/bin/perl');
    const script = perl ? 'sleep 30 & echo $!; perl -e "setpgrp(0, 0); sleep 30" & echo $!' : 'sleep 30 & echo $!';
    const { id, logPath } = await run('orphans', ['sh', '-c', script]);
    await waitExited(id);
    const children = readFileSync(logPath, 'utf8').trim().split('\n').map((l) => Number(parseLogLine(l)!.content.toString()));
    assert.equal(children.length, perl ? 2 : 1);
    for (const child of children) await waitFor(`child ${child} to die`, () => !alive(child));
  });

  it('runs a tty container on a terminal, logged as stdout, stopped by SIGTERM', { skip: scriptPath ? false : 'util-linux script is not installed' }, async () => {
    const { id, logPath } = await run('tty-container', ['sh', '-c', 'test -t 1 && echo terminal; echo err >&2; sleep 30'], { tty: true, stdin: true });
    await waitFor('output', () => readFileSync(logPath, 'utf8').includes('err'));
    const started = Date.now();
    await runtime.stopContainer(id, 20);
    assert.ok(Date.now() - started < 10_000);
    const status = await runtime.containerStatus(id);
    assert.deepEqual([status.exitCode, status.reason], [143, 'Error']);
    const lines = readFileSync(logPath, 'utf8').split('\n').filter(Boolean).map((l) => parseLogLine(l)!);
    assert.ok(lines.every((l) => l.stream === 'stdout'));
    assert.deepEqual(lines.map((l) => l.content.toString()), ['terminal\r', 'err\r']);
  });

  it('gives exactly the configured environment, with PATH, HOME and HOSTNAME defaults', async () => {
    const { id, logPath, sandbox } = await run('env', ['env'], { envs: [{ key: 'GREETING', value: 'hello' }, { key: 'GREETING', value: 'hi' }] });
    await waitExited(id);
    const env = Object.fromEntries(readFileSync(logPath, 'utf8').trim().split('\n').map((l) => parseLogLine(l)!.content.toString().split(/=(.*)/s).slice(0, 2)));
    assert.equal(env.GREETING, 'hi');
    assert.equal(env.PATH, process.env.PATH);
    assert.equal(env.HOSTNAME, sandbox.hostname);
    assert.ok(env.HOME && existsSync(env.HOME));
    assert.deepEqual(Object.keys(env).sort(), ['GREETING', 'HOME', 'HOSTNAME', 'PATH']);
  });

  it('looks the command up on the container PATH', async () => {
    const bin = join(work, 'bin');
    mkdirSync(bin, { recursive: true });
    writeFileSync(join(bin, 'greet'), '#!/bin/sh\necho "greetings $1"\n', { mode: 0o755 });
    const { id, logPath } = await run('path', ['greet'], { args: ['world'], envs: [{ key: 'PATH', value: `${bin}:/usr/bin:/bin` }] });
    const status = await waitExited(id);
    assert.equal(status.exitCode, 0);
    assert.equal(parseLogLine(readFileSync(logPath, 'utf8').trim())!.content.toString(), 'greetings world');
  });

  it('translates mount paths in command, args, workingDir and env', async () => {
    const host = join(work, 'configmap');
    mkdirSync(host, { recursive: true });
    writeFileSync(join(host, 'x'), 'from the host\n');
    const mounts = [{ containerPath: '/config', hostPath: host, readonly: true }];
    const direct = await run('cat', ['cat', '/config/x'], { mounts });
    await waitExited(direct.id);
    assert.equal(parseLogLine(readFileSync(direct.logPath, 'utf8').trim())!.content.toString(), 'from the host');

    const scripted = await run('scripted', ['sh', '-c', 'cat /config/x; pwd; echo "$FILE"'], {
      mounts,
      workingDir: '/config',
      envs: [{ key: 'FILE', value: '/config/x' }],
    });
    await waitExited(scripted.id);
    const out = readFileSync(scripted.logPath, 'utf8').trim().split('\n').map((l) => parseLogLine(l)!.content.toString());
    assert.deepEqual(out, ['from the host', host, join(host, 'x')]);
  });

  it('fails to start a missing command with StartError and exit code 128', async () => {
    const sandbox = sandboxConfig();
    const sandboxId = await runtime.runPodSandbox(sandbox);
    const id = await runtime.createContainer(sandboxId, containerConfig('missing', ['no-such-command-k8ts']), sandbox);
    await assert.rejects(runtime.startContainer(id), /exec: "no-such-command-k8ts": executable file not found in \$PATH/);
    const status = await runtime.containerStatus(id);
    assert.deepEqual([status.state, status.exitCode, status.reason], ['exited', 128, 'StartError']);
    assert.match(status.message, /executable file not found/);
    assert.equal(status.startedAt, 0);
    await assert.rejects(runtime.startContainer(id), /not created/);
  });

  it('runs execSync in the container environment, and times it out', async () => {
    const { id } = await run('execsync', ['sleep', '30'], { envs: [{ key: 'WHO', value: 'exec' }] });
    const result = await runtime.execSync(id, ['sh', '-c', 'echo "hi $WHO"; echo oops >&2; exit 4'], 10);
    assert.equal(result.stdout.toString(), 'hi exec\n');
    assert.equal(result.stderr.toString(), 'oops\n');
    assert.equal(result.exitCode, 4);
    await assert.rejects(runtime.execSync(id, ['sleep', '30'], 1), (err: Error) => err.name === 'TimeoutError');
    await assert.rejects(runtime.execSync(id, ['no-such-command-k8ts'], 1), /executable file not found/);
    await runtime.stopContainer(id, 0);
    await assert.rejects(runtime.execSync(id, ['true'], 1), /not running/);
  });

  it('runs exec with stdin piped in', async () => {
    const { id } = await run('exec', ['sleep', '30']);
    const stdin = new PassThrough();
    const out = collector();
    const err = collector();
    const code = runtime.exec(id, ['sh', '-c', 'tr a-z A-Z; echo done >&2; exit 2'], { stdin, stdout: out.stream, stderr: err.stream, tty: false });
    stdin.write('hello ');
    stdin.end('world\n');
    assert.equal(await code, 2);
    assert.equal(out.text(), 'HELLO WORLD\n');
    assert.equal(err.text(), 'done\n');
    await runtime.stopContainer(id, 0);
  });

  it('runs exec with a terminal via script', { skip: scriptPath ? false : 'util-linux script is not installed' }, async () => {
    const { id } = await run('tty', ['sleep', '30']);
    const stdin = new PassThrough();
    const out = collector();
    const resize = (async function* () {
      yield { width: 123, height: 45 };
    })();
    const code = runtime.exec(id, ['sh'], { stdin, stdout: out.stream, tty: true, resize });
    await waitFor('the terminal size', async () => {
      stdin.write('test -t 0 && echo "is a tty $(stty size)"\n');
      await new Promise((r) => setTimeout(r, 100));
      return out.text().includes('is a tty 45 123');
    });
    stdin.end('exit 7\n');
    assert.equal(await code, 7);
    await runtime.stopContainer(id, 0);
  });

  it('attaches to the stdin and output of a container', async () => {
    const { id, logPath } = await run('attach', ['sh', '-c', 'while read line; do echo "got $line"; echo "err $line" >&2; done; echo bye'], { stdin: true, stdinOnce: true });
    const stdin = new PassThrough();
    const out = collector();
    const err = collector();
    const attached = runtime.attach(id, { stdin, stdout: out.stream, stderr: err.stream, tty: false });
    stdin.write('one\n');
    await waitFor('the echo', () => out.text().includes('got one'));
    stdin.end('two\n');
    await attached;
    const status = await waitExited(id);
    assert.equal(status.exitCode, 0);
    assert.match(out.text(), /got one\ngot two\n(bye\n)?/);
    assert.match(err.text(), /err one\nerr two\n/);
    const logged = readFileSync(logPath, 'utf8').trim().split('\n').map((l) => parseLogLine(l)!);
    assert.deepEqual(logged.filter((l) => l.stream === 'stdout').map((l) => l.content.toString()), ['got one', 'got two', 'bye']);
  });

  it('forwards a port to a process listening on the node IP', async () => {
    const port = await freePort();
    const { sandboxId } = await run('server', [process.execPath, '-e', `require('net').createServer((s) => s.end('pong ' + process.pid)).listen(${port}, '127.0.0.1')`]);
    const socket = await waitFor('the server', () => runtime.portForward(sandboxId, port).catch(() => undefined));
    const reply = await new Promise<string>((resolve) => {
      let data = '';
      socket.on('data', (d) => (data += d));
      socket.on('end', () => resolve(data));
    });
    assert.match(reply, /^pong \d+$/);
    assert.equal((await runtime.podSandboxStatus(sandboxId)).ip, '127.0.0.1');
    await runtime.stopPodSandbox(sandboxId);
    await assert.rejects(runtime.portForward(sandboxId, port), /not running/);
  });

  it('rejects port-forward to a port nobody listens on', async () => {
    const sandboxId = await runtime.runPodSandbox(sandboxConfig());
    const port = await freePort();
    await assert.rejects(runtime.portForward(sandboxId, port), new RegExp(`failed to connect to 127.0.0.1:${port}.*ECONNREFUSED`));
  });

  it('lists, filters and removes sandboxes and containers', async () => {
    const { sandboxId, id } = await run('list', ['sleep', '30']);
    const sandbox = (await runtime.podSandboxStatus(sandboxId));
    const second = await runtime.createContainer(sandboxId, containerConfig('second', ['true']), { ...sandboxConfig(), metadata: sandbox.metadata });
    assert.deepEqual((await runtime.listContainers({ podSandboxId: sandboxId })).map((c) => c.id).sort(), [id, second].sort());
    assert.deepEqual((await runtime.listContainers({ podSandboxId: sandboxId, state: 'running' })).map((c) => c.id), [id]);
    await assert.rejects(runtime.createContainer(sandboxId, containerConfig('second', ['true']), { ...sandboxConfig(), metadata: sandbox.metadata }), /is reserved for/);
    const pid = runtime.containerPid(id)!;
    await runtime.stopPodSandbox(sandboxId);
    assert.equal((await runtime.podSandboxStatus(sandboxId)).state, 'notready');
    assert.equal(alive(pid), false);
    await runtime.removePodSandbox(sandboxId);
    await assert.rejects(runtime.podSandboxStatus(sandboxId), NotFoundError);
    await assert.rejects(runtime.containerStatus(id), NotFoundError);
    assert.equal((await runtime.listContainers({ podSandboxId: sandboxId })).length, 0);
    assert.ok(!(await runtime.listPodSandbox()).some((s) => s.id === sandboxId));
    assert.ok(events.some((e) => e.type === 'deleted' && e.containerId === second));
  });

  it('runs busybox-image applets from a busybox binary', { skip: busyboxPath ? false : 'busybox is not installed' }, async () => {
    const www = join(work, 'www');
    mkdirSync(www, { recursive: true });
    writeFileSync(join(www, 'index.html'), 'hello from httpd\n');
    const port = await freePort();
    const { id, sandboxId } = await run('httpd', ['httpd', '-f', '-p', String(port), '-h', '/www'], {
      image: 'docker.io/library/busybox:latest',
      mounts: [{ containerPath: '/www', hostPath: www, readonly: true }],
    });
    const socket = await waitFor('httpd', () => runtime.portForward(sandboxId, port).catch(() => undefined));
    socket.end('GET / HTTP/1.0\r\n\r\n');
    const reply = await new Promise<string>((resolve) => {
      let data = '';
      socket.on('data', (d) => (data += d));
      socket.on('end', () => resolve(data));
    });
    assert.match(reply, /^HTTP\/1\.[01] 200 OK/);
    assert.match(reply, /hello from httpd/);
    const shell = await runtime.execSync(id, ['sh', '-c', 'readlink -f /proc/$$/exe; echo "$PATH"'], 10);
    const [exe, path] = shell.stdout.toString().trim().split('\n');
    assert.equal(exe, execFileSync('readlink', ['-f', busyboxPath!]).toString().trim());
    assert.match(path, /busybox\/bin:/);
    await runtime.stopContainer(id, 5);
    // A program the host lacks runs as an applet, whatever the image.
    const applet = ['httpd', 'nc', 'telnet'].find((a) => !execFileSync('sh', ['-c', `command -v ${a} || true`]).toString().trim());
    if (applet) {
      const fallback = await run('fallback', [applet, '--help']);
      const status = await waitExited(fallback.id);
      assert.notEqual(status.reason, 'StartError');
    }
  });

  it('close() kills every process it started', async () => {
    const own = createProcessRuntime({ rootDir: join(work, 'close-root'), nodeIP: '127.0.0.1', closeGracePeriodMs: 200 });
    const sandbox = sandboxConfig();
    const sandboxId = await own.runPodSandbox(sandbox);
    const pids: number[] = [];
    for (const [name, command] of [['a', ['sleep', '30']], ['b', ['sh', '-c', "trap '' TERM; sleep 30 & wait"]]] as const) {
      const id = await own.createContainer(sandboxId, containerConfig(name, [...command]), sandbox);
      await own.startContainer(id);
      pids.push(own.containerPid(id)!);
      if (name === 'a') void own.execSync(id, ['sleep', '30'], 0).catch(() => {});
    }
    assert.ok(pids.every(alive));
    await own.close();
    assert.ok(pids.every((pid) => !alive(pid)));
    assert.equal((await own.listContainers({ state: 'running' })).length, 0);
  });
});

describe('process runtime with an explicit busybox path', () => {
  it('treats a missing busybox as none', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'process-runtime-nobb-'));
    const rt = createProcessRuntime({ rootDir: dir, nodeIP: '127.0.0.1', busybox: join(dir, 'nope') });
    const sandbox = { ...sandboxConfig() };
    const sandboxId = await rt.runPodSandbox(sandbox);
    const id = await rt.createContainer(sandboxId, containerConfig('bb', ['no-such-applet-k8ts'], { image: 'busybox' }), sandbox);
    await assert.rejects(rt.startContainer(id), /executable file not found/);
    await rt.close();
    rmSync(dir, { recursive: true, force: true });
  });
});
