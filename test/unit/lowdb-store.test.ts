/**
 * What only the lowdb store has to get right: the file on disk. Every test works in its own
 * temporary directory with the real JSONFile adapter (never JSONFilePreset).
 */
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { JSONFile } from 'lowdb/node';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { silentLogger } from '../../src/log.js';
import type { StoreDocument } from '../../src/store/audit-log.js';
import { LowdbStore, type LowdbStoreOptions } from '../../src/store/lowdb-store.js';
import type { NewAuditEvent } from '../../src/store/types.js';

let dir: string;
let dataDir: string;
let file: string;
const opened: LowdbStore[] = [];

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'autoheal-lowdb-'));
  dataDir = join(dir, 'data');
  file = join(dataDir, 'autoheal.json');
});

afterEach(async () => {
  for (const store of opened.splice(0)) await store.close();
  await rm(dir, { recursive: true, force: true });
});

async function openStore(options: Partial<LowdbStoreOptions> = {}): Promise<LowdbStore> {
  const store = new LowdbStore({
    file,
    eventsMax: 5000,
    logger: silentLogger(),
    writeDelayMs: 5,
    ...options,
  });
  await store.open();
  opened.push(store);
  return store;
}

async function readDoc(path = file): Promise<StoreDocument> {
  return JSON.parse(await readFile(path, 'utf-8')) as StoreDocument;
}

/** The real adapter, with every write counted, timed and optionally slowed down. */
class CountingFile extends JSONFile<StoreDocument> {
  writes = 0;
  active = 0;
  maxActive = 0;
  constructor(
    path: string,
    private readonly delayMs = 0,
  ) {
    super(path);
  }
  override async write(data: StoreDocument): Promise<void> {
    this.writes++;
    this.active++;
    this.maxActive = Math.max(this.maxActive, this.active);
    try {
      if (this.delayMs > 0) await sleep(this.delayMs);
      await super.write(data);
    } finally {
      this.active--;
    }
  }
}

