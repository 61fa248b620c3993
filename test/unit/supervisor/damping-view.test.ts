/**
 * The damping state the container views show: restarts in the window against the limit,
 * the back-off the next restart waits, when a waiting one runs, and the give-up. Pure
 * functions first, then through the supervisor on the fake engine and a fake clock.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { loadSettings } from '../../../src/config/load.js';
import { dampingSettings, dampingView } from '../../../src/supervisor/damping-view.js';
import { emptyRecord, type PolicySettings } from '../../../src/supervisor/restart-policy.js';
import { stopSupervisors, supervisorHarness } from '../../support/supervisor-harness.js';

const S = 1000;
const NOW = Date.parse('2026-12-03T12:00:00Z');
const s: PolicySettings = {
  backoffInitialS: 10,
  backoffMaxS: 300,
  backoffResetS: 600,
  maxRestarts: 5,
  restartWindowS: 3600,
};

describe('the damping view of one heal record', () => {
  it('is all quiet for a container autoheal never restarted', () => {
    expect(dampingView(null, s, NOW)).toEqual({
      restarts_in_window: 0,
      max_restarts: 5,
      window_s: 3600,
      backoff_s: 0,
      next_attempt_at: null,
      gave_up_at: null,
    });
  });

  it('counts only the attempts inside the window, and names the next back-off step', () => {
    const r = {
      ...emptyRecord('web'),
      attempts: [NOW - 2 * 3600 * S, NOW - 30 * 60 * S, NOW - 60 * S],
      consecutive: 2,
    };
    expect(dampingView(r, s, NOW)).toMatchObject({
      restarts_in_window: 2,
      backoff_s: 20,
      next_attempt_at: null,
    });
  });

  it('says when a restart waiting out its back-off runs', () => {
    const r = {
      ...emptyRecord('web'),
      attempts: [NOW - 60 * S],
      consecutive: 1,
      unhealthySince: NOW - 4 * S,
    };
    expect(dampingView(r, s, NOW).next_attempt_at).toBe(new Date(NOW + 6 * S).toISOString());
    // Once the wait is over nothing is pending any more.
    expect(dampingView(r, s, NOW + 11 * S).next_attempt_at).toBeNull();
  });

  it('starts the back-off over after the container stayed healthy for the reset period', () => {
    const r = { ...emptyRecord('web'), consecutive: 3, healthySince: NOW - 601 * S };
    expect(dampingView(r, s, NOW).backoff_s).toBe(0);
    expect(dampingView({ ...r, healthySince: NOW - 10 * S }, s, NOW).backoff_s).toBe(40);
  });

  it('shows when autoheal gave up, and no pending attempt then', () => {
    const r = { ...emptyRecord('web'), consecutive: 5, unhealthySince: NOW - S, gaveUpAt: NOW - 2 * S };
    expect(dampingView(r, s, NOW)).toMatchObject({
      gave_up_at: new Date(NOW - 2 * S).toISOString(),
      next_attempt_at: null,
    });
  });

  it('takes the container’s own labels over the global settings', () => {
    const settings = loadSettings({ env: { AUTOHEAL_MAX_RESTARTS: '7', AUTOHEAL_BACKOFF_MAX: '100' } });
    expect(dampingSettings({}, settings)).toMatchObject({ maxRestarts: 7, backoffMaxS: 100 });
    expect(
      dampingSettings({ 'autoheal.max_restarts': '2', 'autoheal.backoff.max': '30' }, settings),
    ).toMatchObject({ maxRestarts: 2, backoffMaxS: 30 });
  });
});

describe('the damping state on the container view', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] });
    vi.setSystemTime(new Date(NOW));
  });
  afterEach(async () => {
    await stopSupervisors();
    vi.useRealTimers();
  });

  it('a container restarted once and unhealthy again shows its restart, its back-off and when it runs', async () => {
    const { engine, supervisor } = supervisorHarness({
      env: { AUTOHEAL_INTERVAL: '3600', AUTOHEAL_BACKOFF_INITIAL: '10' },
      now: () => Date.now(),
    });
    const web = engine.add({ name: 'web', labels: { autoheal: 'true', 'autoheal.max_restarts': '4' } });
    const unhealthy = async () => {
      engine.setHealth(web.id, 'unhealthy');
      supervisor.onEngineEvent(engine.event(web.id, 'health_status'));
      await supervisor.settled();
    };
    await unhealthy();
    expect(engine.restartsOf(web.id)).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(2 * S);
    await unhealthy();
    const view = await supervisor.findContainer('web');
    expect(view?.damping).toEqual({
      restarts_in_window: 1,
      max_restarts: 4,
      window_s: 3600,
      backoff_s: 10,
      next_attempt_at: new Date(NOW + 12 * S).toISOString(),
      gave_up_at: null,
    });
  });
});
