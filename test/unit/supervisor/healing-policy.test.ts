/**
 * The healing policy end to end through the supervisor, against the fake engine, with
 * vitest's fake clock: back-off, give-up and re-arm, retry of a failed restart, grace
 * period, the action label, dependents and notifications. No test sleeps.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { MemoryStore } from '../../../src/store/memory-store.js';
import { stopSupervisors, supervisorHarness } from '../../support/supervisor-harness.js';

const S = 1000;

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] });
  vi.setSystemTime(new Date('2026-11-21T12:00:00Z'));
});

afterEach(async () => {
  await stopSupervisors();
  vi.useRealTimers();
});

/** Lets pending promise callbacks and the event intake run (no clock involved). */
async function ticks(n = 5): Promise<void> {
  for (let i = 0; i < n; i += 1) await new Promise<void>((resolve) => setImmediate(resolve));
}

async function until(done: () => boolean): Promise<void> {
  for (let i = 0; i < 100 && !done(); i += 1) await ticks(1);
  expect(done()).toBe(true);
}

function setup(env: Record<string, string> = {}, store?: MemoryStore) {
  const h = supervisorHarness({
    env: { AUTOHEAL_INTERVAL: '3600', ...env },
    now: () => Date.now(),
    ...(store ? { store } : {}),
  });
  const { engine, supervisor } = h;
  const advance = async (ms: number) => {
    await vi.advanceTimersByTimeAsync(ms);
    await supervisor.settled();
  };
  /** The container's healthcheck fails again right after each restart. */
  const turnUnhealthy = async (id: string) => {
    engine.setHealth(id, 'unhealthy');
    supervisor.onEngineEvent(engine.event(id, 'health_status'));
    await supervisor.settled();
  };
  return { ...h, advance, turnUnhealthy };
}

