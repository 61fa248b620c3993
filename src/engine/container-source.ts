/**
 * Where the API's container list comes from. Today a throttled list call: however many
 * clients ask, the engine is listed at most once per `maxAgeMs`, and callers arriving while
 * a list is under way share it. A live mirror fed by the event stream can replace it
 * behind the same one-method interface.
 */
import type { ContainerSnapshot, Engine } from './types.js';

export interface ContainerSource {
  /** Every container the engine has; at most `maxAgeMs` old. Rejects when the engine is unreachable. */
  list(): Promise<ContainerSnapshot[]>;
}

export interface ThrottledContainerSourceOptions {
  /** How long one answer of the engine is reused. */
  maxAgeMs?: number;
  /** Milliseconds since the epoch; injected so tests control time. */
  now?: () => number;
}

export class ThrottledContainerSource implements ContainerSource {
  readonly #engine: Pick<Engine, 'listContainers'>;
  readonly #maxAgeMs: number;
  readonly #now: () => number;
  #fresh: { at: number; containers: ContainerSnapshot[] } | null = null;
  #inflight: Promise<ContainerSnapshot[]> | null = null;

  constructor(engine: Pick<Engine, 'listContainers'>, options: ThrottledContainerSourceOptions = {}) {
    this.#engine = engine;
    this.#maxAgeMs = options.maxAgeMs ?? 1000;
    this.#now = options.now ?? Date.now;
  }

  list(): Promise<ContainerSnapshot[]> {
    if (this.#fresh !== null && this.#now() - this.#fresh.at < this.#maxAgeMs) {
      return Promise.resolve(this.#fresh.containers);
    }
    if (this.#inflight !== null) return this.#inflight;
    const asked = this.#now();
    const call = this.#engine.listContainers().then(
      (containers) => {
        // Aged from when it was asked for: the engine's answer is at least that old.
        this.#fresh = { at: asked, containers };
        this.#inflight = null;
        return containers;
      },
      (err: unknown) => {
        // A failure is not kept: the next caller asks the engine again.
        this.#inflight = null;
        throw err;
      },
    );
    this.#inflight = call;
    return call;
  }
}
