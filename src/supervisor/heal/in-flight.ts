/**
 * The engine requests (restart or stop) autoheal has made and the engine has not answered
 * yet: a `die` during one is autoheal's own, and a shutdown says which it left unfinished.
 */
import type { HealTrigger } from '../heal-decision.js';

export interface Running {
  name: string;
  trigger: HealTrigger;
  action: 'restart' | 'stop';
  sinceMs: number;
  /** Destroyed while the request ran: nothing more is scheduled or kept for it. */
  forgotten?: boolean;
}

export class InFlight {
  private readonly running = new Map<string, Running>();

  /** The request for `id` starts now. */
  track(id: string, entry: Running): void {
    this.running.set(id, entry);
  }

  /**
   * The request for `id` ended: its entry, or null when a shutdown already wrote it down
   * as interrupted.
   */
  untrack(id: string): Running | null {
    const entry = this.running.get(id);
    if (!entry) return null;
    this.running.delete(id);
    return entry;
  }

  has(id: string): boolean {
    return this.running.has(id);
  }

  /** The container was destroyed while its request ran. */
  forget(id: string): void {
    const entry = this.running.get(id);
    if (entry) entry.forgotten = true;
  }

  /** Every request still running, removed (a shutdown records them as interrupted). */
  takeAll(): Array<[string, Running]> {
    const all = [...this.running];
    this.running.clear();
    return all;
  }
}