describe('restart-loop damping through the supervisor', () => {
  it('a container that keeps failing is restarted after 0, 10, 20, 40 s, recorded as backoff skips', async () => {
    const { engine, store, turnUnhealthy, advance } = setup();
    const web = engine.add({ name: 'web', labels: { autoheal: 'true' } });
    const restartTimes: number[] = [];
    const t0 = Date.now();
    for (let i = 0; i < 4; i += 1) {
      await turnUnhealthy(web.id);
      // Wait until the scheduled retry has restarted it.
      for (let s = 0; s < 100 && engine.restartsOf(web.id).length === i; s += 1) await advance(S);
      restartTimes.push(Math.round((Date.now() - t0) / S));
    }
    const gaps = restartTimes.map((t, i) => t - (restartTimes[i - 1] ?? 0));
    expect(gaps).toEqual([0, 10, 20, 40]);
    const backoffs = store.list({ type: 'skipped' }).reverse();
    expect(backoffs.map((e) => e.status)).toEqual(['backoff', 'backoff', 'backoff']);
    expect(backoffs.map((e) => e.details.wait_s)).toEqual([10, 20, 40]);
    expect(store.list({ type: 'restart' }).map((e) => e.details.trigger)).toEqual([
      'retry',
      'retry',
      'retry',
      'event',
    ]);
  });

  it('the wait counts from the unhealthy report, however long after the restart it comes', async () => {
    const { engine, store, turnUnhealthy, advance } = setup();
    const web = engine.add({ name: 'web', labels: { autoheal: 'true' } });
    await turnUnhealthy(web.id);
    expect(engine.restartsOf(web.id)).toHaveLength(1);
    // Docker's default healthcheck reports the failure ~90 s after the restart.
    await advance(90 * S);
    await turnUnhealthy(web.id);
    expect(engine.restartsOf(web.id)).toHaveLength(1);
    const backoff = store.list({ type: 'skipped' })[0];
    expect(backoff).toMatchObject({
      status: 'backoff',
      details: { wait_s: 10, retry_at: new Date(Date.now() + 10 * S).toISOString() },
    });
    await advance(9 * S);
    expect(engine.restartsOf(web.id)).toHaveLength(1);
    await advance(1 * S);
    expect(engine.restartsOf(web.id)).toHaveLength(2);
    await advance(90 * S);
    await turnUnhealthy(web.id);
    await advance(19 * S);
    expect(engine.restartsOf(web.id)).toHaveLength(2);
    await advance(1 * S);
    expect(engine.restartsOf(web.id)).toHaveLength(3);
  });

  it('a reconcile report starts the spell too, and a later event does not move it', async () => {
    const { engine, supervisor, turnUnhealthy, advance } = setup();
    const web = engine.add({ name: 'web', labels: { autoheal: 'true' } });
    await turnUnhealthy(web.id);
    await advance(30 * S);
    engine.setHealth(web.id, 'unhealthy');
    await supervisor.reconcile('interval');
    await advance(4 * S);
    supervisor.onEngineEvent(engine.event(web.id, 'health_status'));
    await advance(5 * S);
    expect(engine.restartsOf(web.id)).toHaveLength(1);
    await advance(1 * S);
    expect(engine.restartsOf(web.id)).toHaveLength(2);
  });

  it('a grace period overlaps the back-off wait instead of adding to it', async () => {
    const { engine, turnUnhealthy, advance } = setup({ AUTOHEAL_GRACE_PERIOD: '4' });
    const web = engine.add({ name: 'web', labels: { autoheal: 'true' } });
    await turnUnhealthy(web.id);
    await advance(4 * S);
    expect(engine.restartsOf(web.id)).toHaveLength(1);
    await advance(60 * S);
    await turnUnhealthy(web.id);
    // Grace 4 s, back-off 10 s, both from the report: restarted 10 s after it, not 14.
    await advance(9 * S);
    expect(engine.restartsOf(web.id)).toHaveLength(1);
    await advance(1 * S);
    expect(engine.restartsOf(web.id)).toHaveLength(2);
  });

  it('staying healthy for the reset period starts the back-off over', async () => {
    const { engine, supervisor, turnUnhealthy, advance } = setup({ AUTOHEAL_BACKOFF_RESET: '60' });
    const web = engine.add({ name: 'web', labels: { autoheal: 'true' } });
    await turnUnhealthy(web.id);
    expect(engine.restartsOf(web.id)).toHaveLength(1);
    engine.setHealth(web.id, 'healthy');
    supervisor.onEngineEvent(engine.event(web.id, 'health_status'));
    await advance(61 * S);
    await turnUnhealthy(web.id);
    expect(engine.restartsOf(web.id)).toHaveLength(2); // at once, no back-off
  });

  it('gives up after AUTOHEAL_MAX_RESTARTS in the window, notifies, and leaves it alone', async () => {
    const { engine, supervisor, store, notifier, trail, turnUnhealthy, advance } = setup({
      AUTOHEAL_MAX_RESTARTS: '3',
      AUTOHEAL_BACKOFF_INITIAL: '1',
      AUTOHEAL_BACKOFF_MAX: '1',
    });
    const web = engine.add({ name: 'web', labels: { autoheal: 'true' } });
    for (let i = 0; i < 3; i += 1) {
      await turnUnhealthy(web.id);
      await advance(2 * S);
    }
    expect(engine.restartsOf(web.id)).toHaveLength(3);
    await turnUnhealthy(web.id);
    expect(store.list({ type: 'gave_up' })).toHaveLength(1);
    expect(notifier.sent.map((n) => n.kind)).toContain('gave_up');
    // The reconcile keeps finding it unhealthy: nothing more happens, nothing more is recorded.
    const before = trail(web.id).length;
    for (let i = 0; i < 3; i += 1) {
      await supervisor.reconcile('interval');
      await advance(60 * S);
    }
    expect(engine.restartsOf(web.id)).toHaveLength(3);
    expect(trail(web.id)).toHaveLength(before);
    expect((await supervisor.findContainer('web'))?.gave_up).toBe(true);
  });

  it('a given-up container is re-armed when it turns healthy', async () => {
    const { engine, supervisor, turnUnhealthy, advance } = setup({
      AUTOHEAL_MAX_RESTARTS: '1',
      AUTOHEAL_BACKOFF_INITIAL: '1',
      AUTOHEAL_BACKOFF_MAX: '1',
    });
    const web = engine.add({ name: 'web', labels: { autoheal: 'true' } });
    await turnUnhealthy(web.id);
    await advance(2 * S);
    await turnUnhealthy(web.id);
    expect((await supervisor.findContainer('web'))?.gave_up).toBe(true);
    engine.setHealth(web.id, 'healthy');
    supervisor.onEngineEvent(engine.event(web.id, 'health_status'));
    await supervisor.settled();
    expect((await supervisor.findContainer('web'))?.gave_up).toBe(false);
    await turnUnhealthy(web.id);
    expect(engine.restartsOf(web.id)).toHaveLength(2);
  });

  it('a reset through the API re-arms a given-up container and heals it at once', async () => {
    const { engine, supervisor, store, turnUnhealthy, advance } = setup({
      AUTOHEAL_MAX_RESTARTS: '1',
      AUTOHEAL_BACKOFF_INITIAL: '1',
      AUTOHEAL_BACKOFF_MAX: '1',
    });
    supervisor.onEngineConnected({ reconnect: false });
    const web = engine.add({ name: 'web', labels: { autoheal: 'true' } });
    await turnUnhealthy(web.id);
    await advance(2 * S);
    await turnUnhealthy(web.id);
    expect(await supervisor.reset('web')).toBe(true);
    await advance(0);
    expect(engine.restartsOf(web.id)).toHaveLength(2);
    expect(store.list({ type: 'config_change' })[0]).toMatchObject({
      status: 'reset',
      container_name: 'web',
    });
    expect(await supervisor.reset('nope')).toBe(false);
  });

  it('the damping state survives a restart of autoheal', async () => {
    const store = new MemoryStore({ eventsMax: 5000 });
    const first = setup({}, store);
    const web = first.engine.add({ name: 'web', labels: { autoheal: 'true' } });
    await first.turnUnhealthy(web.id);
    await first.supervisor.stop(10);
    const second = setup({}, store);
    second.engine.containers.set(web.id, { ...web, health: 'unhealthy' });
    second.supervisor.onEngineEvent(second.engine.event(web.id, 'health_status'));
    await second.supervisor.settled();
    expect(second.engine.restartsOf(web.id)).toHaveLength(0);
    expect(store.list({ type: 'skipped' })[0]).toMatchObject({ status: 'backoff' });
  });

  it('a failed restart is retried on the back-off without another event, with the error recorded', async () => {
    const { engine, store, notifier, turnUnhealthy, advance } = setup();
    const web = engine.add({ name: 'web', labels: { autoheal: 'true' } });
    engine.failNextRestart = web.id;
    await turnUnhealthy(web.id);
    const failed = store.list({ type: 'restart' })[0];
    expect(failed).toMatchObject({ status: 'failed' });
    expect(failed?.message).toMatch(/driver failed programming external connectivity; retrying in 10 s$/);
    expect(notifier.sent.map((n) => n.kind)).toEqual(['restart_failed']);
    expect(notifier.scripts).toEqual([{ containerName: 'web', state: 'failed' }]);
    await advance(10 * S);
    expect(engine.restartsOf(web.id)).toHaveLength(2);
    expect(store.list({ type: 'restart' })[0]).toMatchObject({
      status: 'success',
      details: { trigger: 'retry' },
    });
  });
});

