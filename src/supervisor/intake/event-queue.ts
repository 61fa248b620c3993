/**
 * The bounded queue between the engine's stream and the supervisor. Events are
 * handled in arrival order. When a flood exceeds the capacity, health reports are not
 * lost but coalesced per container (the latest health state wins), other events beyond
 * the capacity are dropped, and every merged or dropped event is counted: the periodic
 * reconcile repairs what a dropped `start` or `die` would have told.
 */
import type { ContainerEvent } from '../../engine/types.js';

type Entry = { kind: 'event'; event: ContainerEvent } | { kind: 'health'; id: string };

export interface IntakeStatus {
  /** Entries waiting to be handled. */
  size: number;
  capacity: number;
  /** Events dropped or merged into a newer health report of the same container. */
  dropped: number;
}

export class EventQueue {
  private readonly entries: Entry[] = [];
  private head = 0;
  /** The newest health report per container that has a `health` entry waiting. */
  private readonly latestHealth = new Map<string, ContainerEvent>();
  private otherWaiting = 0;
  private droppedCount = 0;
  private scheduled = false;

  constructor(
    private readonly capacity: number,
    private readonly handle: (event: ContainerEvent) => void,
    private readonly onDrop: (event: ContainerEvent, why: 'coalesced' | 'overflow') => void = () => {},
  ) {}

  push(event: ContainerEvent): void {
    if (event.action === 'health_status') {
      const waiting = this.latestHealth.has(event.id);
      if (waiting) {
        // Same container, health not handled yet: only the newest state matters.
        this.droppedCount += 1;
        this.onDrop(event, 'coalesced');
      } else {
        this.entries.push({ kind: 'health', id: event.id });
      }
      this.latestHealth.set(event.id, event);
    } else if (this.otherWaiting >= this.capacity) {
      this.droppedCount += 1;
      this.onDrop(event, 'overflow');
      return;
    } else {
      this.otherWaiting += 1;
      this.entries.push({ kind: 'event', event });
    }
    this.schedule();
  }

  status(): IntakeStatus {
    return { size: this.entries.length - this.head, capacity: this.capacity, dropped: this.droppedCount };
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    // Handle in batches off the stream's data callback, so a flood never starves timers or HTTP.
    setImmediate(() => this.drain());
  }

  private drain(): void {
    this.scheduled = false;
    const batchEnd = Math.min(this.entries.length, this.head + 500);
    while (this.head < batchEnd) {
      const entry = this.entries[this.head];
      this.head += 1;
      if (!entry) continue;
      let event: ContainerEvent | undefined;
      if (entry.kind === 'event') {
        this.otherWaiting -= 1;
        event = entry.event;
      } else {
        event = this.latestHealth.get(entry.id);
        this.latestHealth.delete(entry.id);
      }
      if (event) this.handle(event);
    }
    if (this.head >= this.entries.length) {
      this.entries.length = 0;
      this.head = 0;
    } else {
      this.schedule();
    }
  }
}
