// @ts-check
/**
 * The timeline's arithmetic, with no DOM and no fetch: a container's health over a window as
 * spans and restart markers, computed from its audit events, and restarts per hour across
 * all containers. The SVG components draw what these return; the unit tests run them in Node.
 *
 * The audit trail says: `health` events (one per change of a monitored container's health,
 * `status` the new state, `details.previous` the one before), `restart` and `stop` events
 * (recorded when the action ends, with `details.duration_ms`). A successful restart shows as
 * "restarting" from its start until the container's health is next reported after it (for
 * at most `RESTARTING_MAX_MS` after the restart ended).
 */

/**
 * @typedef {'healthy' | 'unhealthy' | 'starting' | 'stopped' | 'restarting' | 'unknown'} SpanState
 * @typedef {{ state: SpanState, start: number, end: number }} Span
 *   A stretch of time (ms since the epoch, `start` inclusive, `end` exclusive) in one state.
 * @typedef {{ at: number, kind: 'restart' | 'stop', ok: boolean, id: number, message: string }} Marker
 *   An action autoheal (or the operator through autoheal) took, at the time it started.
 * @typedef {{
 *   id: number,
 *   timestamp: string,
 *   event_type: string,
 *   container_name?: string | null,
 *   status?: string,
 *   message?: string,
 *   details?: Record<string, unknown>,
 * }} TimelineEvent
 *   The fields of an audit event the timeline reads.
 * @typedef {{ start: number, end: number, restarts: number, failed: number }} HourBucket
 *   Restart outcomes recorded in one hour: `restarts` succeeded, `failed` did not.
 */

export const HOUR_MS = 3_600_000;
/**
 * How long after a restart ends it is still drawn as restarting when no health report
 * follows (a container without `health` events: a trail from before they were recorded, or
 * one gone since); then the strip says "no data".
 */
export const RESTARTING_MAX_MS = 10 * 60_000;
export const DAY_MS = 24 * HOUR_MS;

/** The health states a `health` event can report. */
const HEALTH_STATES = /** @type {const} */ (['healthy', 'unhealthy', 'starting', 'stopped']);

/**
 * @param {unknown} value
 * @returns {value is 'healthy' | 'unhealthy' | 'starting' | 'stopped'}
 */
function isHealthState(value) {
  return HEALTH_STATES.some((s) => s === value);
}

/** @param {TimelineEvent} e */
function timeOf(e) {
  return Date.parse(e.timestamp);
}

/**
 * When the action of a `restart`/`stop` event began: it is recorded when the action ends.
 * @param {TimelineEvent} e
 */
function actionStart(e) {
  const duration = e.details?.duration_ms;
  const end = timeOf(e);
  return typeof duration === 'number' && Number.isFinite(duration) && duration > 0 ? end - duration : end;
}

/**
 * Oldest first; events at the same instant in the order they were recorded.
 * @param {readonly TimelineEvent[]} events
 */
function chronological(events) {
  return [...events]
    .filter((e) => Number.isFinite(timeOf(e)))
    .sort((a, b) => timeOf(a) - timeOf(b) || a.id - b.id);
}

/**
 * The state a container view from `GET /api/containers` is in now, for a container whose
 * window holds no health change: a stopped container is `stopped`, one without a
 * healthcheck (or not monitored, so without `health` events) is `unknown`.
 * @param {{ state: string, health: string, monitored: boolean }} c
 * @returns {SpanState}
 */
export function stateNow(c) {
  if (!c.monitored) return 'unknown';
  if (c.state !== 'running' && c.state !== 'restarting') return 'stopped';
  return isHealthState(c.health) ? c.health : 'unknown';
}

/**
 * One container's health over `[from, to)` as spans covering the whole window (`unknown`
 * where the trail does not say), and the restarts and stops inside it as markers.
 *
 * The state at `from` is, in this order: the last `health` event before `from` (when the
 * caller passed it), else the `details.previous` of the first `health` event inside the
 * window, else `current` when the window holds no health change at all, else unknown.
 *
 * @param {readonly TimelineEvent[]} events this container's events, in any order
 * @param {{ from: number, to: number, current?: SpanState }} window
 * @returns {{ spans: Span[], markers: Marker[] }}
 */
