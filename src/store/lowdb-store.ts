/**
 * The audit store on disk: the AuditLog persisted as one lowdb JSON file, written in
 * coalesced, atomic, one-at-a-time writes. Owns the file's life cycle: opening, setting a
 * corrupt file aside, and surviving a disk that refuses writes.
 */
import { constants } from 'node:fs';
import { access, mkdir, rename, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { type Adapter, Low } from 'lowdb';
import { JSONFile } from 'lowdb/node';
import type { Logger } from '../log.js';
import { errorText } from '../shared/errors.js';
import { type StoreDocument, storeDocumentSchema } from './audit-log.js';
import { MemoryStore } from './memory-store.js';

export const DEFAULT_WRITE_DELAY_MS = 100;
export const DEFAULT_RETRY_DELAY_MS = 5000;

export interface LowdbStoreOptions {
  /** `<data dir>/autoheal.json`; its directory is created at open. */
  file: string;
  eventsMax: number;
  logger: Logger;
  now?: () => Date;
  /** How long after a change the file is written, so a burst of changes is one write. */
  writeDelayMs?: number;
  /** After a failed write, when to try again even if nothing else changes. */
  retryDelayMs?: number;
  /**
   * Defaults to lowdb's JSONFile on `file` (whose steno writer writes a temporary file and
   * renames it). Tests pass a wrapper to count or break writes.
   */
  adapter?: Adapter<StoreDocument>;
}

export class LowdbStore extends MemoryStore {
  readonly #file: string;
  readonly #logger: Logger;
  readonly #now: () => Date;
  readonly #writeDelayMs: number;
  readonly #retryDelayMs: number;
  readonly #low: Low<StoreDocument>;

  /** Something changed since the last snapshot handed to a write. */
  #dirty = false;
  #timer: NodeJS.Timeout | undefined;
  #timerDue = 0;
  /** The write in progress; every write waits for it, so two never overlap. */
  #inFlight: Promise<void> | null = null;
  #lastError: string | null = null;
  /** Write errors already logged since the last good write: a dead disk is one line, not one per event. */
  readonly #loggedErrors = new Set<string>();
  #closed = false;

  constructor(options: LowdbStoreOptions) {
    // main may hand over the root logger or one already bound to the store.
    const logger =
      options.logger.bindings().component === 'store'
        ? options.logger
        : options.logger.child({ component: 'store' });
    const now = options.now ?? (() => new Date());
    super({ eventsMax: options.eventsMax, now, logger });
    this.#file = options.file;
    this.#logger = logger;
    this.#now = now;
    this.#writeDelayMs = options.writeDelayMs ?? DEFAULT_WRITE_DELAY_MS;
    this.#retryDelayMs = options.retryDelayMs ?? DEFAULT_RETRY_DELAY_MS;
    this.#low = new Low<StoreDocument>(
      options.adapter ?? new JSONFile<StoreDocument>(options.file),
      this.log.toDocument(),
    );
  }

  override async open(): Promise<void> {
    const dir = dirname(this.#file);
    try {
      await mkdir(dir, { recursive: true });
    } catch (error) {
      throw new Error(`cannot create the data directory ${dir}: ${errorText(error)}`);
    }
    try {
      await access(dir, constants.R_OK | constants.X_OK);
    } catch (error) {
      throw new Error(`cannot read the data directory ${dir}: ${errorText(error)}`);
    }

    const problem = await this.#load();
    if (problem !== null) await this.#setAside(problem);
  }

  /** Loads the file into the log; returns why the file is unusable, or null. */
  async #load(): Promise<string | null> {
    let raw: unknown;
    try {
      raw = await this.#low.adapter.read();
    } catch (error) {
      if (error instanceof SyntaxError) return `not valid JSON: ${error.message}`;
      throw new Error(`cannot read the store file ${this.#file}: ${errorText(error)}`);
    }
    if (raw === null) {
      // JSONFile answers null both for a missing file and for a file that says `null`.
      return (await exists(this.#file)) ? 'it holds null instead of an object' : null;
    }
    const parsed = storeDocumentSchema.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const where = issue && issue.path.length > 0 ? ` at ${issue.path.join('.')}` : '';
      return `wrong shape${where}: ${issue?.message ?? 'invalid'}`;
    }
    this.log.load(parsed.data);
    return null;
  }

  /**
   * Moves an unusable file out of the way instead of refusing to start: a crash loop would
   * stop all healing, while the old file stays available for a person to inspect.
   */
  async #setAside(problem: string): Promise<void> {
    const movedTo = `${this.#file}.corrupt-${this.#now().toISOString().replace(/:/g, '-')}`;
    try {
      await rename(this.#file, movedTo);
    } catch (error) {
      // Starting fresh here would overwrite the old file at the first write.
      throw new Error(
        `the store file ${this.#file} is unreadable (${problem}) and cannot be moved aside: ${errorText(error)}`,
      );
    }
    this.#logger.error(
      { file: this.#file, moved_to: movedTo, problem },
      `the store file was unreadable (${problem}); moved it to ${movedTo} and started a fresh store`,
    );
    this.append({
      event_type: 'config_change',
      status: 'store_reset',
      message: `The store file was unreadable (${problem}); it was moved to ${movedTo} and a fresh store was started`,
      details: { moved_to: movedTo },
    });
  }

  override async flush(): Promise<void> {
    this.#clearTimer();
    await this.#drain();
  }

  override async close(): Promise<void> {
    this.#closed = true;
    await this.flush();
    // A failed final write may have armed a retry; after close nothing may keep the process up.
    this.#clearTimer();
  }

  override writeStatus(): { ok: boolean; lastError: string | null; pendingWrites: boolean } {
    return {
      ok: this.#lastError === null,
      lastError: this.#lastError,
      pendingWrites: this.#dirty || this.#inFlight !== null,
    };
  }

  protected override changed(): void {
    this.#dirty = true;
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

  /** Writes the current state if it changed, after any write in progress. Never rejects. */
  async #drain(): Promise<void> {
    while (this.#inFlight !== null) await this.#inFlight;
    if (!this.#dirty) return;
    this.#dirty = false;
    this.#low.data = this.log.toDocument();
    // The `finally` clears the slot before any waiter resumes, so exactly one of them starts the next write.
    this.#inFlight = this.#writeOnce().finally(() => {
      this.#inFlight = null;
    });
    await this.#inFlight;
  }

  async #writeOnce(): Promise<void> {
    try {
      await this.#low.write();
    } catch (error) {
      // Nothing is lost: the events are still in memory and the next write carries them all.
      this.#dirty = true;
      const text = errorText(error);
      this.#lastError = text;
      if (!this.#loggedErrors.has(text)) {
        this.#loggedErrors.add(text);
        this.#logger.error(
          { err: error, file: this.#file },
          `cannot write the store file ${this.#file}; events are kept in memory and the write will be retried`,
        );
      }
      if (!this.#closed) this.#schedule(this.#retryDelayMs);
      return;
    }
    if (this.#lastError !== null) {
      this.#logger.info(
        { file: this.#file, last_error: this.#lastError },
        `the store file ${this.#file} is writable again; pending events were saved`,
      );
      this.#lastError = null;
      this.#loggedErrors.clear();
    }
  }
}

async function exists(file: string): Promise<boolean> {
  try {
    await stat(file);
    return true;
  } catch {
    return false;
  }
}
