// CycleState: data plugins compute once per scheduling cycle (in PreFilter, PreScore) and read
// at later extension points. It lives for one pod's cycle and is never shared between pods.
// Keys are conventionally "PreFilter<Plugin>" / "PreScore<Plugin>" as upstream.

export class CycleState {
  readonly #data = new Map<string, unknown>();
  /** Plugins whose PreFilter returned Skip: their Filter is not run. */
  readonly skipFilterPlugins = new Set<string>();
  /** Plugins whose PreScore returned Skip: their Score is not run. */
  readonly skipScorePlugins = new Set<string>();

  write(key: string, value: unknown): void {
    this.#data.set(key, value);
  }

  /** The value a plugin wrote; throws (an Error status upstream) when it is missing. */
  read<T>(key: string): T {
    // Plugins read per node: one lookup unless the value is undefined.
    const value = this.#data.get(key);
    if (value === undefined && !this.#data.has(key)) throw new Error(`reading ${JSON.stringify(key)} from cycleState: not found`);
    return value as T;
  }

  has(key: string): boolean {
    return this.#data.has(key);
  }

  /** A copy for a dry run: values with a clone() method are cloned, others shared (read-only). */
  clone(): CycleState {
    const c = new CycleState();
    for (const [k, v] of this.#data) {
      const cloneable = v as { clone?: () => unknown } | null;
      c.#data.set(k, typeof cloneable?.clone === 'function' ? cloneable.clone() : v);
    }
    for (const p of this.skipFilterPlugins) c.skipFilterPlugins.add(p);
    for (const p of this.skipScorePlugins) c.skipScorePlugins.add(p);
    return c;
  }
}
