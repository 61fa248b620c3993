/**
 * Why it happened: the `unhealthy` event carries what the engine recorded about the
 * failing probes, the restart names the last output, and so does the notification. The
 * probe log is read beside the heal: a slow read does not hold the restart back.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ContainerSnapshot } from '../../../src/engine/types.js';
import { stopSupervisors, supervisorHarness } from '../../support/supervisor-harness.js';

afterEach(async () => {
  vi.useRealTimers();
  await stopSupervisors(100);
});

const probes = {
  failingStreak: 3,
  log: [1, 2, 3, 4].map((i) => ({
    start: `2026-11-21T12:00:0${i}.000Z`,
    end: `2026-11-21T12:00:0${i}.100Z`,
    exit_code: 1,
    output: `probe ${i}: db connection refused\ndetails`,
  })),
} satisfies ContainerSnapshot['probes'];

describe('why a container was restarted', () => {
  it('the unhealthy event carries the last three probes, the restart and the notification the last output', async () => {
    const { engine, supervisor, store, notifier, trail } = supervisorHarness();
    const web = engine.add({ name: 'web', labels: { autoheal: 'true' } });
    supervisor.onEngineConnected({ reconnect: false });
    await supervisor.settled();

    engine.add({ ...web, health: 'unhealthy', probes });
    supervisor.onEngineEvent(engine.event(web.id, 'health_status'));
    await supervisor.settled();

    expect(trail(web.id)).toEqual(['auto_monitor/enabled', 'unhealthy/detected', 'restart/success']);
    const unhealthy = store.list({ type: 'unhealthy' })[0];
    expect(unhealthy?.details.health).toEqual({ failing_streak: 3, log: probes.log.slice(1) });
    expect(unhealthy?.message).toContain('; last probe: probe 4: db connection refused');
    expect(store.list({ type: 'restart' })[0]?.details.reason).toBe('probe 4: db connection refused');
    expect(notifier.sent[0]?.probeOutput).toBe('probe 4: db connection refused');
    expect((await supervisor.findContainer('web'))?.last_probe_output).toBe('probe 4: db connection refused');
  });

  it('a probe read that never answers does not hold the restart back', async () => {
    const { engine, supervisor, store } = supervisorHarness();
    const web = engine.add({ name: 'web', labels: { autoheal: 'true' }, health: 'unhealthy', probes });
    // The probe read hangs; the heal's own inspect answers.
    engine.probes = () => new Promise(() => {});
    // Timers stand still: the restart must not wait for the read's timeout to fire.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    supervisor.onEngineEvent(engine.event(web.id, 'health_status'));
    await expect.poll(() => engine.restartsOf(web.id).length).toBe(1);

    // Its outcome waits for the report, which is written without the log once the read times out.
    expect(store.list({ type: 'restart' })).toEqual([]);
    await vi.advanceTimersByTimeAsync(2_000);
    vi.useRealTimers();
    await supervisor.settled();
    expect(store.list({ type: 'restart' })).toHaveLength(1);
  });
});
