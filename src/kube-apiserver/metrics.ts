// Request metrics in the Prometheus text format, named as upstream's apiserver metrics.

const buckets = [0.005, 0.025, 0.05, 0.1, 0.2, 0.4, 0.6, 0.8, 1, 1.25, 1.5, 2, 3, 4, 5, 6, 8, 10, 15, 20, 30, 45, 60];

interface Histogram {
  counts: number[];
  sum: number;
  count: number;
}

export class Metrics {
  readonly #requests = new Map<string, number>();
  readonly #durations = new Map<string, Histogram>();

  observe(verb: string, resource: string, subresource: string, code: number, seconds: number): void {
    const labels = `verb="${verb.toUpperCase()}",resource="${resource}",subresource="${subresource}"`;
    const withCode = `${labels},code="${code}"`;
    this.#requests.set(withCode, (this.#requests.get(withCode) ?? 0) + 1);
    let h = this.#durations.get(labels);
    if (!h) this.#durations.set(labels, (h = { counts: buckets.map(() => 0), sum: 0, count: 0 }));
    for (let i = 0; i < buckets.length; i++) if (seconds <= buckets[i]) h.counts[i]++;
    h.sum += seconds;
    h.count++;
  }

  render(): string {
    const lines: string[] = [];
    lines.push('# HELP apiserver_request_total Counter of apiserver requests broken out for each verb, resource, subresource and HTTP response code.');
    lines.push('# TYPE apiserver_request_total counter');
    for (const [labels, n] of this.#requests) lines.push(`apiserver_request_total{${labels}} ${n}`);
    lines.push('# HELP apiserver_request_duration_seconds Response latency distribution in seconds for each verb, resource and subresource.');
    lines.push('# TYPE apiserver_request_duration_seconds histogram');
    for (const [labels, h] of this.#durations) {
      buckets.forEach((b, i) => lines.push(`apiserver_request_duration_seconds_bucket{${labels},le="${b}"} ${h.counts[i]}`));
      lines.push(`apiserver_request_duration_seconds_bucket{${labels},le="+Inf"} ${h.count}`);
      lines.push(`apiserver_request_duration_seconds_sum{${labels}} ${h.sum}`);
      lines.push(`apiserver_request_duration_seconds_count{${labels}} ${h.count}`);
    }
    return `${lines.join('\n')}\n`;
  }
}
