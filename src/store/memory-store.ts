/**
 * The audit store without a disk: the whole AuditLog kept in memory only. Used by tests of
 * the supervisor and the API, and as the reference the lowdb store is held to.
 */
import type { Logger } from '../log.js';
import { AuditLog } from './audit-log.js';
import type { AuditEvent, AuditStore, EventQuery, HealRecord, ListName, NewAuditEvent } from './types.js';

export interface MemoryStoreOptions {
  eventsMax: number;
  now?: () => Date;
  /** Where a throwing subscriber is reported; without one it is ignored. */
  logger?: Logger;
}

export class MemoryStore implements AuditStore {
  readonly #log: AuditLog;

  constructor(options: MemoryStoreOptions) {
    const logger = options.logger;
    this.#log = new AuditLog({
      eventsMax: options.eventsMax,
      now: options.now ?? (() => new Date()),
      onListenerError: (error) => logger?.error({ err: error }, 'an audit event subscriber failed'),
    });
  }

  async open(): Promise<void> {}

  append(event: NewAuditEvent): AuditEvent {
    return this.#log.append(event);
  }

  list(query?: EventQuery): AuditEvent[] {
    return this.#log.list(query);
  }

  restartCount(name: string): number {
    return this.#log.restartCount(name);
  }

  lastRestartAt(name: string): string | null {
    return this.#log.lastRestartAt(name);
  }

  markMonitored(id: string): boolean {
    return this.#log.markMonitored(id);
  }

  forgetMonitored(id: string): void {
    this.#log.forgetMonitored(id);
  }

  getList(name: ListName): string[] {
    return this.#log.getList(name);
  }

  knownContainerIds(): string[] {
    return this.#log.knownContainerIds();
  }

  getHealRecord(id: string): HealRecord | null {
    return this.#log.getHealRecord(id);
  }

  setHealRecord(id: string, record: HealRecord | null): void {
    this.#log.setHealRecord(id, record);
  }

  setList(name: ListName, entries: string[]): void {
    this.#log.setList(name, entries);
  }

  subscribe(listener: (event: AuditEvent) => void): () => void {
    return this.#log.subscribe(listener);
  }

  async flush(): Promise<void> {}

  async close(): Promise<void> {}

  writeStatus(): { ok: boolean; lastError: string | null; pendingWrites: boolean } {
    return { ok: true, lastError: null, pendingWrites: false };
  }
}
