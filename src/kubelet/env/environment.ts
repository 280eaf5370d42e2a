// A container's environment as upstream's kubelet builds it (makeEnvironmentVariables): envFrom
// first (configMaps and secrets, with prefix; keys that are not valid variable names are skipped
// and reported), then env in order (later wins, so env overrides envFrom), each value expanding
// `$(VAR)` against what is defined so far and the service variables, each valueFrom resolved
// from the pod, the container's resources, a configMap or a secret; last the service variables
// not already set. Every failure is a ContainerConfigError with upstream's message.

import { isEnvVarName } from '../../api/core/v1/names.ts';
import { podFieldSelectorRuntimeValue, resourceFieldValue } from './downward-api.ts';
import { asContainerConfigError } from './errors.ts';
import { expand, mappingFuncFor } from './expansion.ts';
import { ownValue } from './records.ts';
import { serviceEnvVarMap } from './service-env.ts';
import type { ConfigMap, Container, EnvEntry, Pod, PodResourceSource, ResourceList, Secret, Service } from './types.ts';

export interface EnvironmentContext {
  /** The pod's IPs as its sandbox reports them; pod.status.podIPs when absent. */
  podIPs?: readonly string[];
  /** The node's IPs, primary first (status.hostIP, status.hostIPs). */
  hostIPs?: readonly string[];
  /** Node allocatable: what unset cpu/memory/ephemeral-storage limits read as in resourceFieldRef. */
  nodeAllocatable?: ResourceList;
  /**
   * Every service the kubelet knows (any namespace; it picks the ones the pod sees). Absent: no
   * service variables at all, as a kubelet without an API server.
   */
  services?: readonly Service[];
  /** Non-fatal problems upstream reports as Warning events on the pod: (reason, message). */
  onWarning?: (reason: string, message: string) => void;
}

/** Decodes a secret value (base64 in JSON) the way Go's string([]byte) would show it. */
function secretValue(data: string): string {
  return Buffer.from(data, 'base64').toString('utf8');
}

// configMaps and secrets by name, fetched at most once per call; null = NotFound.
class Objects<T> {
  readonly #cache = new Map<string, T | null>();
  readonly #fetch: (name: string) => Promise<T | undefined>;
  readonly #kind: string;

  constructor(kind: string, fetch: (name: string) => Promise<T | undefined>) {
    this.#kind = kind;
    this.#fetch = fetch;
  }

  /** The object, or undefined when it is missing and optional; a missing required one throws. */
  async get(name: string, optional: boolean): Promise<T | undefined> {
    let obj = this.#cache.get(name);
    if (obj === undefined) {
      obj = (await this.#fetch(name)) ?? null;
      this.#cache.set(name, obj);
    }
    if (obj !== null) return obj;
    if (optional) return undefined;
    throw new Error(`${this.#kind} "${name}" not found`);
  }
}

/** The container's environment in the runtime's shape. Rejects with a ContainerConfigError. */
export async function makeEnvironment(pod: Pod, container: Container, context: EnvironmentContext, source: PodResourceSource): Promise<EnvEntry[]> {
  try {
    return await build(pod, container, context, source);
  } catch (err) {
    throw asContainerConfigError(err);
  }
}

async function build(pod: Pod, container: Container, context: EnvironmentContext, source: PodResourceSource): Promise<EnvEntry[]> {
  const namespace = pod.metadata?.namespace ?? '';
  const serviceEnv = context.services ? serviceEnvVarMap(namespace, pod.spec?.enableServiceLinks ?? true, context.services) : new Map<string, string>();
  const configMaps = new Objects<ConfigMap>('configmap', (name) => source.getConfigMap(namespace, name));
  const secrets = new Objects<Secret>('secret', (name) => source.getSecret(namespace, name));
  const env = new Map<string, string>();

  for (const from of container.envFrom ?? []) {
    let entries: [string, string][];
    let what: string;
    let name: string;
    if (from.configMapRef) {
      name = from.configMapRef.name ?? '';
      what = 'configMap';
      const cm = await configMaps.get(name, from.configMapRef.optional === true);
      if (!cm) continue;
      entries = Object.entries(cm.data ?? {});
    } else if (from.secretRef) {
      name = from.secretRef.name ?? '';
      what = 'secret';
      const secret = await secrets.get(name, from.secretRef.optional === true);
      if (!secret) continue;
      entries = Object.entries(secret.data ?? {}).map(([k, v]) => [k, secretValue(v)]);
    } else {
      continue;
    }
    const invalid: string[] = [];
    for (const [key, value] of entries) {
      const k = (from.prefix ?? '') + key;
      if (isEnvVarName(k).length > 0) invalid.push(k);
      else env.set(k, value);
    }
    if (invalid.length > 0) {
      context.onWarning?.(
        'InvalidEnvironmentVariableNames',
        `Keys [${invalid.sort().join(', ')}] from the EnvFrom ${what} ${namespace}/${name} were skipped since they are considered invalid environment variable names.`,
      );
    }
  }

  const mapping = mappingFuncFor(env, serviceEnv);
  const addresses = {
    podIPs: context.podIPs ?? (pod.status?.podIPs ?? []).map((p) => p.ip),
    hostIPs: context.hostIPs ?? [],
  };
  for (const v of container.env ?? []) {
    let value = v.value ?? '';
    const from = v.valueFrom;
    if (value !== '') {
      value = expand(value, mapping);
    } else if (from?.fieldRef) {
      value = podFieldSelectorRuntimeValue(from.fieldRef, pod, addresses);
    } else if (from?.resourceFieldRef) {
      value = resourceFieldValue(from.resourceFieldRef, pod, container, context.nodeAllocatable ?? {});
    } else if (from?.configMapKeyRef) {
      const { name = '', key, optional = false } = from.configMapKeyRef;
      const cm = await configMaps.get(name, optional);
      if (!cm) continue;
      const found = ownValue(cm.data, key);
      if (found === undefined) {
        if (optional) continue;
        throw new Error(`couldn't find key ${key} in ConfigMap ${namespace}/${name}`);
      }
      value = found;
    } else if (from?.secretKeyRef) {
      const { name = '', key, optional = false } = from.secretKeyRef;
      const secret = await secrets.get(name, optional);
      if (!secret) continue;
      const found = ownValue(secret.data, key);
      if (found === undefined) {
        if (optional) continue;
        throw new Error(`couldn't find key ${key} in Secret ${namespace}/${name}`);
      }
      value = secretValue(found);
    }
    env.set(v.name, value);
  }

  const out: EnvEntry[] = [...env].map(([key, value]) => ({ key, value }));
  for (const [key, value] of serviceEnv) if (!env.has(key)) out.push({ key, value });
  return out;
}
