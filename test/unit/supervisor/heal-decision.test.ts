import { describe, expect, it } from 'vitest';
import type { ContainerSnapshot } from '../../../src/engine/types.js';
import { monitorVerdict } from '../../../src/supervisor/enrollment.js';
import { decideHeal, type HealDecisionInput } from '../../../src/supervisor/heal-decision.js';

const rules = { labelKey: 'autoheal', excluded: [] as string[], selected: [] as string[], selfId: null };

function snapshot(over: Partial<ContainerSnapshot> = {}): ContainerSnapshot {
  return {
    id: 'f'.repeat(64),
    name: 'web',
    image: 'nginx',
    labels: { autoheal: 'true' },
    state: 'running',
    health: 'unhealthy',
    ...over,
  };
}

function input(
  c: ContainerSnapshot | null,
  over: Partial<HealDecisionInput> = {},
  excluded: string[] = [],
): HealDecisionInput {
  return {
    container: c,
    verdict: c ? monitorVerdict(c, { ...rules, excluded }) : null,
    trigger: 'event',
    nowMs: 1_000_000,
    startedAtMs: 0,
    startPeriodS: 0,
    defaultStopTimeoutS: 10,
    ...over,
  };
}

describe('the heal decision', () => {
  it('restarts a monitored, running, unhealthy container with the default stop timeout', () => {
    expect(decideHeal(input(snapshot()))).toEqual({ action: 'restart', stopTimeoutS: 10 });
  });

  it('takes the stop timeout from autoheal.stop.timeout', () => {
    const c = snapshot({ labels: { autoheal: 'true', 'autoheal.stop.timeout': '240' } });
    expect(decideHeal(input(c))).toEqual({ action: 'restart', stopTimeoutS: 240 });
  });

  it('ignores a stop timeout label that is not a whole number', () => {
    for (const bad of ['-1', 'ten', '1.5', '']) {
      const c = snapshot({ labels: { autoheal: 'true', 'autoheal.stop.timeout': bad } });
      expect(decideHeal(input(c))).toEqual({ action: 'restart', stopTimeoutS: 10 });
    }
  });

  it('skips a container that is gone', () => {
    expect(decideHeal(input(null))).toMatchObject({ action: 'skip', reason: 'gone' });
  });

  it('skips a container that recovered before the heal ran', () => {
    for (const health of ['healthy', 'starting', 'none'] as const) {
      expect(decideHeal(input(snapshot({ health })))).toMatchObject({ action: 'skip', reason: 'recovered' });
    }
  });

  it('skips a paused, restarting or stopped container as not_running', () => {
    for (const state of ['paused', 'restarting', 'exited', 'created', 'dead']) {
      expect(decideHeal(input(snapshot({ state })))).toMatchObject({ action: 'skip', reason: 'not_running' });
    }
  });

  it('skips a container that became excluded', () => {
    expect(decideHeal(input(snapshot(), {}, ['web']))).toMatchObject({ action: 'skip', reason: 'excluded' });
    const optedOut = snapshot({ labels: { autoheal: 'false' } });
    expect(decideHeal(input(optedOut))).toMatchObject({ action: 'skip', reason: 'excluded' });
  });

  it('skips a container that is no longer enrolled', () => {
    expect(decideHeal(input(snapshot({ labels: {} })))).toMatchObject({
      action: 'skip',
      reason: 'not_monitored',
    });
  });

  it('restarts nothing during the start period, and restarts once it is over', () => {
    const during = input(snapshot(), { startedAtMs: 0, nowMs: 59_000, startPeriodS: 60 });
    expect(decideHeal(during)).toMatchObject({ action: 'skip', reason: 'start_period' });
    const after = input(snapshot(), { startedAtMs: 0, nowMs: 60_000, startPeriodS: 60 });
    expect(decideHeal(after)).toMatchObject({ action: 'restart' });
  });

  it('a restart asked through the API is obeyed whatever the health or the lists say', () => {
    const c = snapshot({ health: 'healthy', labels: {} });
    expect(decideHeal(input(c, { trigger: 'api', nowMs: 0, startPeriodS: 60 }, ['web']))).toMatchObject({
      action: 'restart',
    });
  });

  it('a restart asked through the API is refused for a container that is not running', () => {
    expect(decideHeal(input(snapshot({ state: 'exited' }), { trigger: 'api' }))).toMatchObject({
      reason: 'not_running',
    });
  });
});
