import { afterEach, describe, expect, it, vi } from 'vitest';
import { ThrottledContainerSource } from '../../../src/engine/container-source.js';
import type { AuditEvent } from '../../../src/store/types.js';
import type { Supervisor } from '../../../src/supervisor/supervisor.js';
import { stopSupervisors, supervisorHarness } from '../../support/supervisor-harness.js';

afterEach(async () => {
  await stopSupervisors(100);
});

function setup(env: Record<string, string> = {}, now?: () => number) {
  return supervisorHarness({ env, ...(now ? { now } : {}) });
}

function connect(s: Supervisor) {
  s.onEngineConnected({ reconnect: false });
}

describe('the supervisor', () => {
  it('a labelled container that turns unhealthy is restarted once, and the trail says so', async () => {
    const { engine, supervisor, trail, store } = setup();
    const web = engine.add({ name: 'web', labels: { autoheal: 'true' } });
    connect(supervisor);
    await supervisor.settled();

    engine.setHealth(web.id, 'unhealthy');
    supervisor.onEngineEvent(engine.event(web.id, 'health_status'));
    await supervisor.settled();

    expect(engine.restartsOf(web.id)).toEqual([{ id: web.id, stopTimeoutS: 10 }]);
    expect(trail(web.id)).toEqual(['auto_monitor/enabled', 'unhealthy/detected', 'restart/success']);
    const restart = store.list({ type: 'restart' })[0] as AuditEvent;
    expect(restart.details).toMatchObject({ trigger: 'event', stop_timeout_s: 10 });
    expect(restart.restart_count).toBe(1);
    expect(restart.message).toMatch(
      /^Restarted web after health_status: unhealthy \(stop timeout 10 s\) in \d+ ms$/,
    );
  });

  it('a second unhealthy report while a heal is in flight is merged into it', async () => {
    const { engine, supervisor, trail } = setup();
    const web = engine.add({ name: 'web', labels: { autoheal: 'true' }, health: 'unhealthy' });
    engine.hold(web.id);
    connect(supervisor); // the start-up reconcile finds it unhealthy
    await expect.poll(() => engine.restartsOf(web.id).length).toBe(1); // the heal is in flight
    supervisor.onEngineEvent(engine.event(web.id, 'health_status'));
    supervisor.onEngineEvent(engine.event(web.id, 'health_status'));
    // The intake hands its events to the healer synchronously: empty means both were seen.
    await expect.poll(() => supervisor.queueStatus().size).toBe(0);
    engine.release(web.id);
    await supervisor.settled();
    expect(engine.restartsOf(web.id)).toHaveLength(1);
    expect(trail(web.id)).toEqual(['auto_monitor/enabled', 'unhealthy/detected', 'restart/success']);
  });

  it('a healthy labelled container and an unhealthy unlabelled one are never restarted', async () => {
    const { engine, supervisor, store } = setup();
    const healthy = engine.add({ name: 'ok', labels: { autoheal: 'true' } });
    const unlabelled = engine.add({ name: 'other', health: 'unhealthy' });
    connect(supervisor);
    supervisor.onEngineEvent(engine.event(healthy.id, 'health_status'));
    supervisor.onEngineEvent(engine.event(unlabelled.id, 'health_status'));
    await supervisor.reconcile('interval');
    await supervisor.settled();
    expect(engine.restarts).toEqual([]);
    expect(store.list().filter((e) => e.container_id === unlabelled.id)).toEqual([]);
  });

  it('an excluded container that turns unhealthy is skipped with reason excluded', async () => {
    const { engine, supervisor, trail } = setup({ AUTOHEAL_EXCLUDE: 'db-*' });
    const db = engine.add({ name: 'db-1', labels: { autoheal: 'true' } });
    connect(supervisor);
    engine.setHealth(db.id, 'unhealthy');
    supervisor.onEngineEvent(engine.event(db.id, 'health_status'));
    await supervisor.settled();
    expect(engine.restarts).toEqual([]);
    expect(trail(db.id)).toEqual(['skipped/excluded']);
  });

  it('a container excluded while its heal waits is skipped when the heal runs', async () => {
    const { engine, supervisor, trail } = setup({ AUTOHEAL_CONCURRENCY: '1' });
    const slow = engine.add({ name: 'slow', labels: { autoheal: 'true' }, health: 'unhealthy' });
    const web = engine.add({ name: 'web', labels: { autoheal: 'true' } });
    engine.hold(slow.id);
    connect(supervisor);
    await expect.poll(() => engine.restartsOf(slow.id).length).toBe(1); // the only slot is taken
    engine.setHealth(web.id, 'unhealthy');
    supervisor.onEngineEvent(engine.event(web.id, 'health_status'));
    await expect.poll(() => supervisor.queueStatus().heals_waiting).toBe(1); // web's heal waits
    supervisor.addToList('excluded', 'web');
    engine.release(slow.id);
    await supervisor.settled();
    expect(engine.restartsOf(web.id)).toEqual([]);
    expect(trail(web.id)).toEqual(['auto_monitor/enabled', 'unhealthy/detected', 'skipped/excluded']);
  });

  it('a container already unhealthy at start-up is restarted by the start-up reconcile', async () => {
    const { engine, supervisor, store } = setup();
    const web = engine.add({ name: 'web', labels: { autoheal: 'true' }, health: 'unhealthy' });
    connect(supervisor);
    await supervisor.settled();
    expect(engine.restartsOf(web.id)).toHaveLength(1);
    expect(store.list({ type: 'restart' })[0]?.details).toMatchObject({ trigger: 'reconcile' });
  });

  it('a slow restart does not delay another container', async () => {
    const { engine, supervisor, store } = setup();
    const slow = engine.add({ name: 'slow', labels: { autoheal: 'true' } });
    const fast = engine.add({ name: 'fast', labels: { autoheal: 'true' } });
    connect(supervisor);
    await supervisor.settled();
    engine.hold(slow.id);
    engine.setHealth(slow.id, 'unhealthy');
    engine.setHealth(fast.id, 'unhealthy');
    supervisor.onEngineEvent(engine.event(slow.id, 'health_status'));
    supervisor.onEngineEvent(engine.event(fast.id, 'health_status'));
    await expect.poll(() => store.list({ type: 'restart', container: 'fast' }).length).toBe(1);
    expect(store.list({ type: 'restart', container: 'slow' })).toEqual([]);
    engine.release(slow.id);
    await supervisor.settled();
    expect(store.list({ type: 'restart', container: 'slow' })).toHaveLength(1);
  });

  it('a paused unhealthy container is not restarted', async () => {
    const { engine, supervisor, trail } = setup();
    const web = engine.add({
      name: 'web',
      labels: { autoheal: 'true' },
      health: 'unhealthy',
      state: 'paused',
    });
    connect(supervisor);
    supervisor.onEngineEvent(engine.event(web.id, 'health_status'));
    await supervisor.settled();
    expect(engine.restarts).toEqual([]);
    expect(trail(web.id)).toEqual(['auto_monitor/enabled', 'unhealthy/detected', 'skipped/not_running']);
  });

  it('a container that recovered before its heal ran is left alone', async () => {
    const { engine, supervisor, trail } = setup();
    const web = engine.add({ name: 'web', labels: { autoheal: 'true' }, health: 'unhealthy' });
    const event = engine.event(web.id, 'health_status');
    engine.setHealth(web.id, 'healthy');
    supervisor.onEngineEvent(event);
    await supervisor.settled();
    expect(engine.restarts).toEqual([]);
    expect(trail(web.id)).toEqual(['auto_monitor/enabled', 'unhealthy/detected', 'skipped/recovered']);
  });

  it('a container gone before its heal ran is skipped as gone', async () => {
    const { engine, supervisor, trail } = setup();
    const web = engine.add({ name: 'web', labels: { autoheal: 'true' }, health: 'unhealthy' });
    const event = engine.event(web.id, 'health_status');
    engine.containers.delete(web.id);
    supervisor.onEngineEvent(event);
    await supervisor.settled();
    expect(trail(web.id)).toEqual(['auto_monitor/enabled', 'unhealthy/detected', 'skipped/gone']);
  });

  it('nothing is restarted during the start period', async () => {
    let now = 1_000_000;
    const { engine, supervisor, trail } = setup({ AUTOHEAL_START_PERIOD: '60' }, () => now);
    const web = engine.add({ name: 'web', labels: { autoheal: 'true' }, health: 'unhealthy' });
    supervisor.onEngineEvent(engine.event(web.id, 'health_status'));
    await supervisor.settled();
    expect(engine.restarts).toEqual([]);
    now += 60_000;
    supervisor.onEngineEvent(engine.event(web.id, 'health_status'));
    await supervisor.settled();
    expect(engine.restarts).toHaveLength(1);
    expect(trail(web.id)).toEqual([
      'auto_monitor/enabled',
      'unhealthy/detected',
      'skipped/start_period',
      'unhealthy/detected',
      'restart/success',
    ]);
  });

  it("a failed restart is recorded with the engine's error text", async () => {
    const { engine, supervisor, store, metrics } = setup();
    const web = engine.add({ name: 'web', labels: { autoheal: 'true' }, health: 'unhealthy' });
    engine.failNextRestart = web.id;
    supervisor.onEngineEvent(engine.event(web.id, 'health_status'));
    await supervisor.settled();
    const failed = store.list({ type: 'restart' })[0];
    expect(failed).toMatchObject({ status: 'failed', restart_count: 0 });
    expect(failed?.message).toContain('driver failed programming external connectivity');
    expect(failed?.details).toMatchObject({ error: expect.stringContaining('driver failed') });
    expect(await metrics.render()).toContain('autoheal_restarts_total{result="failed",action="restart"} 1');
  });

  it('the stop timeout comes from the autoheal.stop.timeout label', async () => {
    const { engine, supervisor } = setup();
    const web = engine.add({
      name: 'web',
      labels: { autoheal: 'true', 'autoheal.stop.timeout': '240' },
      health: 'unhealthy',
    });
    supervisor.onEngineEvent(engine.event(web.id, 'health_status'));
    await supervisor.settled();
    expect(engine.restartsOf(web.id)).toEqual([{ id: web.id, stopTimeoutS: 240 }]);
  });

  it('auto_monitor is recorded once per container id, across events and reconciles', async () => {
    const { engine, supervisor, store } = setup();
    const web = engine.add({ name: 'web', labels: { autoheal: 'true' } });
    connect(supervisor);
    supervisor.onEngineEvent(engine.event(web.id, 'start'));
    await supervisor.reconcile('interval');
    supervisor.onEngineEvent(engine.event(web.id, 'start'));
    await supervisor.settled();
    expect(store.list({ type: 'auto_monitor' })).toHaveLength(1);
  });

  it('die and oom of monitored containers are recorded with the exit code; others are not', async () => {
    const { engine, supervisor, store } = setup();
    const web = engine.add({ name: 'web', labels: { autoheal: 'true' } });
    const other = engine.add({ name: 'other' });
    supervisor.onEngineEvent(engine.event(web.id, 'oom'));
    supervisor.onEngineEvent(engine.event(web.id, 'die', { exitCode: 137 }));
    supervisor.onEngineEvent(engine.event(other.id, 'die', { exitCode: 1 }));
    await supervisor.settled();
    const die = store.list({ type: 'die' });
    expect(die).toHaveLength(1);
    expect(die[0]).toMatchObject({ container_name: 'web', details: { exit_code: 137 } });
    expect(die[0]?.message).toBe('web died with exit code 137');
    expect(store.list({ type: 'oom' })).toHaveLength(1);
    expect(engine.restarts).toEqual([]);
  });

  it('destroy forgets the container, so a new container with that id would be enrolled again', async () => {
    const { engine, supervisor, store } = setup();
    const web = engine.add({ name: 'web', labels: { autoheal: 'true' } });
    supervisor.onEngineEvent(engine.event(web.id, 'start'));
    supervisor.onEngineEvent(engine.event(web.id, 'destroy'));
    await supervisor.settled();
    expect(store.markMonitored(web.id)).toBe(true);
  });

  it('a reconcile forgets containers that disappeared without a destroy event', async () => {
    const { engine, supervisor, store } = setup();
    const web = engine.add({ name: 'web', labels: { autoheal: 'true' } });
    await supervisor.reconcile('startup');
    store.setHealRecord(web.id, {
      name: 'web',
      attempts: [1],
      consecutive: 1,
      lastAttemptAt: 1,
      healthySince: null,
      gaveUpAt: null,
      notified: false,
    });
    expect(store.knownContainerIds()).toEqual([web.id]);
    engine.containers.delete(web.id);
    await supervisor.reconcile('interval');
    expect(store.knownContainerIds()).toEqual([]);
    expect(store.getHealRecord(web.id)).toBeNull();
  });

  it('an unhealthy report that arrives while a heal finds the container recovered is not lost', async () => {
    const { engine, supervisor, trail } = setup();
    const web = engine.add({ name: 'web', labels: { autoheal: 'true' }, health: 'unhealthy' });
    // The heal's inspect sees it healthy (it flapped); while it answers, it turns unhealthy again.
    engine.setHealth(web.id, 'healthy');
    engine.duringInspect = (id) => {
      engine.setHealth(id, 'unhealthy');
      supervisor.onEngineEvent(engine.event(id, 'health_status'));
    };
    supervisor.onEngineEvent({ ...engine.event(web.id, 'health_status'), health: 'unhealthy' });
    await supervisor.settled();
    expect(trail(web.id).slice(-2)).toEqual(['skipped/recovered', 'restart/success']);
    expect(engine.restartsOf(web.id)).toHaveLength(1);
  });

  it('the engine going away and coming back is recorded, and the reconnect reconciles', async () => {
    const { engine, supervisor, store } = setup();
    const web = engine.add({ name: 'web', labels: { autoheal: 'true' } });
    connect(supervisor);
    await supervisor.settled();
    supervisor.onEngineDisconnected({ error: 'socket hang up', retryInMs: 1000 });
    engine.setHealth(web.id, 'unhealthy'); // turned unhealthy while we were away
    supervisor.onEngineConnected({ reconnect: true });
    await supervisor.settled();
    expect(store.list({ type: 'engine' }).map((e) => e.status)).toEqual([
      'connected',
      'disconnected',
      'connected',
    ]);
    expect(engine.restartsOf(web.id)).toHaveLength(1);
  });

  it('a reconcile while the engine is unreachable changes nothing and does not throw', async () => {
    const { engine, supervisor, store } = setup();
    engine.unreachable = true;
    await supervisor.reconcile('interval');
    expect(store.list()).toEqual([]);
  });

  it('an excluded-list change is recorded and takes effect at once', async () => {
    const { engine, supervisor, store } = setup();
    const web = engine.add({ name: 'web', labels: { autoheal: 'true' } });
    expect(supervisor.addToList('excluded', 'web')).toMatchObject({ ok: true, changed: true });
    expect(supervisor.addToList('excluded', 'web')).toMatchObject({ ok: true, changed: false });
    expect(store.list({ type: 'config_change' })[0]?.details).toMatchObject({
      list: 'excluded',
      added: ['web'],
    });
    engine.setHealth(web.id, 'unhealthy');
    supervisor.onEngineEvent(engine.event(web.id, 'health_status'));
    await supervisor.settled();
    expect(engine.restarts).toEqual([]);
    expect(supervisor.removeFromList('excluded', 'web')).toMatchObject({ ok: true });
    supervisor.onEngineEvent(engine.event(web.id, 'health_status'));
    await supervisor.settled();
    expect(engine.restartsOf(web.id)).toHaveLength(1);
  });

  it('entries from AUTOHEAL_EXCLUDE cannot be removed through the lists', () => {
    const { supervisor, store } = setup({ AUTOHEAL_EXCLUDE: 'db' });
    expect(supervisor.removeFromList('excluded', 'db')).toEqual({ ok: false, reason: 'from_config' });
    expect(supervisor.removeFromList('excluded', 'nope')).toEqual({ ok: false, reason: 'absent' });
    expect(supervisor.effectiveExcluded()).toEqual(['db']);
    expect(store.list()).toEqual([]);
  });

  it('a hand-picked container is monitored and healed', async () => {
    const { engine, supervisor } = setup();
    const web = engine.add({ name: 'web', health: 'unhealthy' });
    connect(supervisor);
    await supervisor.settled();
    expect(engine.restarts).toEqual([]);
    supervisor.addToList('selected', 'web');
    await supervisor.settled();
    expect(engine.restartsOf(web.id)).toHaveLength(1);
  });

  it('finds a container by name, full id or unique id prefix of at least 12', async () => {
    const { engine, supervisor } = setup();
    const web = engine.add({ name: 'web', labels: { autoheal: 'true' } });
    for (const ref of ['web', '/web', web.id, web.id.slice(0, 12)]) {
      expect((await supervisor.findContainer(ref))?.id).toBe(web.id);
    }
    expect(await supervisor.findContainer(web.id.slice(0, 11))).toBeNull();
    expect(await supervisor.findContainer('nope')).toBeNull();
  });

  it('restart now through the API restarts even a healthy container and is recorded as api', async () => {
    const { engine, supervisor } = setup();
    const web = engine.add({ name: 'web' });
    const result = await supervisor.restartNow('web');
    expect(result).toMatchObject({
      ok: true,
      event: { event_type: 'restart', status: 'success', details: { trigger: 'api' } },
    });
    expect(engine.restartsOf(web.id)).toHaveLength(1);
  });

  it('restart now is refused while a heal of the container is in flight, and for unknown containers', async () => {
    const { engine, supervisor } = setup();
    const web = engine.add({ name: 'web', labels: { autoheal: 'true' }, health: 'unhealthy' });
    engine.hold(web.id);
    supervisor.onEngineEvent(engine.event(web.id, 'health_status'));
    await expect.poll(() => engine.restarts.length).toBe(1);
    expect(await supervisor.restartNow('web')).toEqual({ ok: false, reason: 'busy' });
    expect(await supervisor.restartNow('nope')).toEqual({ ok: false, reason: 'not_found' });
    engine.release(web.id);
    await supervisor.settled();
    expect(engine.restartsOf(web.id)).toHaveLength(1);
  });

  it("restart now refuses autoheal's own container", async () => {
    const selfId = 'c0ffee'.repeat(10).padEnd(64, '0');
    const { engine, supervisor } = supervisorHarness({ selfId });
    engine.add({ id: selfId, name: 'autoheal' });
    expect(await supervisor.restartNow('autoheal')).toEqual({ ok: false, reason: 'self' });
    expect(engine.restarts).toEqual([]);
  });

  it('a flood of health reports is coalesced per container and counted, never lost', async () => {
    const { engine, supervisor } = supervisorHarness({ intakeCapacity: 5 });
    const web = engine.add({ name: 'web', labels: { autoheal: 'true' }, health: 'unhealthy' });
    const other = engine.add({ name: 'other' });
    for (let i = 0; i < 50; i += 1) supervisor.onEngineEvent(engine.event(other.id, 'start'));
    for (let i = 0; i < 50; i += 1) supervisor.onEngineEvent(engine.event(web.id, 'health_status'));
    expect(supervisor.queueStatus().dropped).toBe(45 + 49);
    await supervisor.settled();
    expect(engine.restartsOf(web.id)).toHaveLength(1);
  });
});