describe('grace period', () => {
  it('a container still unhealthy when its grace period ends is restarted', async () => {
    const { engine, trail, turnUnhealthy, advance } = setup({ AUTOHEAL_GRACE_PERIOD: '30' });
    const web = engine.add({ name: 'web', labels: { autoheal: 'true' } });
    await turnUnhealthy(web.id);
    await advance(29 * S);
    expect(engine.restarts).toEqual([]);
    await advance(1 * S);
    expect(engine.restartsOf(web.id)).toHaveLength(1);
    expect(trail(web.id)).toEqual(['auto_monitor/enabled', 'unhealthy/detected', 'restart/success']);
  });

  it('a container that recovers within its grace period is left alone', async () => {
    const { engine, supervisor, trail, turnUnhealthy, advance } = setup();
    const web = engine.add({ name: 'web', labels: { autoheal: 'true', 'autoheal.grace': '30' } });
    await turnUnhealthy(web.id);
    await advance(10 * S);
    engine.setHealth(web.id, 'healthy');
    supervisor.onEngineEvent(engine.event(web.id, 'health_status'));
    await advance(60 * S);
    expect(engine.restarts).toEqual([]);
    expect(trail(web.id)).toEqual(['auto_monitor/enabled', 'unhealthy/detected', 'skipped/recovered']);
  });

  it('the label autoheal.grace overrides AUTOHEAL_GRACE_PERIOD', async () => {
    const { engine, turnUnhealthy } = setup({ AUTOHEAL_GRACE_PERIOD: '30' });
    const web = engine.add({ name: 'web', labels: { autoheal: 'true', 'autoheal.grace': '0' } });
    await turnUnhealthy(web.id);
    expect(engine.restartsOf(web.id)).toHaveLength(1);
  });
});

