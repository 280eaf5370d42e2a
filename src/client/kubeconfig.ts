// Where a component finds the API server and its credentials: a kubeconfig file (as kubectl
// reads it: current-context or a named one, inline *-data or file paths relative to the
// kubeconfig's folder) or the in-cluster service account. Either way the result is one
// RestConfig; anything a RestClient cannot use (exec plugins, auth providers) is refused
// with an error naming it, never silently dropped.

import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import { parse } from 'yaml';

export interface RestConfig {
  /** https://host:port (http:// is accepted for plain listeners). */
  server: string;
  /** PEM of the CA bundle that signs the server's certificate; the system roots when absent. */
  ca?: string;
  /** PEM client certificate and key for mutual TLS. */
  cert?: string;
  key?: string;
  /** Bearer token. */
  token?: string;
  /** File holding a bearer token; re-read every minute (bound tokens rotate) and preferred over `token`. */
  tokenFile?: string;
  insecureSkipTLSVerify?: boolean;
  /** Name to verify the server's certificate against, when it differs from the URL's host. */
  tlsServerName?: string;
  userAgent: string;
  /** Default timeout of one request (ms); watches apply it only until the response starts. */
  timeoutMs?: number;
}

/** client-go's shape: "<program> (<os>/<arch>)". */
export function defaultUserAgent(program = basename(process.argv[1] ?? 'k8ts').replace(/\.[cm]?[jt]s$/, '') || 'k8ts'): string {
  return `${program} (${process.platform}/${process.arch})`;
}

export interface KubeconfigOptions {
  /** Context to use instead of current-context. */
  context?: string;
  userAgent?: string;
}

type Entry = Record<string, unknown>;

/** Reads a kubeconfig file. */
export function loadKubeconfig(path: string, options: KubeconfigOptions = {}): RestConfig {
  const text = readFileSync(path, 'utf8');
  return parseKubeconfig(text, dirname(resolve(path)), options);
}

/** Builds a RestConfig from kubeconfig YAML; relative file paths resolve against `baseDir`. */
export function parseKubeconfig(text: string, baseDir: string, options: KubeconfigOptions = {}): RestConfig {
  const doc = (parse(text) ?? {}) as Entry;
  const contextName = options.context ?? stringField(doc, 'current-context');
  if (!contextName) throw new Error('invalid configuration: no current-context is set and no context was given');
  const context = findNamed(doc.contexts, 'context', contextName);
  if (!context) throw new Error(`invalid configuration: context "${contextName}" does not exist`);
  const clusterName = stringField(context, 'cluster');
  const cluster = clusterName ? findNamed(doc.clusters, 'cluster', clusterName) : undefined;
  if (!cluster) throw new Error(`invalid configuration: cluster "${clusterName ?? ''}" of context "${contextName}" does not exist`);
  const userName = stringField(context, 'user');
  const user = (userName ? findNamed(doc.users, 'user', userName) : undefined) ?? {};
  if (user.exec) throw new Error(`kubeconfig user "${userName}" uses an exec credential plugin, which k8ts's client does not support`);
  if (user['auth-provider']) throw new Error(`kubeconfig user "${userName}" uses an auth provider, which k8ts's client does not support`);

  const server = stringField(cluster, 'server');
  if (!server) throw new Error(`invalid configuration: cluster "${clusterName}" has no server`);
  const file = (p: string) => readFileSync(isAbsolute(p) ? p : join(baseDir, p), 'utf8');
  const dataOrFile = (entry: Entry, field: string): string | undefined => {
    const data = stringField(entry, `${field}-data`);
    if (data) return Buffer.from(data, 'base64').toString('utf8');
    const path = stringField(entry, field);
    return path ? file(path) : undefined;
  };

  const config: RestConfig = { server: server.replace(/\/+$/, ''), userAgent: options.userAgent ?? defaultUserAgent() };
  const ca = dataOrFile(cluster, 'certificate-authority');
  if (ca) config.ca = ca;
  if (cluster['insecure-skip-tls-verify'] === true) config.insecureSkipTLSVerify = true;
  const serverName = stringField(cluster, 'tls-server-name');
  if (serverName) config.tlsServerName = serverName;
  const cert = dataOrFile(user, 'client-certificate');
  const key = dataOrFile(user, 'client-key');
  if (cert) config.cert = cert;
  if (key) config.key = key;
  const token = stringField(user, 'token');
  if (token) config.token = token;
  const tokenFile = stringField(user, 'tokenFile');
  if (tokenFile) config.tokenFile = isAbsolute(tokenFile) ? tokenFile : join(baseDir, tokenFile);
  return config;
}