describe('stopping the supervisor', () => {
  it('a restart still running when autoheal stops is recorded as interrupted, not lost', async () => {
    const { engine, supervisor, store } = setup();
    const web = engine.add({ name: 'web', labels: { autoheal: 'true' }, health: 'unhealthy' });
    engine.hold(web.id);
    supervisor.onEngineEvent(engine.event(web.id, 'health_status'));
    await expect.poll(() => engine.restarts.length).toBe(1);
    await supervisor.stop(50);
    expect(store.list({ type: 'restart' })).toMatchObject([{ status: 'interrupted', container_name: 'web' }]);
    engine.release(web.id);
    await supervisor.settled(); // the released restart has returned
    expect(store.list({ type: 'restart' })).toHaveLength(1);
  });
});

describe('what the container views show', () => {
  it('only autoheal’s own labels, never the others (they may carry secrets)', async () => {
    const { engine, supervisor } = setup({ AUTOHEAL_CONTAINER_LABEL: 'heal.me' });
    engine.add({
      name: 'proxy',
      labels: {
        'heal.me': 'true',
        'autoheal.grace': '5',
        autoheal: 'false',
        'traefik.http.middlewares.auth.basicauth.users': 'admin:$apr1$secret',
        'com.example.job': 'mysqldump -psecret',
      },
    });
    const [view] = await supervisor.listContainers();
    expect(view?.labels).toEqual({ 'heal.me': 'true', 'autoheal.grace': '5' });
    expect((await supervisor.findContainer('proxy'))?.labels).toEqual(view?.labels);
  });

  it('with AUTOHEAL_CONTAINER_LABEL=all, the opt-out key autoheal is shown', async () => {
    const { engine, supervisor } = setup({ AUTOHEAL_CONTAINER_LABEL: 'all' });
    engine.add({ name: 'db', labels: { autoheal: 'false', password: 'hunter2' } });
    expect((await supervisor.findContainer('db'))?.labels).toEqual({ autoheal: 'false' });
  });
});

describe('the API views and the engine', () => {
  it('many clients listing at once reach the engine once a second, through the container source', async () => {
    let now = 0;
    const { engine, supervisor } = supervisorHarness({
      containers: (e) => new ThrottledContainerSource(e, { now: () => now }),
    });
    engine.add({ name: 'web', labels: { autoheal: 'true' } });
    const list = vi.spyOn(engine, 'listContainers');
    const answers = await Promise.all([
      ...Array.from({ length: 40 }, () => supervisor.listContainers()),
      ...Array.from({ length: 10 }, () => supervisor.findContainer('web')),
    ]);
    expect(answers).toHaveLength(50);
    expect(list).toHaveBeenCalledTimes(1);
    now = 1000;
    await supervisor.listContainers();
    expect(list).toHaveBeenCalledTimes(2);
  });
});
