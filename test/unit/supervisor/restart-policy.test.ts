import { describe, expect, it } from 'vitest';
import {
  backoffStepS,
  emptyRecord,
  gate,
  nextAttemptAt,
  observeHealthy,
  observeUnhealthy,
  type PolicySettings,
  rearm,
  recordAttempt,
  recordFailedAttempt,
  recordGiveUp,
  sameRecord,
} from '../../../src/supervisor/restart-policy.js';

const s: PolicySettings = {
  backoffInitialS: 10,
  backoffMaxS: 300,
  backoffResetS: 600,
  maxRestarts: 10,
  restartWindowS: 3600,
};
const S = 1000;

describe('restart-loop damping', () => {
  it('waits 10, 20, 40 … seconds before consecutive restarts, capped at the maximum', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 8].map((k) => backoffStepS(k, s))).toEqual([
      10, 20, 40, 80, 160, 300, 300, 300,
    ]);
    expect(backoffStepS(0, s)).toBe(0);
    expect(backoffStepS(1000, s)).toBe(300);
  });

  it('the first restart is immediate; the k-th waits INITIAL × 2^(k−2) from the first unhealthy report', () => {
    let r = emptyRecord('web');
    expect(gate(observeUnhealthy(r, 0, s), 0, s)).toEqual({ kind: 'go' });
    r = recordAttempt(observeUnhealthy(r, 0, s), 0, s);
    // It fails again 90 s after its restart (Docker's default healthcheck): the wait counts
    // from that failure, not from the restart, so it is not already over.
    r = observeUnhealthy(r, 90 * S, s);
    expect(gate(r, 90 * S, s)).toEqual({
      kind: 'backoff',
      untilMs: 100 * S,
      sinceMs: 90 * S,
      waitS: 10,
      repeat: 1,
    });
    // A later report of the same spell does not move the start.
    r = observeUnhealthy(r, 95 * S, s);
    expect(gate(r, 99 * S, s)).toMatchObject({ kind: 'backoff', untilMs: 100 * S });
    expect(gate(r, 100 * S, s)).toEqual({ kind: 'go' });
    r = recordAttempt(r, 100 * S, s);
    r = observeUnhealthy(r, 190 * S, s);
    expect(gate(r, 209 * S, s)).toMatchObject({ kind: 'backoff', untilMs: 210 * S, waitS: 20, repeat: 2 });
    expect(gate(r, 210 * S, s)).toEqual({ kind: 'go' });
  });

  it('the wait is capped at the maximum', () => {
    let r = emptyRecord('web');
    for (let k = 0; k < 8; k += 1) r = recordAttempt(r, k * S, { ...s, restartWindowS: 1 });
    r = observeUnhealthy(r, 1000 * S, s);
    expect(gate(r, 1000 * S, s)).toMatchObject({ kind: 'backoff', untilMs: 1300 * S, waitS: 300 });
  });

  it('a failed restart is retried the back-off after its failure', () => {
    let r = recordAttempt(observeUnhealthy(emptyRecord('web'), 0, s), 0, s);
    r = recordAttempt(observeUnhealthy(r, 50 * S, s), 60 * S, s);
    r = recordFailedAttempt(r, 62 * S);
    expect(nextAttemptAt(r, s)).toBe(82 * S);
    expect(gate(r, 81 * S, s)).toMatchObject({ kind: 'backoff', untilMs: 82 * S });
  });

  it('turning healthy ends the spell: the next failure starts the clock again', () => {
    let r = recordAttempt(observeUnhealthy(emptyRecord('web'), 0, s), 0, s);
    r = observeUnhealthy(r, 5 * S, s);
    r = observeHealthy(r, 7 * S).record;
    r = observeUnhealthy(r, 30 * S, s);
    expect(r.consecutive).toBe(1);
    expect(gate(r, 30 * S, s)).toMatchObject({ kind: 'backoff', untilMs: 40 * S });
  });

  it('a record without a spell start (written by an older version) waits from now', () => {
    const r = { ...recordAttempt(emptyRecord('web'), 0, s), unhealthySince: null };
    expect(gate(r, 500 * S, s)).toMatchObject({ kind: 'backoff', untilMs: 510 * S });
  });

  it('a container that stays healthy for the reset period starts over', () => {
    let r = recordAttempt(recordAttempt(emptyRecord('web'), 0, s), 10 * S, s);
    r = observeHealthy(r, 20 * S).record;
    r = observeUnhealthy(r, 20 * S + 600 * S, s);
    expect(r.consecutive).toBe(0);
    expect(gate(r, 20 * S + 600 * S, s)).toEqual({ kind: 'go' });
  });

  it('a healthy spell shorter than the reset period keeps the back-off', () => {
    let r = recordAttempt(emptyRecord('web'), 0, s);
    r = observeHealthy(r, 5 * S).record;
    r = observeUnhealthy(r, 6 * S, s);
    expect(r.consecutive).toBe(1);
    expect(gate(r, 6 * S, s)).toMatchObject({ kind: 'backoff' });
  });

  it('repeated healthy reports do not move the start of the healthy spell', () => {
    let r = recordAttempt(emptyRecord('web'), 0, s);
    r = observeHealthy(r, 5 * S).record;
    r = observeHealthy(r, 500 * S).record;
    expect(r.healthySince).toBe(5 * S);
  });

  it('gives up after the maximum restarts inside the window, and stays given up', () => {
    const few: PolicySettings = { ...s, maxRestarts: 3, backoffInitialS: 0, backoffMaxS: 0 };
    let r = emptyRecord('web');
    for (const t of [0, 1, 2]) {
      expect(gate(r, t * S, few)).toEqual({ kind: 'go' });
      r = recordAttempt(r, t * S, few);
    }
    expect(gate(r, 3 * S, few)).toEqual({ kind: 'give_up', restarts: 3 });
    r = recordGiveUp(r, 3 * S);
    expect(gate(r, 10_000 * S, few)).toEqual({ kind: 'given_up' });
  });

  it('restarts older than the window do not count towards giving up', () => {
    const few: PolicySettings = {
      ...s,
      maxRestarts: 2,
      restartWindowS: 60,
      backoffInitialS: 0,
      backoffMaxS: 0,
    };
    let r = recordAttempt(recordAttempt(emptyRecord('web'), 0, few), 1 * S, few);
    expect(gate(r, 30 * S, few)).toMatchObject({ kind: 'give_up' });
    expect(gate(r, 62 * S, few)).toEqual({ kind: 'go' });
    r = recordAttempt(r, 62 * S, few);
    expect(r.attempts).toEqual([62 * S]);
  });

  it('turning healthy re-arms a container autoheal gave up on', () => {
    let r = recordGiveUp(recordAttempt(emptyRecord('web'), 0, s), 1 * S);
    const healthy = observeHealthy(r, 2 * S);
    expect(healthy.rearmed).toBe(true);
    r = healthy.record;
    expect(gate(r, 2 * S, s)).toEqual({ kind: 'go' });
  });

  it('a reset re-arms and forgets the back-off', () => {
    let r = recordGiveUp(recordAttempt(recordAttempt(emptyRecord('web'), 0, s), 10 * S, s), 11 * S);
    r = rearm(r);
    expect(gate(r, 12 * S, s)).toEqual({ kind: 'go' });
    expect(r.consecutive).toBe(0);
  });
});

describe('comparing records', () => {
  it('a record equals its copy, and differs by any field, the attempts included', () => {
    const r = recordAttempt(emptyRecord('web'), 1000, s);
    expect(sameRecord(r, { ...r, attempts: [...r.attempts] })).toBe(true);
    expect(sameRecord(r, { ...r, attempts: [...r.attempts, 2000] })).toBe(false);
    expect(sameRecord(r, { ...r, attempts: [2000] })).toBe(false);
    expect(sameRecord(r, { ...r, healthySince: 5 })).toBe(false);
    expect(sameRecord(r, { ...r, notified: !r.notified })).toBe(false);
    expect(sameRecord(r, { ...r, name: 'db' })).toBe(false);
    expect(sameRecord({ ...r, unhealthySince: null }, { ...r, unhealthySince: undefined })).toBe(true);
    expect(sameRecord({ ...r, unhealthySince: 3 }, { ...r, unhealthySince: null })).toBe(false);
  });
});
