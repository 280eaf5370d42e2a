// Sets up a pod's volumes under `<podsDir>/<podUID>/volumes/<plugin>/<name>` (plugin directory
// names as upstream: kubernetes.io~empty-dir, ~configmap, ~secret, ~downward-api, ~projected),
// refreshes the API-data ones while the pod runs, and removes them when it is gone.
//
// Guarantees:
// - setUpPodVolumes is idempotent: calling it again rewrites nothing that did not change, and a
//   failed volume does not stop the others (their errors come back together as PodVolumesError).
// - configMap, secret, downwardAPI and projected contents are written atomically (atomic-writer.ts);
//   containers must mount them read-only. refresh(pod) rewrites them from current objects (and
//   renews service account tokens that are due); the kubelet calls it every sync period.
// - hostPath volumes are the host's path itself: type-checked, never copied, written or removed.
// - tearDownPodVolumes removes only the pod's own volumes directory, never following a symlink,
//   and refuses while anything is still mounted below it.
// - Calls for one pod run one at a time.

import { chmod, mkdir, readFile, realpath, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { realClock, type Clock } from '../../machinery/clock.ts';
import type { Pod, PodResourceSource, ResourceList } from '../env/types.ts';
import { writeAtomically } from './atomic-writer.ts';
import { PodVolumesError, UnsupportedVolumeError, VolumeError } from './errors.ts';
import { checkHostPath } from './host-path.ts';
import { defaultFileMode, makeConfigMapPayload, makeDownwardAPIPayload, makeSecretPayload, type Payload } from './payload.ts';
import { collectProjectedPayload } from './projected.ts';
import { TokenManager } from './token-manager.ts';
import type { PodVolume, Volume } from './types.ts';

export interface VolumeManagerOptions {
  /** The kubelet's pods directory, e.g. /var/lib/kubelet/pods. */
  podsDir: string;
  source: PodResourceSource;
  clock?: Clock;
  /** Node allocatable, for downwardAPI resourceFieldRef limits that containers leave unset. */
  nodeAllocatable?: () => ResourceList;
}

export interface VolumeManager {
  /** Sets up every volume of the pod; volume name → where it is on the host. Rejects with PodVolumesError. */
  setUpPodVolumes(pod: Pod): Promise<Map<string, PodVolume>>;
  /** Rewrites the pod's configMap, secret, downwardAPI and projected volumes from current data. Rejects with PodVolumesError. */
  refresh(pod: Pod): Promise<void>;
  /** Removes the pod's volume directories (hostPath targets are untouched) and forgets its tokens. */
  tearDownPodVolumes(podUID: string): Promise<void>;
  /** `<podsDir>/<podUID>/volumes`. */
  podVolumesDir(podUID: string): string;
}

const plugins = {
  emptyDir: 'kubernetes.io~empty-dir',
  configMap: 'kubernetes.io~configmap',
  secret: 'kubernetes.io~secret',
  downwardAPI: 'kubernetes.io~downward-api',
  projected: 'kubernetes.io~projected',
} as const;

type ManagedType = keyof typeof plugins;
type VolumeType = ManagedType | 'hostPath';

const refreshable: ReadonlySet<VolumeType> = new Set(['configMap', 'secret', 'downwardAPI', 'projected']);

/** The volume's type; a volume with no source at all is an emptyDir (API defaulting). */
function volumeType(volume: Volume): VolumeType | { unsupported: string } {
  for (const t of ['hostPath', 'emptyDir', 'configMap', 'secret', 'downwardAPI', 'projected'] as const) if (volume[t] != null) return t;
  const other = Object.keys(volume).find((k) => k !== 'name' && volume[k] != null);
  return other ? { unsupported: other } : 'emptyDir';
}

// Octal escapes (\040 for a space) in /proc/self/mountinfo paths.
function unescapeMountPath(p: string): string {
  return p.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
}

async function mountPointsUnder(dir: string): Promise<string[]> {
  let info: string;
  try {
    info = await readFile('/proc/self/mountinfo', 'utf8');
  } catch {
    return [];
  }
  const out: string[] = [];
  for (const line of info.split('\n')) {
    const mountPoint = line.split(' ')[4];
    if (mountPoint === undefined) continue;
    const p = unescapeMountPath(mountPoint);
    if (p === dir || p.startsWith(dir + '/')) out.push(p);
  }
  return out;
}

// Pod UIDs and volume names become directory names: they must not be able to name anything else.
function checkSegment(what: string, value: string): void {
  if (!value || value.includes('/') || value === '.' || value === '..') throw new Error(`invalid ${what} ${JSON.stringify(value)}`);
}

export function createVolumeManager(options: VolumeManagerOptions): VolumeManager {
  const clock = options.clock ?? realClock;
  const tokens = new TokenManager(options.source, clock);
  const locks = new Map<string, Promise<unknown>>();

  function podVolumesDir(podUID: string): string {
    return join(options.podsDir, podUID, 'volumes');
  }

  // Runs fn after every earlier call for this pod has finished.
  function serialized<T>(podUID: string, fn: () => Promise<T>): Promise<T> {
    const previous = locks.get(podUID) ?? Promise.resolve();
    const next = previous.then(fn, fn);
    const settled = next.then(
      () => undefined,
      () => undefined,
    );
    locks.set(podUID, settled);
    void settled.then(() => {
      if (locks.get(podUID) === settled) locks.delete(podUID);
    });
    return next;
  }

  async function writeVolume(dir: string, payload: Payload): Promise<void> {
    await mkdir(dir, { recursive: true, mode: 0o755 });
    await writeAtomically(dir, payload, clock.now());
  }

  async function setUpVolume(pod: Pod, volume: Volume, type: VolumeType): Promise<PodVolume> {
    const namespace = pod.metadata?.namespace ?? '';
    if (type === 'hostPath') {
      await checkHostPath(volume.hostPath!.path, volume.hostPath!.type);
      return { hostPath: volume.hostPath!.path, readOnly: false };
    }
    checkSegment('volume name', volume.name);
    const dir = join(podVolumesDir(pod.metadata?.uid ?? ''), plugins[type], volume.name);
    switch (type) {
      case 'emptyDir':
        await mkdir(dir, { recursive: true });
        // Any container user may write; chmod because mkdir's mode is masked by the umask.
        await chmod(dir, 0o777);
        return { hostPath: dir, readOnly: false };
      case 'configMap': {
        const src = volume.configMap!;
        const name = src.name ?? '';
        const optional = src.optional === true;
        const configMap = await options.source.getConfigMap(namespace, name);
        if (!configMap && !optional) throw new Error(`configmap "${name}" not found`);
        await writeVolume(dir, makeConfigMapPayload(src.items, configMap, src.defaultMode ?? defaultFileMode, optional));
        break;
      }
      case 'secret': {
        const src = volume.secret!;
        const name = src.secretName ?? '';
        const optional = src.optional === true;
        const secret = await options.source.getSecret(namespace, name);
        if (!secret && !optional) throw new Error(`secret "${name}" not found`);
        await writeVolume(dir, makeSecretPayload(src.items, secret, src.defaultMode ?? defaultFileMode, optional));
        break;
      }
      case 'downwardAPI': {
        const src = volume.downwardAPI!;
        await writeVolume(dir, makeDownwardAPIPayload(src.items, pod, src.defaultMode ?? defaultFileMode, options.nodeAllocatable?.() ?? {}));
        break;
      }
      case 'projected': {
        const ctx = { source: options.source, tokens, allocatable: options.nodeAllocatable?.() ?? {} };
        await writeVolume(dir, await collectProjectedPayload(pod, volume.projected!, ctx));
        break;
      }
    }
    return { hostPath: dir, readOnly: true };
  }

  async function setUp(pod: Pod, only?: ReadonlySet<VolumeType>): Promise<Map<string, PodVolume>> {
    checkSegment('pod UID', pod.metadata?.uid ?? '');
    const volumes = new Map<string, PodVolume>();
    const errors: VolumeError[] = [];
    for (const volume of pod.spec?.volumes ?? []) {
      const type = volumeType(volume);
      if (only && (typeof type !== 'string' || !only.has(type))) continue;
      if (typeof type !== 'string') {
        errors.push(new UnsupportedVolumeError(volume.name, type.unsupported));
        continue;
      }
      try {
        volumes.set(volume.name, await setUpVolume(pod, volume, type));
      } catch (err) {
        errors.push(new VolumeError(volume.name, (err as Error).message, { cause: err }));
      }
    }
    if (errors.length > 0) throw new PodVolumesError(errors);
    return volumes;
  }

  return {
    podVolumesDir,
    setUpPodVolumes: (pod) => serialized(pod.metadata?.uid ?? '', () => setUp(pod)),
    refresh: (pod) => serialized(pod.metadata?.uid ?? '', async () => void (await setUp(pod, refreshable))),
    tearDownPodVolumes: (podUID) =>
      serialized(podUID, async () => {
        checkSegment('pod UID', podUID);
        let dir: string;
        try {
          dir = await realpath(podVolumesDir(podUID));
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
          tokens.deletePod(podUID);
          return;
        }
        const mounted = await mountPointsUnder(dir);
        if (mounted.length > 0) throw new Error(`volumes of pod ${podUID} are still mounted: ${mounted.join(', ')}`);
        // rm never follows symlinks: a link to a host path is removed, not what it points to.
        await rm(dir, { recursive: true, force: true });
        tokens.deletePod(podUID);
      }),
  };
}
