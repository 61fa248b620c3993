/**
 * The audit trail's rules, shared by the memory and the segmented (disk) trail: id and
 * timestamp assignment, restart counts derived from the recorded outcomes, the filters of
 * `list`, and the subscribers. Where the events live is the subclass's business. (A little
 * over ~300 lines: these rules must be one base class so both trails keep them alike.)
 */
import { randomUUID } from 'node:crypto';
import { errorText } from '../shared/errors.js';
import { auditEventSchema as auditEvent } from './audit-event-schema.js';
import {
  AUDIT_EVENT_TYPES,
  type AuditEvent,
  type AuditTrail,
  type EventQuery,
  type NewAuditEvent,
} from './types.js';

export const DEFAULT_LIST_LIMIT = 100;

/**
 * One stored event (the one schema, audit-event-schema.ts); fields an older version did not
 * write get their defaults. A record that fails it is dropped on its own, never its whole file.
 */
export const auditEventSchema = auditEvent.extend({
  container_id: auditEvent.shape.container_id.default(null),
  container_name: auditEvent.shape.container_name.default(null),
  restart_count: auditEvent.shape.restart_count.default(null),
  details: auditEvent.shape.details.default({}),
});

const EVENT_TYPES: ReadonlySet<string> = new Set(AUDIT_EVENT_TYPES);

function isStringOrNull(value: unknown): value is string | null | undefined {
  return value === undefined || value === null || typeof value === 'string';
}

/**
 * The same check as `auditEventSchema`, by hand, for reading history segments back: zod
 * costs more than the JSON parse itself on a segment of 1000 events, and a page may read
 * several. Returns null for a record the schema would refuse.
 */
export function readAuditEvent(record: unknown): AuditEvent | null {
  if (record === null || typeof record !== 'object' || Array.isArray(record)) return null;
  const r = record as Record<string, unknown>;
  const { id, restart_count: count, details } = r;
  if (typeof id !== 'number' || !Number.isInteger(id) || id < 1) return null;
  if (typeof r.timestamp !== 'string' || typeof r.status !== 'string' || typeof r.message !== 'string')
    return null;
  if (typeof r.event_type !== 'string' || !EVENT_TYPES.has(r.event_type)) return null;
  if (!isStringOrNull(r.container_id) || !isStringOrNull(r.container_name)) return null;
  if (
    !(
      count === undefined ||
      count === null ||
      (typeof count === 'number' && Number.isInteger(count) && count >= 0)
    )
  )
    return null;
  if (
    !(details === undefined || (details !== null && typeof details === 'object' && !Array.isArray(details)))
  )
    return null;
  return {
    id,
    timestamp: r.timestamp,
    event_type: r.event_type as AuditEvent['event_type'],
    container_id: r.container_id ?? null,
    container_name: r.container_name ?? null,
    status: r.status,
    restart_count: count ?? null,
    message: r.message,
    details: (details as Record<string, unknown> | undefined) ?? {},
  };
}

/** The outcome that counts as a restart of a name: a successful `restart`. */
export function isSuccessfulRestart(event: Pick<AuditEvent, 'event_type' | 'status'>): boolean {
  return event.event_type === 'restart' && event.status === 'success';
}

/** A successful restart still in the history. */
export interface RestartEntry {
  id: number;
  name: string;
  at: string;
}

/**
 * Restart counts by name, as a projection of the history: an entry per successful restart,
 * dropped as soon as its event leaves the history, so the names of long-gone containers do
 * not pile up.
 */
export class RestartTally {
  readonly #byName = new Map<string, RestartEntry[]>();
  /**
   * Every entry, oldest id first from `#head`, so the floor drops entries from the front
   * instead of walking every name at each append (which cost O(names) per event once the
   * history was full).
   */
  #byId: RestartEntry[] = [];
  #head = 0;
  /** An entry was added out of id order (a reload): sort before the next drop. */
  #unsorted = false;