export const serviceAccountDir = '/var/run/secrets/kubernetes.io/serviceaccount';

export interface InClusterOptions {
  env?: Record<string, string | undefined>;
  /** Where the service account's token and ca.crt are mounted. */
  dir?: string;
  userAgent?: string;
}

/** rest.InClusterConfig: the kubernetes Service's address from the environment, the pod's service account token. */
export function inClusterConfig(options: InClusterOptions = {}): RestConfig {
  const env = options.env ?? process.env;
  const dir = options.dir ?? serviceAccountDir;
  const host = env.KUBERNETES_SERVICE_HOST;
  const port = env.KUBERNETES_SERVICE_PORT;
  if (!host || !port) {
    throw new Error('unable to load in-cluster configuration, KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT must be defined');
  }
  const tokenFile = join(dir, 'token');
  const token = readFileSync(tokenFile, 'utf8').trim();
  const config: RestConfig = {
    server: `https://${host.includes(':') ? `[${host}]` : host}:${port}`,
    token,
    tokenFile,
    userAgent: options.userAgent ?? defaultUserAgent(),
  };
  try {
    config.ca = readFileSync(join(dir, 'ca.crt'), 'utf8');
  } catch {
    // As upstream: a missing CA leaves the system roots in charge rather than failing.
  }
  return config;
}

export interface BuildOptions extends KubeconfigOptions {
  /** A kubeconfig path (the --kubeconfig flag). */
  kubeconfig?: string;
  /** Overrides the server (the --master flag). */
  master?: string;
  env?: Record<string, string | undefined>;
}

/**
 * clientcmd.BuildConfigFromFlags: the given kubeconfig; else in-cluster when running in a pod;
 * else $KUBECONFIG (its first path) or ~/.kube/config. `master` overrides the server.
 */
export function buildRestConfig(options: BuildOptions = {}): RestConfig {
  const env = options.env ?? process.env;
  let config: RestConfig;
  if (options.kubeconfig) {
    config = loadKubeconfig(options.kubeconfig, options);
  } else if (env.KUBERNETES_SERVICE_HOST && env.KUBERNETES_SERVICE_PORT && !options.master) {
    config = inClusterConfig({ env, userAgent: options.userAgent });
  } else {
    const fromEnv = env.KUBECONFIG?.split(':').find((p) => p !== '');
    const path = fromEnv ?? join(env.HOME ?? homedir(), '.kube', 'config');
    try {
      config = loadKubeconfig(path, options);
    } catch (err) {
      if (!options.master) throw err;
      config = { server: options.master, userAgent: options.userAgent ?? defaultUserAgent() };
    }
  }
  if (options.master) config.server = options.master.replace(/\/+$/, '');
  return config;
}

function stringField(entry: Entry, field: string): string | undefined {
  const v = entry[field];
  return typeof v === 'string' && v !== '' ? v : undefined;
}

function findNamed(list: unknown, field: string, name: string): Entry | undefined {
  if (!Array.isArray(list)) return undefined;
  const hit = (list as Entry[]).find((e) => e && e.name === name);
  const value = hit?.[field];
  return value && typeof value === 'object' ? (value as Entry) : hit ? {} : undefined;
}
