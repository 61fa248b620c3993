/**
 * What only the lowdb store has to get right: the files in the data directory. Every test
 * works in its own temporary directory with the real atomic writer (wrapped, where a test
 * counts or breaks writes).
 */
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { silentLogger } from '../../../src/log.js';
import { type FileWriter, writeFileAtomic } from '../../../src/store/atomic-file.js';
import { LowdbStore, type LowdbStoreOptions } from '../../../src/store/lowdb-store.js';
import type { NewAuditEvent } from '../../../src/store/types.js';

let dir: string;
let dataDir: string;
const opened: LowdbStore[] = [];

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'autoheal-lowdb-'));
  dataDir = join(dir, 'data');
});

afterEach(async () => {
  vi.useRealTimers();
  for (const store of opened.splice(0)) await store.close();
  await rm(dir, { recursive: true, force: true });
});

async function openStore(options: Partial<LowdbStoreOptions> = {}): Promise<LowdbStore> {
  const store = new LowdbStore({
    dataDir,
    eventsMax: 5000,
    logger: silentLogger(),
    writeDelayMs: 5,
    ...options,
  });
  await store.open();
  opened.push(store);
  return store;
}

async function closeStore(store: LowdbStore): Promise<void> {
  await store.close();
  opened.splice(opened.indexOf(store), 1);
}

async function readJson(path: string): Promise<Record<string, unknown>> {
  return JSON.parse(await readFile(path, 'utf-8')) as Record<string, unknown>;
}

/** The writes of events (the history's epoch file is written once per new history). */
function historyWrites(counting: { writes: { path: string }[] }): { path: string }[] {
  return counting.writes.filter((w) => !w.path.endsWith('epoch.json'));
}

async function segmentFiles(): Promise<string[]> {
  return (await readdir(join(dataDir, 'events'))).filter((name) => /^segment-\d+\.json$/.test(name)).sort();
}

/** The real writer, with every write counted (path and bytes) and optionally slowed or broken. */
function countingWriter(delayMs = 0) {
  const writes: Array<{ path: string; bytes: number }> = [];
  let active = 0;
  let maxActive = 0;
  let failWith: string | null = null;
  const writer: FileWriter = async (path, data) => {
    active++;
    maxActive = Math.max(maxActive, active);
    try {
      if (delayMs > 0) await sleep(delayMs);
      if (failWith !== null) throw new Error(failWith);
      await writeFileAtomic(path, data);
      writes.push({ path, bytes: Buffer.byteLength(data) });
    } finally {
      active--;
    }
  };
  return {
    writer,
    writes,
    get maxActive() {
      return maxActive;
    },
    fail(message: string | null) {
      failWith = message;
    },
  };
}

/** A pino logger whose lines the test can read. */
function capturingLogger() {
  const lines: Array<Record<string, unknown>> = [];
  const logger = pino({ level: 'debug' }, { write: (line: string) => lines.push(JSON.parse(line)) });
  return { logger, lines };
}