/** A pino logger whose lines the test can read. */
function capturingLogger() {
  const lines: Array<Record<string, unknown>> = [];
  const logger = pino({ level: 'debug' }, { write: (line: string) => lines.push(JSON.parse(line)) });
  return { logger, lines };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

const event = (message = 'engine connected'): NewAuditEvent => ({
  event_type: 'engine',
  status: 'connected',
  message,
});

describe('the lowdb store on disk', () => {
  it('keeps events, lists, monitored ids and restart counts across a reopen, and ids keep increasing', async () => {
    const first = await openStore();
    first.append({
      event_type: 'restart',
      container_name: 'web',
      container_id: 'abc',
      status: 'success',
      message: 'x',
    });
    first.append(event());
    first.setList('excluded', ['test-*']);
    first.setList('selected', ['web']);
    first.markMonitored('abc');
    const record = {
      name: 'web',
      attempts: [1, 2],
      consecutive: 2,
      lastAttemptAt: 2,
      healthySince: null,
      gaveUpAt: null,
      notified: false,
    };
    first.setHealRecord('abc', record);
    await first.close();

    const second = await openStore();

    expect(second.list().map((e) => e.id)).toEqual([2, 1]);
    expect(second.list()).toEqual(first.list());
    expect(second.getList('excluded')).toEqual(['test-*']);
    expect(second.getList('selected')).toEqual(['web']);
    expect(second.markMonitored('abc')).toBe(false);
    expect(second.restartCount('web')).toBe(1);
    expect(second.lastRestartAt('web')).toBe(first.lastRestartAt('web'));
    expect(second.append(event()).id).toBe(3);
    expect(second.getHealRecord('abc')).toEqual(record);
    // Same ids, same epoch: a client resuming from an id may keep what it holds.
    expect(second.epoch()).toBe(first.epoch());
  });

  it('writes the documented shape, oldest event first', async () => {
    const store = await openStore();
    store.append(event('one'));
    store.append({ event_type: 'restart', container_name: 'web', status: 'success', message: 'two' });
    store.markMonitored('abc');
    await store.flush();

    const doc = await readDoc();
    expect(Object.keys(doc).sort()).toEqual(
      [
        'events',
        'excluded',
        'heal_records',
        'monitored_ids',
        'next_id',
        'epoch',
        'restarts',
        'selected',
        'version',
      ].sort(),
    );
    expect(doc.version).toBe(1);
    expect(doc.next_id).toBe(3);
    expect(doc.events.map((e) => e.message)).toEqual(['one', 'two']);
    expect(doc.monitored_ids).toEqual(['abc']);
    expect(doc.restarts.web).toEqual({ count: 1, last_at: doc.events[1]?.timestamp });
  });

  it('opens a file with missing keys by filling in the defaults', async () => {
    await mkdir(dataDir);
    await writeFile(
      file,
      JSON.stringify({
        events: [
          {
            id: 7,
            timestamp: '2026-01-01T00:00:00.000Z',
            event_type: 'engine',
            status: 'connected',
            message: 'm',
          },
        ],
      }),
    );

    const store = await openStore();

    expect(store.list()).toEqual([
      {
        id: 7,
        timestamp: '2026-01-01T00:00:00.000Z',
        event_type: 'engine',
        container_id: null,
        container_name: null,
        status: 'connected',
        restart_count: null,
        message: 'm',
        details: {},
      },
    ]);
    expect(store.getList('excluded')).toEqual([]);
    expect(store.append(event()).id).toBe(8);
  });

  it('starts fresh, creating the directories, when there is no file yet', async () => {
    file = join(dataDir, 'nested', 'deeper', 'autoheal.json');

    const store = await openStore();
    store.append(event());
    await store.flush();

    expect((await readDoc()).events).toHaveLength(1);
  });

  it('refuses to open, with a clear message, when the data directory is a regular file', async () => {
    await writeFile(dataDir, 'not a directory');
    const store = new LowdbStore({ file, eventsMax: 10, logger: silentLogger() });

    await expect(store.open()).rejects.toThrow(`cannot create the data directory ${dataDir}`);
  });

  it('turns a burst of 500 appends into one write', async () => {
    const adapter = new CountingFile(file);
    const store = await openStore({ adapter, writeDelayMs: 50 });

    for (let i = 0; i < 500; i++) store.append(event(`event ${i}`));
    expect(adapter.writes).toBe(0);
    await vi.waitFor(() => expect(store.writeStatus().pendingWrites).toBe(false), { timeout: 5000 });
    await sleep(100);

    expect(adapter.writes).toBe(1);
    expect((await readDoc()).events).toHaveLength(500);
  });

  it('never runs two writes at once, and the last write holds every event', async () => {
    const adapter = new CountingFile(file, 20);
    const store = await openStore({ adapter, writeDelayMs: 1 });

    for (let i = 0; i < 20; i++) {
      store.append(event(`event ${i}`));
      await sleep(5);
    }
    const flushes = [store.flush(), store.flush(), store.flush()];
    await Promise.all(flushes);

    expect(adapter.maxActive).toBe(1);
    expect(adapter.writes).toBeGreaterThan(1);
    expect((await readDoc()).events).toHaveLength(20);
  });

  it('replaces the file by rename, so a reader never sees it half-written', async () => {
    // A cap keeps each write around 1 MB: long enough to be caught in the middle, short enough to repeat.
    const store = await openStore({ writeDelayMs: 0, eventsMax: 500 });
    store.append(event());
    await store.flush();
    const inodes = new Set<number>([(await stat(file)).ino]);

    let reading = true;
    let reads = 0;
    const failures: string[] = [];
    const reader = (async () => {
      while (reading) {
        try {
          const text = await readFile(file, 'utf-8');
          JSON.parse(text);
          reads++;
        } catch (error) {
          failures.push(String(error));
        }
        inodes.add((await stat(file)).ino);
      }
    })();

    // Keep writing until the reader has looked often enough, however busy the machine is.
    const details = { padding: 'x'.repeat(2000) };
    const deadline = Date.now() + 10_000;
    while (reads < 30 && Date.now() < deadline) {
      for (let i = 0; i < 50; i++) store.append({ ...event(), details });
      await sleep(2);
    }
    await store.flush();
    reading = false;
    await reader;

    expect(failures).toEqual([]);
    expect(reads).toBeGreaterThanOrEqual(30);
    // Writing in place would keep one inode; a rename brings a new one each time.
    expect(inodes.size).toBeGreaterThan(1);
    expect((await readDoc()).events).toHaveLength(500);
    expect((await readdir(dataDir)).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });

  it('applies the cap to the file too', async () => {
    const store = await openStore({ eventsMax: 10 });
    for (let i = 1; i <= 25; i++) store.append(event(`event ${i}`));
    await store.flush();

    const doc = await readDoc();
    expect(doc.events.map((e) => e.id)).toEqual([16, 17, 18, 19, 20, 21, 22, 23, 24, 25]);
    expect(doc.next_id).toBe(26);
  });

  it('trims a file that holds more events than the cap allows now', async () => {
    const big = await openStore({ eventsMax: 100 });
    for (let i = 0; i < 30; i++) big.append(event());
    await big.close();

    const small = await openStore({ eventsMax: 5 });

    expect(small.list({ limit: 1000 }).map((e) => e.id)).toEqual([30, 29, 28, 27, 26]);
    expect(small.append(event()).id).toBe(31);
  });

  it('keeps its epoch while its ids go on, and starts a new one when a corrupt file makes them start over', async () => {
    await mkdir(dataDir);
    await writeFile(file, JSON.stringify({ version: 1, next_id: 8, epoch: 'kept-epoch', events: [] }));
    expect((await openStore()).epoch()).toBe('kept-epoch');
    await writeFile(file, JSON.stringify({ version: 1, next_id: 8, epoch: 'old-epoch', events: 'nope' }));
    const fresh = await openStore();
    expect(fresh.list()[0]?.id).toBe(1);
    expect(fresh.epoch()).not.toBe('old-epoch');
  });

  describe('a corrupt file at open', () => {
    it.each([
      ['invalid JSON', '{"version": 1, "events": [', /not valid JSON/],
      ['a wrong shape', JSON.stringify({ version: 1, events: 'nope' }), /wrong shape at events/],
      [
        'an event of an unknown type',
        JSON.stringify({ events: [{ id: 1, event_type: 'bogus' }] }),
        /wrong shape/,
      ],
      ['null', 'null', /null/],
      ['an empty file', '', /not valid JSON/],
    ])(
      'holding %s is moved aside, the loss is logged and recorded, and a fresh store works',
      async (_, content, problem) => {
        await mkdir(dataDir);
        await writeFile(file, content);
        const { logger, lines } = capturingLogger();
        const clock = () => new Date('2026-11-21T12:34:56.789Z');
        const movedTo = `${file}.corrupt-2026-11-21T12-34-56.789Z`;

        const store = await openStore({ logger, now: clock });

        expect(await readFile(movedTo, 'utf-8')).toBe(content);
        const errors = lines.filter((line) => line.level === 50);
        expect(errors).toHaveLength(1);
        expect(errors[0]).toMatchObject({ component: 'store', moved_to: movedTo });
        expect(String(errors[0]?.msg)).toContain(movedTo);
        expect(String(errors[0]?.problem)).toMatch(problem);

        const [recorded] = store.list();
        expect(recorded).toMatchObject({
          id: 1,
          event_type: 'config_change',
          status: 'store_reset',
          container_name: null,
          details: { moved_to: movedTo },
        });
        expect(recorded?.message).toContain(movedTo);

        store.append(event());
        await store.close();
        const reopened = await openStore();
        expect(reopened.list().map((e) => e.status)).toEqual(['connected', 'store_reset']);
        expect(reopened.epoch()).toBe(store.epoch());
      },
    );
  });

  describe('when the disk refuses writes', () => {
    // Tests run as root, where chmod does not stop writes: remove the directory instead.
    it('append and flush do not throw, writeStatus tells, one log line per distinct error, and it recovers', async () => {
      const { logger, lines } = capturingLogger();
      const store = await openStore({ logger, retryDelayMs: 60_000 });
      store.append(event('before'));
      await store.flush();
      await rm(dataDir, { recursive: true });

      expect(() => store.append(event('during 1'))).not.toThrow();
      await expect(store.flush()).resolves.toBeUndefined();
      store.append(event('during 2'));
      await store.flush();
      await store.flush();

      const status = store.writeStatus();
      expect(status.ok).toBe(false);
      expect(status.lastError).toMatch(/ENOENT/);
      expect(status.pendingWrites).toBe(true);
      const errors = lines.filter((line) => line.level === 50);
      expect(errors).toHaveLength(1);
      expect(errors[0]).toMatchObject({ component: 'store', file });

      // A regular file where the directory was is a different error, worth its own line.
      await writeFile(dataDir, 'in the way');
      store.append(event('during 3'));
      await store.flush();
      expect(store.writeStatus().lastError).toMatch(/ENOTDIR/);
      expect(lines.filter((line) => line.level === 50)).toHaveLength(2);

      await rm(dataDir);
      await mkdir(dataDir);
      await store.flush();

      expect(store.writeStatus()).toEqual({ ok: true, lastError: null, pendingWrites: false });
      expect((await readDoc()).events.map((e) => e.message)).toEqual([
        'before',
        'during 1',
        'during 2',
        'during 3',
      ]);
      const recovered = lines.filter(
        (line) => line.level === 30 && String(line.msg).includes('writable again'),
      );
      expect(recovered).toHaveLength(1);
      expect(recovered[0]).toMatchObject({ component: 'store' });
    });

    it('tries again by itself after a failed write, even when nothing else happens', async () => {
      const store = await openStore({ retryDelayMs: 30 });
      await rm(dataDir, { recursive: true });
      store.append(event('kept'));
      await vi.waitFor(() => expect(store.writeStatus().ok).toBe(false), { timeout: 5000 });

      await mkdir(dataDir);

      await vi.waitFor(() => expect(store.writeStatus().ok).toBe(true), { timeout: 5000 });
      expect((await readDoc()).events.map((e) => e.message)).toEqual(['kept']);
    });
  });

  it('writes pending events on close, without waiting for the write delay', async () => {
    const adapter = new CountingFile(file);
    const store = new LowdbStore({
      file,
      eventsMax: 100,
      logger: silentLogger(),
      writeDelayMs: 60_000,
      adapter,
    });
    await store.open();
    store.append(event('pending'));
    expect(store.writeStatus().pendingWrites).toBe(true);

    await store.close();

    expect(adapter.writes).toBe(1);
    expect((await readDoc()).events.map((e) => e.message)).toEqual(['pending']);
    expect(store.writeStatus().pendingWrites).toBe(false);
  });

  it('after close, changes wait for an explicit flush instead of a timer', async () => {
    const adapter = new CountingFile(file);
    const store = await openStore({ adapter, writeDelayMs: 1 });
    await store.close();

    store.append(event('late'));
    await sleep(30);
    expect(adapter.writes).toBe(0);

    await store.flush();
    expect(adapter.writes).toBe(1);
  });
});
