// @ts-check
/**
 * The audit events of a sliding time window (the last 24 hours, say), for the timelines:
 * read once page by page from `/api/events?since=…`, then kept current from the live stream,
 * and the ones that slid out of the window dropped.
 */
import { useEffect, useState } from '/vendor/htm-preact.js';
import { useNow } from '../components/time.js';
import { errorText, getJson } from './api.js';
import { useStreamEvents } from './hooks.js';

/** @typedef {import('./types.js').AuditEvent} AuditEvent */

const PAGE = 1000;
/** A window with more events than this is drawn from its newest ones. */
const MAX_PAGES = 20;
/** How often the window slides along with the clock. */
const SLIDE_MS = 60_000;

/**
 * Every event since `sinceMs` (of one container, when named), newest first.
 * @param {number} sinceMs
 * @param {string | null} container
 * @returns {Promise<AuditEvent[]>}
 */
export async function eventsSince(sinceMs, container) {
  /** @type {AuditEvent[]} */
  const events = [];
  let beforeId = null;
  for (let page = 0; page < MAX_PAGES; page += 1) {
    const query = new URLSearchParams({ since: new Date(sinceMs).toISOString(), limit: String(PAGE) });
    if (container !== null) query.set('container', container);
    if (beforeId !== null) query.set('before_id', String(beforeId));
    const json = await getJson(`/api/events?${query}`);
    events.push(...(Array.isArray(json?.events) ? json.events : []));
    beforeId = typeof json?.next_before_id === 'number' ? json.next_before_id : null;
    if (beforeId === null) break;
  }
  return events;
}

/**
 * The events of the last `spanMs` (of one container, when named), kept live.
 * @param {import('./stream.js').LiveStream} stream
 * @param {number} spanMs
 * @param {string | null} [container]
 * @returns {{events: AuditEvent[], from: number, to: number, loaded: boolean, error: string}}
 */
export function useEventWindow(stream, spanMs, container = null) {
  const now = useNow(SLIDE_MS);
  const [state, setState] = useState(
    /** @type {{events: AuditEvent[], loaded: boolean, error: string}} */ ({
      events: [],
      loaded: false,
      error: '',
    }),
  );

  useEffect(() => {
    let cancelled = false;
    setState({ events: [], loaded: false, error: '' });
    eventsSince(Date.now() - spanMs, container).then(
      (events) => {
        if (cancelled) return;
        // Live events that came in while the pages were read are kept; each id once.
        setState((old) => ({ events: merge(old.events, events), loaded: true, error: '' }));
      },
      (err) => {
        if (!cancelled) setState((old) => ({ ...old, loaded: true, error: errorText(err) }));
      },
    );
    return () => {
      cancelled = true;
    };
  }, [spanMs, container]);

  useStreamEvents(stream, (event) => {
    if (container !== null && event.container_name !== container) return;
    const from = Date.now() - spanMs;
    setState((old) => ({
      ...old,
      events: merge(
        old.events.filter((e) => Date.parse(e.timestamp) >= from),
        [event],
      ),
    }));
  });

  const to = Math.max(now, Date.now());
  const from = to - spanMs;
  return { events: state.events.filter((e) => Date.parse(e.timestamp) >= from), from, to, ...pick(state) };
}

/** @param {{loaded: boolean, error: string}} state */
function pick({ loaded, error }) {
  return { loaded, error };
}

/**
 * @param {AuditEvent[]} a
 * @param {AuditEvent[]} b
 */
function merge(a, b) {
  /** @type {Map<number, AuditEvent>} */
  const byId = new Map();
  for (const e of a) byId.set(e.id, e);
  for (const e of b) byId.set(e.id, e);
  return [...byId.values()].sort((x, y) => y.id - x.id);
}
