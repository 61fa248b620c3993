/**
 * The audit store without a disk: the whole AuditLog kept in memory only. Used by tests of
 * the supervisor and the API; the lowdb store extends it and saves the state on `changed()`.
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
  /** The state and its rules; a persistent subclass saves it when `changed()` is called. */
  protected readonly log: AuditLog;

  constructor(options: MemoryStoreOptions) {
    const logger = options.logger;
    this.log = new AuditLog({
      eventsMax: options.eventsMax,
      now: options.now ?? (() => new Date()),
      onListenerError: (error) => logger?.error({ err: error }, 'an audit event subscriber failed'),
    });
  }

  /** Called after every change of the state; nothing to do in memory. */
  protected changed(): void {}

  async open(): Promise<void> {}

  append(event: NewAuditEvent): AuditEvent {
    const stored = this.log.append(event);
    this.changed();
    return stored;
  }

  list(query?: EventQuery): AuditEvent[] {
    return this.log.list(query);
  }

  restartCount(name: string): number {
    return this.log.restartCount(name);
  }

  lastRestartAt(name: string): string | null {
    return this.log.lastRestartAt(name);
  }

  markMonitored(id: string): boolean {
    const first = this.log.markMonitored(id);
    if (first) this.changed();
    return first;
  }

  forgetMonitored(id: string): void {
    if (this.log.forgetMonitored(id)) this.changed();
  }

  knownContainerIds(): string[] {
    return this.log.knownContainerIds();
  }

  getHealRecord(id: string): HealRecord | null {
    return this.log.getHealRecord(id);
  }

  setHealRecord(id: string, record: HealRecord | null): void {
    if (this.log.setHealRecord(id, record)) this.changed();
  }

  epoch(): string {
    return this.log.epoch();
  }

  getList(name: ListName): string[] {
    return this.log.getList(name);
  }

  setList(name: ListName, entries: string[]): void {
    this.log.setList(name, entries);
    this.changed();
  }

  subscribe(listener: (event: AuditEvent) => void): () => void {
    return this.log.subscribe(listener);
  }

  async flush(): Promise<void> {}

  async close(): Promise<void> {}

  writeStatus(): { ok: boolean; lastError: string | null; pendingWrites: boolean } {
    return { ok: true, lastError: null, pendingWrites: false };
  }
}