/** The slowed writer's delay: setTimeout, so fake time in the test that fakes it. */
function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * The store's write timer is a setTimeout: with it faked, a test moves time itself. Only
 * setTimeout is faked (the lock's heartbeat and setImmediate stay real), and only by tests
 * that call this.
 */
function fakeTimeouts(): void {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
}

/** Moves fake time in steps of `stepMs` until `promise` settles, letting real I/O run between steps. */
async function advanceUntil<T>(promise: Promise<T>, stepMs: number): Promise<T> {
  let done = false;
  const tracked = promise.finally(() => {
    done = true;
  });
  while (!done) {
    await vi.advanceTimersByTimeAsync(stepMs);
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  return tracked;
}

const event = (message = 'engine connected'): NewAuditEvent => ({
  event_type: 'engine',
  status: 'connected',
  message,
});

const restart = (name: string): NewAuditEvent => ({
  event_type: 'restart',
  container_name: name,
  container_id: `${name}-id`,
  status: 'success',
  message: `restarted ${name}`,
});

const record = {
  name: 'web',
  attempts: [1, 2],
  consecutive: 2,
  lastAttemptAt: 2,
  healthySince: null,
  gaveUpAt: null,
  notified: false,
};

describe('the lowdb store on disk', () => {
  it('keeps events, lists, enrolled ids, heal records and restart counts across a reopen', async () => {
    const first = await openStore({ segmentSize: 2 });
    first.append(restart('web'));
    for (let i = 0; i < 4; i++) first.append(event(`e${i}`));
    first.setList('excluded', ['test-*']);
    first.setList('selected', ['web']);
    first.markMonitored('abc');
    first.setHealRecord('abc', record);
    const before = await first.find();
    const lastRestart = first.lastRestartAt('web');
    await closeStore(first);

    const second = await openStore({ segmentSize: 2 });

    expect(await second.find()).toEqual(before);
    expect(second.getList('excluded')).toEqual(['test-*']);
    expect(second.getList('selected')).toEqual(['web']);
    expect(second.markMonitored('abc')).toBe(false);
    expect(second.getHealRecord('abc')).toEqual(record);
    expect(second.restartCount('web')).toBe(1);
    expect(second.lastRestartAt('web')).toBe(lastRestart);
    expect(second.append(event()).id).toBe(6);
  });

  it('keeps the maintenance window and the silences across a reopen, with the lists', async () => {
    const first = await openStore();
    const window = {
      until: '2026-11-21T13:00:00.000Z',
      reason: 'db upgrade',
      started_at: '2026-11-21T12:00:00.000Z',
    };
    first.setMaintenance(window);
    first.setSilence('web', '2026-11-21T12:30:00.000Z');
    await closeStore(first);

    const state = await readJson(join(dataDir, 'state.json'));
    expect(state.maintenance).toEqual(window);
    expect(state.silences).toEqual({ web: '2026-11-21T12:30:00.000Z' });
    const second = await openStore();
    expect(second.getMaintenance()).toEqual(window);
    expect(second.getSilences()).toEqual({ web: '2026-11-21T12:30:00.000Z' });
  });

  it('keeps its epoch while its ids go on, and starts a new one when the newest segment is set aside', async () => {
    const first = await openStore({ segmentSize: 2 });
    for (let i = 0; i < 3; i++) first.append(event(`e${i}`));
    const epoch = first.epoch();
    await closeStore(first);

    const second = await openStore({ segmentSize: 2 });
    // Same ids, same epoch: a client resuming from an id may keep what it holds.
    expect(second.epoch()).toBe(epoch);
    await closeStore(second);

    await writeFile(join(dataDir, 'events', 'segment-000000000003.json'), '{"version": 1, "events": [');
    const third = await openStore({ segmentSize: 2 });
    // Id 3 is handed out again (to the record of the loss), so the epoch must change.
    expect(third.latestId()).toBe(3);
    expect(third.epoch()).not.toBe(epoch);
  });

  it('writes the lists and heal records apart from the history, with a last good copy, in compact JSON', async () => {
    const store = await openStore({ segmentSize: 2 });
    store.append(event('one'));
    store.append(event('two'));
    store.append(event('three'));
    store.setList('excluded', ['db']);
    store.setHealRecord('abc', record);
    await store.flush();

    const state = await readFile(join(dataDir, 'state.json'), 'utf-8');
    expect(JSON.parse(state)).toEqual({
      version: 2,
      lists: { excluded: ['db'], selected: [] },
      heal_records: { abc: record },
      monitored_ids: [],
      maintenance: null,
      silences: {},
    });
    expect(await readFile(join(dataDir, 'state.last-good.json'), 'utf-8')).toBe(state);
    expect(await segmentFiles()).toEqual(['segment-000000000001.json', 'segment-000000000003.json']);
    const newest = await readFile(join(dataDir, 'events', 'segment-000000000003.json'), 'utf-8');
    expect(newest).not.toContain('\n');
    expect(
      (JSON.parse(newest) as { events: Array<{ message: string }> }).events.map((e) => e.message),
    ).toEqual(['three']);
    expect(await readJson(join(dataDir, 'events', 'segment-000000000001.meta.json'))).toMatchObject({
      first_id: 1,
      last_id: 2,
      count: 2,
    });
  });

  it('keeps every file 0600 and the directories 0700 across many writes, whatever the umask', async () => {
    await mkdir(dataDir, { mode: 0o755 });
    await chmod(dataDir, 0o755);
    const oldUmask = process.umask(0o022);
    try {
      const store = await openStore({ segmentSize: 3 });
      for (let i = 0; i < 10; i++) {
        store.append(event(`e${i}`));
        store.setList('excluded', [`x${i}`]);
        await store.flush();
      }
    } finally {
      process.umask(oldUmask);
    }

    expect((await stat(dataDir)).mode & 0o777).toBe(0o700);
    expect((await stat(join(dataDir, 'events'))).mode & 0o777).toBe(0o700);
    const files = [
      ...(await readdir(dataDir)).filter((name) => name !== 'events').map((name) => join(dataDir, name)),
      ...(await readdir(join(dataDir, 'events'))).map((name) => join(dataDir, 'events', name)),
    ];
    expect(files.length).toBeGreaterThan(5);
    for (const file of files)
      expect({ file, mode: (await stat(file)).mode & 0o777 }).toEqual({ file, mode: 0o600 });
  });

  it('starts fresh, creating the directories, when there is nothing yet', async () => {
    dataDir = join(dir, 'data', 'nested', 'deeper');

    const store = await openStore();
    store.append(event());
    await store.flush();

    expect(await segmentFiles()).toHaveLength(1);
  });

  it('refuses to open, with a clear message, when the data directory is a regular file', async () => {
    await writeFile(dataDir, 'not a directory');
    const store = new LowdbStore({ dataDir, eventsMax: 10, logger: silentLogger() });

    await expect(store.open()).rejects.toThrow(`cannot create the data directory ${dataDir}`);
  });

  it('turns a burst of 500 appends into one write of the history', async () => {
    fakeTimeouts();
    const counting = countingWriter();
    const store = await openStore({ writer: counting.writer, writeDelayMs: 50 });

    for (let i = 0; i < 500; i++) store.append(event(`event ${i}`));
    expect(counting.writes).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(50);
    await expect.poll(() => store.writeStatus().pendingWrites, { timeout: 5000 }).toBe(false);
    // Nothing is scheduled any more, so no later write can follow.
    expect(vi.getTimerCount()).toBe(0);

    // The history's epoch is written once, with the first write of a new history.
    expect(counting.writes.map((w) => w.path)).toEqual([
      join(dataDir, 'events', 'epoch.json'),
      join(dataDir, 'events', 'segment-000000000001.json'),
    ]);
  });

  it('never runs two writes at once, and what is on disk at the end holds every event', async () => {
    // Each write takes 20 ms of fake time; appends come every 5 ms, so most land mid-write.
    fakeTimeouts();
    const counting = countingWriter(20);
    const store = await openStore({ writer: counting.writer, writeDelayMs: 1, segmentSize: 7 });

    for (let i = 0; i < 20; i++) {
      store.append(event(`event ${i}`));
      await vi.advanceTimersByTimeAsync(5);
    }
    await advanceUntil(Promise.all([store.flush(), store.flush(), store.flush()]), 20);
    await advanceUntil(closeStore(store), 20);

    expect(counting.maxActive).toBe(1);
    const reopened = await openStore({ segmentSize: 7 });
    expect((await reopened.find({ limit: 100 })).map((e) => e.message)).toEqual(
      Array.from({ length: 20 }, (_, i) => `event ${19 - i}`),
    );
  });

  describe('a write costs the same whatever the size of the history', () => {
    /** Appends until the history holds `total` events, then measures the write of one more. */
    async function costOfOneWrite(total: number) {
      const counting = countingWriter();
      const store = await openStore({ writer: counting.writer, segmentSize: 50, eventsMax: 1_000_000 });
      for (let i = 0; i < total; i++) {
        store.append(event('padding padding padding'));
        if (i % 500 === 499) await store.flush();
      }
      await store.flush();
      counting.writes.length = 0;

      store.append(event('padding padding padding'));
      await store.flush();
      const cost = {
        files: counting.writes.map((w) => w.path.slice(dataDir.length)),
        bytes: counting.writes.reduce((n, w) => n + w.bytes, 0),
        segments: store.trail.segmentCount,
        inMemory: store.trail.eventsInMemory,
      };
      await closeStore(store);
      await rm(dataDir, { recursive: true, force: true });
      return cost;
    }

    it('one segment of 50 is written after 120 events and after 5,020, and only it is in memory', async () => {
      const small = await costOfOneWrite(120);
      const large = await costOfOneWrite(5020);

      expect(small.segments).toBe(3);
      expect(large.segments).toBe(101);
      // Both land as the 21st event of the newest segment: the same file name pattern, one file.
      expect(small.files).toEqual(['/events/segment-000000000101.json']);
      expect(large.files).toEqual(['/events/segment-000000005001.json']);
      // The ids have two more digits each; nothing else differs.
      expect(large.bytes - small.bytes).toBeLessThanOrEqual(21 * 2);
      expect(large.inMemory).toBe(21);
    });
  });

  it('keeps only the newest eventsMax events, deleting whole old segments', async () => {
    const store = await openStore({ eventsMax: 10, segmentSize: 4 });
    for (let i = 1; i <= 25; i++) store.append(event(`event ${i}`));
    await store.flush();

    expect((await store.find({ limit: 100 })).map((e) => e.id)).toEqual([
      25, 24, 23, 22, 21, 20, 19, 18, 17, 16,
    ]);
    // 16 is in the segment starting at 13; the ones before it are gone.
    expect(await segmentFiles()).toEqual([
      'segment-000000000013.json',
      'segment-000000000017.json',
      'segment-000000000021.json',
      'segment-000000000025.json',
    ]);
    expect((await readdir(join(dataDir, 'events'))).filter((n) => n.endsWith('.meta.json'))).toHaveLength(3);
  });

  it('with a small cap, the disk holds little more than the cap (segments of a quarter of it)', async () => {
    const store = await openStore({ eventsMax: 20 });
    for (let i = 0; i < 200; i++) store.append(event());
    await store.flush();

    let onDisk = 0;
    for (const name of await segmentFiles()) {
      const doc = (await readJson(join(dataDir, 'events', name))) as { events: unknown[] };
      onDisk += doc.events.length;
    }
    expect(onDisk).toBeLessThanOrEqual(25);
    expect(await store.find({ limit: 100 })).toHaveLength(20);
  });

  it('trims a history that holds more events than the cap allows now, and prunes its restart counts', async () => {
    const big = await openStore({ eventsMax: 100, segmentSize: 5 });
    for (let i = 0; i < 5; i++) big.append(restart(`gone-${i}`));
    for (let i = 0; i < 25; i++) big.append(event());
    expect(big.trail.restartNames).toBe(5);
    await closeStore(big);

    const small = await openStore({ eventsMax: 5, segmentSize: 5 });

    expect((await small.find({ limit: 1000 })).map((e) => e.id)).toEqual([30, 29, 28, 27, 26]);
    expect(small.restartCount('gone-0')).toBe(0);
    expect(small.trail.restartNames).toBe(0);
    expect(small.append(event()).id).toBe(31);
  });

  it('pages and filters across segments read back from disk', async () => {
    let ms = Date.parse('2026-11-21T12:00:00.000Z');
    const now = () => {
      ms += 1000;
      return new Date(ms);
    };
    const first = await openStore({ segmentSize: 4, now });
    for (let i = 1; i <= 30; i++) first.append(i % 10 === 0 ? restart('web') : event(`e${i}`));
    await closeStore(first);
    const store = await openStore({ segmentSize: 4, now });
    expect(store.trail.eventsInMemory).toBeLessThanOrEqual(4);

    const seen: number[] = [];
    let beforeId: number | undefined;
    for (;;) {
      const page = await store.find({ limit: 7, ...(beforeId !== undefined && { beforeId }) });
      if (page.length === 0) break;
      seen.push(...page.map((e) => e.id));
      beforeId = page.at(-1)?.id;
    }
    expect(seen).toEqual(Array.from({ length: 30 }, (_, i) => 30 - i));
    expect((await store.find({ container: 'web' })).map((e) => e.id)).toEqual([30, 20, 10]);
    expect((await store.find({ type: 'restart', beforeId: 30 })).map((e) => e.id)).toEqual([20, 10]);
    const since = (await store.find({ afterId: 27, limit: 3 })).at(-1)?.timestamp;
    expect((await store.find({ since })).map((e) => e.id)).toEqual([30, 29, 28]);
    expect((await store.find({ afterId: 26 })).map((e) => e.id)).toEqual([30, 29, 28, 27]);
    expect(store.restartCount('web')).toBe(3);
  });

  describe('damaged files at open', () => {
    it('an unreadable history segment is moved aside, the rest of the history and the lists are kept', async () => {
      const first = await openStore({ segmentSize: 3 });
      for (let i = 1; i <= 7; i++) first.append(event(`e${i}`));
      first.setList('excluded', ['db']);
      await closeStore(first);
      const damaged = join(dataDir, 'events', 'segment-000000000004.json');
      await writeFile(damaged, '{"version":2,"events":[');
      await rm(join(dataDir, 'events', 'segment-000000000004.meta.json'));
      const { logger, lines } = capturingLogger();

      const store = await openStore({
        segmentSize: 3,
        logger,
        now: () => new Date('2026-11-21T12:34:56.789Z'),
      });

      expect(store.getList('excluded')).toEqual(['db']);
      const found = await store.find();
      expect(found.map((e) => e.message)).toEqual([
        expect.stringContaining('segment of the audit history was unreadable'),
        'e7',
        'e3',
        'e2',
        'e1',
      ]);
      expect(found[0]).toMatchObject({ event_type: 'config_change', status: 'history_set_aside' });
      expect(await readFile(`${damaged}.corrupt-2026-11-21T12-34-56.789Z`, 'utf-8')).toBe(
        '{"version":2,"events":[',
      );
      expect(lines.filter((l) => l.level === 50)).toHaveLength(1);
    });

    it('a record that is not an event costs only itself, and is logged', async () => {
      await mkdir(join(dataDir, 'events'), { recursive: true });
      const good = (id: number) => ({
        id,
        timestamp: '2026-01-01T00:00:00.000Z',
        event_type: 'engine',
        status: 'connected',
        message: `m${id}`,
      });
      await writeFile(
        join(dataDir, 'events', 'segment-000000000001.json'),
        JSON.stringify({ version: 2, events: [good(1), { id: 2, event_type: 'bogus' }, good(3)] }),
      );
      const { logger, lines } = capturingLogger();

      const store = await openStore({ logger });

      expect((await store.find()).map((e) => e.id)).toEqual([3, 1]);
      expect(store.append(event()).id).toBe(4);
      const errors = lines.filter((l) => l.level === 50);
      expect(errors).toHaveLength(1);
      expect(String(errors[0]?.msg)).toContain('dropped unreadable records');
    });

    it('an unreadable state file is restored from its last good copy, and that is recorded', async () => {
      const first = await openStore();
      first.setList('excluded', ['db', 'test-*']);
      first.setHealRecord('abc', record);
      first.append(event('before'));
      await closeStore(first);
      // What a power loss without fsync leaves behind.
      await writeFile(join(dataDir, 'state.json'), '');
      const { logger, lines } = capturingLogger();

      const store = await openStore({ logger, now: () => new Date('2026-11-21T12:34:56.789Z') });

      expect(store.getList('excluded')).toEqual(['db', 'test-*']);
      expect(store.getHealRecord('abc')).toEqual(record);
      const [recorded, before] = await store.find();
      expect(before?.message).toBe('before');
      expect(recorded).toMatchObject({
        event_type: 'config_change',
        status: 'store_restored',
        details: { moved_to: join(dataDir, 'state.json.corrupt-2026-11-21T12-34-56.789Z') },
      });
      const errors = lines.filter((l) => l.level === 50);
      expect(errors).toHaveLength(1);
      expect(errors[0]).toMatchObject({
        component: 'store',
        problem: expect.stringMatching(/not valid JSON/),
      });
      await store.flush();
      expect((await readJson(join(dataDir, 'state.json'))).lists).toEqual({
        excluded: ['db', 'test-*'],
        selected: [],
      });
    });

    it('with the last good copy unreadable too, starts with empty lists and records the reset', async () => {
      const first = await openStore();
      first.setList('excluded', ['db']);
      await closeStore(first);
      await writeFile(join(dataDir, 'state.json'), 'null');
      await writeFile(join(dataDir, 'state.last-good.json'), '{');

      const store = await openStore();

      expect(store.getList('excluded')).toEqual([]);
      expect((await store.find())[0]).toMatchObject({ event_type: 'config_change', status: 'store_reset' });
    });

    it('one bad heal record or list entry is dropped alone, the others are kept', async () => {
      await mkdir(dataDir);
      await writeFile(
        join(dataDir, 'state.json'),
        JSON.stringify({
          version: 2,
          lists: { excluded: ['db', 42], selected: ['web'] },
          heal_records: { good: record, bad: { name: 'x', consecutive: 'many' } },
          monitored_ids: ['good'],
        }),
      );
      const { logger, lines } = capturingLogger();

      const store = await openStore({ logger });

      expect(store.getList('excluded')).toEqual(['db']);
      expect(store.getList('selected')).toEqual(['web']);
      expect(store.getHealRecord('good')).toEqual(record);
      expect(store.getHealRecord('bad')).toBeNull();
      const errors = lines.filter((l) => l.level === 50);
      expect(errors).toHaveLength(1);
      expect(errors[0]?.dropped).toEqual([
        expect.stringContaining('excluded[1]'),
        expect.stringContaining('bad'),
      ]);
    });

    it('keeps a field of a heal record it does not know (one the policy added later)', async () => {
      const store = await openStore();
      store.setHealRecord('abc', { ...record, failedAt: 7 } as typeof record);
      await closeStore(store);

      const reopened = await openStore();
      expect(reopened.getHealRecord('abc')).toEqual({ ...record, failedAt: 7 });
    });

    it('temporary files a crash left behind are removed, and the files they would have replaced are used', async () => {
      const first = await openStore();
      first.setList('excluded', ['db']);
      first.append(event('kept'));
      await closeStore(first);
      const leftovers = [
        join(dataDir, '.state.json.1234.deadbeef.tmp'),
        join(dataDir, 'events', '.segment-000000000001.json.1234.deadbeef.tmp'),
      ];
      for (const file of leftovers) await writeFile(file, '{"half":');

      const store = await openStore();

      expect(store.getList('excluded')).toEqual(['db']);
      expect((await store.find()).map((e) => e.message)).toEqual(['kept']);
      for (const file of leftovers) await expect(stat(file)).rejects.toThrow(/ENOENT/);
    });
  });

  describe('when the disk refuses writes', () => {
    it('append and flush do not throw, writeStatus tells, one log line per distinct error, and it recovers', async () => {
      const { logger, lines } = capturingLogger();
      const counting = countingWriter();
      const store = await openStore({ logger, retryDelayMs: 60_000, writer: counting.writer });
      store.append(event('before'));
      await store.flush();
      counting.fail('EIO: i/o error');

      expect(() => store.append(event('during 1'))).not.toThrow();
      await expect(store.flush()).resolves.toBeUndefined();
      store.append(event('during 2'));
      store.setList('excluded', ['db']);
      await store.flush();
      await store.flush();

      const status = store.writeStatus();
      expect(status.ok).toBe(false);
      expect(status.lastError).toMatch(/EIO/);
      expect(status.pendingWrites).toBe(true);
      expect(lines.filter((line) => line.level === 50)).toHaveLength(1);
      expect(lines.find((line) => line.level === 50)).toMatchObject({ component: 'store', dir: dataDir });

      counting.fail('ENOSPC: no space left on device');
      store.append(event('during 3'));
      await store.flush();
      expect(store.writeStatus().lastError).toMatch(/ENOSPC/);
      expect(lines.filter((line) => line.level === 50)).toHaveLength(2);

      counting.fail(null);
      await store.flush();

      expect(store.writeStatus()).toEqual({ ok: true, lastError: null, pendingWrites: false });
      await closeStore(store);
      const reopened = await openStore();
      expect((await reopened.find()).map((e) => e.message)).toEqual([
        'during 3',
        'during 2',
        'during 1',
        'before',
      ]);
      expect(reopened.getList('excluded')).toEqual(['db']);
      const recovered = lines.filter(
        (line) => line.level === 30 && String(line.msg).includes('writable again'),
      );
      expect(recovered).toHaveLength(1);
    });

    it('does not recreate a data directory that vanished (an unmounted volume), and tries again by itself', async () => {
      const store = await openStore({ retryDelayMs: 30 });
      await rm(dataDir, { recursive: true });
      store.append(event('kept'));
      await vi.waitFor(() => expect(store.writeStatus().ok).toBe(false), { timeout: 5000 });
      await expect(stat(dataDir)).rejects.toThrow(/ENOENT/);

      await mkdir(dataDir);

      await vi.waitFor(() => expect(store.writeStatus().ok).toBe(true), { timeout: 5000 });
      expect(await segmentFiles()).toEqual(['segment-000000000001.json']);
    });
  });

  it('writes pending changes on close, without waiting for the write delay', async () => {
    const counting = countingWriter();
    const store = new LowdbStore({
      dataDir,
      eventsMax: 100,
      logger: silentLogger(),
      writeDelayMs: 60_000,
      writer: counting.writer,
    });
    await store.open();
    store.append(event('pending'));
    expect(store.writeStatus().pendingWrites).toBe(true);

    await store.close();

    expect(historyWrites(counting)).toHaveLength(1);
    expect(store.writeStatus().pendingWrites).toBe(false);
  });

  it('after close, changes wait for an explicit flush instead of a timer', async () => {
    const counting = countingWriter();
    fakeTimeouts();
    const store = await openStore({ writer: counting.writer, writeDelayMs: 1 });
    await store.close();

    store.append(event('late'));
    expect(vi.getTimerCount()).toBe(0);
    await vi.advanceTimersByTimeAsync(30);
    expect(historyWrites(counting)).toHaveLength(0);

    await store.flush();
    expect(historyWrites(counting)).toHaveLength(1);
  });
});