  add(entry: RestartEntry): void {
    const entries = this.#byName.get(entry.name);
    if (entries === undefined) this.#byName.set(entry.name, [entry]);
    else {
      if (entry.id < entries.at(-1)!.id) this.#unsorted = true;
      entries.push(entry);
    }
    const last = this.#byId.at(-1);
    if (last !== undefined && this.#byId.length > this.#head && entry.id < last.id) this.#unsorted = true;
    this.#byId.push(entry);
  }

  /** Forgets the restarts whose events have ids below `minId` (they left the history). */
  dropBelow(minId: number): void {
    if (this.#unsorted) this.#sort();
    const byId = this.#byId;
    while (this.#head < byId.length && byId[this.#head]!.id < minId) {
      const gone = byId[this.#head]!;
      this.#head += 1;
      const entries = this.#byName.get(gone.name);
      if (entries === undefined) continue;
      // A name's entries are in id order too: the one leaving is its first.
      if (entries.length === 1) this.#byName.delete(gone.name);
      else entries.shift();
    }
    if (this.#head > 1024 && this.#head * 2 > byId.length) {
      this.#byId = byId.slice(this.#head);
      this.#head = 0;
    }
  }

  #sort(): void {
    const byId = (a: RestartEntry, b: RestartEntry) => a.id - b.id;
    this.#byId = this.#byId.slice(this.#head).sort(byId);
    this.#head = 0;
    for (const entries of this.#byName.values()) entries.sort(byId);
    this.#unsorted = false;
  }

  count(name: string): number {
    return this.#byName.get(name)?.length ?? 0;
  }

  lastAt(name: string): string | null {
    return this.#byName.get(name)?.at(-1)?.at ?? null;
  }

  /** How many names are tracked (for tests of the pruning). */
  get names(): number {
    return this.#byName.size;
  }
}

/** A query with its defaults applied and `since` made comparable to stored timestamps. */
export interface NormalizedQuery {
  type: AuditEvent['event_type'] | undefined;
  container: string | undefined;
  since: string | undefined;
  beforeId: number | undefined;
  afterId: number | undefined;
  limit: number;
}

export function normalizeQuery(query: EventQuery): NormalizedQuery {
  return {
    type: query.type,
    container: query.container === '' ? undefined : query.container,
    since: query.since === undefined ? undefined : normalizeTime(query.since),
    beforeId: query.beforeId,
    afterId: query.afterId,
    limit: Math.floor(query.limit ?? DEFAULT_LIST_LIMIT),
  };
}

/** Whether an event passes every filter of the query except the id bounds and the limit. */
export function matchesFilters(event: AuditEvent, q: NormalizedQuery): boolean {
  if (q.type !== undefined && event.event_type !== q.type) return false;
  if (q.since !== undefined && event.timestamp < q.since) return false;
  if (q.container !== undefined && !matchesContainer(event, q.container)) return false;
  return true;
}

/**
 * Collects matches from `events` (oldest first) into `found`, newest first, until the limit.
 * Returns false once nothing older can match (the ids went below `afterId`).
 */
export function collectMatches(
  events: readonly AuditEvent[],
  q: NormalizedQuery,
  minId: number,
  found: AuditEvent[],
): boolean {
  for (let i = events.length - 1; i >= 0 && found.length < q.limit; i--) {
    const event = events[i]!;
    if (event.id < minId) return false;
    if (q.beforeId !== undefined && event.id >= q.beforeId) continue;
    // Walking newest to oldest, ids only decrease from here on.
    if (q.afterId !== undefined && event.id <= q.afterId) return false;
    if (matchesFilters(event, q)) found.push(event);
  }
  return true;
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

export interface TrailOptions {
  eventsMax: number;
  now: () => Date;
  /** Told about a subscriber that threw; the other subscribers still run. */
  onListenerError?: (error: unknown) => void;
}

/** The trail's rules; a subclass keeps the events (`keep`) and answers `list`. */
export abstract class TrailBase implements AuditTrail {
  protected readonly eventsMax: number;
  readonly #now: () => Date;
  readonly #onListenerError: (error: unknown) => void;
  protected readonly tally = new RestartTally();
  protected nextId = 1;
  /** See `AuditTrail.epoch`; a disk trail keeps it while its ids go on. */
  protected epochId: string = randomUUID();
  readonly #listeners = new Set<(event: AuditEvent) => void>();

  constructor(options: TrailOptions) {
    if (!Number.isInteger(options.eventsMax) || options.eventsMax < 1) {
      throw new Error(`eventsMax must be a whole number of at least 1, got ${String(options.eventsMax)}`);
    }
    this.eventsMax = options.eventsMax;
    this.#now = options.now;
    this.#onListenerError = options.onListenerError ?? (() => {});
  }

  /** Stores a new event (the newest) and applies the cap. */
  protected abstract keep(event: AuditEvent): void;

  abstract find(query?: EventQuery): Promise<AuditEvent[]>;

  append(input: NewAuditEvent): AuditEvent {
    const name = input.container_name ?? null;
    const id = this.nextId++;
    const timestamp = this.#now().toISOString();
    if (name !== null && isSuccessfulRestart(input)) this.tally.add({ id, name, at: timestamp });
    const event: AuditEvent = deepFreeze({
      id,
      timestamp,
      event_type: input.event_type,
      container_id: input.container_id ?? null,
      container_name: name,
      status: input.status,
      restart_count: name === null ? null : this.tally.count(name),
      message: input.message,
      details: jsonCopy(input.details ?? {}),
    });
    this.keep(event);
    // The cap holds the newest eventsMax ids; restarts older than that no longer count.
    this.tally.dropBelow(this.nextId - this.eventsMax);
    for (const listener of [...this.#listeners]) {
      try {
        listener(event);
      } catch (error) {
        this.#onListenerError(error);
      }
    }
    return event;
  }

  latestId(): number {
    return this.nextId - 1;
  }

  epoch(): string {
    return this.epochId;
  }

  restartCount(name: string): number {
    return this.tally.count(name);
  }

  lastRestartAt(name: string): string | null {
    return this.tally.lastAt(name);
  }

  subscribe(listener: (event: AuditEvent) => void): () => void {
    // Wrapped so that the same function subscribed twice gets two independent subscriptions.
    const entry = (event: AuditEvent): void => listener(event);
    this.#listeners.add(entry);
    return () => {
      this.#listeners.delete(entry);
    };
  }
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
export function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const inner of Object.values(value)) deepFreeze(inner);
  }
  return value;
}
