// The process runtime: each container's command runs as a host process, without image or isolation, for
// nodes that have no container runtime. It keeps the ContainerRuntime guarantees (CRI log files, stop with
// SIGTERM then SIGKILL, exit codes and reasons as containerd reports them) and reports container events.
//
// What a container is here:
// - The image is only a name (normalized as containerd does, with a made-up sha256 reference). A busybox image
//   (repository `busybox`) gets the applets of a host busybox binary first on its PATH, when one exists.
// - Every sandbox has the node's IP; port-forward connects to that IP (or loopback) on the host.
// - The process runs in its own session and process group, with exactly the config's environment (plus PATH,
//   HOME and HOSTNAME when the config sets none) and the same user as the kubelet. When the command exits,
//   whatever is left of its process group is killed, as a container's PID namespace would be.
// - Mounts are not mounted (no mount namespace, no root): mount paths are translated instead. Where a
//   mount's containerPath stands as a path in command, args, workingDir or an env value (the whole value,
//   its start followed by '/', or a path token inside it such as `sh -c 'cat /config/x'`), it is replaced by
//   the hostPath; the longest containerPath wins. Paths the process computes at run time, read from files or
//   receives over the network are not translated, readonly is not enforced, and a process may see and write
//   anything its user may on the host.
// - A workingDir must exist on the host after translation; without one, the process runs in a directory of
//   its own under rootDir (also its default HOME).
// - Containers with tty, and exec/attach with tty, run under util-linux `script` for a pseudo-terminal. OOM
//   kills are not detected (they show as exit 137, reason Error).

import { containerName, containerStatus, newId, Records, sandboxName, sandboxStatus, type ContainerRecord, type SandboxRecord } from '../records.ts';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { connect, type Socket } from 'node:net';
import { basename, dirname, join } from 'node:path';
import type { Duplex, Writable } from 'node:stream';
import { realClock, type Clock, type Timer } from '../../../machinery/clock.ts';
import { LogWriter, type LogStream } from '../cri-log.ts';
import {
  type ContainerConfig,
  type ContainerFilter,
  type ContainerRuntime,
  type ContainerStatus,
  type ExecSyncResult,
  type ImageStatus,
  type PodSandboxConfig,
  type PodSandboxStatus,
  type RuntimeVersion,
  type StreamIO,
} from '../runtime.ts';
import { findBusybox } from './busybox.ts';
import { buildEnv, defaultPath, gnuTar, mountTranslator, resolveCommand, StartError, tarNameTransforms, type ResolvedCommand } from './command.ts';
import { ContainerEvents, type ContainerEventSource, type ContainerEventType } from '../events.ts';
import { imageRef, imageRepositoryName, normalizeImage } from '../image.ts';
import { spawnInGroup, type GroupProcess } from './process-group.ts';
import { IPAllocator } from '../ip-allocator.ts';
import { findScript, onTerminal, resizeTerminal } from './tty.ts';

export interface ProcessRuntimeOptions {
  /** Runtime state: one directory per sandbox, holding one per container. */
  rootDir: string;
  /** The IP of every sandbox. */
  nodeIP: string;
  /**
   * Give each sandbox its own address from this range instead of nodeIP (a loopback range such as
   * 127.64.0.0/16 on Linux, where all of 127.0.0.0/8 is local): a pod that binds $(POD_IP) then
   * has its ports to itself. Host-network pods keep nodeIP.
   */
  podCIDR?: string;
  clock?: Clock;
  /** Path of a busybox binary; by default `busybox` on the PATH, else /bin/busybox, else none. */
  busybox?: string;
  /** Path of util-linux `script` for terminals; by default found on the PATH. */
  script?: string;
  /** How long close() waits after SIGTERM before SIGKILL, in milliseconds (default 1000). */
  closeGracePeriodMs?: number;
}

export interface ProcessRuntime extends ContainerRuntime, ContainerEventSource {
  /** Host pid of a running container's process (its process group id), for diagnostics and tests. */
  containerPid(id: string): number | undefined;
}

/** An exec or execSync whose command did not finish within its timeout. */
export class TimeoutError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TimeoutError';
  }
}

interface Sandbox extends SandboxRecord {
  dir: string;
}

interface Attachment {
  stdout?: Writable;
  stderr?: Writable;
}

