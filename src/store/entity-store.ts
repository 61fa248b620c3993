/**
 * What both stores share: the four entity interfaces (audit trail, heal records, lists,
 * holds) answered by their parts, a trail and three books. The memory store and the lowdb
 * store extend it and add only their life cycle (the lowdb one: disk, lock, writes).
 */
import type { HealRecord } from '../supervisor/restart-policy.js';
import { HealRecordBook, HoldBook, ListBook } from './state.js';
import type {
  AuditEvent,
  AuditTrail,
  EventQuery,
  HealRecords,
  Holds,
  ListName,
  Lists,
  MaintenanceWindow,
  NewAuditEvent,
} from './types.js';

export abstract class EntityStore<T extends AuditTrail> implements AuditTrail, HealRecords, Lists, Holds {
  protected readonly records = new HealRecordBook(() => this.stateChanged());
  protected readonly lists = new ListBook(() => this.stateChanged());
  protected readonly holds = new HoldBook(() => this.stateChanged());

  protected constructor(protected readonly history: T) {}

  /** The lists, heal records or holds changed (the lowdb store schedules a write). */
  protected stateChanged(): void {}

  append(event: NewAuditEvent): AuditEvent {
    return this.history.append(event);
  }

  find(query?: EventQuery): Promise<AuditEvent[]> {
    return this.history.find(query);
  }

  latestId(): number {
    return this.history.latestId();
  }

  epoch(): string {
    return this.history.epoch();
  }

  restartCount(name: string): number {
    return this.history.restartCount(name);
  }

  lastRestartAt(name: string): string | null {
    return this.history.lastRestartAt(name);
  }

  subscribe(listener: (event: AuditEvent) => void): () => void {
    return this.history.subscribe(listener);
  }

  markMonitored(id: string): boolean {
    return this.records.markMonitored(id);
  }

  forgetMonitored(id: string): void {
    this.records.forgetMonitored(id);
  }

  knownContainerIds(): string[] {
    return this.records.knownContainerIds();
  }

  getHealRecord(id: string): HealRecord | null {
    return this.records.getHealRecord(id);
  }

  setHealRecord(id: string, record: HealRecord | null): void {
    this.records.setHealRecord(id, record);
  }

  getList(name: ListName): string[] {
    return this.lists.getList(name);
  }

  setList(name: ListName, entries: string[]): void {
    this.lists.setList(name, entries);
  }

  getMaintenance(): MaintenanceWindow | null {
    return this.holds.getMaintenance();
  }

  setMaintenance(window: MaintenanceWindow | null): void {
    this.holds.setMaintenance(window);
  }

  getSilences(): Record<string, string> {
    return this.holds.getSilences();
  }

  setSilence(name: string, until: string | null): void {
    this.holds.setSilence(name, until);
  }
}
