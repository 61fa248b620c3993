/**
 * The heal queue: at most one heal per container in flight, a second
 * trigger for the same container merged into the one queued or running, and up to
 * `concurrency` different containers healed in parallel so one slow stop never delays
 * another.
 */
import PQueue from 'p-queue';

export class HealQueue<T> {
  private readonly queue: PQueue;
  private readonly inFlight = new Map<string, Promise<T>>();
  private mergedCount = 0;

  constructor(concurrency: number) {
    this.queue = new PQueue({ concurrency });
  }

  /**
   * Runs `task` for `key` unless a heal for that key is already queued or running, in
   * which case the trigger is merged: the caller gets the same promise, and `merged` is true.
   */
  enqueue(key: string, task: () => Promise<T>): { promise: Promise<T>; merged: boolean } {
    const existing = this.inFlight.get(key);
    if (existing) {
      this.mergedCount += 1;
      return { promise: existing, merged: true };
    }
    const promise = this.queue.add(task).finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, promise);
    return { promise, merged: false };
  }

  has(key: string): boolean {
    return this.inFlight.has(key);
  }

  /** Waiting heals. */
  get size(): number {
    return this.queue.size;
  }

  /** Running heals. */
  get pending(): number {
    return this.queue.pending;
  }

  get merged(): number {
    return this.mergedCount;
  }

  /** Resolves when every queued and running heal has finished. */
  async drain(): Promise<void> {
    await this.queue.onIdle();
  }

  /** Drops heals that have not started yet (shutdown). */
  clear(): void {
    this.queue.clear();
  }
}
