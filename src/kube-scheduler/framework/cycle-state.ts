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
    if (!this.#data.has(key)) throw new Error(`reading ${JSON.stringify(key)} from cycleState: not found`);
    return this.#data.get(key) as T;
  }

  has(key: string): boolean {
    return this.#data.has(key);
  }
}
