/**
 * The audit trail on disk, split into segments: `events/segment-<first id>.json`, each a
 * lowdb file of at most `segmentSize` events, oldest first. Only the newest segment is in
 * memory and only it is rewritten by a write, so a write costs the same whatever the size of
 * the history; the cap drops whole old segments. A sealed segment has a small summary beside
 * it (`.meta.json`: id range, newest timestamp, its successful restarts) so that opening and
 * listing do not read the whole history. (Longer than ~300 lines: opening, recovering a
 * damaged segment, reading old segments and sealing are one file format and its one
 * writer; splitting them would spread that format over several files.)
 */

import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Low } from 'lowdb';
import { z } from 'zod';
import type { Logger } from '../log.js';
import { errorText } from '../shared/errors.js';
import {
  AtomicJsonFile,
  ensurePrivateDirectory,
  type FileWriter,
  removeFile,
  renameFile,
  writeFileAtomic,
} from './atomic-file.js';
import {
  auditEventSchema,
  collectMatches,
  deepFreeze,
  isSuccessfulRestart,
  normalizeQuery,
  type RestartEntry,
  readAuditEvent,
  TrailBase,
  type TrailOptions,
} from './audit-trail.js';
import type { AuditEvent, EventQuery } from './types.js';

/** Events per segment, or a quarter of the cap when that is smaller. */
export const DEFAULT_SEGMENT_SIZE = 1000;
const SEGMENT_VERSION = 2;
/** Old segments read back for paging, kept so that the next page does not read them again. */
const READ_CACHE_SEGMENTS = 2;

interface SegmentDocument {
  version: number;
  events: unknown[];
}

const metaSchema = z.object({
  version: z.literal(SEGMENT_VERSION),
  first_id: z.number().int().positive(),
  last_id: z.number().int().positive(),
  count: z.number().int().nonnegative(),
  max_timestamp: z.string(),
  restarts: z.array(z.tuple([z.number().int().positive(), z.string(), z.string()])),
});
type SegmentMeta = z.output<typeof metaSchema>;

interface Segment {
  firstId: number;
  lastId: number;
  count: number;
  /** The newest timestamp in it (clocks can step back, so not necessarily the last event's). */
  maxTimestamp: string;
  restarts: RestartEntry[];
  /** The events, while it is the newest segment or not yet on disk; null when only on disk. */
  events: AuditEvent[] | null;
  /** Full: no event is added any more. */
  sealed: boolean;
  /** Holds events the file does not have yet. */
  dirty: boolean;
  /** Its summary is on disk (sealed segments only). */
  metaSaved: boolean;
}

/** Something found wrong at open, for the store to log and record. */
export interface TrailProblem {
  file: string;
  problem: string;
  movedTo?: string;
  droppedRecords?: number;
}

export interface SegmentedTrailOptions extends TrailOptions {
  /** The directory of the segments, `<data dir>/events`. */
  dir: string;
  segmentSize?: number;
  writer?: FileWriter;
  logger: Logger;
}

const SEGMENT_NAME = /^segment-(\d{12})\.json$/;

/** Names the run of ids the history hands out (see `AuditTrail.epoch`). */
const EPOCH_FILE = 'epoch.json';
const epochSchema = z.object({ epoch: z.string().regex(/^[A-Za-z0-9-]{1,100}$/) });

function segmentName(firstId: number): string {
  return `segment-${String(firstId).padStart(12, '0')}.json`;
}

export class SegmentedTrail extends TrailBase {
  readonly #dir: string;
  readonly #segmentSize: number;
  readonly #writer: FileWriter;
  readonly #logger: Logger;
  readonly #now: () => Date;
  /** Oldest first; the last one is the newest, where events are added. */
  #segments: Segment[] = [];
  /** Files of segments that left the history, to delete at the next write. */
  #drops: number[] = [];
  readonly #readCache = new Map<number, AuditEvent[]>();
  #onChange: () => void = () => {};
  /** The directory is known to exist (checked again after a failed write). */
  #dirReady = false;
  /** The epoch is new and not yet on disk. */
  #epochDirty = false;

  constructor(options: SegmentedTrailOptions) {
    super(options);
    // A small cap gets small segments, so the disk never holds much more than the cap.
    const size =
      options.segmentSize ?? Math.min(DEFAULT_SEGMENT_SIZE, Math.max(1, Math.ceil(options.eventsMax / 4)));
    if (!Number.isInteger(size) || size < 1) throw new Error(`segmentSize must be at least 1, got ${size}`);
    this.#dir = options.dir;
    this.#segmentSize = size;
    this.#writer = options.writer ?? writeFileAtomic;
    this.#logger = options.logger;
    this.#now = options.now;
  }

