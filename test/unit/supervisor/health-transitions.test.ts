import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../src/log.js';
import { MemoryStore } from '../../../src/store/memory-store.js';
import {
  HealthTransitions,
  observedInEvent,
  observedInList,
} from '../../../src/supervisor/health-transitions.js';
import type { Outcome } from '../../../src/supervisor/record/outcomes.js';
import { stopSupervisors, supervisorHarness } from '../../support/supervisor-harness.js';

afterEach(async () => {
  await stopSupervisors(100);
});

/** A clock the test moves by hand; nothing here waits on the wall clock. */
function fakeClock(startMs = Date.UTC(2026, 11, 3, 12)) {
  let t = startMs;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

describe('what an observation says about health', () => {
  it('a list entry: running with a healthcheck says its state, exited says stopped (if known), the rest nothing', () => {
    expect(observedInList({ state: 'running', health: 'healthy' })).toEqual({
      state: 'healthy',
      ifKnown: false,
    });
    expect(observedInList({ state: 'running', health: 'starting' })).toEqual({
      state: 'starting',
      ifKnown: false,
    });
    expect(observedInList({ state: 'exited', health: 'none' })).toEqual({ state: 'stopped', ifKnown: true });
    expect(observedInList({ state: 'running', health: 'none' })).toBeNull();
    expect(observedInList({ state: 'paused', health: 'unhealthy' })).toBeNull();
    expect(observedInList({ state: 'created', health: 'none' })).toBeNull();
  });

  it('an event: health_status its state, die stopped and start starting (if known), others nothing', () => {
    expect(observedInEvent({ action: 'health_status', health: 'unhealthy' })).toEqual({
      state: 'unhealthy',
      ifKnown: false,
    });
    expect(observedInEvent({ action: 'die' })).toEqual({ state: 'stopped', ifKnown: true });
    expect(observedInEvent({ action: 'start' })).toEqual({ state: 'starting', ifKnown: true });
    expect(observedInEvent({ action: 'pause' })).toBeNull();
    expect(observedInEvent({ action: 'oom' })).toBeNull();
  });
});

describe('health transitions in the supervisor', () => {
  it('a container that turns unhealthy, is restarted and recovers writes one event per change', async () => {
    const clock = fakeClock();
    const { engine, supervisor, healthTrail, store } = supervisorHarness({ now: clock.now });
    const web = engine.add({ name: 'web', labels: { autoheal: 'true' } });
    supervisor.onEngineConnected({ reconnect: false });
    await supervisor.settled();
    expect(healthTrail(web.id)).toEqual(['healthy<null']);

    engine.setHealth(web.id, 'unhealthy');
    supervisor.onEngineEvent(engine.event(web.id, 'health_status'));
    await supervisor.settled();
    // The restart's own die and start, then the healthcheck passes again.
    supervisor.onEngineEvent(engine.event(web.id, 'die', { exitCode: 137 }));
    engine.setHealth(web.id, 'starting');
    supervisor.onEngineEvent(engine.event(web.id, 'start'));
    clock.advance(5_000);
    engine.setHealth(web.id, 'healthy');
    supervisor.onEngineEvent(engine.event(web.id, 'health_status'));
    await supervisor.settled();

    expect(healthTrail(web.id)).toEqual([
      'healthy<null',
      'unhealthy<healthy',
      'stopped<unhealthy',
      'starting<stopped',
      'healthy<starting',
    ]);
    const first = store.list({ type: 'health' }).at(-1);
    expect(first).toMatchObject({
      container_name: 'web',
      status: 'healthy',
      message: 'web is healthy',
      details: { previous: null, source: 'reconcile' },
    });
    const back = store.list({ type: 'health' })[0];
    expect(back?.message).toBe('web is healthy (was starting)');
    // The unhealthy transition precedes the heal's own report.
    const types = store
      .list()
      .filter((e) => e.container_id === web.id)
      .reverse()
      .map((e) => `${e.event_type}/${e.status}`);
    expect(types.indexOf('health/unhealthy')).toBeLessThan(types.indexOf('unhealthy/detected'));
  });

  it('reconciles and repeated events that find the same state write nothing', async () => {
    const { engine, supervisor, healthTrail } = supervisorHarness();
    const web = engine.add({ name: 'web', labels: { autoheal: 'true' } });
    supervisor.onEngineConnected({ reconnect: false });
    await supervisor.settled();
    for (let i = 0; i < 5; i++) await supervisor.reconcile('interval');
    supervisor.onEngineEvent(engine.event(web.id, 'health_status'));
    supervisor.onEngineEvent(engine.event(web.id, 'health_status'));
    await supervisor.settled();
    expect(healthTrail(web.id)).toEqual(['healthy<null']);
  });

  it('an unmonitored container, or one without a healthcheck, gets no health events', async () => {
    const { engine, supervisor, store } = supervisorHarness();
    const other = engine.add({ name: 'other', health: 'unhealthy' });
    const plain = engine.add({ name: 'plain', labels: { autoheal: 'true' }, health: 'none' });
    supervisor.onEngineConnected({ reconnect: false });
    await supervisor.settled();
    supervisor.onEngineEvent(engine.event(other.id, 'health_status'));
    supervisor.onEngineEvent(engine.event(plain.id, 'die', { exitCode: 0 }));
    supervisor.onEngineEvent(engine.event(plain.id, 'start'));
    engine.setState(plain.id, 'exited');
    await supervisor.reconcile('interval');
    await supervisor.settled();
    expect(store.list({ type: 'health' })).toEqual([]);
  });

  it('a stopped container is stopped once, whether the die event or a reconcile tells', async () => {
    const { engine, supervisor, healthTrail } = supervisorHarness();
    const web = engine.add({ name: 'web', labels: { autoheal: 'true' } });
    supervisor.onEngineConnected({ reconnect: false });
    await supervisor.settled();
    engine.setState(web.id, 'exited');
    engine.setHealth(web.id, 'none');
    supervisor.onEngineEvent(engine.event(web.id, 'die', { exitCode: 1 }));
    await supervisor.reconcile('interval');
    await supervisor.settled();
    expect(healthTrail(web.id)).toEqual(['healthy<null', 'stopped<healthy']);
  });

  it('a list taken before a health event does not undo what the event said', async () => {
    // Held back by the start period, so no heal runs beside the scenario.
    const { engine, supervisor, healthTrail } = supervisorHarness({ env: { AUTOHEAL_START_PERIOD: '3600' } });
    const web = engine.add({ name: 'web', labels: { autoheal: 'true' }, health: 'unhealthy' });
    supervisor.onEngineConnected({ reconnect: false });
    await supervisor.settled();
    // The list's snapshot says unhealthy; while it is under way the container turns healthy.
    engine.duringList = () => {
      engine.setHealth(web.id, 'healthy');
      supervisor.onEngineEvent(engine.event(web.id, 'health_status'));
    };
    await supervisor.reconcile('interval');
    await supervisor.settled();
    expect(healthTrail(web.id)).toEqual(['unhealthy<null', 'healthy<unhealthy']);
  });

  it('after a restart of autoheal the last state is read from the trail: nothing new when it did not change', async () => {
    const store = new MemoryStore({ eventsMax: 5000 });
    const first = supervisorHarness({ store });
    const web = first.engine.add({ name: 'web', labels: { autoheal: 'true' } });
    first.supervisor.onEngineConnected({ reconnect: false });
    await first.supervisor.settled();
    await first.supervisor.stop(10);

    const second = supervisorHarness({ store });
    const again = second.engine.add({ id: web.id, name: 'web', labels: { autoheal: 'true' } });
    const db = second.engine.add({
      name: 'db',
      labels: { autoheal: 'true' },
      state: 'exited',
      health: 'none',
    });
    second.supervisor.onEngineConnected({ reconnect: false });
    await second.supervisor.settled();
    expect(second.healthTrail(again.id)).toEqual(['healthy<null']);
    // Never seen with a healthcheck: a stopped container says nothing about one.
    expect(second.healthTrail(db.id)).toEqual([]);

    second.engine.setHealth(web.id, 'unhealthy');
    second.engine.hold(web.id);
    await second.supervisor.reconcile('interval');
    expect(second.healthTrail(web.id)).toEqual(['healthy<null', 'unhealthy<healthy']);
    second.engine.release(web.id);
    await second.supervisor.settled();
  });

  it('after a restart of autoheal a state that changed meanwhile names the recorded one as previous', async () => {
    const store = new MemoryStore({ eventsMax: 5000 });
    const first = supervisorHarness({ store });
    const web = first.engine.add({ name: 'web', labels: { autoheal: 'true' } });
    first.supervisor.onEngineConnected({ reconnect: false });
    await first.supervisor.settled();
    await first.supervisor.stop(10);

    const second = supervisorHarness({ store });
    second.engine.add({
      id: web.id,
      name: 'web',
      labels: { autoheal: 'true' },
      state: 'exited',
      health: 'none',
    });
    second.supervisor.onEngineConnected({ reconnect: false });
    await second.supervisor.settled();
    expect(second.healthTrail(web.id)).toEqual(['healthy<null', 'stopped<healthy']);
  });

  it('a container re-created under the same name continues its name’s states', async () => {
    const { engine, supervisor, store } = supervisorHarness();
    const old = engine.add({ name: 'web', labels: { autoheal: 'true' } });
    supervisor.onEngineConnected({ reconnect: false });
    await supervisor.settled();
    supervisor.onEngineEvent(engine.event(old.id, 'die', { exitCode: 0 }));
    supervisor.onEngineEvent(engine.event(old.id, 'destroy'));
    engine.containers.delete(old.id);
    const fresh = engine.add({ name: 'web', labels: { autoheal: 'true' }, health: 'starting' });
    supervisor.onEngineEvent(engine.event(fresh.id, 'start'));
    await supervisor.settled();
    const states = store
      .list({ type: 'health' })
      .reverse()
      .map((e) => `${e.container_id === fresh.id ? 'new' : 'old'}:${e.status}<${String(e.details.previous)}`);
    expect(states).toEqual(['old:healthy<null', 'old:stopped<healthy', 'new:starting<stopped']);
  });
});

describe('the transitions on their own', () => {
  it('observations that arrive before the trail has answered are applied after it, in order', async () => {
    const recorded: Outcome[] = [];
    let answer: (v: []) => void = () => undefined;
    const transitions = new HealthTransitions({
      trail: { find: () => new Promise((resolve) => (answer = resolve)) },
      record: (o) => recorded.push(o),
      isMonitored: () => true,
      logger: silentLogger(),
    });
    const c = { id: 'a'.repeat(64), name: 'web', labels: {} };
    const event = { ...c, time: 0, timeNano: '0' };
    transitions.onEvent({ ...event, action: 'health_status', health: 'healthy' });
    transitions.onEvent({ ...event, action: 'health_status', health: 'unhealthy' });
    expect(recorded).toEqual([]);
    answer([]);
    await new Promise((r) => setImmediate(r));
    expect(recorded.map((o) => (o.kind === 'health' ? `${o.state}<${o.previous}` : o.kind))).toEqual([
      'healthy<null',
      'unhealthy<healthy',
    ]);
    expect(transitions.stateOf('web')).toBe('unhealthy');
  });

  it('a trail that cannot be read is logged and every state is written with previous null', async () => {
    const recorded: Outcome[] = [];
    const transitions = new HealthTransitions({
      trail: { find: () => Promise.reject(new Error('EIO: i/o error')) },
      record: (o) => recorded.push(o),
      isMonitored: () => true,
      logger: silentLogger(),
    });
    transitions.onList(
      [{ id: 'b'.repeat(64), name: 'db', image: 'x', labels: {}, state: 'running', health: 'unhealthy' }],
      transitions.mark(),
    );
    await new Promise((r) => setImmediate(r));
    expect(recorded).toMatchObject([
      { kind: 'health', state: 'unhealthy', previous: null, source: 'reconcile' },
    ]);
  });
});
