/**
 * The timeline's arithmetic (web/lib/timeline.js, a browser module imported as is): spans
 * from `health` events, restart markers, the restarting span, clipping to the window, and
 * restarts per hour.
 */
import { describe, expect, it } from 'vitest';

/** The fields of an audit event the timeline reads. */
interface TimelineEvent {
  id: number;
  timestamp: string;
  event_type: string;
  container_name: string | null;
  status: string;
  message?: string;
  details?: Record<string, unknown>;
}
interface Span {
  state: string;
  start: number;
  end: number;
}
interface Marker {
  at: number;
  kind: 'restart' | 'stop';
  ok: boolean;
  id: number;
  message: string;
}
interface HourBucket {
  start: number;
  end: number;
  restarts: number;
  failed: number;
}
/** web/lib/timeline.js as this test uses it (the module's JSDoc types are checked by web/tsconfig.json). */
interface Timeline {
  HOUR_MS: number;
  DAY_MS: number;
  RESTARTING_MAX_MS: number;
  healthTimeline(
    events: readonly TimelineEvent[],
    window: { from: number; to: number; current?: string },
  ): { spans: Span[]; markers: Marker[] };
  restartsPerHour(events: readonly TimelineEvent[], options: { now: number; hours?: number }): HourBucket[];
  byContainer(events: readonly TimelineEvent[]): Map<string, TimelineEvent[]>;
  stateNow(c: { state: string; health: string; monitored: boolean }): string;
}

// @ts-expect-error: plain browser JavaScript, without declarations for this project's tsc.
const timeline = (await import('../../../web/lib/timeline.js')) as Timeline;
const { byContainer, DAY_MS, HOUR_MS, healthTimeline, RESTARTING_MAX_MS, restartsPerHour, stateNow } =
  timeline;

const T0 = Date.parse('2026-12-03T00:00:00.000Z');
const MIN = 60_000;
let nextId = 1;

function at(ms: number): string {
  return new Date(ms).toISOString();
}

function health(ms: number, status: string, previous: string | null = null, name = 'web'): TimelineEvent {
  return {
    id: nextId++,
    timestamp: at(ms),
    event_type: 'health',
    container_name: name,
    status,
    details: { previous },
  };
}

function restart(endMs: number, durationMs: number, status = 'success', name = 'web'): TimelineEvent {
  return {
    id: nextId++,
    timestamp: at(endMs),
    event_type: 'restart',
    container_name: name,
    status,
    message: `Restarted ${name}`,
    details: { duration_ms: durationMs },
  };
}

const window = { from: T0, to: T0 + HOUR_MS };