  /** Told after every change that a write is due. */
  onChange(callback: () => void): void {
    this.#onChange = callback;
  }

  /** How many segments the history has (on disk or about to be). */
  get segmentCount(): number {
    return this.#segments.length;
  }

  /** Events held in memory: the newest segment and any not yet written (for tests of the footprint). */
  get eventsInMemory(): number {
    return this.#segments.reduce((n, s) => n + (s.events?.length ?? 0), 0);
  }

  /** Names tracked for restart counts (for tests of the pruning). */
  get restartNames(): number {
    return this.tally.names;
  }

  protected keep(event: AuditEvent): void {
    let newest = this.#segments.at(-1);
    if (newest === undefined || newest.sealed || newest.count >= this.#segmentSize) {
      if (newest !== undefined) newest.sealed = true;
      newest = {
        firstId: event.id,
        lastId: event.id,
        count: 0,
        maxTimestamp: event.timestamp,
        restarts: [],
        events: [],
        sealed: false,
        dirty: true,
        metaSaved: false,
      };
      this.#segments.push(newest);
    }
    add(newest, event);
    this.#applyCap();
    this.#onChange();
  }

  /** Drops the segments wholly older than the newest `eventsMax` ids. */
  #applyCap(): void {
    const minId = this.nextId - this.eventsMax;
    while (this.#segments.length > 0 && this.#segments[0]!.lastId < minId) {
      const gone = this.#segments.shift()!;
      this.#drops.push(gone.firstId);
      this.#readCache.delete(gone.firstId);
    }
  }

  /** Changes not on disk yet. */
  hasChanges(): boolean {
    return (
      this.#epochDirty ||
      this.#drops.length > 0 ||
      this.#segments.some((s) => s.dirty || (s.sealed && !s.metaSaved))
    );
  }

  /**
   * Writes what changed: the segments with new events (in practice the newest, plus one just
   * sealed), the summaries of sealed ones, and deletes the segments that left the history.
   * What fails stays pending for the next call.
   */
  async save(): Promise<void> {
    const work = this.#segments
      .filter((s) => s.dirty || (s.sealed && !s.metaSaved))
      .map((segment) => ({ segment, events: segment.dirty ? segment.events!.slice() : null }));
    for (const { segment, events } of work) if (events !== null) segment.dirty = false;
    const drops = this.#drops.splice(0);
    let done = 0;
    try {
      if (!this.#dirReady && (work.length > 0 || drops.length > 0 || this.#epochDirty)) {
        await ensurePrivateDirectory(this.#dir, false);
        this.#dirReady = true;
      }
      if (this.#epochDirty) {
        this.#epochDirty = false;
        try {
          await this.#writer(join(this.#dir, EPOCH_FILE), JSON.stringify({ epoch: this.epochId }));
        } catch (error) {
          this.#epochDirty = true;
          throw error;
        }
      }
      for (const { segment, events } of work) {
        if (events !== null) {
          const low = new Low<SegmentDocument>(this.#adapter(segmentName(segment.firstId)), {
            version: SEGMENT_VERSION,
            events: [],
          });
          low.data = { version: SEGMENT_VERSION, events };
          await low.write();
        }
        if (segment.sealed) {
          await this.#writer(this.#metaPath(segment.firstId), JSON.stringify(toMeta(segment)));
          segment.metaSaved = true;
          // Sealed and on disk: only its summary stays in memory.
          if (!segment.dirty) segment.events = null;
        }
        done++;
      }
      for (const firstId of drops) {
        await removeFile(this.#metaPath(firstId));
        await removeFile(join(this.#dir, segmentName(firstId)));
      }
    } catch (error) {
      this.#dirReady = false;
      for (const { segment, events } of work.slice(done)) if (events !== null) segment.dirty = true;
      this.#drops.unshift(...drops);
      throw error;
    }
  }

  async find(query: EventQuery = {}): Promise<AuditEvent[]> {
    const q = normalizeQuery(query);
    const found: AuditEvent[] = [];
    if (q.limit <= 0) return found;
    const minId = this.nextId - this.eventsMax;
    for (let i = this.#segments.length - 1; i >= 0 && found.length < q.limit; i--) {
      const segment = this.#segments[i]!;
      if (q.beforeId !== undefined && segment.firstId >= q.beforeId) continue;
      if (q.afterId !== undefined && segment.lastId <= q.afterId) break;
      if (q.since !== undefined && segment.maxTimestamp < q.since) continue;
      const events = segment.events ?? (await this.#readSealed(segment));
      if (!collectMatches(events, q, minId, found)) break;
    }
    return found;
  }

  /**
   * Reads the segments in `dir`: the summaries of the sealed ones and the newest one whole.
   * A segment that is not JSON is moved aside (the rest of the history stays); a record that
   * is not an event is dropped on its own. Returns what was wrong, for the store to record.
   */
  async open(): Promise<TrailProblem[]> {
    const problems: TrailProblem[] = [];
    const firstIds = await this.#segmentIds();
    const segments: Segment[] = [];
    for (const [index, firstId] of firstIds.entries()) {
      const newest = index === firstIds.length - 1;
      const meta = newest ? null : await this.#readMeta(firstId);
      if (meta !== null) {
        segments.push(fromMeta(meta));
        continue;
      }
      const read = await this.#readSegmentFile(firstId, problems);
      if (read === null || read.length === 0) continue;
      const segment = summarize(read, !newest);
      // A sealed segment whose summary was lost gets it back at the next write.
      if (!newest) segment.events = read;
      segments.push(segment);
    }
    this.#segments = segments;
    this.nextId = Math.max(this.nextId, (segments.at(-1)?.lastId ?? 0) + 1);
    // The epoch goes on only while the ids surely do: with no history, or with a segment set
    // aside (the newest may have been it), ids may be handed out again, so a new one starts.
    const kept =
      segments.length > 0 && !problems.some((p) => p.movedTo !== undefined) ? await this.#readEpoch() : null;
    if (kept !== null) this.epochId = kept;
    else this.#epochDirty = true;
    for (const segment of segments) for (const entry of segment.restarts) this.tally.add(entry);
    this.#applyCap();
    this.tally.dropBelow(this.nextId - this.eventsMax);
    return problems;
  }

  /**
   * Takes over the events of an older data directory (oldest first), before anything is
   * appended; they are written at the next save.
   */
  adopt(events: AuditEvent[], nextId: number): void {
    this.#epochDirty = true;
    const sorted = events.map((e) => deepFreeze(e)).sort((a, b) => a.id - b.id);
    this.#drops.push(...this.#segments.map((s) => s.firstId));
    this.#segments = [];
    for (let i = 0; i < sorted.length; i += this.#segmentSize) {
      const chunk = sorted.slice(i, i + this.#segmentSize);
      const segment = summarize(chunk, i + this.#segmentSize < sorted.length);
      segment.dirty = true;
      this.#segments.push(segment);
    }
    this.nextId = Math.max(nextId, (sorted.at(-1)?.id ?? 0) + 1);
    for (const segment of this.#segments) for (const entry of segment.restarts) this.tally.add(entry);
    this.#applyCap();
    this.tally.dropBelow(this.nextId - this.eventsMax);
    this.#onChange();
  }

  /** Deletes every segment file in the directory (an interrupted earlier migration's). */
  async clearDirectory(): Promise<void> {
    for (const firstId of await this.#segmentIds()) {
      await removeFile(this.#metaPath(firstId));
      await removeFile(join(this.#dir, segmentName(firstId)));
    }
  }

  #adapter(name: string): AtomicJsonFile<SegmentDocument> {
    return new AtomicJsonFile<SegmentDocument>(join(this.#dir, name), this.#writer);
  }

  #metaPath(firstId: number): string {
    return join(this.#dir, segmentName(firstId).replace(/\.json$/, '.meta.json'));
  }

  async #readEpoch(): Promise<string | null> {
    try {
      const raw = await new AtomicJsonFile<unknown>(join(this.#dir, EPOCH_FILE)).read();
      const parsed = epochSchema.safeParse(raw);
      return parsed.success ? parsed.data.epoch : null;
    } catch {
      return null;
    }
  }

  async #segmentIds(): Promise<number[]> {
    let names: string[];
    try {
      names = await readdir(this.#dir);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    return names
      .map((name) => SEGMENT_NAME.exec(name)?.[1])
      .filter((id): id is string => id !== undefined)
      .map(Number)
      .sort((a, b) => a - b);
  }

  async #readMeta(firstId: number): Promise<SegmentMeta | null> {
    try {
      const raw = await new AtomicJsonFile<unknown>(this.#metaPath(firstId)).read();
      const parsed = metaSchema.safeParse(raw);
      return parsed.success && parsed.data.first_id === firstId ? parsed.data : null;
    } catch {
      return null;
    }
  }

  /** The valid events of one segment file, oldest first; null when the file is unusable. */
  async #readSegmentFile(firstId: number, problems: TrailProblem[]): Promise<AuditEvent[] | null> {
    const file = join(this.#dir, segmentName(firstId));
    let raw: SegmentDocument | null;
    try {
      raw = await this.#adapter(segmentName(firstId)).read();
    } catch (error) {
      if (!(error instanceof SyntaxError)) throw new Error(`cannot read ${file}: ${errorText(error)}`);
      const movedTo = `${file}.corrupt-${this.#now().toISOString().replace(/:/g, '-')}`;
      await renameFile(file, movedTo);
      await removeFile(this.#metaPath(firstId));
      problems.push({ file, problem: `not valid JSON: ${error.message}`, movedTo });
      return null;
    }
    const records = raw !== null && Array.isArray(raw.events) ? raw.events : [];
    const events: AuditEvent[] = [];
    let dropped = 0;
    let firstProblem = '';
    for (const record of records) {
      const event = readAuditEvent(record);
      if (event !== null) events.push(deepFreeze(event));
      else {
        dropped++;
        firstProblem ||= auditEventSchema.safeParse(record).error?.issues[0]?.message ?? 'invalid';
      }
    }
    if (raw === null || !Array.isArray(raw.events)) {
      problems.push({ file, problem: 'it holds no list of events' });
    } else if (dropped > 0) {
      problems.push({
        file,
        problem: `${dropped} record(s) are not events: ${firstProblem}`,
        droppedRecords: dropped,
      });
    }
    events.sort((a, b) => a.id - b.id);
    return events;
  }

  /** A sealed segment's events, from disk (a few recently read ones are kept). */
  async #readSealed(segment: Segment): Promise<AuditEvent[]> {
    const cached = this.#readCache.get(segment.firstId);
    if (cached !== undefined) return cached;
    const problems: TrailProblem[] = [];
    let events: AuditEvent[];
    try {
      events = (await this.#readSegmentFile(segment.firstId, problems)) ?? [];
    } catch (error) {
      this.#logger.error({ err: error }, 'cannot read an old segment of the audit history');
      return [];
    }
    for (const p of problems)
      this.#logger.error(p, `an old segment of the audit history is damaged: ${p.problem}`);
    this.#readCache.set(segment.firstId, events);
    if (this.#readCache.size > READ_CACHE_SEGMENTS) {
      const oldest = this.#readCache.keys().next().value;
      if (oldest !== undefined) this.#readCache.delete(oldest);
    }
    return events;
  }
}

function add(segment: Segment, event: AuditEvent): void {
  segment.events!.push(event);
  segment.count++;
  segment.lastId = event.id;
  if (event.timestamp > segment.maxTimestamp) segment.maxTimestamp = event.timestamp;
  if (event.container_name !== null && isSuccessfulRestart(event)) {
    segment.restarts.push({ id: event.id, name: event.container_name, at: event.timestamp });
  }
  segment.dirty = true;
}

/** A segment made of events already stored (oldest first, at least one). */
function summarize(events: AuditEvent[], sealed: boolean): Segment {
  const segment: Segment = {
    firstId: events[0]!.id,
    lastId: events[0]!.id,
    count: 0,
    maxTimestamp: events[0]!.timestamp,
    restarts: [],
    events: [],
    sealed,
    dirty: false,
    metaSaved: false,
  };
  for (const event of events) add(segment, event);
  segment.dirty = false;
  return segment;
}

function toMeta(s: Segment): SegmentMeta {
  return {
    version: SEGMENT_VERSION,
    first_id: s.firstId,
    last_id: s.lastId,
    count: s.count,
    max_timestamp: s.maxTimestamp,
    restarts: s.restarts.map((r) => [r.id, r.name, r.at] as [number, string, string]),
  };
}

function fromMeta(m: SegmentMeta): Segment {
  return {
    firstId: m.first_id,
    lastId: m.last_id,
    count: m.count,
    maxTimestamp: m.max_timestamp,
    restarts: m.restarts.map(([id, name, at]) => ({ id, name, at })),
    events: null,
    sealed: true,
    dirty: false,
    metaSaved: true,
  };
}