describe('actions and dependents', () => {
  it('autoheal.action=stop stops the container and records it', async () => {
    const { engine, store, notifier, turnUnhealthy } = setup();
    const web = engine.add({ name: 'web', labels: { autoheal: 'true', 'autoheal.action': 'stop' } });
    await turnUnhealthy(web.id);
    expect(engine.restarts).toEqual([]);
    expect(engine.stops).toEqual([{ id: web.id, stopTimeoutS: 10 }]);
    expect(store.list({ type: 'stop' })[0]).toMatchObject({ status: 'success', container_name: 'web' });
    expect(notifier.sent.map((n) => n.kind)).toEqual(['stop']);
  });

  it('autoheal.action=notify only records and notifies, once per unhealthy spell', async () => {
    const { engine, supervisor, store, notifier, turnUnhealthy } = setup();
    const web = engine.add({ name: 'web', labels: { autoheal: 'true', 'autoheal.action': 'notify' } });
    await turnUnhealthy(web.id);
    await supervisor.reconcile('interval');
    await supervisor.settled();
    expect(engine.restarts).toEqual([]);
    expect(store.list({ type: 'skipped' }).map((e) => e.status)).toEqual(['notify_only']);
    expect(notifier.sent.map((n) => n.kind)).toEqual(['unhealthy_notify']);
  });

  it('containers using the healed container network are restarted after it, in order', async () => {
    const { engine, store, turnUnhealthy } = setup();
    const vpn = engine.add({ name: 'vpn', labels: { autoheal: 'true', 'autoheal.dependents': 'restart' } });
    const b = engine.add({ name: 'b-client', networkMode: `container:${vpn.id}` });
    const a = engine.add({ name: 'a-client', networkMode: `container:${vpn.id}` });
    engine.add({ name: 'unrelated', networkMode: 'bridge' });
    await turnUnhealthy(vpn.id);
    expect(engine.restarts.map((r) => r.id)).toEqual([vpn.id, a.id, b.id]);
    const deps = store.list({ type: 'restart' }).filter((e) => e.details.trigger === 'dependent');
    expect(deps.map((e) => e.container_name).reverse()).toEqual(['a-client', 'b-client']);
    expect(deps[0]?.details).toMatchObject({ dependency: 'vpn' });
  });

  it('without the label (or AUTOHEAL_RESTART_DEPENDENTS) dependents are left alone', async () => {
    const { engine, turnUnhealthy } = setup();
    const vpn = engine.add({ name: 'vpn', labels: { autoheal: 'true' } });
    engine.add({ name: 'client', networkMode: `container:${vpn.id}` });
    await turnUnhealthy(vpn.id);
    expect(engine.restarts.map((r) => r.id)).toEqual([vpn.id]);
    const global = setup({ AUTOHEAL_RESTART_DEPENDENTS: 'true' });
    const vpn2 = global.engine.add({ name: 'vpn', labels: { autoheal: 'true' } });
    global.engine.add({ name: 'client', networkMode: `container:${vpn2.id}` });
    await global.turnUnhealthy(vpn2.id);
    expect(global.engine.restarts).toHaveLength(2);
  });

  it('a successful restart notifies and runs the post-restart script', async () => {
    const { engine, notifier, turnUnhealthy } = setup();
    const web = engine.add({ name: 'web', labels: { autoheal: 'true' } });
    await turnUnhealthy(web.id);
    expect(notifier.sent).toMatchObject([
      { kind: 'restart', containerName: 'web', reason: 'health_status: unhealthy' },
    ]);
    expect(notifier.scripts).toEqual([{ containerName: 'web', state: 'running' }]);
  });
});

