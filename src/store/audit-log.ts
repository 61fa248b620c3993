/**
 * The store's state and rules, without any I/O: id and restart-count assignment, the cap,
 * the filters of `list`, the monitored ids, the API-managed lists and the subscribers.
 * MemoryStore uses it as is; LowdbStore loads it from and saves it to the JSON file.
 */
import { z } from 'zod';
import { errorText } from '../shared/errors.js';
import { auditEventSchema } from './audit-event-schema.js';
import type { AuditEvent, EventQuery, HealRecord, ListName, NewAuditEvent } from './types.js';

export const DEFAULT_LIST_LIMIT = 100;

/** An event as read from the file: fields an older version did not write get their defaults. */
const storedEventSchema = auditEventSchema.extend({
  container_id: auditEventSchema.shape.container_id.default(null),
  container_name: auditEventSchema.shape.container_name.default(null),
  restart_count: auditEventSchema.shape.restart_count.default(null),
  details: auditEventSchema.shape.details.default({}),
});

const restartRecordSchema = z.object({
  count: z.number().int().nonnegative(),
  last_at: z.string().nullable().default(null),
});

const healRecordSchema = z.object({
  name: z.string(),
  attempts: z.array(z.number()).default([]),
  consecutive: z.number().int().nonnegative().default(0),
  lastAttemptAt: z.number().nullable().default(null),
  healthySince: z.number().nullable().default(null),
  gaveUpAt: z.number().nullable().default(null),
  notified: z.boolean().default(false),
});

/**
 * The persisted document. Missing keys get their defaults so that a file written by an
 * older or hand-edited version still opens; a key of the wrong type makes the file corrupt.
 */
export const storeDocumentSchema = z.object({
  version: z.literal(1).default(1),
  next_id: z.number().int().positive().default(1),
  events: z.array(storedEventSchema).default([]),
  excluded: z.array(z.string()).default([]),
  selected: z.array(z.string()).default([]),
  monitored_ids: z.array(z.string()).default([]),
  restarts: z.record(z.string(), restartRecordSchema).default({}),
  heal_records: z.record(z.string(), healRecordSchema).default({}),
});

export type StoreDocument = z.output<typeof storeDocumentSchema>;

interface RestartRecord {
  count: number;
  last_at: string | null;
}

export interface AuditLogOptions {
  eventsMax: number;
  now: () => Date;
  /** Told about a subscriber that threw; the other subscribers still run. */
  onListenerError?: (error: unknown) => void;
}

export class AuditLog {
  readonly #eventsMax: number;
  readonly #now: () => Date;
  readonly #onListenerError: (error: unknown) => void;
  // Oldest first, so the cap drops from the front and ids increase along the array.
  #events: AuditEvent[] = [];
  #nextId = 1;
  #lists: Record<ListName, string[]> = { excluded: [], selected: [] };
  #monitoredIds = new Set<string>();
  #restarts = new Map<string, RestartRecord>();
  #healRecords = new Map<string, HealRecord>();
  readonly #listeners = new Set<(event: AuditEvent) => void>();

  constructor(options: AuditLogOptions) {
    if (!Number.isInteger(options.eventsMax) || options.eventsMax < 1) {
      throw new Error(`eventsMax must be a whole number of at least 1, got ${String(options.eventsMax)}`);
    }
    this.#eventsMax = options.eventsMax;
    this.#now = options.now;
    this.#onListenerError = options.onListenerError ?? (() => {});
  }

