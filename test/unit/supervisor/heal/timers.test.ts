import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { HealTimers } from '../../../../src/supervisor/heal/timers.js';

describe('the heal timers: one per container', () => {
  beforeEach(() => vi.useFakeTimers({ now: 0 }));
  afterEach(() => vi.useRealTimers());

  it('fires once at its time and is then gone', () => {
    const timers = new HealTimers(() => Date.now());
    const fired: string[] = [];
    expect(timers.set('a', { why: 'grace', name: 'web', atMs: 5000 }, () => fired.push('a'))).toBe(5000);
    expect(timers.get('a')).toMatchObject({ why: 'grace', name: 'web', atMs: 5000 });
    vi.advanceTimersByTime(4999);
    expect(fired).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(fired).toEqual(['a']);
    expect(timers.has('a')).toBe(false);
  });

  it('a new timer replaces the container’s previous one, and a cancelled one never fires', () => {
    const timers = new HealTimers(() => Date.now());
    const fired: string[] = [];
    timers.set('a', { why: 'grace', name: 'web', atMs: 1000 }, () => fired.push('grace'));
    timers.set('a', { why: 'backoff', name: 'web', atMs: 3000 }, () => fired.push('backoff'));
    timers.set('b', { why: 'retry', name: 'db', atMs: 2000 }, () => fired.push('retry'));
    expect(timers.size).toBe(2);
    timers.cancel('b');
    vi.advanceTimersByTime(10_000);
    expect(fired).toEqual(['backoff']);
    timers.set('c', { why: 'retry', name: 'db', atMs: 20_000 }, () => fired.push('c'));
    timers.cancelAll();
    vi.advanceTimersByTime(20_000);
    expect(fired).toEqual(['backoff']);
    expect(timers.size).toBe(0);
  });

  it('a timer the event loop runs early (its clock lags the wall clock) waits out the rest, so a back-off is never cut short', () => {
    // The injected clock runs 40 ms ahead of the timers' own clock, as Date.now() does when a
    // busy event loop has not refreshed its cached time.
    let skew = 40;
    const timers = new HealTimers(() => Date.now() + skew);
    const fired: number[] = [];
    timers.set('a', { why: 'backoff', name: 'web', atMs: 5000 }, () => fired.push(Date.now()));
    skew = 0;
    vi.advanceTimersByTime(4960);
    expect(fired).toEqual([]);
    expect(timers.get('a')).toMatchObject({ why: 'backoff', atMs: 5000 });
    vi.advanceTimersByTime(40);
    expect(fired).toEqual([5000]);
    expect(timers.has('a')).toBe(false);
  });
});