describe('heal correctness', () => {
  it('while the event stream is down but the engine answers, the interval reconcile heals, inspecting first', async () => {
    const { engine, supervisor, store, advance } = setup({ AUTOHEAL_INTERVAL: '5' });
    const web = engine.add({ name: 'web', labels: { autoheal: 'true' } });
    supervisor.start();
    // A proxy refuses /events: the stream never comes up, list and inspect still answer.
    supervisor.onEngineDisconnected({ error: 'HTTP 403 on /events', retryInMs: 1000 });
    engine.setHealth(web.id, 'unhealthy');
    await advance(5 * S);
    expect(engine.restartsOf(web.id)).toHaveLength(1);
    expect(store.list({ type: 'restart' })[0]?.details).toMatchObject({ trigger: 'reconcile' });
    const calls = engine.calls.filter((c) => c.endsWith(web.id));
    // The heal's own inspect and restart; beside them, after the restart is asked for, the read
    // of the probe log for the audit event.
    expect(calls).toEqual([`inspect:${web.id}`, `restart:${web.id}`, `probes:${web.id}`]);
  });

  it('a reconcile snapshot taken before a healthy event neither reports it unhealthy nor restarts its healthy clock', async () => {
    const { engine, supervisor, store, trail, turnUnhealthy, advance } = setup();
    const web = engine.add({ name: 'web', labels: { autoheal: 'true' } });
    await turnUnhealthy(web.id);
    await advance(60 * S);
    engine.setHealth(web.id, 'unhealthy');
    const before = trail(web.id);
    const healthyAt = Date.now();
    engine.duringList = () => {
      engine.setHealth(web.id, 'healthy');
      supervisor.onEngineEvent(engine.event(web.id, 'health_status'));
    };
    await supervisor.reconcile('interval');
    await supervisor.settled();
    expect(store.getHealRecord(web.id)?.healthySince).toBe(healthyAt);
    expect(trail(web.id)).toEqual(before);
    expect(engine.restartsOf(web.id)).toHaveLength(1);
  });

  it('a report merged into an operator restart leaves no mark behind: the next report is handled once', async () => {
    const { engine, supervisor, trail } = setup();
    const web = engine.add({ name: 'web', labels: { autoheal: 'true' } });
    engine.hold(web.id);
    const asked = supervisor.restartNow('web');
    await until(() => engine.restarts.length === 1);
    engine.setHealth(web.id, 'unhealthy');
    supervisor.onEngineEvent(engine.event(web.id, 'health_status'));
    await ticks();
    engine.release(web.id);
    expect(await asked).toMatchObject({ ok: true });
    await supervisor.settled();
    // A later report finds it recovered: recorded once, not once more for the stale mark.
    supervisor.onEngineEvent({ ...engine.event(web.id, 'health_status'), health: 'unhealthy' });
    await supervisor.settled();
    expect(trail(web.id).filter((t) => t === 'skipped/recovered')).toHaveLength(1);
  });

  it('a failed restart of a container destroyed meanwhile schedules no retry and keeps no record', async () => {
    const { engine, supervisor, store, advance } = setup();
    const web = engine.add({ name: 'web', labels: { autoheal: 'true' } });
    engine.hold(web.id);
    engine.failNextRestart = web.id;
    engine.setHealth(web.id, 'unhealthy');
    supervisor.onEngineEvent(engine.event(web.id, 'health_status'));
    await until(() => engine.restarts.length === 1);
    supervisor.onEngineEvent(engine.event(web.id, 'destroy'));
    await ticks();
    engine.containers.delete(web.id);
    engine.release(web.id);
    await supervisor.settled();
    expect(supervisor.queueStatus().heals_scheduled).toBe(0);
    expect(store.getHealRecord(web.id)).toBeNull();
    await advance(600 * S);
    expect(engine.restartsOf(web.id)).toHaveLength(1);
  });

  it("a dependent's restart is a heal of its own: its die is autoheal's, and its own report is merged into it", async () => {
    const { engine, supervisor, store } = setup();
    const vpn = engine.add({ name: 'vpn', labels: { autoheal: 'true', 'autoheal.dependents': 'restart' } });
    const client = engine.add({
      name: 'client',
      labels: { autoheal: 'true' },
      networkMode: `container:${vpn.id}`,
    });
    engine.hold(client.id);
    engine.setHealth(vpn.id, 'unhealthy');
    supervisor.onEngineEvent(engine.event(vpn.id, 'health_status'));
    await until(() => engine.restartsOf(client.id).length === 1);
    supervisor.onEngineEvent(engine.event(client.id, 'die', { exitCode: 143 }));
    engine.setHealth(client.id, 'unhealthy');
    supervisor.onEngineEvent(engine.event(client.id, 'health_status'));
    await ticks();
    expect(engine.restartsOf(client.id)).toHaveLength(1);
    expect(store.list({ type: 'die' })[0]).toMatchObject({
      container_name: 'client',
      details: { during_restart: true },
    });
    engine.release(client.id);
    await supervisor.settled();
    expect(engine.restartsOf(client.id)).toHaveLength(1);
    expect(store.list({ type: 'restart', container: 'client' })[0]?.details).toMatchObject({
      trigger: 'dependent',
      dependency: 'vpn',
    });
  });

  it('a dependent gets its own autoheal.action: stop stops it, notify only notifies', async () => {
    const { engine, notifier, trail, turnUnhealthy } = setup();
    const vpn = engine.add({ name: 'vpn', labels: { autoheal: 'true', 'autoheal.dependents': 'restart' } });
    const stopper = engine.add({
      name: 'stopper',
      labels: { 'autoheal.action': 'stop' },
      networkMode: `container:${vpn.id}`,
    });
    const teller = engine.add({
      name: 'teller',
      labels: { 'autoheal.action': 'notify' },
      networkMode: `container:${vpn.id}`,
    });
    await turnUnhealthy(vpn.id);
    expect(engine.restarts.map((r) => r.id)).toEqual([vpn.id]);
    expect(engine.stops.map((r) => r.id)).toEqual([stopper.id]);
    expect(trail(stopper.id)).toEqual(['stop/success']);
    expect(trail(teller.id)).toEqual(['skipped/notify_only']);
    expect(notifier.sent).toContainEqual(
      expect.objectContaining({ kind: 'unhealthy_notify', containerName: 'teller' }),
    );
  });
});