describe('a container’s health timeline', () => {
  it('is one unknown span over the window when there are no events', () => {
    expect(healthTimeline([], window)).toEqual({
      spans: [{ state: 'unknown', start: T0, end: T0 + HOUR_MS }],
      markers: [],
    });
  });

  it('draws one span per health state, from each health event to the next', () => {
    const { spans, markers } = healthTimeline(
      [
        health(T0 + 10 * MIN, 'starting', null),
        health(T0 + 11 * MIN, 'healthy', 'starting'),
        health(T0 + 30 * MIN, 'unhealthy', 'healthy'),
        health(T0 + 50 * MIN, 'stopped', 'unhealthy'),
      ],
      window,
    );
    expect(spans).toEqual([
      { state: 'unknown', start: T0, end: T0 + 10 * MIN },
      { state: 'starting', start: T0 + 10 * MIN, end: T0 + 11 * MIN },
      { state: 'healthy', start: T0 + 11 * MIN, end: T0 + 30 * MIN },
      { state: 'unhealthy', start: T0 + 30 * MIN, end: T0 + 50 * MIN },
      { state: 'stopped', start: T0 + 50 * MIN, end: T0 + HOUR_MS },
    ]);
    expect(markers).toEqual([]);
  });

  it('takes the state before the first change from its details.previous', () => {
    const { spans } = healthTimeline([health(T0 + 20 * MIN, 'unhealthy', 'healthy')], window);
    expect(spans.map((s) => s.state)).toEqual(['healthy', 'unhealthy']);
    expect(spans[0]).toEqual({ state: 'healthy', start: T0, end: T0 + 20 * MIN });
  });

  it('takes the state at the start from the last health event before the window, and clips to the window', () => {
    const { spans } = healthTimeline(
      [
        health(T0 - 5 * HOUR_MS, 'healthy', 'starting'),
        health(T0 - 2 * HOUR_MS, 'unhealthy', 'healthy'),
        health(T0 + 40 * MIN, 'healthy', 'unhealthy'),
        health(T0 + 2 * HOUR_MS, 'unhealthy', 'healthy'),
      ],
      window,
    );
    expect(spans).toEqual([
      { state: 'unhealthy', start: T0, end: T0 + 40 * MIN },
      { state: 'healthy', start: T0 + 40 * MIN, end: T0 + HOUR_MS },
    ]);
  });

  it('uses the current state when the window holds no change, and unknown without one', () => {
    expect(healthTimeline([], { ...window, current: 'healthy' }).spans).toEqual([
      { state: 'healthy', start: T0, end: T0 + HOUR_MS },
    ]);
    // A change inside the window says more than the state now.
    const { spans } = healthTimeline([health(T0 + 30 * MIN, 'healthy', null)], {
      ...window,
      current: 'healthy',
    });
    expect(spans.map((s) => s.state)).toEqual(['unknown', 'healthy']);
  });

  it('marks a restart where it began and shows restarting until the next health report after it', () => {
    const events = [
      health(T0 + 5 * MIN, 'unhealthy', 'healthy'),
      // The engine's stop and start during the restart, recorded before the restart ends.
      health(T0 + 10 * MIN + 2_000, 'stopped', 'unhealthy'),
      health(T0 + 10 * MIN + 4_000, 'starting', 'stopped'),
      restart(T0 + 10 * MIN + 5_000, 5_000),
      health(T0 + 12 * MIN, 'healthy', 'starting'),
    ];
    const { spans, markers } = healthTimeline(events, window);
    expect(spans).toEqual([
      { state: 'healthy', start: T0, end: T0 + 5 * MIN },
      { state: 'unhealthy', start: T0 + 5 * MIN, end: T0 + 10 * MIN },
      { state: 'restarting', start: T0 + 10 * MIN, end: T0 + 12 * MIN },
      { state: 'healthy', start: T0 + 12 * MIN, end: T0 + HOUR_MS },
    ]);
    expect(markers).toEqual([
      { at: T0 + 10 * MIN, kind: 'restart', ok: true, id: events[3]?.id, message: 'Restarted web' },
    ]);
  });

  it('stays restarting while a health report may still come, then says no data', () => {
    const { spans } = healthTimeline([health(T0, 'unhealthy', 'healthy'), restart(T0 + 55 * MIN, 0)], window);
    expect(spans.at(-1)).toEqual({ state: 'restarting', start: T0 + 55 * MIN, end: T0 + HOUR_MS });
    // A restart with no health report after it (a trail from before health was recorded).
    const old = healthTimeline([restart(T0 + 10 * MIN + 5_000, 5_000)], window);
    expect(old.spans).toEqual([
      { state: 'unknown', start: T0, end: T0 + 10 * MIN },
      { state: 'restarting', start: T0 + 10 * MIN, end: T0 + 10 * MIN + 5_000 + RESTARTING_MAX_MS },
      { state: 'unknown', start: T0 + 10 * MIN + 5_000 + RESTARTING_MAX_MS, end: T0 + HOUR_MS },
    ]);
  });

  it('marks a failed restart without a restarting span: the container did not go down', () => {
    const { spans, markers } = healthTimeline(
      [health(T0 + 5 * MIN, 'unhealthy', 'healthy'), restart(T0 + 20 * MIN, 1_000, 'failed')],
      window,
    );
    expect(spans.map((s) => s.state)).toEqual(['healthy', 'unhealthy']);
    expect(markers).toMatchObject([{ kind: 'restart', ok: false, at: T0 + 20 * MIN - 1_000 }]);
  });

  it('draws a stop as a marker and the container as stopped after it', () => {
    const stop: TimelineEvent = {
      id: nextId++,
      timestamp: at(T0 + 30 * MIN),
      event_type: 'stop',
      container_name: 'web',
      status: 'success',
      details: { duration_ms: 0, action: 'stop' },
    };
    const { spans, markers } = healthTimeline([health(T0 + 10 * MIN, 'unhealthy', 'healthy'), stop], window);
    expect(spans.at(-1)).toEqual({ state: 'stopped', start: T0 + 30 * MIN, end: T0 + HOUR_MS });
    expect(markers).toMatchObject([{ kind: 'stop', ok: true }]);
  });

  it('keeps markers and spans of events outside the window out, and clips a restart that began before it', () => {
    const { spans, markers } = healthTimeline(
      [
        health(T0 - HOUR_MS, 'unhealthy', 'healthy'),
        restart(T0 - 30 * MIN, 1_000),
        restart(T0 + 1_000, 3_000),
        health(T0 + 2 * MIN, 'healthy', 'starting'),
        restart(T0 + 2 * HOUR_MS, 1_000),
      ],
      window,
    );
    expect(spans).toEqual([
      { state: 'restarting', start: T0, end: T0 + 2 * MIN },
      { state: 'healthy', start: T0 + 2 * MIN, end: T0 + HOUR_MS },
    ]);
    expect(markers).toEqual([]);
  });

  it('reads events in any order (the API answers newest first)', () => {
    const events = [
      health(T0 + 10 * MIN, 'unhealthy', 'healthy'),
      health(T0 + 20 * MIN, 'healthy', 'unhealthy'),
    ];
    expect(healthTimeline([...events].reverse(), window)).toEqual(healthTimeline(events, window));
  });

  it('is empty for an empty window', () => {
    expect(healthTimeline([health(T0, 'healthy')], { from: T0, to: T0 })).toEqual({ spans: [], markers: [] });
  });
});

