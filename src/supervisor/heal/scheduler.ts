/**
 * When heals run: the queue (one heal per container in flight, up to AUTOHEAL_CONCURRENCY
 * at once), the timers autoheal sets itself (grace period, back-off wait, retry of a failed
 * restart), the recheck of a report merged into a running heal, and the shutdown. What one
 * heal does is ./heal.ts.
 */
import { containerLogger, type Logger } from '../../log.js';
import type { MetricsRegistry } from '../../metrics.js';
import { errorText } from '../../shared/errors.js';
import type { AuditEvent } from '../../store/types.js';
import type { ContainerIdentity } from '../enrollment.js';
import type { HealTrigger } from '../heal-decision.js';
import type { Recorder } from '../record/recorder.js';
import type { InFlight } from './in-flight.js';
import { HealQueue } from './queue.js';
import { HealTimers, type Waiting, type WaitReason } from './timers.js';

/** What an automatic heal was set off by. */
export type AutoTrigger = Exclude<HealTrigger, 'api' | 'dependent'>;

/** One heal of `c`: re-inspect, decide, act, write it down. Never rejects. */
export type HealTask = () => Promise<AuditEvent | null>;

export interface SchedulerDeps {
  concurrency: number;
  now: () => number;
  log: Logger;
  metrics: MetricsRegistry;
  recorder: Recorder;
  inFlight: InFlight;
  /** The heal an automatic trigger runs. */
  heal: (c: ContainerIdentity, trigger: AutoTrigger, reportedAtMs: number) => Promise<AuditEvent | null>;
}

export class HealScheduler {
  private readonly d: SchedulerDeps;
  private readonly queue: HealQueue<AuditEvent | null>;
  private readonly timers: HealTimers;
  /** Containers reported unhealthy again while their heal was running. */
  private readonly recheck = new Set<string>();
  private stoppedFlag = false;

  constructor(deps: SchedulerDeps) {
    this.d = deps;
    this.queue = new HealQueue(deps.concurrency);
    this.timers = new HealTimers(deps.now);
    const m = deps.metrics;
    m.gauge('autoheal_heal_queue_size', 'Heals waiting for a free slot', () => this.queue.size);
    m.gauge('autoheal_heals_in_progress', 'Heals running now', () => this.queue.pending);
    m.gauge(
      'autoheal_heals_scheduled',
      'Heals waiting for a grace period, a back-off or a retry',
      () => this.timers.size,
    );
  }

  get stopped(): boolean {
    return this.stoppedFlag;
  }

  status(): { waiting: number; running: number; scheduled: number; merged: number } {
    return {
      waiting: this.queue.size,
      running: this.queue.pending,
      scheduled: this.timers.size,
      merged: this.queue.merged,
    };
  }

  /** A heal is queued or running for this container. */
  queued(id: string): boolean {
    return this.queue.has(id);
  }

  /** A heal is queued, running or scheduled for this container. */
  busy(id: string): boolean {
    return this.queue.has(id) || this.timers.has(id);
  }

  /** The timer this container waits on, if any. */
  waiting(id: string): Waiting | undefined {
    return this.timers.get(id);
  }

  /** A newer unhealthy report arrived while its heal ran: looked at again when it settles. */
  markRecheck(id: string): void {
    this.recheck.add(id);
  }

  /** Heals `c` at `atMs` (a grace period's end, a back-off's, a retry's). */
  schedule(
    c: ContainerIdentity,
    why: WaitReason,
    atMs: number,
    trigger: AutoTrigger,
    reportedAtMs: number,
  ): void {
    const delay = this.timers.set(c.id, { why, name: c.name, atMs }, () => {
      if (!this.stoppedFlag) this.enqueue(c, why === 'grace' ? trigger : 'retry', reportedAtMs);
    });
    containerLogger(this.d.log, c.name, c.id).debug({ why, in_ms: delay }, 'heal scheduled');
  }

  cancel(id: string): void {
    this.timers.cancel(id);
  }

  forget(id: string): void {
    this.timers.cancel(id);
    this.recheck.delete(id);
  }

  enqueue(c: ContainerIdentity, trigger: AutoTrigger, reportedAtMs: number): void {
    void this.run(c, () => this.d.heal(c, trigger, reportedAtMs));
  }

  /**
   * Every heal goes through here, whatever set it off, so there is one per container in
   * flight. When it settles, an unhealthy report merged into it is consumed: healed now if
   * the heal found the container recovered (Docker sends no further `health_status`).
   */
  async run(c: ContainerIdentity, task: HealTask): Promise<AuditEvent | null> {
    try {
      const event = await this.queue.enqueue(c.id, task).promise;
      const again = this.recheck.delete(c.id);
      if (again && event?.event_type === 'skipped' && event.status === 'recovered' && !this.stoppedFlag) {
        this.enqueue(c, 'event', this.d.now());
      }
      return event;
    } catch (err) {
      containerLogger(this.d.log, c.name, c.id).error({ err: errorText(err) }, 'heal failed unexpectedly');
      return null;
    }
  }

  /** Resolves when nothing is queued or running (scheduled timers are not waited for). */
  async drain(): Promise<void> {
    while (this.queue.size + this.queue.pending > 0) await this.queue.drain();
  }

  /**
   * Stops taking heals and waits (bounded: Docker's default stop grace is 10 s) for running
   * ones. A restart still running then is recorded as `interrupted`: the engine finishes it
   * on its own, but autoheal did not see the result.
   */
  async stop(waitMs: number): Promise<void> {
    this.stoppedFlag = true;
    this.timers.cancelAll();
    this.queue.clear();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      this.queue.drain(),
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, waitMs);
      }),
    ]);
    clearTimeout(timer);
    for (const [id, r] of this.d.inFlight.takeAll()) {
      this.d.recorder.record({
        kind: 'interrupted',
        c: { id, name: r.name },
        action: r.action,
        trigger: r.trigger,
        durationMs: this.d.now() - r.sinceMs,
      });
    }
  }
}