export function healthTimeline(events, { from, to, current }) {
  if (!(to > from)) return { spans: [], markers: [] };
  const ordered = chronological(events).filter((e) => timeOf(e) < to);

  /** @type {SpanState} */
  let state = 'unknown';
  const before = ordered.filter((e) => e.event_type === 'health' && timeOf(e) < from).at(-1);
  const firstInside = ordered.find((e) => e.event_type === 'health' && timeOf(e) >= from);
  if (before && isHealthState(before.status)) state = before.status;
  else if (firstInside) {
    const previous = firstInside.details?.previous;
    if (isHealthState(previous)) state = previous;
  } else if (current) state = current;

  /** @type {Span[]} */
  const spans = [];
  /** @type {Marker[]} */
  const markers = [];
  let at = from;
  /** The end of a restart in progress: health reported before it is the restart's own doing. */
  let restartingUntil = Number.NEGATIVE_INFINITY;

  /** @param {number} t @param {SpanState} next */
  const change = (t, next) => {
    const clipped = Math.min(Math.max(t, from), to);
    if (clipped > at) {
      const last = spans.at(-1);
      if (last && last.state === state && last.end === at) last.end = clipped;
      else spans.push({ state, start: at, end: clipped });
      at = clipped;
    }
    state = next;
  };

  // A restart that began before the window and ended inside it still shows.
  const steps = ordered
    .map((e) => ({ e, t: e.event_type === 'health' ? timeOf(e) : actionStart(e) }))
    .sort((a, b) => a.t - b.t || a.e.id - b.e.id);
  /** When a restart nobody reported health after stops counting as restarting. */
  const settle = (/** @type {number} */ t) => {
    if (state === 'restarting' && restartingUntil + RESTARTING_MAX_MS < t) {
      change(restartingUntil + RESTARTING_MAX_MS, 'unknown');
    }
  };
  for (const { e, t } of steps) {
    settle(t);
    if (e.event_type === 'health') {
      if (timeOf(e) < from && before !== e) continue;
      if (!isHealthState(e.status)) continue;
      // Its stop and start while autoheal restarts it are part of the restart.
      if (timeOf(e) <= restartingUntil) continue;
      change(t, e.status);
    } else if (e.event_type === 'restart' || e.event_type === 'stop') {
      const ok = e.status === 'success';
      if (t >= from) {
        markers.push({ at: t, kind: e.event_type, ok, id: e.id, message: e.message ?? '' });
      }
      if (!ok) continue;
      if (e.event_type === 'restart') {
        restartingUntil = timeOf(e);
        change(t, 'restarting');
      } else {
        change(t, 'stopped');
      }
    }
  }
  settle(to);
  change(to, state);
  return { spans, markers };
}

/**
 * Restart outcomes across all containers per hour, `hours` buckets ending with the hour
 * that holds `now` (hours start on the hour, in UTC; the last bucket is still filling).
 * A restart counts in the hour it was recorded; `stop` actions and other events are not counted.
 *
 * @param {readonly TimelineEvent[]} events
 * @param {{ now: number, hours?: number }} options
 * @returns {HourBucket[]}
 */
export function restartsPerHour(events, { now, hours = 24 }) {
  const lastStart = Math.floor(now / HOUR_MS) * HOUR_MS;
  const firstStart = lastStart - (hours - 1) * HOUR_MS;
  /** @type {HourBucket[]} */
  const buckets = Array.from({ length: Math.max(0, hours) }, (_, i) => ({
    start: firstStart + i * HOUR_MS,
    end: firstStart + (i + 1) * HOUR_MS,
    restarts: 0,
    failed: 0,
  }));
  for (const e of events) {
    if (e.event_type !== 'restart') continue;
    const t = timeOf(e);
    if (!(t >= firstStart) || t > now) continue;
    const bucket = buckets[Math.floor((t - firstStart) / HOUR_MS)];
    if (!bucket) continue;
    if (e.status === 'success') bucket.restarts += 1;
    else if (e.status === 'failed') bucket.failed += 1;
  }
  return buckets;
}

/**
 * Events grouped by container name (events about no container are left out).
 * @param {readonly TimelineEvent[]} events
 * @returns {Map<string, TimelineEvent[]>}
 */
export function byContainer(events) {
  /** @type {Map<string, TimelineEvent[]>} */
  const groups = new Map();
  for (const e of events) {
    if (e.container_name == null) continue;
    const list = groups.get(e.container_name);
    if (list) list.push(e);
    else groups.set(e.container_name, [e]);
  }
  return groups;
}

/**
 * The share of a window each span takes, for drawing: `x` and `width` in percent.
 * @param {readonly Span[]} spans
 * @param {{ from: number, to: number }} window
 */
export function spanGeometry(spans, { from, to }) {
  const width = to - from;
  return spans.map((s) => ({
    ...s,
    x: ((s.start - from) / width) * 100,
    width: ((s.end - s.start) / width) * 100,
  }));
}
