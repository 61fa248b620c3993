/**
 * The behaviour every AuditStore promises, run against the memory store and the lowdb store
 * alike, so the supervisor and the API can rely on either one.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../src/log.js';
import { LowdbStore } from '../../../src/store/lowdb-store.js';
import { MemoryStore } from '../../../src/store/memory-store.js';
import {
  type AuditEvent,
  type AuditStore,
  LIST_NAMES,
  type NewAuditEvent,
} from '../../../src/store/types.js';

interface StoreOptions {
  eventsMax?: number;
  now?: () => Date;
}

type Factory = (options?: StoreOptions) => Promise<AuditStore>;

const cleanups: Array<() => Promise<void>> = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

const memoryFactory: Factory = async (options = {}) => {
  const store = new MemoryStore({ eventsMax: options.eventsMax ?? 5000, now: options.now });
  await store.open();
  cleanups.push(() => store.close());
  return store;
};

const lowdbFactory: Factory = async (options = {}) => {
  const dir = await mkdtemp(join(tmpdir(), 'autoheal-contract-'));
  const store = new LowdbStore({
    dataDir: dir,
    // Small segments, so that every scenario also crosses segment boundaries.
    segmentSize: 3,
    eventsMax: options.eventsMax ?? 5000,
    logger: silentLogger(),
    now: options.now,
    writeDelayMs: 5,
  });
  await store.open();
  cleanups.push(async () => {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });
  return store;
};

/** A clock that only moves when told to. */
function manualClock(start = '2026-11-21T12:00:00.000Z') {
  let ms = Date.parse(start);
  return {
    now: () => new Date(ms),
    advance: (byMs: number) => {
      ms += byMs;
    },
  };
}

const WEB_ID = `3f2a${'0'.repeat(60)}`;
const DB_ID = `9b1c${'1'.repeat(60)}`;

function restartOf(name: string, id: string, status: 'success' | 'failed'): NewAuditEvent {
  return {
    event_type: 'restart',
    container_name: name,
    container_id: id,
    status,
    message: `restart ${name}`,
  };
}

function engineEvent(status = 'connected'): NewAuditEvent {
  return { event_type: 'engine', status, message: `engine ${status}` };
}

function ids(events: AuditEvent[]): number[] {
  return events.map((event) => event.id);
}

