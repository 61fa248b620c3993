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
    const timer = setTimeout(() => {
      this.timers.delete(id);
      fire();
    }, delay);
    timer.unref();
    this.timers.set(id, { ...wait, timer });
    return delay;
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
