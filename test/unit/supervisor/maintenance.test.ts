/**
 * The operator's "not now", on a fake clock: the pure rules of maintenance and silence,
 * and the supervisor holding heals back (one `skipped` per unhealthy spell), keeping
 * watch, and healing at once when a hold ends.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { MemoryStore } from '../../../src/store/memory-store.js';
import { expired, holdOn, nextExpiry } from '../../../src/supervisor/maintenance.js';
import type { Supervisor } from '../../../src/supervisor/supervisor.js';
import { stopSupervisors, supervisorHarness } from '../../support/supervisor-harness.js';

afterEach(async () => {
  await stopSupervisors(100);
});

const T0 = Date.parse('2026-11-21T12:00:00.000Z');
const at = (min: number) => new Date(T0 + min * 60_000).toISOString();

describe('the rules of maintenance and silence', () => {
  const state = {
    maintenance: { until: at(30), reason: 'db upgrade', started_at: at(0) },
    silences: { web: at(10), old: at(-5) },
  };

  it('maintenance holds every container back, before any silence, until (not at) its end', () => {
    expect(holdOn(state, 'db', T0)).toEqual({ kind: 'maintenance', until: at(30), reason: 'db upgrade' });
    expect(holdOn(state, 'web', T0)?.kind).toBe('maintenance');
    expect(holdOn(state, 'db', T0 + 30 * 60_000)).toBeNull();
  });

  it('a silence holds only its own container, and an expired one holds nothing', () => {
    const silencesOnly = { ...state, maintenance: null };
    expect(holdOn(silencesOnly, 'web', T0)).toEqual({ kind: 'silenced', until: at(10), reason: '' });
    expect(holdOn(silencesOnly, 'db', T0)).toBeNull();
    expect(holdOn(silencesOnly, 'old', T0)).toBeNull();
  });

  it('names what has run out and when the next hold ends', () => {
    expect(expired(state, T0)).toEqual({ maintenance: false, silences: ['old'] });
    expect(expired(state, T0 + 31 * 60_000)).toEqual({ maintenance: true, silences: ['web', 'old'] });
    expect(nextExpiry(state)).toBe(T0 - 5 * 60_000);
    expect(nextExpiry({ maintenance: null, silences: {} })).toBeNull();
  });
});

function setup(store?: MemoryStore) {
  let now = T0;
  const h = supervisorHarness({ now: () => now, ...(store ? { store } : {}) });
  return { ...h, advance: (min: number) => (now += min * 60_000) };
}

function connect(s: Supervisor) {
  s.onEngineConnected({ reconnect: false });
}

describe('the supervisor during maintenance', () => {
  it('records an unhealthy container once per spell, restarts nothing, and heals it at once when maintenance ends', async () => {
    const { engine, supervisor, trail, notifier, advance, store } = setup();
    const web = engine.add({ name: 'web', labels: { autoheal: 'true' } });
    connect(supervisor);
    await supervisor.settled();
    supervisor.startMaintenance(30, 'db upgrade');

    engine.setHealth(web.id, 'unhealthy');
    supervisor.onEngineEvent(engine.event(web.id, 'health_status'));
    await supervisor.settled();
    for (let i = 0; i < 3; i++) {
      advance(1);
      await supervisor.reconcile('interval');
      await supervisor.settled();
    }

    expect(engine.restarts).toEqual([]);
    expect(trail(web.id)).toEqual(['auto_monitor/enabled', 'unhealthy/detected', 'skipped/maintenance']);
    const skipped = store.list({ type: 'skipped' })[0];
    expect(skipped?.details).toMatchObject({ until: at(30), reason: 'db upgrade' });
    expect(notifier.notices).toEqual([
      `Maintenance started for 30 min (db upgrade): autoheal will not restart containers until ${at(30)}`,
    ]);

    advance(30);
    supervisor.holds.tick();
    await supervisor.settled();
    await supervisor.settled();

    expect(engine.restartsOf(web.id)).toHaveLength(1);
    expect(trail(web.id).slice(-2)).toEqual(['unhealthy/detected', 'restart/success']);
    expect(supervisor.maintenance()).toEqual({ active: false, until: null, reason: null });
    expect(store.list({ type: 'config_change' }).map((e) => e.status)).toEqual([
      'maintenance_ended',
      'maintenance_started',
    ]);
  });

  it('a new unhealthy spell during the same window is recorded again', async () => {
    const { engine, supervisor, trail } = setup();
    const web = engine.add({ name: 'web', labels: { autoheal: 'true' } });
    connect(supervisor);
    await supervisor.settled();
    supervisor.startMaintenance(60, '');
    for (const health of ['unhealthy', 'healthy', 'unhealthy'] as const) {
      engine.setHealth(web.id, health);
      supervisor.onEngineEvent(engine.event(web.id, 'health_status'));
      await supervisor.settled();
    }
    expect(engine.restarts).toEqual([]);
    expect(trail(web.id)).toEqual([
      'auto_monitor/enabled',
      'unhealthy/detected',
      'skipped/maintenance',
      'unhealthy/detected',
      'skipped/maintenance',
    ]);
  });

  it('ending maintenance early through the lever heals what is still unhealthy', async () => {
    const { engine, supervisor } = setup();
    const web = engine.add({ name: 'web', labels: { autoheal: 'true' } });
    connect(supervisor);
    await supervisor.settled();
    supervisor.startMaintenance(60, '');
    engine.setHealth(web.id, 'unhealthy');
    supervisor.onEngineEvent(engine.event(web.id, 'health_status'));
    await supervisor.settled();
    expect(supervisor.endMaintenance()).toBe(true);
    await supervisor.settled();
    expect(engine.restartsOf(web.id)).toHaveLength(1);
    expect(supervisor.endMaintenance()).toBe(false);
  });

  it('a restart asked for through the API is not held back', async () => {
    const { engine, supervisor } = setup();
    const web = engine.add({ name: 'web', labels: { autoheal: 'true' } });
    connect(supervisor);
    await supervisor.settled();
    supervisor.startMaintenance(60, '');
    expect((await supervisor.restartNow('web')).ok).toBe(true);
    expect(engine.restartsOf(web.id)).toHaveLength(1);
  });

  it('a window that ran out while autoheal was down is ended at start, and survives a restart otherwise', async () => {
    const store = new MemoryStore({ eventsMax: 100 });
    store.setMaintenance({ until: at(-1), reason: 'old', started_at: at(-60) });
    store.setSilence('web', at(5));
    const { supervisor } = setup(store);
    supervisor.start();
    expect(store.getMaintenance()).toBeNull();
    expect(store.list()[0]?.status).toBe('maintenance_ended');
    expect(store.getSilences()).toEqual({ web: at(5) });
  });
});

describe('a silenced container', () => {
  it('is recorded once per spell, not restarted, not notified, and healed when its silence ends', async () => {
    const { engine, supervisor, trail, notifier, advance } = setup();
    const web = engine.add({ name: 'web', labels: { autoheal: 'true' } });
    const db = engine.add({ name: 'db', labels: { autoheal: 'true' } });
    connect(supervisor);
    await supervisor.settled();
    const silenced = await supervisor.silence('web', 10);
    expect(silenced).toMatchObject({ ok: true, container: { name: 'web', silenced_until: at(10) } });

    for (const c of [web, db]) {
      engine.setHealth(c.id, 'unhealthy');
      supervisor.onEngineEvent(engine.event(c.id, 'health_status'));
    }
    await supervisor.settled();
    advance(1);
    await supervisor.reconcile('interval');
    await supervisor.settled();

    expect(engine.restartsOf(web.id)).toEqual([]);
    expect(engine.restartsOf(db.id)).toHaveLength(1);
    expect(trail(web.id)).toEqual([
      'auto_monitor/enabled',
      'config_change/silenced',
      'unhealthy/detected',
      'skipped/silenced',
    ]);
    expect(notifier.sent.map((n) => n.containerName)).toEqual(['db']);

    advance(10);
    supervisor.holds.tick();
    await supervisor.settled();
    expect(engine.restartsOf(web.id)).toHaveLength(1);
    expect((await supervisor.findContainer('web'))?.silenced_until).toBeNull();
  });

  it('ending a silence that is not on says so', async () => {
    const { engine, supervisor } = setup();
    engine.add({ name: 'web', labels: { autoheal: 'true' } });
    expect(await supervisor.unsilence('web')).toEqual({ ok: false, reason: 'not_silenced' });
    expect(await supervisor.unsilence('nope')).toEqual({ ok: false, reason: 'not_found' });
  });
});
