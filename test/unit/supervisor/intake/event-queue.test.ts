import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ContainerEvent } from '../../../../src/engine/types.js';
import { EventQueue, type IntakeFlood } from '../../../../src/supervisor/intake/event-queue.js';

const idOf = (n: number) => n.toString(16).padStart(64, '0');

function event(
  n: number,
  action: ContainerEvent['action'],
  health?: ContainerEvent['health'],
): ContainerEvent {
  return {
    action,
    id: idOf(n),
    name: `c${n}`,
    labels: {},
    time: 1,
    timeNano: '1000000000',
    ...(health ? { health } : {}),
  };
}

/** The stream's data callback returns: the intake handles what it was given (in a microtask). */
const returned = () => Promise.resolve();

function intake(capacity: number) {
  const handled: string[] = [];
  const floods: IntakeFlood[] = [];
  const q = new EventQueue(
    capacity,
    (e) => handled.push(`${e.name} ${e.action}${e.health ? ` ${e.health}` : ''}`),
    (f) => floods.push(f),
  );
  return { q, handled, floods };
}

describe('the event intake', () => {
  it('hands every event on in arrival order, once the stream’s callback has returned', async () => {
    const { q, handled } = intake(100);
    q.push(event(1, 'start'));
    q.push(event(2, 'health_status', 'unhealthy'));
    q.push(event(1, 'die'));
    expect(handled).toEqual([]);
    expect(q.status().size).toBe(3);
    await returned();
    expect(handled).toEqual(['c1 start', 'c2 health_status unhealthy', 'c1 die']);
    expect(q.status()).toEqual({ size: 0, capacity: 100, dropped: 0 });
  });

  it('handles all that one chunk delivered at once, so a flood within the capacity loses nothing', async () => {
    const { q, handled, floods } = intake(5000);
    for (let i = 0; i < 4000; i += 1) q.push(event(i, 'start'));
    await returned();
    expect(handled).toHaveLength(4000);
    expect(q.status().dropped).toBe(0);
    expect(floods).toEqual([]);
  });

  it('a container’s waiting health report is replaced by its newest one, in the first one’s place', async () => {
    const { q, handled } = intake(100);
    q.push(event(1, 'health_status', 'unhealthy'));
    q.push(event(2, 'start'));
    q.push(event(1, 'health_status', 'healthy'));
    await returned();
    expect(handled).toEqual(['c1 health_status healthy', 'c2 start']);
    expect(q.status().dropped).toBe(1);
  });

  it('a flood is reported once when it begins and once after a quiet spell, with its counts, not once per event or chunk', async () => {
    vi.useFakeTimers();
    const { q, handled, floods } = intake(3);
    for (let i = 0; i < 10; i += 1) q.push(event(i, 'start'));
    for (let i = 0; i < 5; i += 1) q.push(event(99, 'health_status', i % 2 ? 'healthy' : 'unhealthy'));
    expect(floods).toEqual([{ merged: 0, dropped: 1, ended: false }]);
    await returned();
    expect(handled).toEqual(['c0 start', 'c1 start', 'c2 start', 'c99 health_status unhealthy']);
    expect(floods).toHaveLength(1);

    // The next chunk drops again within the quiet spell: the same flood goes on.
    vi.advanceTimersByTime(500);
    for (let i = 0; i < 4; i += 1) q.push(event(i, 'die'));
    await returned();
    vi.advanceTimersByTime(999);
    expect(floods).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(floods).toEqual([
      { merged: 0, dropped: 1, ended: false },
      { merged: 4, dropped: 8, ended: true },
    ]);
    expect(q.status().dropped).toBe(12);

    // The next flood is a new one.
    for (let i = 0; i < 4; i += 1) q.push(event(i, 'die'));
    await returned();
    vi.advanceTimersByTime(1000);
    expect(floods.slice(2)).toEqual([
      { merged: 0, dropped: 1, ended: false },
      { merged: 0, dropped: 1, ended: true },
    ]);
  });

  it('merging a container’s health reports is no flood: nothing is lost, nothing is logged', async () => {
    vi.useFakeTimers();
    const { q, floods } = intake(3);
    for (let i = 0; i < 50; i += 1) q.push(event(7, 'health_status', i % 2 ? 'healthy' : 'unhealthy'));
    await returned();
    vi.advanceTimersByTime(5000);
    expect(floods).toEqual([]);
    expect(q.status().dropped).toBe(49);
  });
});

afterEach(() => {
  vi.useRealTimers();
});
