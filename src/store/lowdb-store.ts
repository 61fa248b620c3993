/**
 * The store on disk, in the data directory (layout in docs/STORE.md): the audit history as
 * segments (`events/`), the lists and heal records in `state.json` with its last good copy
 * beside it, and the directory's lock. Owns the life cycle: locking, upgrading a directory
 * of the single-file format, recovering damaged files, and coalesced, one-at-a-time writes
 * that survive a disk refusing them. The entity interfaces themselves are answered by
 * ./entity-store.ts, shared with the memory store. (A little over ~300 lines: the life
 * cycle's steps share the lock and the write queue, so they stay one class.)
 */
import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '../log.js';
import { errorText } from '../shared/errors.js';
import {
  ensurePrivateDirectory,
  type FileWriter,
  removeLeftoverTemps,
  renameFile,
  writeFileAtomic,
} from './atomic-file.js';
import { currentIdentity, DataDirLock, type LockHolder, type LockIdentity } from './data-lock.js';
import { EntityStore } from './entity-store.js';
import { LEGACY_FILE, readLegacyFile } from './legacy-file.js';
import { SegmentedTrail, type TrailProblem } from './segmented-trail.js';
import { stateDocument } from './state.js';
import { exists, loadStateFile, saveStateFile, setAside } from './state-file.js';
import type { AuditStore, NewAuditEvent } from './types.js';

export const DEFAULT_WRITE_DELAY_MS = 100;
export const DEFAULT_RETRY_DELAY_MS = 5000;

export const EVENTS_DIR = 'events';

export interface LowdbStoreOptions {
  /** `AUTOHEAL_DATA_DIR`; created (0700) at open. */
  dataDir: string;
  eventsMax: number;
  logger: Logger;
  now?: () => Date;
  /** How long after a change the files are written, so a burst of changes is one write. */
  writeDelayMs?: number;
  /** After a failed write, when to try again even if nothing else changes. */
  retryDelayMs?: number;
  /** Events per history segment. */
  segmentSize?: number;
  /** Writes every file (default: the atomic writer). Tests pass a wrapper to count or break writes. */
  writer?: FileWriter;
  /** Who this process is, for the lock (default: read from the system). */
  identity?: Partial<LockIdentity>;
  /** The lock's heartbeat and staleness limit. */
  lockHeartbeatMs?: number;
  lockStaleAfterMs?: number;
  /** Called when another autoheal has taken the data directory over. */
  onLockLost?: (holder: LockHolder | null) => void;
}

export class LowdbStore extends EntityStore<SegmentedTrail> implements AuditStore {
  readonly #dir: string;
  readonly #options: LowdbStoreOptions;
  readonly #logger: Logger;
  readonly #now: () => Date;
  readonly #writeDelayMs: number;
  readonly #retryDelayMs: number;
  readonly #writer: FileWriter;
  #lock: DataDirLock | null = null;

  /** The state (lists, heal records) changed since the last snapshot handed to a write. */
  #stateDirty = false;
  #timer: NodeJS.Timeout | undefined;
  #timerDue = 0;
  /** The write in progress; every write waits for it, so two never overlap. */
  #inFlight: Promise<void> | null = null;
  #lastError: string | null = null;
  /** Write errors already logged since the last good write: a dead disk is one line, not one per event. */
  readonly #loggedErrors = new Set<string>();
  #closed = false;
  /** Events about the opening, recorded once the history is open (after its own events). */
  readonly #pending: NewAuditEvent[] = [];