interface Container extends ContainerRecord<Sandbox> {
  dir: string;
  process?: GroupProcess;
  /** A startContainer call is under way. */
  starting: boolean;
  /** Settles when the container has exited (after its log is complete). */
  exited?: Promise<void>;
  attachments: Set<Attachment>;
  execs: Set<GroupProcess>;
}


export function createProcessRuntime(options: ProcessRuntimeOptions): ProcessRuntime {
  const podIPs = options.podCIDR ? new IPAllocator(options.podCIDR) : undefined;
  const clock = options.clock ?? realClock;
  const rootDir = options.rootDir;
  const hostPath = process.env.PATH || defaultPath;
  const busybox = findBusybox(rootDir, options.busybox);
  const script = options.script !== undefined ? (existsSync(options.script) ? options.script : undefined) : findScript();
  const events = new ContainerEvents();
  const records = new Records<Sandbox, Container>();
  const { sandboxes, containers } = records;
  const getSandbox = (id: string) => records.sandbox(id);
  const getContainer = (id: string) => records.container(id);
  const reserveName = (name: string, id: string) => records.reserveName(name, id);
  /** Every process started (containers and execs), for close(). */
  const processes = new Set<GroupProcess>();
  let closed = false;

  const emit = (type: ContainerEventType, c: Container) =>
    events.emit({ type, containerId: c.id, podSandboxId: c.sandbox.id, at: clock.now() });






  function isBusyboxImage(image: string): boolean {
    return busybox !== undefined && imageRepositoryName(image) === 'busybox';
  }

  /** The command line, environment and working directory of the container, or of an exec in it. */
  function prepare(c: Container, argv: string[], tty: boolean): { cmd: ResolvedCommand; env: Record<string, string>; cwd: string } {
    const translate = mountTranslator(c.config.mounts);
    const defaults: Record<string, string> = { PATH: hostPath, HOME: c.dir, HOSTNAME: c.sandbox.config.hostname };
    if (tty) defaults.TERM = 'xterm';
    const env = buildEnv(c.config.envs, defaults, translate, isBusyboxImage(c.config.image) ? busybox!.appletDir() : undefined);
    let cwd = c.dir;
    if (c.config.workingDir) {
      cwd = translate(c.config.workingDir);
      let isDir = false;
      try {
        isDir = statSync(cwd).isDirectory();
      } catch {
        // reported below
      }
      if (!isDir) throw new StartError(`chdir to cwd (${JSON.stringify(c.config.workingDir)}) set in config.json failed: no such file or directory`);
    }
    let translated = argv.map(translate);
    const tar = basename(argv[0] ?? '') === 'tar' && c.config.mounts.length > 0 ? gnuTar() : undefined;
    // tar names its entries after the paths it is given: GNU tar can name them after the container's paths.
    if (tar) translated = [tar, ...translated.slice(1), ...tarNameTransforms(c.config.mounts)];
    let cmd = resolveCommand(translated, env.PATH ?? '', cwd, busybox);
    if (tty && script) cmd = onTerminal(script, cmd);
    return { cmd, env, cwd };
  }

  function containerArgv(c: Container): string[] {
    const argv = [...c.config.command, ...c.config.args];
    return argv.length === 0 && isBusyboxImage(c.config.image) ? ['sh'] : argv;
  }

  function requireRunning(c: Container): GroupProcess {
    if (c.state !== 'running' || !c.process?.running) throw new Error(`container ${JSON.stringify(c.id)} is not running (state ${c.state})`);
    return c.process;
  }

  function startFailed(c: Container, err: unknown): void {
    c.state = 'exited';
    c.finishedAt = clock.now();
    c.exitCode = 128;
    c.reason = 'StartError';
    c.message = (err as Error).message;
    c.exited = Promise.resolve();
    emit('stopped', c);
  }

  async function startContainer(id: string): Promise<void> {
    const c = getContainer(id);
    if (closed) throw new Error('the runtime is closed');
    if (c.state !== 'created' || c.starting) throw new Error(`container ${JSON.stringify(id)} is ${c.starting ? 'starting' : c.state}, not created`);
    c.starting = true;
    let log: LogWriter;
    let proc: GroupProcess;
    try {
      const { cmd, env, cwd } = prepare(c, containerArgv(c), c.config.tty);
      mkdirSync(dirname(c.logPath), { recursive: true });
      log = new LogWriter(c.logPath, () => clock.now());
      try {
        proc = await spawnInGroup(cmd, { env, cwd, stdin: c.config.stdin, terminal: c.config.tty && script !== undefined, killSessionOnExit: true, now: () => clock.now() });
      } catch (err) {
        log.close();
        throw err;
      }
    } catch (err) {
      c.starting = false;
      startFailed(c, err);
      throw err;
    }
    c.starting = false;
    c.state = 'running';
    c.process = proc;
    c.startedAt = clock.now();
    processes.add(proc);
    const relay = (stream: LogStream) => (chunk: Buffer) => {
      log.write(stream, chunk);
      for (const a of c.attachments) {
        const out = stream === 'stdout' || c.config.tty ? a.stdout : a.stderr;
        if (out && !out.destroyed && !out.writableEnded) out.write(chunk);
      }
    };
    proc.child.stdout!.on('data', relay('stdout'));
    proc.child.stderr!.on('data', relay(c.config.tty ? 'stdout' : 'stderr'));
    c.exited = proc.exited.then((code) => {
      log.close();
      processes.delete(proc);
      for (const exec of c.execs) exec.signal('SIGKILL');
      c.state = 'exited';
      c.finishedAt = proc.exitedAt;
      c.exitCode = code;
      c.reason = code === 0 ? 'Completed' : 'Error';
      c.attachments.clear();
      emit('stopped', c);
    });
    emit('started', c);
    // Stopped, removed or closed while it was starting: it does not get to run.
    if (closed || c.sandbox.state !== 'ready' || containers.get(id) !== c) proc.signal('SIGKILL');
  }

  async function stopContainer(id: string, timeoutSeconds: number): Promise<void> {
    const c = getContainer(id);
    const proc = c.process;
    if (c.state !== 'running' || !proc || !c.exited) return;
    let timer: Timer | undefined;
    if (timeoutSeconds > 0) {
      proc.signal('SIGTERM');
      timer = clock.setTimeout(() => proc.signal('SIGKILL'), timeoutSeconds * 1000);
    } else {
      proc.signal('SIGKILL');
    }
    try {
      await c.exited;
    } finally {
      if (timer) clock.clearTimeout(timer);
    }
  }

  async function removeContainer(id: string): Promise<void> {
    const c = getContainer(id);
    await stopContainer(id, 0);
    if (containers.get(id) !== c) return;
    containers.delete(id);
    c.sandbox.containers.delete(id);
    records.releaseName(c.name, id);
    emit('deleted', c);
    await rm(c.dir, { recursive: true, force: true });
  }

  async function stopPodSandbox(id: string): Promise<void> {
    const s = getSandbox(id);
    s.state = 'notready';
    await Promise.all([...s.containers].map((cid) => stopContainer(cid, 0)));
  }

  function collect(proc: GroupProcess, timeoutSeconds: number, cmd: string[]): Promise<ExecSyncResult> {
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    proc.child.stdout!.on('data', (d: Buffer) => stdout.push(d));
    proc.child.stderr!.on('data', (d: Buffer) => stderr.push(d));
    return new Promise((resolve, reject) => {
      let timedOut = false;
      const timer = timeoutSeconds > 0
        ? clock.setTimeout(() => {
            timedOut = true;
            proc.signal('SIGKILL');
          }, timeoutSeconds * 1000)
        : undefined;
      void proc.exited.then((exitCode) => {
        if (timer) clock.clearTimeout(timer);
        if (timedOut) reject(new TimeoutError(`command ${JSON.stringify(cmd.join(' '))} timed out after ${timeoutSeconds}s`));
        else resolve({ stdout: Buffer.concat(stdout), stderr: Buffer.concat(stderr), exitCode });
      });
    });
  }

  async function spawnExec(c: Container, cmd: string[], tty: boolean, stdin: boolean): Promise<GroupProcess> {
    requireRunning(c);
    const prepared = prepare(c, cmd, tty);
    const proc = await spawnInGroup(prepared.cmd, {
      env: prepared.env,
      cwd: prepared.cwd,
      stdin,
      terminal: tty && script !== undefined,
      killSessionOnExit: false,
      now: () => clock.now(),
    });
    processes.add(proc);
    c.execs.add(proc);
    void proc.exited.then(() => {
      processes.delete(proc);
      c.execs.delete(proc);
    });
    // The container may have exited while this exec was starting; it does not outlive its container.
    if (c.state !== 'running') proc.signal('SIGKILL');
    return proc;
  }

  function followResize(pid: number, io: StreamIO, until: Promise<unknown>): void {
    if (!io.tty || !io.resize || !script) return;
    const done = new AbortController();
    void until.then(() => done.abort());
    void (async () => {
      try {
        for await (const size of io.resize!) {
          if (done.signal.aborted) break;
          await resizeTerminal(pid, size, done.signal);
        }
      } catch {
        // The resize stream failed; the session goes on with its last size.
      }
    })();
  }

  const runtime: ProcessRuntime = {
    name: 'process',

    async version(): Promise<RuntimeVersion> {
      return { runtimeName: 'process', runtimeVersion: '0.1.0', runtimeApiVersion: 'v1' };
    },

    async pullImage(image: string): Promise<ImageStatus> {
      return { image: normalizeImage(image), imageRef: imageRef(image), sizeBytes: 0 };
    },

    async imageStatus(image: string): Promise<ImageStatus | undefined> {
      return { image: normalizeImage(image), imageRef: imageRef(image), sizeBytes: 0 };
    },

    async runPodSandbox(config: PodSandboxConfig): Promise<string> {
      if (closed) throw new Error('the runtime is closed');
      const id = newId();
      const name = sandboxName(config);
      reserveName(name, id);
      const dir = join(rootDir, 'sandboxes', id);
      try {
        mkdirSync(dir, { recursive: true });
      } catch (err) {
        records.releaseName(name, id);
        throw err;
      }
      const ip = podIPs && !config.hostNetwork ? podIPs.allocate() : options.nodeIP;
      sandboxes.set(id, { id, config: structuredClone(config), name, state: 'ready', createdAt: clock.now(), dir, containers: new Set(), ip });
      return id;
    },

    stopPodSandbox,

    async removePodSandbox(id: string): Promise<void> {
      const s = getSandbox(id);
      await stopPodSandbox(id);
      await Promise.all([...s.containers].map((cid) => removeContainer(cid)));
      if (sandboxes.get(id) !== s) return;
      sandboxes.delete(id);
      if (podIPs && s.ip !== options.nodeIP) podIPs.release(s.ip);
      records.releaseName(s.name, id);
      await rm(s.dir, { recursive: true, force: true });
    },

    async podSandboxStatus(id: string): Promise<PodSandboxStatus> {
      return sandboxStatus(getSandbox(id));
    },

    async listPodSandbox(): Promise<PodSandboxStatus[]> {
      return [...sandboxes.values()].map(sandboxStatus);
    },

    async createContainer(podSandboxId: string, config: ContainerConfig, sandboxConfig: PodSandboxConfig): Promise<string> {
      const s = getSandbox(podSandboxId);
      if (s.state !== 'ready') throw new Error(`sandbox container ${JSON.stringify(podSandboxId)} is not running`);
      const id = newId();
      const name = containerName(config, sandboxConfig);
      reserveName(name, id);
      const dir = join(s.dir, 'containers', id);
      try {
        mkdirSync(dir, { recursive: true });
      } catch (err) {
        records.releaseName(name, id);
        throw err;
      }
      const c: Container = {
        id,
        sandbox: s,
        config: structuredClone(config),
        name,
        image: normalizeImage(config.image),
        imageRef: imageRef(config.image),
        logPath: join(s.config.logDirectory, config.logPath),
        dir,
        state: 'created',
        createdAt: clock.now(),
        startedAt: 0,
        finishedAt: 0,
        exitCode: 0,
        reason: '',
        message: '',
        starting: false,
        attachments: new Set(),
        execs: new Set(),
      };
      containers.set(id, c);
      s.containers.add(id);
      emit('created', c);
      return id;
    },

    startContainer,
    stopContainer,
    removeContainer,

    async listContainers(filter?: ContainerFilter): Promise<ContainerStatus[]> {
      const ids = filter?.podSandboxId !== undefined ? [...(sandboxes.get(filter.podSandboxId)?.containers ?? [])] : [...containers.keys()];
      const out: ContainerStatus[] = [];
      for (const id of ids) {
        const c = containers.get(id)!;
        if (filter?.state === undefined || c.state === filter.state) out.push(containerStatus(c));
      }
      return out;
    },

    async containerStatus(id: string): Promise<ContainerStatus> {
      return containerStatus(getContainer(id));
    },

    async execSync(id: string, cmd: string[], timeoutSeconds: number): Promise<ExecSyncResult> {
      const proc = await spawnExec(getContainer(id), cmd, false, false);
      return collect(proc, timeoutSeconds, cmd);
    },

    async exec(id: string, cmd: string[], io: StreamIO): Promise<number> {
      const tty = io.tty && script !== undefined;
      const proc = await spawnExec(getContainer(id), cmd, tty, io.stdin !== undefined);
      const { child } = proc;
      if (io.stdout) child.stdout!.pipe(io.stdout, { end: false });
      const errOut = tty ? io.stdout : io.stderr;
      if (errOut) child.stderr!.pipe(errOut, { end: false });
      if (io.stdin && child.stdin) io.stdin.pipe(child.stdin);
      followResize(proc.pid, io, proc.exited);
      try {
        return await proc.exited;
      } finally {
        if (io.stdin && child.stdin) io.stdin.unpipe(child.stdin);
      }
    },

    async attach(id: string, io: StreamIO): Promise<void> {
      const c = getContainer(id);
      const proc = requireRunning(c);
      const stdin = proc.child.stdin && !proc.child.stdin.writableEnded ? proc.child.stdin : undefined;
      const attachment: Attachment = { stdout: io.stdout, stderr: c.config.tty ? undefined : io.stderr };
      const outputs = [attachment.stdout, attachment.stderr].filter((w): w is Writable => w !== undefined);
      const ends: Promise<unknown>[] = [c.exited!];
      if (outputs.length > 0) {
        ends.push(Promise.all(outputs.map((w) => new Promise<void>((resolve) => {
          if (w.destroyed || w.writableFinished) return resolve();
          w.once('close', resolve);
          w.once('finish', resolve);
          w.once('error', () => resolve());
        }))));
      }
      let onData: ((chunk: Buffer) => void) | undefined;
      let onEnd: (() => void) | undefined;
      if (io.stdin && stdin) {
        const input = io.stdin;
        onData = (chunk) => {
          if (!stdin.writableEnded) stdin.write(chunk);
        };
        // As containerd: stdinOnce closes the container's stdin when the first attach's stdin ends (not
        // with a tty, where kubectl never ends stdin).
        onEnd = () => {
          if (c.config.stdinOnce && !c.config.tty) stdin.end();
        };
        input.on('data', onData);
        const ended = new Promise<void>((resolve) => {
          input.once('end', resolve);
          input.once('close', resolve);
        }).then(onEnd);
        if (outputs.length === 0) ends.push(ended);
      }
      c.attachments.add(attachment);
      const done = Promise.race(ends);
      if (c.config.tty) followResize(proc.pid, io, done);
      try {
        await done;
      } finally {
        c.attachments.delete(attachment);
        if (io.stdin && onData) io.stdin.off('data', onData);
      }
    },

    async portForward(podSandboxId: string, port: number): Promise<Duplex> {
      const s = getSandbox(podSandboxId);
      if (s.state !== 'ready') throw new Error(`sandbox ${JSON.stringify(podSandboxId)} is not running`);
      const dial = (host: string) =>
        new Promise<Socket>((resolve, reject) => {
          const socket = connect({ host, port });
          socket.once('connect', () => {
            socket.off('error', reject);
            resolve(socket);
          });
          socket.once('error', reject);
        });
      try {
        return await dial(s.ip);
      } catch (err) {
        // A process listening on loopback only is what the pod's "localhost" means upstream.
        if (s.ip !== '127.0.0.1') {
          try {
            return await dial('127.0.0.1');
          } catch {
            // report the first error
          }
        }
        throw new Error(`failed to connect to ${s.ip}:${port} for pod sandbox ${s.config.metadata.namespace}/${s.config.metadata.name}: ${(err as Error).message}`);
      }
    },

    async close(): Promise<void> {
      closed = true;
      const running = [...processes];
      for (const proc of running) proc.signal('SIGTERM');
      const grace = setTimeout(() => {
        for (const proc of running) proc.signal('SIGKILL');
      }, options.closeGracePeriodMs ?? 1000);
      try {
        await Promise.all(running.map((p) => p.exited));
        await Promise.all([...containers.values()].map((c) => c.exited));
      } finally {
        clearTimeout(grace);
      }
    },

    onEvent: (listener) => events.onEvent(listener),

    containerPid(id: string): number | undefined {
      const c = containers.get(id);
      return c?.state === 'running' ? c.process?.pid : undefined;
    },
  };
  return runtime;
}