describe.each([
  { kind: 'memory store', create: memoryFactory },
  { kind: 'lowdb store', create: lowdbFactory },
])('the $kind', ({ create }) => {
  describe('audit trail: appending', () => {
    it('gives an event an id, the clock time with milliseconds, and defaults for what was left out', async () => {
      const clock = manualClock('2026-11-21T12:34:56.789Z');
      const store = await create({ now: clock.now });

      const event = store.append(engineEvent());

      expect(event).toEqual({
        id: 1,
        timestamp: '2026-11-21T12:34:56.789Z',
        event_type: 'engine',
        container_id: null,
        container_name: null,
        status: 'connected',
        restart_count: null,
        message: 'engine connected',
        details: {},
      });
      expect(await store.find()).toEqual([event]);
    });

    it('ids keep increasing after the oldest events are dropped', async () => {
      const store = await create({ eventsMax: 3 });
      for (let i = 0; i < 5; i++) store.append(engineEvent());

      expect(ids(await store.find())).toEqual([5, 4, 3]);
      expect(store.append(engineEvent()).id).toBe(6);
      expect(ids(await store.find())).toEqual([6, 5, 4]);
    });

    it('keeps at most eventsMax events, dropping the oldest first', async () => {
      const store = await create({ eventsMax: 10 });
      for (let i = 0; i < 25; i++) store.append(engineEvent());

      const all = await store.find({ limit: 1000 });
      expect(all).toHaveLength(10);
      expect(ids(all)).toEqual([25, 24, 23, 22, 21, 20, 19, 18, 17, 16]);
    });

    it('keeps details as they will read back from disk, not the caller’s object', async () => {
      const store = await create();
      const details: Record<string, unknown> = {
        duration_ms: 412,
        at: new Date('2026-01-01T00:00:00Z'),
        gone: undefined,
      };

      const event = store.append({ ...engineEvent(), details });
      details.duration_ms = 1;

      expect(event.details).toEqual({ duration_ms: 412, at: '2026-01-01T00:00:00.000Z' });
      expect((await store.find())[0]?.details).toEqual({ duration_ms: 412, at: '2026-01-01T00:00:00.000Z' });
    });

    it('still records the event when its details cannot be stored as JSON', async () => {
      const store = await create();
      const details: Record<string, unknown> = { big: 10n };

      const event = store.append({ ...engineEvent(), details });

      expect(event.details.details_error).toMatch(/JSON/);
      expect(ids(await store.find())).toEqual([event.id]);
    });

    it('hands out events that a caller cannot change', async () => {
      const store = await create();
      store.append({ ...engineEvent(), details: { trigger: 'event' } });

      const [event] = await store.find();
      expect(() => {
        (event as AuditEvent).status = 'changed';
      }).toThrow(TypeError);
      expect(() => {
        (event as AuditEvent).details.trigger = 'changed';
      }).toThrow(TypeError);
      (await store.find()).pop();

      expect(await store.find()).toHaveLength(1);
      expect((await store.find())[0]).toMatchObject({ status: 'connected', details: { trigger: 'event' } });
    });
  });

  describe('audit trail: restart counts, derived from the restarts in the history', () => {
    it('a successful restart counts towards the name’s restart_count', async () => {
      const clock = manualClock();
      const store = await create({ now: clock.now });

      expect(store.append(restartOf('web', WEB_ID, 'success')).restart_count).toBe(1);
      clock.advance(1000);
      const second = store.append(restartOf('web', WEB_ID, 'success'));

      expect(second.restart_count).toBe(2);
      expect(store.restartCount('web')).toBe(2);
      expect(store.lastRestartAt('web')).toBe(second.timestamp);
    });

    it('a failed restart does not count, and other events carry the count so far', async () => {
      const store = await create();
      store.append(restartOf('web', WEB_ID, 'success'));

      expect(store.append(restartOf('web', WEB_ID, 'failed')).restart_count).toBe(1);
      expect(
        store.append({ event_type: 'unhealthy', container_name: 'web', status: 'detected', message: 'x' })
          .restart_count,
      ).toBe(1);
      expect(store.append(restartOf('db', DB_ID, 'failed')).restart_count).toBe(0);
      expect(store.restartCount('db')).toBe(0);
      expect(store.lastRestartAt('db')).toBeNull();
    });

    it('an event about no container has no restart_count', async () => {
      const store = await create();
      store.append(restartOf('web', WEB_ID, 'success'));

      expect(store.append(engineEvent()).restart_count).toBeNull();
    });

    it('are pruned with the history: a restart that left it no longer counts', async () => {
      const store = await create({ eventsMax: 4 });
      for (let i = 0; i < 3; i++) store.append(restartOf('web', WEB_ID, 'success'));
      store.append(restartOf('db', DB_ID, 'success'));
      expect(store.restartCount('web')).toBe(3);

      store.append(engineEvent());
      expect(store.restartCount('web')).toBe(2);
      for (let i = 0; i < 3; i++) store.append(engineEvent());

      expect(store.restartCount('web')).toBe(0);
      expect(store.restartCount('db')).toBe(0);
      expect(store.lastRestartAt('web')).toBeNull();
      expect(store.append(restartOf('web', WEB_ID, 'success')).restart_count).toBe(1);
    });
  });

  describe('audit trail: finding events', () => {
    it('returns the newest first, 100 unless told otherwise', async () => {
      const store = await create();
      for (let i = 0; i < 150; i++) store.append(engineEvent());

      const page = await store.find();
      expect(page).toHaveLength(100);
      expect(page[0]?.id).toBe(150);
      expect(page[99]?.id).toBe(51);
      expect(ids(await store.find({ limit: 3 }))).toEqual([150, 149, 148]);
      expect(await store.find({ limit: 0 })).toEqual([]);
    });

    it('filters by event type', async () => {
      const store = await create();
      store.append(engineEvent());
      store.append(restartOf('web', WEB_ID, 'success'));
      store.append(engineEvent('disconnected'));

      expect(ids(await store.find({ type: 'engine' }))).toEqual([3, 1]);
      expect(ids(await store.find({ type: 'restart' }))).toEqual([2]);
      expect(await store.find({ type: 'oom' })).toEqual([]);
    });

    it('filters by container name exactly, or by the start of the container id', async () => {
      const store = await create();
      store.append(restartOf('web', WEB_ID, 'success'));
      store.append(restartOf('web-2', `aaaa${'2'.repeat(60)}`, 'success'));
      store.append(restartOf('db', DB_ID, 'success'));
      store.append(engineEvent());

      expect(ids(await store.find({ container: 'web' }))).toEqual([1]);
      expect(ids(await store.find({ container: 'we' }))).toEqual([]);
      expect(ids(await store.find({ container: WEB_ID.slice(0, 12) }))).toEqual([1]);
      expect(ids(await store.find({ container: DB_ID }))).toEqual([3]);
      expect(ids(await store.find({ container: DB_ID.slice(1, 13) }))).toEqual([]);
    });

    it('filters by time, including events exactly at `since`, whatever the ISO spelling', async () => {
      const clock = manualClock('2026-11-21T12:00:00.000Z');
      const store = await create({ now: clock.now });
      store.append(engineEvent());
      clock.advance(60_000);
      store.append(engineEvent());
      clock.advance(60_000);
      store.append(engineEvent());

      expect(ids(await store.find({ since: '2026-11-21T12:01:00.000Z' }))).toEqual([3, 2]);
      expect(ids(await store.find({ since: '2026-11-21T12:01:00.001Z' }))).toEqual([3]);
      expect(ids(await store.find({ since: '2026-11-21T13:01:00+01:00' }))).toEqual([3, 2]);
      expect(ids(await store.find({ since: '2026-11-21T12:05:00Z' }))).toEqual([]);
    });

    it('pages backwards with beforeId, without gaps or overlaps', async () => {
      const store = await create();
      for (let i = 0; i < 25; i++) store.append(engineEvent());

      const seen: number[] = [];
      let beforeId: number | undefined;
      for (;;) {
        const page = await store.find({ limit: 10, beforeId });
        if (page.length === 0) break;
        seen.push(...ids(page));
        beforeId = page.at(-1)?.id;
      }

      expect(seen).toEqual(Array.from({ length: 25 }, (_, i) => 25 - i));
    });

    it('returns only newer events with afterId, for replay after Last-Event-ID', async () => {
      const store = await create();
      for (let i = 0; i < 6; i++) store.append(engineEvent());

      expect(ids(await store.find({ afterId: 3 }))).toEqual([6, 5, 4]);
      expect(ids(await store.find({ afterId: 6 }))).toEqual([]);
      expect(ids(await store.find({ afterId: 1, beforeId: 5 }))).toEqual([4, 3, 2]);
    });

    it('applies all filters together, then the limit', async () => {
      const store = await create();
      for (let i = 0; i < 5; i++) {
        store.append(restartOf('web', WEB_ID, 'success'));
        store.append(restartOf('db', DB_ID, 'success'));
        store.append(engineEvent());
      }

      const page = await store.find({ type: 'restart', container: 'web', beforeId: 13, limit: 2 });
      expect(ids(page)).toEqual([10, 7]);
    });
  });

  describe('audit trail: subscribers', () => {
    it('hear each event after it is stored, until they unsubscribe', async () => {
      const store = await create();
      const heard: Array<{ id: number; listed: boolean }> = [];
      const unsubscribe = store.subscribe((event) => {
        heard.push({ id: event.id, listed: store.latestId() === event.id });
      });

      store.append(engineEvent());
      store.append(engineEvent());
      unsubscribe();
      store.append(engineEvent());

      expect(heard).toEqual([
        { id: 1, listed: true },
        { id: 2, listed: true },
      ]);
    });

    it('a subscriber that throws breaks neither the append nor the other subscribers', async () => {
      const store = await create();
      const heard: number[] = [];
      store.subscribe(() => {
        throw new Error('listener bug');
      });
      store.subscribe((event) => heard.push(event.id));

      const event = store.append(engineEvent());

      expect(event.id).toBe(1);
      expect(heard).toEqual([1]);
      expect(ids(await store.find())).toEqual([1]);
    });
  });

  describe('heal records: enrolled ids', () => {
    it('reports a container id as new only the first time', async () => {
      const store = await create();

      expect(store.markMonitored(WEB_ID)).toBe(true);
      expect(store.markMonitored(WEB_ID)).toBe(false);
      expect(store.markMonitored(DB_ID)).toBe(true);
    });

    it('treats a forgotten id as new again', async () => {
      const store = await create();
      store.markMonitored(WEB_ID);

      store.forgetMonitored(WEB_ID);
      store.forgetMonitored('never-seen');

      expect(store.markMonitored(WEB_ID)).toBe(true);
    });
  });

  describe('heal records: by container id', () => {
    it('hold a copy of what was set, and forget it with null', async () => {
      const store = await create();
      const record = {
        name: 'web',
        attempts: [5],
        consecutive: 1,
        lastAttemptAt: 5,
        healthySince: null,
        gaveUpAt: null,
        notified: false,
      };
      expect(store.getHealRecord(WEB_ID)).toBeNull();
      store.setHealRecord(WEB_ID, record);
      record.attempts.push(6);
      expect(store.getHealRecord(WEB_ID)).toMatchObject({ attempts: [5], consecutive: 1 });
      store.setHealRecord(WEB_ID, null);
      expect(store.getHealRecord(WEB_ID)).toBeNull();
    });
  });

  describe('lists', () => {
    it('start empty and hold what was set, each list on its own', async () => {
      const store = await create();
      expect(store.getList('excluded')).toEqual([]);
      expect(store.getList('selected')).toEqual([]);

      store.setList('excluded', ['test-*', 'db']);
      store.setList('selected', ['web']);

      expect(store.getList('excluded')).toEqual(['test-*', 'db']);
      expect(store.getList('selected')).toEqual(['web']);
    });

    it.each(LIST_NAMES)('%s holds what was set', async (name) => {
      const store = await create();
      store.setList(name, ['a-*', 'b']);
      expect(store.getList(name)).toEqual(['a-*', 'b']);
    });

    it('keep their own copy, so neither the setter nor a reader can change them in place', async () => {
      const store = await create();
      const entries = ['web'];
      store.setList('excluded', entries);
      entries.push('db');
      store.getList('excluded').push('cache');

      expect(store.getList('excluded')).toEqual(['web']);
    });
  });

  describe('holds: maintenance and silences', () => {
    it('start with no maintenance window and no silence', async () => {
      const store = await create();
      expect(store.getMaintenance()).toBeNull();
      expect(store.getSilences()).toEqual({});
    });

    it('hold the window and the silences that were set, and drop them with null', async () => {
      const store = await create();
      const window = {
        until: '2026-11-21T13:00:00.000Z',
        reason: 'db upgrade',
        started_at: '2026-11-21T12:00:00.000Z',
      };
      store.setMaintenance(window);
      store.setSilence('web', '2026-11-21T12:30:00.000Z');
      store.setSilence('db', '2026-11-21T12:40:00.000Z');
      expect(store.getMaintenance()).toEqual(window);
      expect(store.getSilences()).toEqual({
        web: '2026-11-21T12:30:00.000Z',
        db: '2026-11-21T12:40:00.000Z',
      });

      store.setMaintenance(null);
      store.setSilence('web', null);
      expect(store.getMaintenance()).toBeNull();
      expect(store.getSilences()).toEqual({ db: '2026-11-21T12:40:00.000Z' });
    });
  });

  describe('persistence', () => {
    it('reports nothing pending after a flush', async () => {
      const store = await create();
      store.append(engineEvent());

      await store.flush();

      expect(store.writeStatus()).toEqual({ ok: true, lastError: null, pendingWrites: false });
    });
  });
});
