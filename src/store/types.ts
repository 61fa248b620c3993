/**
 * What autoheal keeps, one interface per entity: the audit trail, the heal records, the
 * operator's lists, and the persistence of them all. Two implementations (in memory and
 * lowdb on disk) pass the same contract suite.
 */
import type { HealRecord } from '../supervisor/restart-policy.js';

export const AUDIT_EVENT_TYPES = [
  'auto_monitor',
  'unhealthy',
  'restart',
  'stop',
  'recreate',
  'skipped',
  'gave_up',
  'die',
  'oom',
  'config_change',
  'engine',
  'health',
] as const;
export type AuditEventType = (typeof AUDIT_EVENT_TYPES)[number];

/** One audit event, exactly as stored and served. */
export interface AuditEvent {
  /** Increasing integer, unique in the store. */
  id: number;
  /** ISO 8601 with milliseconds, UTC. */
  timestamp: string;
  event_type: AuditEventType;
  /** Full id; null for events about no container (`engine`, `config_change`). */
  container_id: string | null;
  container_name: string | null;
  status: string;
  /** Successful restarts of this container name in the history, this one included; null without a container. */
  restart_count: number | null;
  message: string;
  details: Record<string, unknown>;
}

/** What a caller hands to `append`; the trail assigns id, timestamp and restart_count. */
export interface NewAuditEvent {
  event_type: AuditEventType;
  container_id?: string | null;
  container_name?: string | null;
  status: string;
  message: string;
  details?: Record<string, unknown>;
}

export interface EventQuery {
  type?: AuditEventType;
  /** Container name (exact) or id prefix. */
  container?: string;
  /** Only events at or after this ISO time. */
  since?: string;
  /** Only events with a smaller id (paging backwards). */
  beforeId?: number;
  /** Only events with a larger id (SSE replay after `Last-Event-ID`). */
  afterId?: number;
  /** Default 100. */
  limit?: number;
}

/**
 * The operator's lists, each a set of name patterns. Adding a list is adding its name here:
 * the memory and disk stores, the state file's schema and the contract suite follow.
 */
export const LIST_NAMES = ['excluded', 'selected'] as const;
export type ListName = (typeof LIST_NAMES)[number];

/**
 * The audit trail: what autoheal did and saw, newest last, capped at `AUTOHEAL_EVENTS_MAX`.
 * A name's restart count is derived from the trail itself (its successful `restart`
 * outcomes still in the history), so it is pruned with the history.
 */
export interface AuditTrail {
  /**
   * Records an event. Synchronous: the event is in memory (and visible to `list`) at once,
   * and reaches the disk with the next coalesced write. Never throws for I/O problems.
   */
  append(event: NewAuditEvent): AuditEvent;
  /** Newest first, filtered. May read older parts of the history from disk. */
  find(query?: EventQuery): Promise<AuditEvent[]>;
  /** The id of the newest event, 0 when there is none. */
  latestId(): number;
  /** Successful restarts of this container name still in the history. */
  restartCount(name: string): number;
  /** ISO time of the newest successful restart of this name in the history, or null. */
  lastRestartAt(name: string): string | null;
  /** Called for every appended event, after it is stored. Returns an unsubscribe function. */
  subscribe(listener: (event: AuditEvent) => void): () => void;
  /**
   * Names the run of ids the trail hands out; it changes whenever ids may start over (a new
   * history, or one whose newest part was unreadable), so a client holding an id from
   * another epoch knows to start over.
   */
  epoch(): string;
}

/** Per-container state the healer and the enrolment keep, by container id. */
export interface HealRecords {
  getHealRecord(id: string): HealRecord | null;
  /** Stores (or, with null, forgets) a container's heal record. */
  setHealRecord(id: string, record: HealRecord | null): void;
  /** Remembers that this container id was enrolled; true the first time only. */
  markMonitored(id: string): boolean;
  /** Forgets a destroyed container's id (its audit history stays). */
  forgetMonitored(id: string): void;
  /** Ids with per-container state (monitored, or a heal record), so a reconcile can prune the gone. */
  knownContainerIds(): string[];
}

/** The operator's lists (changed through the API). */
export interface Lists {
  getList(name: ListName): string[];
  setList(name: ListName, entries: string[]): void;
}

/** A maintenance window: autoheal watches and records but takes no action until `until`. */
export interface MaintenanceWindow {
  /** ISO time it ends by itself. */
  until: string;
  reason: string;
  /** ISO time it was started. */
  started_at: string;
}

/**
 * The operator's holds, kept with the lists so they survive a restart: the maintenance
 * window and the silenced containers (by name, each with the ISO time its silence ends).
 * Expired entries are the keeper's to drop; the store keeps what it is given.
 */
export interface Holds {
  getMaintenance(): MaintenanceWindow | null;
  setMaintenance(window: MaintenanceWindow | null): void;
  getSilences(): Record<string, string>;
  /** Silences a container name until `until` (ISO), or with null ends its silence. */
  setSilence(name: string, until: string | null): void;
}

/** The store's life cycle and the health of its writes. */
export interface Persistence {
  /** Opens the store (locks the directory, reads, migrates, recovers). Call once first. */
  open(): Promise<void>;
  /** Writes anything pending now. Resolves even when the write fails (the failure is logged). */
  flush(): Promise<void>;
  /** Flushes, stops the write timer and releases the data directory. */
  close(): Promise<void>;
  /** Health of the persistence: last write error, if the last write failed. */
  writeStatus(): { ok: boolean; lastError: string | null; pendingWrites: boolean };
}

/** Everything autoheal keeps; a consumer should ask for the slices it needs. */
export type AuditStore = AuditTrail & HealRecords & Lists & Holds & Persistence;
