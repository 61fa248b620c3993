/**
 * autoheal's Prometheus registry, served by `GET /metrics`: prom-client underneath, behind
 * the few calls the engine, the supervisor and the notifier use to count, so none of them
 * knows about HTTP or prom-client. `processMetrics` adds prom-client's default process and
 * Node.js metrics (CPU, memory, file descriptors, GC, event-loop lag).
 */
import {
  collectDefaultMetrics,
  Counter as PromCounter,
  Gauge as PromGauge,
  Histogram as PromHistogram,
  Registry,
} from 'prom-client';

type Labels = Readonly<Record<string, string>>;

/**
 * Default metrics left out: promtool rejects a gauge whose name ends in `_total`, and the
 * same counts are exported without the suffix (`nodejs_active_handles` etc.).
 */
const EXCLUDED_DEFAULT_METRICS = [
  'nodejs_active_handles_total',
  'nodejs_active_requests_total',
  'nodejs_active_resources_total',
];

export class Counter {
  #metric: PromCounter | undefined;

  constructor(
    private readonly registry: Registry,
    readonly name: string,
    private readonly help: string,
    labelNames?: readonly string[],
  ) {
    if (labelNames !== undefined) this.#metric = this.create(labelNames);
  }

  /**
   * prom-client fixes a counter's label names when it is created. A counter declared
   * without them takes those of its first `inc` (every call site of one counter passes the
   * same label keys; prom-client throws on any other), so it appears on `/metrics` from
   * then on.
   */
  inc(labels: Labels = {}, by = 1): void {
    this.#metric ??= this.create(Object.keys(labels));
    this.#metric.inc({ ...labels }, by);
  }

  private create(labelNames: readonly string[]): PromCounter {
    return new PromCounter({
      name: this.name,
      help: this.help,
      labelNames: [...labelNames],
      registers: [this.registry],
    });
  }
}

export class Histogram {
  constructor(private readonly metric: PromHistogram) {}
  observe(value: number): void {
    this.metric.observe(value);
  }
}

export interface MetricsRegistryOptions {
  /** prom-client's default metrics (off in unit tests: each set runs its own event-loop monitor). */
  processMetrics?: boolean;
}

export class MetricsRegistry {
  readonly #registry = new Registry();

  constructor(options: MetricsRegistryOptions = {}) {
    if (options.processMetrics) {
      collectDefaultMetrics({ register: this.#registry });
      for (const name of EXCLUDED_DEFAULT_METRICS) this.#registry.removeSingleMetric(name);
    }
  }

  /** `labelNames` declares the labels up front; without it they are those of the first `inc`. */
  counter(name: string, help: string, labelNames?: readonly string[]): Counter {
    return new Counter(this.#registry, name, help, labelNames);
  }

  /** A gauge read at scrape time. */
  gauge(name: string, help: string, read: () => number): void {
    new PromGauge({
      name,
      help,
      registers: [this.#registry],
      collect() {
        this.set(read());
      },
    });
  }

  histogram(name: string, help: string, buckets: readonly number[]): Histogram {
    return new Histogram(
      new PromHistogram({ name, help, buckets: [...buckets], registers: [this.#registry] }),
    );
  }

  /**
   * A family whose samples are read from elsewhere at scrape time (e.g. the event stream's
   * own counters), with its label names declared.
   */
  family(
    name: string,
    help: string,
    type: 'counter' | 'gauge',
    labelNames: readonly string[],
    read: () => ReadonlyArray<readonly [Labels, number]>,
  ): void {
    const config = { name, help, labelNames: [...labelNames], registers: [this.#registry] };
    if (type === 'gauge') {
      new PromGauge({
        ...config,
        collect() {
          this.reset();
          for (const [labels, value] of read()) this.set({ ...labels }, value);
        },
      });
      return;
    }
    // A counter cannot be set: its value is rebuilt from the source on every scrape.
    new PromCounter({
      ...config,
      collect() {
        this.reset();
        for (const [labels, value] of read()) this.inc({ ...labels }, value);
      },
    });
  }

  /** The `Content-Type` of `render()`'s text. */
  get contentType(): string {
    return this.#registry.contentType;
  }

  /** Prometheus text exposition format 0.0.4. */
  render(): Promise<string> {
    return this.#registry.metrics();
  }
}
