// The scheduler's configuration file: a subset of KubeSchedulerConfiguration
// (kubescheduler.config.k8s.io/v1) — profiles with their schedulerName, plugins enabled and
// disabled per extension point (with score weights) and pluginConfig args, plus the queue's
// back-off and percentageOfNodesToScore. Defaults are upstream's. Fields outside the subset
// are refused with their path, so a config never silently means less than it says.
// PodTopologySpread args (defaultConstraints, defaultingType) are defaulted and validated here
// as upstream does; other plugins' args are read by the plugins.

import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { podTopologySpreadArgs } from './plugins/pod-topology-spread/args.ts';

export const extensionPoints = ['multiPoint', 'preFilter', 'filter', 'postFilter', 'preScore', 'score', 'reserve', 'bind'] as const;
export type ExtensionPoint = (typeof extensionPoints)[number];

export interface PluginRef {
  name: string;
  weight?: number;
}

export interface PluginSet {
  enabled?: PluginRef[];
  disabled?: PluginRef[];
}

export type Plugins = Partial<Record<ExtensionPoint, PluginSet>>;

export interface ProfileConfig {
  schedulerName: string;
  plugins?: Plugins;
  pluginConfig?: { name: string; args?: Record<string, unknown> }[];
}

export interface SchedulerConfiguration {
  profiles: ProfileConfig[];
  /** 0: adaptive (upstream's default). */
  percentageOfNodesToScore: number;
  podInitialBackoffSeconds: number;
  podMaxBackoffSeconds: number;
}

export const defaultSchedulerName = 'default-scheduler';

export function defaultConfiguration(schedulerNames: readonly string[] = [defaultSchedulerName]): SchedulerConfiguration {
  return {
    profiles: schedulerNames.map((schedulerName) => ({ schedulerName })),
    percentageOfNodesToScore: 0,
    podInitialBackoffSeconds: 1,
    podMaxBackoffSeconds: 10,
  };
}

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function only(o: Obj, path: string, allowed: string[]): void {
  for (const k of Object.keys(o)) if (!allowed.includes(k)) throw new Error(`${path}${path ? '.' : ''}${k}: unknown or unsupported field`);
}

function pluginRefs(v: unknown, path: string): PluginRef[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw new Error(`${path}: must be a list`);
  return v.map((r, i) => {
    if (!isObj(r) || typeof r.name !== 'string' || !r.name) throw new Error(`${path}[${i}].name: Required value`);
    only(r, `${path}[${i}]`, ['name', 'weight']);
    if (r.weight !== undefined && (!Number.isInteger(r.weight) || (r.weight as number) < 0)) throw new Error(`${path}[${i}].weight: must be a non-negative integer`);
    return r.weight === undefined ? { name: r.name } : { name: r.name, weight: r.weight as number };
  });
}

/** Parses and validates a KubeSchedulerConfiguration document. */
export function parseConfiguration(text: string): SchedulerConfiguration {
  const doc = parse(text) as unknown;
  if (!isObj(doc)) throw new Error('scheduler configuration: not a YAML object');
  only(doc, '', ['apiVersion', 'kind', 'profiles', 'percentageOfNodesToScore', 'podInitialBackoffSeconds', 'podMaxBackoffSeconds', 'leaderElection', 'clientConnection', 'parallelism']);
  if (doc.apiVersion !== 'kubescheduler.config.k8s.io/v1') throw new Error(`apiVersion: Unsupported value: ${JSON.stringify(doc.apiVersion)}: supported values: "kubescheduler.config.k8s.io/v1"`);
  if (doc.kind !== 'KubeSchedulerConfiguration') throw new Error(`kind: Unsupported value: ${JSON.stringify(doc.kind)}: supported values: "KubeSchedulerConfiguration"`);
  const config = defaultConfiguration();
  for (const field of ['percentageOfNodesToScore', 'podInitialBackoffSeconds', 'podMaxBackoffSeconds'] as const) {
    const v = doc[field];
    if (v === undefined) continue;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) throw new Error(`${field}: must be a non-negative integer`);
    config[field] = v;
  }
  if (config.percentageOfNodesToScore > 100) throw new Error('percentageOfNodesToScore: must be in the range [0, 100]');
  if (config.podInitialBackoffSeconds <= 0) throw new Error('podInitialBackoffSeconds: must be greater than 0');
  if (config.podMaxBackoffSeconds < config.podInitialBackoffSeconds) throw new Error('podMaxBackoffSeconds: must be greater than or equal to podInitialBackoffSeconds');
  if (doc.profiles !== undefined) {
    if (!Array.isArray(doc.profiles) || doc.profiles.length === 0) throw new Error('profiles: Required value: must have at least one profile');
    const names = new Set<string>();
    config.profiles = doc.profiles.map((p, i) => {
      const path = `profiles[${i}]`;
      if (!isObj(p)) throw new Error(`${path}: must be an object`);
      only(p, path, ['schedulerName', 'plugins', 'pluginConfig']);
      const schedulerName = p.schedulerName ?? defaultSchedulerName;
      if (typeof schedulerName !== 'string' || !schedulerName) throw new Error(`${path}.schedulerName: Required value`);
      if (names.has(schedulerName)) throw new Error(`${path}.schedulerName: Duplicate value: ${JSON.stringify(schedulerName)}`);
      names.add(schedulerName);
      const profile: ProfileConfig = { schedulerName };
      if (p.plugins !== undefined) {
        if (!isObj(p.plugins)) throw new Error(`${path}.plugins: must be an object`);
        only(p.plugins, `${path}.plugins`, [...extensionPoints]);
        profile.plugins = {};
        for (const [point, set] of Object.entries(p.plugins)) {
          if (!isObj(set)) throw new Error(`${path}.plugins.${point}: must be an object`);
          only(set, `${path}.plugins.${point}`, ['enabled', 'disabled']);
          profile.plugins[point as ExtensionPoint] = {
            enabled: pluginRefs(set.enabled, `${path}.plugins.${point}.enabled`),
            disabled: pluginRefs(set.disabled, `${path}.plugins.${point}.disabled`),
          };
        }
      }
      if (p.pluginConfig !== undefined) {
        if (!Array.isArray(p.pluginConfig)) throw new Error(`${path}.pluginConfig: must be a list`);
        profile.pluginConfig = p.pluginConfig.map((c, j) => {
          if (!isObj(c) || typeof c.name !== 'string') throw new Error(`${path}.pluginConfig[${j}].name: Required value`);
          const argsPath = `${path}.pluginConfig[${j}].args`;
          if (c.args !== undefined && c.args !== null && !isObj(c.args)) throw new Error(`${argsPath}: must be an object`);
          if (c.name === 'PodTopologySpread') return { name: c.name, args: { ...podTopologySpreadArgs(c.args, argsPath) } };
          return { name: c.name, args: (c.args ?? {}) as Record<string, unknown> };
        });
      }
      return profile;
    });
  }
  return config;
}

export function loadConfiguration(path: string): SchedulerConfiguration {
  return parseConfiguration(readFileSync(path, 'utf8'));
}
