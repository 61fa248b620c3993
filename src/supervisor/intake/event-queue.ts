/**
 * The bounded queue between the engine's stream and the supervisor. Events are
 * handled in arrival order. Health reports are not lost but coalesced per container (the
 * latest health state wins); when a flood exceeds the capacity, other events are dropped.
 * Every merged or dropped event is counted. A flood (events dropped: merging a container's
 * health reports loses nothing) is reported once when it begins and once when nothing more
 * was dropped for a quiet spell after the queue drained, so a sustained flood gives two
 * lines, not two per chunk of the stream: the periodic reconcile repairs what a dropped
 * `start` or `die` would have told.
 */
import type { ContainerEvent } from '../../engine/types.js';
import type { Logger } from '../../log.js';

export interface IntakeStatus {
  /** Events waiting to be handled. */
  size: number;
  capacity: number;
  /** Events dropped or merged into a newer health report of the same container. */
  dropped: number;
}

/** One flood: what was merged or dropped since it began; `ended` once the queue drained. */
export interface IntakeFlood {
  merged: number;
  dropped: number;
  ended: boolean;
}

export class EventQueue {
  /**
   * Waiting events in arrival order. A health report here stands for its container's
   * newest one (`latestHealth`). Swapped for an empty array at each drain, so the events
   * handled are released at once (a flood never holds what it has already handled).
   */
  private queue: ContainerEvent[] = [];
  /** The newest health report per container that has one waiting. */
  private readonly latestHealth = new Map<string, ContainerEvent>();
  private otherWaiting = 0;
  /** Events of the batch being handled that are not handled yet. */
  private inBatch = 0;
  private droppedCount = 0;
  private flood: IntakeFlood | null = null;
  /** Ends the flood once the queue stayed drained and nothing was dropped for `quietMs`. */
  private quiet: NodeJS.Timeout | null = null;
  private scheduled = false;

  constructor(
    private readonly capacity: number,
    private readonly handle: (event: ContainerEvent) => void,
    /** Called when a flood begins (the first dropped event) and when it is over. */
    private readonly onFlood: (flood: IntakeFlood) => void = () => {},
    private readonly quietMs = 1_000,
  ) {}

  push(event: ContainerEvent): void {
    if (event.action === 'health_status') {
      if (this.latestHealth.has(event.id)) {
        // Same container, health not handled yet: only the newest state matters.
        this.lost('merged');
      } else {
        this.queue.push(event);
      }
      this.latestHealth.set(event.id, event);
    } else if (this.otherWaiting >= this.capacity) {
      this.lost('dropped');
      return;
    } else {
      this.otherWaiting += 1;
      this.queue.push(event);
    }
    this.schedule();
  }

  status(): IntakeStatus {
    return { size: this.queue.length + this.inBatch, capacity: this.capacity, dropped: this.droppedCount };
  }

  private lost(how: 'merged' | 'dropped'): void {
    this.droppedCount += 1;
    if (this.flood !== null) {
      this.flood[how] += 1;
      if (how === 'dropped') this.cancelQuiet();
    } else if (how === 'dropped') {
      this.flood = { merged: 0, dropped: 1, ended: false };
      this.onFlood({ ...this.flood });
    }
  }

  private cancelQuiet(): void {
    if (this.quiet) clearTimeout(this.quiet);
    this.quiet = null;
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    // Handled once the stream's data callback has returned: one chunk of the stream at a
    // time. libuv reads a socket a bounded number of times per turn of the event loop, so a
    // flood still leaves timers and HTTP their turn; and the events of a chunk die young,
    // where a queue held across turns had the garbage collector promote the whole flood.
    queueMicrotask(() => this.drain());
  }

  /**
   * Handles every event waiting. (Handling a fixed number per turn instead let a flood
   * outrun the handler and overflow the queue.)
   */
  private drain(): void {
    this.scheduled = false;
    const batch = this.queue;
    this.queue = [];
    this.inBatch = batch.length;
    for (const waiting of batch) {
      this.inBatch -= 1;
      let event: ContainerEvent | undefined = waiting;
      if (waiting.action === 'health_status') {
        event = this.latestHealth.get(waiting.id);
        this.latestHealth.delete(waiting.id);
      } else {
        this.otherWaiting -= 1;
      }
      if (event) this.handle(event);
    }
    if (this.queue.length > 0) {
      this.schedule();
    } else if (this.flood !== null && this.quiet === null) {
      this.quiet = setTimeout(() => {
        this.quiet = null;
        const flood = this.flood;
        if (flood === null) return;
        if (this.queue.length > 0 || this.inBatch > 0) return; // the next drain arms it again
        this.flood = null;
        this.onFlood({ ...flood, ended: true });
      }, this.quietMs);
      this.quiet.unref();
    }
  }
}

/** The supervisor's report of a flood: one line when it begins and one when it is over, never one per event or chunk. */
export function logFlood(log: Logger): (flood: IntakeFlood) => void {
  return (flood) => {
    const counts = { merged: flood.merged, dropped: flood.dropped };
    if (flood.ended) {
      log.warn(
        counts,
        'event flood over: nothing dropped for a second (a reconcile repairs what was dropped)',
      );
    } else {
      log.warn(
        counts,
        'engine events arrive faster than they are handled: merging health reports, and dropping others beyond the queue capacity, until the queue drains',
      );
    }
  };
}
