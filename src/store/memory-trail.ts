/**
 * The audit trail held in memory only: one array, oldest first, trimmed to the cap exactly.
 */
import { collectMatches, normalizeQuery, TrailBase } from './audit-trail.js';
import type { AuditEvent, EventQuery } from './types.js';

export class MemoryTrail extends TrailBase {
  // Oldest first, so the cap drops from the front and ids increase along the array.
  readonly #events: AuditEvent[] = [];

  protected keep(event: AuditEvent): void {
    this.#events.push(event);
    const excess = this.#events.length - this.eventsMax;
    if (excess > 0) this.#events.splice(0, excess);
  }

  async find(query: EventQuery = {}): Promise<AuditEvent[]> {
    return this.list(query);
  }

  /** `find`, answered at once: everything is in memory. */
  list(query: EventQuery = {}): AuditEvent[] {
    const q = normalizeQuery(query);
    const found: AuditEvent[] = [];
    if (q.limit > 0) collectMatches(this.#events, q, 0, found);
    return found;
  }
}