  constructor(options: LowdbStoreOptions) {
    // main may hand over the root logger or one already bound to the store.
    const logger =
      options.logger.bindings().component === 'store'
        ? options.logger
        : options.logger.child({ component: 'store' });
    const now = options.now ?? (() => new Date());
    const writer = options.writer ?? writeFileAtomic;
    super(
      new SegmentedTrail({
        dir: join(options.dataDir, EVENTS_DIR),
        eventsMax: options.eventsMax,
        now,
        writer,
        logger,
        onListenerError: (error) => logger.error({ err: error }, 'an audit event subscriber failed'),
        ...(options.segmentSize !== undefined && { segmentSize: options.segmentSize }),
      }),
    );
    this.#options = options;
    this.#dir = options.dataDir;
    this.#logger = logger;
    this.#now = now;
    this.#writeDelayMs = options.writeDelayMs ?? DEFAULT_WRITE_DELAY_MS;
    this.#retryDelayMs = options.retryDelayMs ?? DEFAULT_RETRY_DELAY_MS;
    this.#writer = writer;
    this.history.onChange(() => this.#changed());
  }

  protected override stateChanged(): void {
    this.#stateChanged();
  }

  /** The history's segments (for tests of the layout). */
  get trail(): SegmentedTrail {
    return this.history;
  }

  async open(): Promise<void> {
    const dir = this.#dir;
    try {
      await ensurePrivateDirectory(dir);
    } catch (error) {
      throw new Error(`cannot create the data directory ${dir}: ${errorText(error)}`);
    }
    try {
      await access(dir, constants.R_OK | constants.W_OK | constants.X_OK);
    } catch (error) {
      throw new Error(`cannot use the data directory ${dir}: ${errorText(error)}`);
    }
    this.#lock = await DataDirLock.acquire({
      dir,
      identity: { ...currentIdentity(null), ...this.#options.identity },
      logger: this.#logger,
      now: this.#now,
      ...(this.#options.lockHeartbeatMs !== undefined && { heartbeatMs: this.#options.lockHeartbeatMs }),
      ...(this.#options.lockStaleAfterMs !== undefined && { staleAfterMs: this.#options.lockStaleAfterMs }),
      ...(this.#options.onLockLost !== undefined && { onLost: this.#options.onLockLost }),
    });
    try {
      // Only now: while another process held the directory, its temporary files were live.
      await removeLeftoverTemps(dir);
      await removeLeftoverTemps(join(dir, EVENTS_DIR));
      if (await exists(join(dir, LEGACY_FILE))) await this.#upgrade();
      else await this.#load();
    } catch (error) {
      await this.#lock.release().catch(() => undefined);
      this.#lock = null;
      throw error;
    }
  }

  /** Reads the state (falling back to its last good copy) and the history. */
  async #load(): Promise<void> {
    const loaded = await loadStateFile(this.#dir, this.#logger, this.#now);
    const state = loaded.doc;
    if (loaded.needsWrite) this.#stateDirty = true;
    for (const event of loaded.recorded) this.#recordLater(event);
    this.lists.load(state);
    this.holds.load(state);
    this.records.load(state);

    const problems = await this.history.open();
    for (const p of problems) this.#reportTrailProblem(p);
    this.#flushRecordLater();
    if (this.#stateDirty) this.#changed();
  }

  #reportTrailProblem(p: TrailProblem): void {
    if (p.movedTo !== undefined) {
      this.#logger.error(
        { file: p.file, problem: p.problem, moved_to: p.movedTo },
        `a segment of the audit history was unreadable (${p.problem}); moved it to ${p.movedTo}, the rest of the history is kept`,
      );
      this.#recordLater({
        event_type: 'config_change',
        status: 'history_set_aside',
        message: `A segment of the audit history was unreadable (${p.problem}); it was moved to ${p.movedTo}`,
        details: { moved_to: p.movedTo },
      });
    } else {
      this.#logger.error(
        { file: p.file, problem: p.problem },
        `dropped unreadable records of the audit history in ${p.file}: ${p.problem}`,
      );
    }
  }

  /**
   * Upgrades a directory written by the single-file versions: its lists, heal records and
   * history move into the new layout, which is on disk before the old file is renamed to
   * `autoheal.json.migrated` (so an interrupted upgrade runs again from the start).
   */
  async #upgrade(): Promise<void> {
    const legacy = join(this.#dir, LEGACY_FILE);
    const read = await readLegacyFile(legacy);
    if (read.kind === 'unreadable') {
      const problem = read.problem;
      const movedTo = await setAside(legacy, this.#now);
      this.#logger.error(
        { file: legacy, problem, moved_to: movedTo },
        `the store file was unreadable (${problem}); moved it to ${movedTo} and started a fresh store`,
      );
      await this.history.clearDirectory();
      await this.#load();
      this.append({
        event_type: 'config_change',
        status: 'store_reset',
        message: `The store file was unreadable (${problem}); it was moved to ${movedTo} and a fresh store was started`,
        details: { moved_to: movedTo },
      });
      return;
    }
    const { events, state, nextId, droppedEvents: dropped } = read;
    if (dropped > 0 || read.droppedRecords.length > 0) {
      this.#logger.error(
        { file: legacy, dropped_events: dropped, dropped_records: read.droppedRecords },
        `dropped unreadable records while upgrading ${legacy}; the others were kept`,
      );
    }
    await this.history.clearDirectory();
    this.history.adopt(events, nextId);
    this.lists.load(state);
    this.holds.load(state);
    this.records.load(state);
    this.#stateDirty = true;
    await this.#drain();
    if (this.#lastError !== null) {
      throw new Error(`cannot upgrade the data directory from ${LEGACY_FILE}: ${this.#lastError}`);
    }
    await renameFile(legacy, `${legacy}.migrated`);
    const healRecords = Object.keys(state.heal_records).length;
    this.#logger.info(
      { file: legacy, events: events.length, heal_records: healRecords },
      `upgraded the data directory from ${LEGACY_FILE} (kept as ${LEGACY_FILE}.migrated)`,
    );
    this.append({
      event_type: 'config_change',
      status: 'store_upgraded',
      message: `The data directory was upgraded from ${LEGACY_FILE}: ${events.length} events, ${healRecords} heal records and the lists were kept`,
      details: { events: events.length, heal_records: healRecords, dropped_events: dropped },
    });
  }

  #recordLater(event: NewAuditEvent): void {
    this.#pending.push(event);
  }
  #flushRecordLater(): void {
    for (const event of this.#pending.splice(0)) this.append(event);
  }

  async flush(): Promise<void> {
    this.#clearTimer();
    await this.#drain();
  }

  async close(): Promise<void> {
    this.#closed = true;
    await this.flush();
    // A failed final write may have armed a retry; after close nothing may keep the process up.
    this.#clearTimer();
    await this.#lock?.release().catch((error: unknown) => {
      this.#logger.warn({ err: errorText(error) }, 'cannot remove the data directory lock');
    });
    this.#lock = null;
  }

  writeStatus(): { ok: boolean; lastError: string | null; pendingWrites: boolean } {
    return {
      ok: this.#lastError === null,
      lastError: this.#lastError,
      pendingWrites: this.#stateDirty || this.history.hasChanges() || this.#inFlight !== null,
    };
  }

  #stateChanged(): void {
    this.#stateDirty = true;
    this.#changed();
  }

  #changed(): void {
    // After close only an explicit flush writes: no timer may outlive the store.
    if (!this.#closed) this.#schedule(this.#writeDelayMs);
  }

  /** Arms the write timer, unless one is already due sooner. */
  #schedule(delayMs: number): void {
    const due = Date.now() + delayMs;
    if (this.#timer !== undefined) {
      if (this.#timerDue <= due) return;
      clearTimeout(this.#timer);
    }
    this.#timerDue = due;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      void this.#drain();
    }, delayMs);
    this.#timer.unref();
  }

  #clearTimer(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  /** Writes what changed, after any write in progress. Never rejects. */
  async #drain(): Promise<void> {
    while (this.#inFlight !== null) await this.#inFlight;
    if (!this.#stateDirty && !this.history.hasChanges()) return;
    // The `finally` clears the slot before any waiter resumes, so exactly one of them starts the next write.
    this.#inFlight = this.#writeOnce().finally(() => {
      this.#inFlight = null;
    });
    await this.#inFlight;
  }

  async #writeOnce(): Promise<void> {
    const state = this.#stateDirty ? stateDocument(this.lists, this.records, this.holds) : null;
    this.#stateDirty = false;
    try {
      // The history first: the state may refer to what the history says happened.
      await this.history.save();
      if (state !== null) await saveStateFile(this.#dir, state, this.#writer);
    } catch (error) {
      // Nothing is lost: the changes are still in memory and the next write carries them all.
      if (state !== null) this.#stateDirty = true;
      const text = errorText(error);
      this.#lastError = text;
      if (!this.#loggedErrors.has(text)) {
        this.#loggedErrors.add(text);
        this.#logger.error(
          { err: error, dir: this.#dir },
          `cannot write to the data directory ${this.#dir}; changes are kept in memory and the write will be retried`,
        );
      }
      if (!this.#closed) this.#schedule(this.#retryDelayMs);
      return;
    }
    if (this.#lastError !== null) {
      this.#logger.info(
        { dir: this.#dir, last_error: this.#lastError },
        `the data directory ${this.#dir} is writable again; pending changes were saved`,
      );
      this.#lastError = null;
      this.#loggedErrors.clear();
    }
  }
}
