/**
 * The store without a disk: the audit trail, the heal records and the lists in memory
 * only. Used by tests of the supervisor and the API; it passes the same contract suite as
 * the lowdb store.
 */
import type { Logger } from '../log.js';
import type { HealRecord } from '../supervisor/restart-policy.js';
import { MemoryTrail } from './memory-trail.js';
import { HealRecordBook, HoldBook, ListBook } from './state.js';
import type {
  AuditEvent,
  AuditStore,
  EventQuery,
  ListName,
  MaintenanceWindow,
  NewAuditEvent,
} from './types.js';

export interface MemoryStoreOptions {
  eventsMax: number;
  now?: () => Date;
  /** Where a throwing subscriber is reported; without one it is ignored. */
  logger?: Logger;
}

export class MemoryStore implements AuditStore {
  readonly #trail: MemoryTrail;
  readonly #records = new HealRecordBook();
  readonly #lists = new ListBook();
  readonly #holds = new HoldBook();

  constructor(options: MemoryStoreOptions) {
    const logger = options.logger;
    this.#trail = new MemoryTrail({
      eventsMax: options.eventsMax,
      now: options.now ?? (() => new Date()),
      onListenerError: (error) => logger?.error({ err: error }, 'an audit event subscriber failed'),
    });
  }

  async open(): Promise<void> {}

  append(event: NewAuditEvent): AuditEvent {
    return this.#trail.append(event);
  }

  find(query?: EventQuery): Promise<AuditEvent[]> {
    return this.#trail.find(query);
  }

  /** `find`, answered at once (everything is in memory); what tests of the domain read. */
  list(query?: EventQuery): AuditEvent[] {
    return this.#trail.list(query);
  }

  latestId(): number {
    return this.#trail.latestId();
  }

  restartCount(name: string): number {
    return this.#trail.restartCount(name);
  }

  lastRestartAt(name: string): string | null {
    return this.#trail.lastRestartAt(name);
  }

  subscribe(listener: (event: AuditEvent) => void): () => void {
    return this.#trail.subscribe(listener);
  }

  epoch(): string {
    return this.#trail.epoch();
  }

  markMonitored(id: string): boolean {
    return this.#records.markMonitored(id);
  }

  forgetMonitored(id: string): void {
    this.#records.forgetMonitored(id);
  }

  knownContainerIds(): string[] {
    return this.#records.knownContainerIds();
  }

  getHealRecord(id: string): HealRecord | null {
    return this.#records.getHealRecord(id);
  }

  setHealRecord(id: string, record: HealRecord | null): void {
    this.#records.setHealRecord(id, record);
  }

  getList(name: ListName): string[] {
    return this.#lists.getList(name);
  }

  setList(name: ListName, entries: string[]): void {
    this.#lists.setList(name, entries);
  }

  getMaintenance(): MaintenanceWindow | null {
    return this.#holds.getMaintenance();
  }

  setMaintenance(window: MaintenanceWindow | null): void {
    this.#holds.setMaintenance(window);
  }

  getSilences(): Record<string, string> {
    return this.#holds.getSilences();
  }

  setSilence(name: string, until: string | null): void {
    this.#holds.setSilence(name, until);
  }

  async flush(): Promise<void> {}

  async close(): Promise<void> {}

  writeStatus(): { ok: boolean; lastError: string | null; pendingWrites: boolean } {
    return { ok: true, lastError: null, pendingWrites: false };
  }
}
