/**
 * Per-container damping: the labels `autoheal.backoff.max` and `autoheal.max_restarts`
 * override the global settings for one container, and a value autoheal cannot use falls
 * back to the global one (named by `invalidLabels` for the one warning). Fake clock.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { backoffMaxFromLabel, invalidLabels, maxRestartsFromLabel } from '../../../src/supervisor/labels.js';
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

function setup(env: Record<string, string> = {}) {
  const h = supervisorHarness({ env: { AUTOHEAL_INTERVAL: '3600', ...env }, now: () => Date.now() });
  const advance = async (ms: number) => {
    await vi.advanceTimersByTimeAsync(ms);
    await h.supervisor.settled();
  };
  const turnUnhealthy = async (id: string) => {
    h.engine.setHealth(id, 'unhealthy');
    h.supervisor.onEngineEvent(h.engine.event(id, 'health_status'));
    await h.supervisor.settled();
  };
  return { ...h, advance, turnUnhealthy };
}

describe('damping labels', () => {
  it('are read as whole numbers; anything else is named for the warning and ignored', () => {
    expect(backoffMaxFromLabel({ 'autoheal.backoff.max': '15' })).toBe(15);
    expect(maxRestartsFromLabel({ 'autoheal.max_restarts': '2' })).toBe(2);
    expect(maxRestartsFromLabel({ 'autoheal.max_restarts': '0' })).toBeNull();
    expect(backoffMaxFromLabel({ 'autoheal.backoff.max': '1m' })).toBeNull();
    expect(invalidLabels({ 'autoheal.backoff.max': '1m', 'autoheal.max_restarts': '0' })).toEqual([
      'autoheal.backoff.max',
      'autoheal.max_restarts',
    ]);
  });

  it('autoheal.max_restarts gives up on one container sooner than the global setting', async () => {
    const { engine, store, turnUnhealthy, advance } = setup({
      AUTOHEAL_BACKOFF_INITIAL: '1',
      AUTOHEAL_BACKOFF_MAX: '1',
    });
    const web = engine.add({ name: 'web', labels: { autoheal: 'true', 'autoheal.max_restarts': '2' } });
    const db = engine.add({ name: 'db', labels: { autoheal: 'true' } });
    for (let i = 0; i < 3; i += 1) {
      await turnUnhealthy(web.id);
      await turnUnhealthy(db.id);
      await advance(3 * S);
    }
    expect(engine.restartsOf(web.id)).toHaveLength(2);
    expect(engine.restartsOf(db.id)).toHaveLength(3);
    const gaveUp = store.list({ type: 'gave_up' });
    expect(gaveUp.map((e) => e.container_name)).toEqual(['web']);
    expect(gaveUp[0]?.message).toContain('autoheal.max_restarts=2');
  });

  it('autoheal.backoff.max caps one container’s back-off below the global cap', async () => {
    const { engine, store, turnUnhealthy, advance } = setup();
    const web = engine.add({ name: 'web', labels: { autoheal: 'true', 'autoheal.backoff.max': '15' } });
    for (let i = 0; i < 4; i += 1) {
      await turnUnhealthy(web.id);
      for (let s = 0; s < 100 && engine.restartsOf(web.id).length === i; s += 1) await advance(S);
    }
    const waits = store
      .list({ type: 'skipped' })
      .reverse()
      .map((e) => e.details.wait_s);
    expect(waits).toEqual([10, 15, 15]);
  });

  it('a bad value falls back to the global setting', async () => {
    const { engine, store, turnUnhealthy, advance } = setup({
      AUTOHEAL_MAX_RESTARTS: '2',
      AUTOHEAL_BACKOFF_INITIAL: '1',
      AUTOHEAL_BACKOFF_MAX: '1',
    });
    const web = engine.add({ name: 'web', labels: { autoheal: 'true', 'autoheal.max_restarts': 'many' } });
    for (let i = 0; i < 3; i += 1) {
      await turnUnhealthy(web.id);
      await advance(3 * S);
    }
    expect(engine.restartsOf(web.id)).toHaveLength(2);
    expect(store.list({ type: 'gave_up' })[0]?.message).toContain('AUTOHEAL_MAX_RESTARTS=2');
  });
});
