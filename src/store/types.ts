/**
 * The audit trail and the API-managed lists, as the rest of autoheal sees them. Two
 * implementations (in memory and lowdb on disk) pass the same contract test.
 */

export const AUDIT_EVENT_TYPES = [
  'auto_monitor',
  'unhealthy',
  'restart',
  'stop',
  'skipped',
  'gave_up',
  'die',
  'oom',
  'config_change',
  'engine',
] as const;
export type AuditEventType = (typeof AUDIT_EVENT_TYPES)[number];

/** One audit event, exactly as stored and served (README.md, "The audit trail"). */
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
  /** Restarts autoheal has made of this container name (successful ones); null without a container. */
  restart_count: number | null;
  message: string;
  details: Record<string, unknown>;
}

/** What a caller hands to `append`; the store assigns id, timestamp and restart_count. */
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

export type ListName = 'excluded' | 'selected';

/** autoheal's memory of one container's restarts, for loop damping; persisted by id. */
export interface HealRecord {
  name: string;
  /** Start times (ms since the epoch) of autoheal's restart attempts inside the window. */
  attempts: number[];
  /** Attempts since the container last stayed healthy for `AUTOHEAL_BACKOFF_RESET`. */
  consecutive: number;
  lastAttemptAt: number | null;
  /** When it was seen healthy, and has stayed so since; null while not healthy. */
  healthySince: number | null;
  /** When autoheal gave up on it; null while armed. */
  gaveUpAt: number | null;
  /** This unhealthy spell was already reported (action `notify`); cleared when healthy. */
  notified: boolean;
}

export interface AuditStore {
  /** Opens the store (reads the file, recovers a corrupt one). Call once before anything else. */
  open(): Promise<void>;
  /**
   * Records an event. Synchronous: the event is in memory (and visible to `list`) at once,
   * and reaches the disk with the next coalesced write. Never throws for I/O problems.
   * A `restart` event with status `success` increments the name's restart count first.
   */
  append(event: NewAuditEvent): AuditEvent;
  /** Newest first, filtered. */
  list(query?: EventQuery): AuditEvent[];
  /** Successful restarts autoheal has made of this container name. */
  restartCount(name: string): number;
  /** ISO time of autoheal's last successful restart of this name, or null. */
  lastRestartAt(name: string): string | null;
  /** Remembers that this container id was enrolled; true the first time only (persisted). */
  markMonitored(id: string): boolean;
  /** Forgets a destroyed container's id (its audit history stays). */
  forgetMonitored(id: string): void;
  /** Ids with per-container state (monitored, or a heal record), so a reconcile can prune the gone. */
  knownContainerIds(): string[];
  getHealRecord(id: string): HealRecord | null;
  /** Stores (or, with null, forgets) a container's heal record. */
  setHealRecord(id: string, record: HealRecord | null): void;
  getList(name: ListName): string[];
  setList(name: ListName, entries: string[]): void;
  /** Called for every appended event, after it is stored. Returns an unsubscribe function. */
  subscribe(listener: (event: AuditEvent) => void): () => void;
  /** Writes anything pending now. Resolves even when the write fails (the failure is logged). */
  flush(): Promise<void>;
  /** Flushes and stops the write timer. */
  close(): Promise<void>;
  /** Health of the persistence: last write error, if the last write failed. */
  writeStatus(): { ok: boolean; lastError: string | null; pendingWrites: boolean };
}