describe('restarts per hour', () => {
  const now = T0 + DAY_MS + 30 * MIN; // 2026-12-04 00:30

  it('has 24 hourly buckets ending with the hour that holds now', () => {
    const buckets = restartsPerHour([], { now });
    expect(buckets).toHaveLength(24);
    expect(buckets[0]?.start).toBe(T0 + HOUR_MS);
    expect(buckets.at(-1)).toEqual({
      start: T0 + DAY_MS,
      end: T0 + DAY_MS + HOUR_MS,
      restarts: 0,
      failed: 0,
    });
    expect(buckets.every((b) => b.end - b.start === HOUR_MS)).toBe(true);
  });

  it('counts restarts of every container in the hour they were recorded, failed ones apart', () => {
    const buckets = restartsPerHour(
      [
        restart(T0 + HOUR_MS, 0, 'success', 'a'),
        restart(T0 + HOUR_MS + 59 * MIN, 0, 'success', 'b'),
        restart(T0 + 2 * HOUR_MS + 1, 0, 'failed', 'a'),
        restart(T0 + DAY_MS + 10 * MIN, 0, 'success', 'c'),
        // Outside: before the first hour, after now; and not a restart.
        restart(T0 + HOUR_MS - 1, 0, 'success', 'a'),
        restart(now + 1, 0, 'success', 'a'),
        health(T0 + 3 * HOUR_MS, 'healthy', 'unhealthy', 'a'),
      ],
      { now },
    );
    expect(buckets[0]).toMatchObject({ restarts: 2, failed: 0 });
    expect(buckets[1]).toMatchObject({ restarts: 0, failed: 1 });
    expect(buckets.at(-1)).toMatchObject({ restarts: 1, failed: 0 });
    expect(buckets.reduce((n, b) => n + b.restarts + b.failed, 0)).toBe(4);
  });
});

describe('helpers', () => {
  it('groups events by container and leaves the ones about no container out', () => {
    const groups = byContainer([
      health(T0, 'healthy', null, 'a'),
      { ...health(T0, 'healthy'), container_name: null },
      health(T0, 'healthy', null, 'b'),
      health(T0 + 1, 'unhealthy', 'healthy', 'a'),
    ]);
    expect([...groups.keys()]).toEqual(['a', 'b']);
    expect(groups.get('a')).toHaveLength(2);
  });

  it('reads the state now of a listed container', () => {
    expect(stateNow({ state: 'running', health: 'healthy', monitored: true })).toBe('healthy');
    expect(stateNow({ state: 'exited', health: 'unhealthy', monitored: true })).toBe('stopped');
    expect(stateNow({ state: 'running', health: 'none', monitored: true })).toBe('unknown');
    expect(stateNow({ state: 'running', health: 'healthy', monitored: false })).toBe('unknown');
  });
});
