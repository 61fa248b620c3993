/**
 * The store without a disk: the audit trail, the heal records and the lists in memory
 * only. Used by tests of the supervisor and the API; it passes the same contract suite as
 * the lowdb store.
 */
import type { Logger } from '../log.js';
import { EntityStore } from './entity-store.js';
import { MemoryTrail } from './memory-trail.js';
import type { AuditEvent, AuditStore, EventQuery } from './types.js';

export interface MemoryStoreOptions {
  eventsMax: number;
  now?: () => Date;
  /** Where a throwing subscriber is reported; without one it is ignored. */
  logger?: Logger;
}

export class MemoryStore extends EntityStore<MemoryTrail> implements AuditStore {
  constructor(options: MemoryStoreOptions) {
    const logger = options.logger;
    super(
      new MemoryTrail({
        eventsMax: options.eventsMax,
        now: options.now ?? (() => new Date()),
        onListenerError: (error) => logger?.error({ err: error }, 'an audit event subscriber failed'),
      }),
    );
  }

  async open(): Promise<void> {}

  /** `find`, answered at once (everything is in memory); what tests of the domain read. */
  list(query?: EventQuery): AuditEvent[] {
    return this.history.list(query);
  }

  async flush(): Promise<void> {}

  async close(): Promise<void> {}

  writeStatus(): { ok: boolean; lastError: string | null; pendingWrites: boolean } {
    return { ok: true, lastError: null, pendingWrites: false };
  }
}
