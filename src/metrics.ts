/**
 * A tiny Prometheus registry: counters, gauges and one histogram, rendered in the text
 * exposition format by `GET /metrics`. Kept here so the engine, the supervisor and the
 * notifier can count without knowing about HTTP.
 */

type Labels = Readonly<Record<string, string>>;

function labelKey(labels: Labels): string {
  const keys = Object.keys(labels).sort();
  return keys
    .map(
      (k) => `${k}="${String(labels[k]).replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`,
    )
    .join(',');
}

interface Family {
  name: string;
  help: string;
  type: 'counter' | 'gauge' | 'histogram';
  render(): string[];
}

export class Counter {
  private readonly values = new Map<string, number>();
  constructor(readonly name: string) {}
  inc(labels: Labels = {}, by = 1): void {
    const key = labelKey(labels);
    this.values.set(key, (this.values.get(key) ?? 0) + by);
  }
  get(labels: Labels = {}): number {
    return this.values.get(labelKey(labels)) ?? 0;
  }
  render(): string[] {
    if (this.values.size === 0) return [`${this.name} 0`];
    return [...this.values].map(([k, v]) => (k ? `${this.name}{${k}} ${v}` : `${this.name} ${v}`));
  }
}

export class Gauge {
  constructor(
    readonly name: string,
    private readonly read: () => number,
  ) {}
  render(): string[] {
    return [`${this.name} ${this.read()}`];
  }
}

export class Histogram {
  private readonly counts: number[];
  private sum = 0;
  private count = 0;
  constructor(
    readonly name: string,
    private readonly buckets: readonly number[],
  ) {
    this.counts = buckets.map(() => 0);
  }
  observe(value: number): void {
    this.sum += value;
    this.count += 1;
    this.buckets.forEach((b, i) => {
      if (value <= b) this.counts[i] = (this.counts[i] ?? 0) + 1;
    });
  }
  render(): string[] {
    const lines = this.buckets.map((b, i) => `${this.name}_bucket{le="${b}"} ${this.counts[i]}`);
    lines.push(
      `${this.name}_bucket{le="+Inf"} ${this.count}`,
      `${this.name}_sum ${this.sum}`,
      `${this.name}_count ${this.count}`,
    );
    return lines;
  }
}

export class MetricsRegistry {
  private readonly families: Family[] = [];

  counter(name: string, help: string): Counter {
    const c = new Counter(name);
    this.families.push({ name, help, type: 'counter', render: () => c.render() });
    return c;
  }

  gauge(name: string, help: string, read: () => number): Gauge {
    const g = new Gauge(name, read);
    this.families.push({ name, help, type: 'gauge', render: () => g.render() });
    return g;
  }

  histogram(name: string, help: string, buckets: readonly number[]): Histogram {
    const h = new Histogram(name, buckets);
    this.families.push({ name, help, type: 'histogram', render: () => h.render() });
    return h;
  }

  /** A family whose samples are read from elsewhere at scrape time (e.g. the engine's counters). */
  family(
    name: string,
    help: string,
    type: 'counter' | 'gauge',
    read: () => ReadonlyArray<readonly [Labels, number]>,
  ): void {
    this.families.push({
      name,
      help,
      type,
      render: () => {
        const samples = read();
        return samples.map(([labels, value]) => {
          const key = labelKey(labels);
          return key ? `${name}{${key}} ${value}` : `${name} ${value}`;
        });
      },
    });
  }

  /** Prometheus text exposition format 0.0.4. */
  render(): string {
    const out: string[] = [];
    for (const f of this.families) {
      out.push(`# HELP ${f.name} ${f.help}`, `# TYPE ${f.name} ${f.type}`, ...f.render());
    }
    return `${out.join('\n')}\n`;
  }
}
