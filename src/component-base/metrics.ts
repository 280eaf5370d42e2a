// A tiny Prometheus registry: counters, gauges and histograms, each with a fixed set of label
// names, rendered in the text exposition format (version 0.0.4). Guarantees: label values are
// escaped, series print in the order they were first touched, histogram buckets are cumulative
// and end with le="+Inf", and registering a name twice is refused.

export type Labels = Record<string, string>;

interface Collector {
  readonly name: string;
  render(lines: string[]): void;
}

function escapeLabel(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

function escapeHelp(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

function formatValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}

abstract class Vec<S> implements Collector {
  readonly name: string;
  readonly help: string;
  readonly labelNames: readonly string[];
  protected readonly series = new Map<string, { labels: string; value: S }>();

  constructor(name: string, help: string, labelNames: readonly string[]) {
    if (!/^[a-zA-Z_:][a-zA-Z0-9_:]*$/.test(name)) throw new Error(`invalid metric name ${JSON.stringify(name)}`);
    this.name = name;
    this.help = help;
    this.labelNames = labelNames;
  }

  protected abstract fresh(): S;
  abstract render(lines: string[]): void;

  protected child(labels: Labels): { labels: string; value: S } {
    const values = this.labelNames.map((n) => labels[n] ?? '');
    for (const k of Object.keys(labels)) if (!this.labelNames.includes(k)) throw new Error(`${this.name}: unknown label ${k}`);
    const key = values.join('\u0000');
    let s = this.series.get(key);
    if (!s) {
      s = { labels: this.labelNames.map((n, i) => `${n}="${escapeLabel(values[i])}"`).join(','), value: this.fresh() };
      this.series.set(key, s);
    }
    return s;
  }

  protected header(lines: string[], type: string): void {
    lines.push(`# HELP ${this.name} ${escapeHelp(this.help)}`, `# TYPE ${this.name} ${type}`);
  }
}

export class Counter extends Vec<{ n: number }> {
  protected fresh() {
    return { n: 0 };
  }

  inc(labels: Labels = {}, by = 1): void {
    if (by < 0) throw new Error(`${this.name}: counters only go up`);
    this.child(labels).value.n += by;
  }

  get(labels: Labels = {}): number {
    return this.child(labels).value.n;
  }

  render(lines: string[]): void {
    this.header(lines, 'counter');
    for (const s of this.series.values()) lines.push(`${this.name}${s.labels ? `{${s.labels}}` : ''} ${formatValue(s.value.n)}`);
  }
}

export class Gauge extends Vec<{ n: number }> {
  protected fresh() {
    return { n: 0 };
  }

  set(labels: Labels, value: number): void {
    this.child(labels).value.n = value;
  }

  inc(labels: Labels = {}, by = 1): void {
    this.child(labels).value.n += by;
  }

  dec(labels: Labels = {}, by = 1): void {
    this.child(labels).value.n -= by;
  }

  get(labels: Labels = {}): number {
    return this.child(labels).value.n;
  }

  render(lines: string[]): void {
    this.header(lines, 'gauge');
    for (const s of this.series.values()) lines.push(`${this.name}${s.labels ? `{${s.labels}}` : ''} ${formatValue(s.value.n)}`);
  }
}

interface HistogramState {
  counts: number[];
  sum: number;
  count: number;
}

/** Prometheus' ExponentialBuckets(start, factor, count). */
export function exponentialBuckets(start: number, factor: number, count: number): number[] {
  const out: number[] = [];
  for (let i = 0, b = start; i < count; i++, b *= factor) out.push(Number(b.toPrecision(12)));
  return out;
}

export class Histogram extends Vec<HistogramState> {
  readonly buckets: readonly number[];

  constructor(name: string, help: string, labelNames: readonly string[], buckets: readonly number[]) {
    super(name, help, labelNames);
    this.buckets = [...buckets].sort((a, b) => a - b);
  }

  protected fresh(): HistogramState {
    return { counts: this.buckets.map(() => 0), sum: 0, count: 0 };
  }

  observe(labels: Labels, value: number): void {
    const h = this.child(labels).value;
    for (let i = 0; i < this.buckets.length; i++) if (value <= this.buckets[i]) h.counts[i]++;
    h.sum += value;
    h.count++;
  }

  /** Count and sum of one series (for tests and summaries). */
  get(labels: Labels = {}): { count: number; sum: number } {
    const h = this.child(labels).value;
    return { count: h.count, sum: h.sum };
  }

  render(lines: string[]): void {
    this.header(lines, 'histogram');
    for (const s of this.series.values()) {
      const sep = s.labels ? ',' : '';
      this.buckets.forEach((b, i) => lines.push(`${this.name}_bucket{${s.labels}${sep}le="${formatValue(b)}"} ${s.value.counts[i]}`));
      lines.push(`${this.name}_bucket{${s.labels}${sep}le="+Inf"} ${s.value.count}`);
      lines.push(`${this.name}_sum${s.labels ? `{${s.labels}}` : ''} ${formatValue(s.value.sum)}`);
      lines.push(`${this.name}_count${s.labels ? `{${s.labels}}` : ''} ${s.value.count}`);
    }
  }
}

export class Registry {
  readonly #collectors = new Map<string, Collector>();

  counter(name: string, help: string, labelNames: readonly string[] = []): Counter {
    return this.#register(new Counter(name, help, labelNames));
  }

  gauge(name: string, help: string, labelNames: readonly string[] = []): Gauge {
    return this.#register(new Gauge(name, help, labelNames));
  }

  histogram(name: string, help: string, labelNames: readonly string[], buckets: readonly number[]): Histogram {
    return this.#register(new Histogram(name, help, labelNames, buckets));
  }

  /** The text exposition of every registered metric. */
  render(): string {
    const lines: string[] = [];
    for (const c of this.#collectors.values()) c.render(lines);
    return lines.length ? `${lines.join('\n')}\n` : '';
  }

  #register<C extends Collector>(c: C): C {
    if (this.#collectors.has(c.name)) throw new Error(`metric ${c.name} is already registered`);
    this.#collectors.set(c.name, c);
    return c;
  }
}

export const textContentType = 'text/plain; version=0.0.4; charset=utf-8';
