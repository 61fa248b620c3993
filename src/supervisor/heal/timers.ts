/**
 * The timers autoheal sets itself, one per container at most: a grace period, a back-off
 * wait, or the retry of a failed restart. Setting one replaces the container's previous
 * timer; timers never keep the process alive.
 */

export type WaitReason = 'grace' | 'backoff' | 'retry';

export interface Waiting {
  why: WaitReason;
  name: string;
  atMs: number;
}

export class HealTimers {
  private readonly timers = new Map<string, Waiting & { timer: NodeJS.Timeout }>();

  constructor(private readonly now: () => number) {}

  get size(): number {
    return this.timers.size;
  }

  has(id: string): boolean {
    return this.timers.has(id);
  }

  get(id: string): Waiting | undefined {
    return this.timers.get(id);
  }

  /** Calls `fire` at `atMs` (at once if that has passed); returns the delay in ms. */
  set(id: string, wait: Waiting, fire: () => void): number {
    this.cancel(id);
    const delay = Math.max(0, wait.atMs - this.now());
    this.arm(id, wait, fire, delay);
    return delay;
  }

  /**
   * Node's timers count from the event loop's cached time, which lags the clock when the
   * loop is busy, so a timer can fire before `atMs`: it then waits out the rest, or the heal
   * it starts would find its back-off not over yet and wait once more.
   */
  private arm(id: string, wait: Waiting, fire: () => void, delay: number): void {
    const timer = setTimeout(() => {
      const left = wait.atMs - this.now();
      if (left > 0) {
        this.arm(id, wait, fire, left);
        return;
      }
      this.timers.delete(id);
      fire();
    }, delay);
    timer.unref();
    this.timers.set(id, { ...wait, timer });
  }

  cancel(id: string): void {
    const t = this.timers.get(id);
    if (!t) return;
    clearTimeout(t.timer);
    this.timers.delete(id);
  }

  cancelAll(): void {
    for (const id of [...this.timers.keys()]) this.cancel(id);
  }
}

/** Runs `read` after the current turn of the event loop, so what this turn sends goes first. */
export function afterThisTurn<T>(read: () => Promise<T>): Promise<T> {
  return new Promise<void>((resolve) => setImmediate(resolve)).then(read);
}