  /** Replaces the whole state with a (validated) document, e.g. the file read at open. */
  load(doc: StoreDocument): void {
    const events = doc.events.map((event) => deepFreeze({ ...event }));
    events.sort((a, b) => a.id - b.id);
    this.#events = events;
    this.#trim();
    const highestId = events.at(-1)?.id ?? 0;
    // A hand-edited next_id below an existing id would hand out duplicates.
    this.#nextId = Math.max(doc.next_id, highestId + 1);
    this.#lists = { excluded: [...doc.excluded], selected: [...doc.selected] };
    this.#monitoredIds = new Set(doc.monitored_ids);
    this.#restarts = new Map(
      Object.entries(doc.restarts).map(([name, record]) => [
        name,
        { count: record.count, last_at: record.last_at },
      ]),
    );
    this.#healRecords = new Map(Object.entries(doc.heal_records).map(([id, r]) => [id, copyHealRecord(r)]));
  }

  /** A snapshot to persist; arrays are copied so a later append cannot change it mid-write. */
  toDocument(): StoreDocument {
    return {
      version: 1,
      next_id: this.#nextId,
      events: this.#events.slice(),
      excluded: [...this.#lists.excluded],
      selected: [...this.#lists.selected],
      monitored_ids: [...this.#monitoredIds],
      restarts: Object.fromEntries([...this.#restarts].map(([name, record]) => [name, { ...record }])),
      heal_records: Object.fromEntries([...this.#healRecords].map(([id, r]) => [id, copyHealRecord(r)])),
    };
  }

  append(input: NewAuditEvent): AuditEvent {
    const timestamp = this.#now().toISOString();
    const name = input.container_name ?? null;
    if (name !== null && input.event_type === 'restart' && input.status === 'success') {
      const record = this.#restarts.get(name) ?? { count: 0, last_at: null };
      this.#restarts.set(name, { count: record.count + 1, last_at: timestamp });
    }
    const event: AuditEvent = deepFreeze({
      id: this.#nextId++,
      timestamp,
      event_type: input.event_type,
      container_id: input.container_id ?? null,
      container_name: name,
      status: input.status,
      restart_count: name === null ? null : this.restartCount(name),
      message: input.message,
      details: jsonCopy(input.details ?? {}),
    });
    this.#events.push(event);
    this.#trim();
    for (const listener of [...this.#listeners]) {
      try {
        listener(event);
      } catch (error) {
        this.#onListenerError(error);
      }
    }
    return event;
  }

  list(query: EventQuery = {}): AuditEvent[] {
    const limit = Math.floor(query.limit ?? DEFAULT_LIST_LIMIT);
    if (!(limit > 0)) return [];
    const since = query.since === undefined ? undefined : normalizeTime(query.since);
    const container = query.container === '' ? undefined : query.container;
    const found: AuditEvent[] = [];
    for (let i = this.#events.length - 1; i >= 0 && found.length < limit; i--) {
      const event = this.#events[i]!;
      if (query.beforeId !== undefined && event.id >= query.beforeId) continue;
      // Walking newest to oldest, ids only decrease from here on.
      if (query.afterId !== undefined && event.id <= query.afterId) break;
      if (query.type !== undefined && event.event_type !== query.type) continue;
      if (since !== undefined && event.timestamp < since) continue;
      if (container !== undefined && !matchesContainer(event, container)) continue;
      found.push(event);
    }
    return found;
  }

  restartCount(name: string): number {
    return this.#restarts.get(name)?.count ?? 0;
  }

  lastRestartAt(name: string): string | null {
    return this.#restarts.get(name)?.last_at ?? null;
  }

  markMonitored(id: string): boolean {
    if (this.#monitoredIds.has(id)) return false;
    this.#monitoredIds.add(id);
    return true;
  }

  /** True when the id was known (so the caller knows whether anything changed). */
  forgetMonitored(id: string): boolean {
    return this.#monitoredIds.delete(id);
  }

  knownContainerIds(): string[] {
    return [...new Set([...this.#monitoredIds, ...this.#healRecords.keys()])];
  }

  getHealRecord(id: string): HealRecord | null {
    const r = this.#healRecords.get(id);
    return r ? copyHealRecord(r) : null;
  }

  /** True when something changed. */
  setHealRecord(id: string, record: HealRecord | null): boolean {
    if (record === null) return this.#healRecords.delete(id);
    this.#healRecords.set(id, copyHealRecord(record));
    return true;
  }

  getList(name: ListName): string[] {
    return [...this.#lists[name]];
  }

  setList(name: ListName, entries: string[]): void {
    this.#lists[name] = [...entries];
  }

  subscribe(listener: (event: AuditEvent) => void): () => void {
    // Wrapped so that the same function subscribed twice gets two independent subscriptions.
    const entry = (event: AuditEvent): void => listener(event);
    this.#listeners.add(entry);
    return () => {
      this.#listeners.delete(entry);
    };
  }

  #trim(): void {
    const excess = this.#events.length - this.#eventsMax;
    if (excess > 0) this.#events.splice(0, excess);
  }
}

function copyHealRecord(r: HealRecord): HealRecord {
  return { ...r, attempts: [...r.attempts] };
}

function matchesContainer(event: AuditEvent, container: string): boolean {
  return event.container_name === container || (event.container_id?.startsWith(container) ?? false);
}

/** Stored timestamps are `toISOString()` output, so once `since` is too, strings compare as times. */
function normalizeTime(since: string): string {
  const ms = Date.parse(since);
  if (Number.isNaN(ms)) throw new RangeError(`since must be an ISO 8601 time, got "${since}"`);
  return new Date(ms).toISOString();
}

/**
 * What a caller puts in `details` is kept exactly as it will read back from the file (a Date
 * becomes a string, undefined disappears), so the memory and disk stores agree, and the
 * caller keeps no reference into the store. A value JSON cannot hold must not make
 * `append` throw: the event is worth more than its details.
 */
function jsonCopy(details: Record<string, unknown>): Record<string, unknown> {
  try {
    const copy: unknown = JSON.parse(JSON.stringify(details));
    if (copy !== null && typeof copy === 'object' && !Array.isArray(copy))
      return copy as Record<string, unknown>;
    return {};
  } catch (error) {
    return { details_error: `details could not be stored as JSON: ${errorText(error)}` };
  }
}

// Events are shared by every `list` caller and subscriber; freezing them is what lets the
// store hand out the same objects without copies and still stay unchanged.
function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const inner of Object.values(value)) deepFreeze(inner);
  }
  return value;
}
