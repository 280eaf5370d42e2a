// The cloud config (--cloud-config FILE, JSON or YAML): one object whose fields the selected
// provider reads; and the small readers providers use to check its fields, so a mistake names
// the field and what was expected. Durations are Go-style strings ("2s", "1m30s", "500ms") or
// milliseconds as numbers.

import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { parseGoDuration } from '../machinery/duration.ts';

export type CloudConfig = Record<string, unknown>;

/** Reads a cloud config file; an empty file is an empty config. */
export function loadCloudConfig(path: string): CloudConfig {
  const text = readFileSync(path, 'utf8');
  const parsed: unknown = text.trim() === '' ? {} : parse(text);
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error(`${path}: the cloud config must be an object`);
  return parsed as CloudConfig;
}

/** Field readers over one config object; `prefix` names where it sits for error messages. */
export class ConfigReader {
  readonly #config: CloudConfig;
  readonly #prefix: string;
  readonly #known: Set<string>;

  constructor(config: CloudConfig, known: readonly string[], prefix = 'cloud config') {
    this.#config = config;
    this.#prefix = prefix;
    this.#known = new Set(known);
    for (const k of Object.keys(config)) if (!this.#known.has(k)) throw new Error(`${prefix}: unknown field ${JSON.stringify(k)} (known: ${known.join(', ')})`);
  }

  string(field: string): string | undefined {
    const v = this.#config[field];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'string') throw new Error(`${this.#prefix}: ${field} must be a string`);
    return v;
  }

  strings(field: string): string[] | undefined {
    const v = this.#config[field];
    if (v === undefined || v === null) return undefined;
    if (typeof v === 'string') return [v];
    if (!Array.isArray(v) || !v.every((x) => typeof x === 'string')) throw new Error(`${this.#prefix}: ${field} must be a string or a list of strings`);
    return v as string[];
  }

  port(field: string): number | undefined {
    const v = this.#config[field];
    if (v === undefined || v === null) return undefined;
    const n = typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : v;
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 0 || n > 65535) throw new Error(`${this.#prefix}: ${field} must be a port number`);
    return n;
  }

  durationMs(field: string): number | undefined {
    const v = this.#config[field];
    if (v === undefined || v === null) return undefined;
    if (typeof v === 'number' && v >= 0) return v;
    if (typeof v === 'string') return parseGoDuration(v, `${this.#prefix}: ${field}`);
    throw new Error(`${this.#prefix}: ${field} must be a duration such as "2s"`);
  }

  stringMap(field: string): Record<string, string> | undefined {
    const v = this.#config[field];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'object' || Array.isArray(v) || !Object.values(v).every((x) => typeof x === 'string')) throw new Error(`${this.#prefix}: ${field} must map names to strings`);
    return v as Record<string, string>;
  }
}
