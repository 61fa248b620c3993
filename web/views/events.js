// @ts-check
/**
 * The events view: the audit trail newest first, coloured by type, filtered by type and
 * container (kept in the URL hash, so a filtered view can be linked), live from the shared
 * stream and paged back with `before_id`. Thousands of events stay cheap: live events are
 * taken in once per animation frame, and the list draws at most `shown` rows (the rest
 * stays in memory until "Show older events" asks for it).
 */
import { html, useEffect, useRef, useState } from '/vendor/htm-preact.js';
import { EventTypeBadge } from '../components/badge.js';
import { Message } from '../components/message.js';
import { RelativeTime } from '../components/time.js';
import { errorText, getJson } from '../lib/api.js';
import { CONTAINER_FILTER_PATTERN, shortId } from '../lib/container-ref.js';
import { EVENT_TYPES, TYPE_TEXT } from '../lib/event-types.js';
import { useStreamEvents } from '../lib/hooks.js';
import { EnrollHint } from './hints.js';

/** @typedef {import('../lib/types.js').AuditEvent} AuditEvent */
/** @typedef {{type: string, container: string}} Filter */

/** A status the type already says; not repeated next to it. */
const OBVIOUS_STATUS = new Set([
  'auto_monitor/enabled',
  'unhealthy/detected',
  'die/died',
  'oom/oom',
  'gave_up/gave_up',
]);

/** Rows shown at first and added by each "Show older events". */
const PAGE = 200;
/** Events kept in memory; beyond this the oldest are dropped (and can be paged back in). */
const MAX_KEPT = 10_000;

/**
 * @param {AuditEvent} event
 * @param {Filter} filter
 */
function matches(event, filter) {
  if (filter.type && event.event_type !== filter.type) return false;
  if (filter.container) {
    const c = filter.container;
    return (
      event.container_name === c ||
      (typeof event.container_id === 'string' && event.container_id.startsWith(c))
    );
  }
  return true;
}

/**
 * The probe's own words an event carries: a restart's reason, or the last probe of an
 * unhealthy report.
 * @param {AuditEvent} event
 * @returns {string | null}
 */
export function whyText(event) {
  const details = event.details ?? {};
  if (typeof details.reason === 'string' && details.reason !== '') return details.reason;
  const last = Array.isArray(details.health?.log) ? details.health.log.at(-1) : null;
  const line =
    typeof last?.output === 'string'
      ? last.output.split('\n').find((/** @type {string} */ l) => l.trim() !== '')
      : undefined;
  return line ? line.trim().slice(0, 200) : null;
}

/** @param {{event: AuditEvent}} props */
export function EventRow({ event }) {
  const why = whyText(event);
  const type = event.event_type;
  const status = typeof event.status === 'string' ? event.status : '';
  const hasDetails =
    event.details && typeof event.details === 'object' && Object.keys(event.details).length > 0;
  const name = event.container_name;
  return html`<li class=${`event type-${type} status-${status}`} data-id=${String(event.id)} data-type=${type} data-status=${status}>
    <div class="event-head">
      <${RelativeTime} iso=${event.timestamp} />
      <${EventTypeBadge} type=${type} status=${status} />
      ${status && !OBVIOUS_STATUS.has(`${type}/${status}`) ? html`<span class=${`status status-${status}`}>${status.replaceAll('_', ' ')}</span>` : null}
      ${
        name
          ? html`<a
              class="container-name"
              href=${`#/events?container=${encodeURIComponent(name)}`}
              title=${`Only the events of ${name}${event.container_id ? ` (${shortId(event.container_id)})` : ''}`}
            >${name}</a>`
          : null
      }
      ${
        typeof event.restart_count === 'number' && type === 'restart'
          ? html`<span class="muted small" title="restarts autoheal has made of this container">#${event.restart_count}</span>`
          : null
      }
    </div>
    <div class="event-body">
      <p class="event-message">${event.message ?? ''}</p>
      ${why ? html`<p class="why small">why: ${why}</p>` : null}
      ${
        hasDetails
          ? html`<details class="event-details">
              <summary>Details</summary>
              <pre>${JSON.stringify({ id: event.id, ...event.details }, null, 2)}</pre>
            </details>`
          : null
      }
    </div>
  </li>`;
}

/**
 * The filter a hash query asks for; anything not accepted is left out.
 * @param {URLSearchParams} params
 * @returns {Filter}
 */
function filterOf(params) {
  const type = params.get('type') ?? '';
  const container = (params.get('container') ?? '').trim();
  return {
    type: EVENT_TYPES.includes(type) ? type : '',
    container: CONTAINER_FILTER_PATTERN.test(container) ? container : '',
  };
}

/**
 * The trail held by the view: newest first, what is drawn, and where paging back goes on.
 * @typedef {object} Trail
 * @property {AuditEvent[]} events
 * @property {number | null} nextBeforeId
 * @property {number} shown
 * @property {boolean} loaded
 */

/**
 * Adds events the trail does not hold yet, at the top (live) or the bottom (paged back).
 * @param {Trail} trail
 * @param {AuditEvent[]} more
 * @param {boolean} atTop
 * @returns {Trail}
 */
function keep(trail, more, atTop) {
  const ids = new Set(trail.events.map((e) => e.id));
  const fresh = more.filter((e) => !ids.has(e.id));
  if (fresh.length === 0) return trail;
  let events = atTop ? [...fresh, ...trail.events] : [...trail.events, ...fresh];
  let nextBeforeId = trail.nextBeforeId;
  if (events.length > MAX_KEPT) {
    events = events.slice(0, MAX_KEPT);
    nextBeforeId = events.at(-1)?.id ?? null;
  }
  return { ...trail, events, nextBeforeId };
}

/** @type {Trail} */
const EMPTY = { events: [], nextBeforeId: null, shown: PAGE, loaded: false };

/** @param {import('./context.js').ViewProps} props */
export function EventsView({ ctx, params }) {
  const filter = filterOf(params);
  const [trail, setTrail] = useState(EMPTY);
  const [loadingOlder, setLoadingOlder] = useState(false);
  const [problem, setProblem] = useState('');
  const [typeChoice, setTypeChoice] = useState(filter.type);
  const [containerChoice, setContainerChoice] = useState(filter.container);
  /** Live events not yet taken in; reload() takes those that came while it loaded. */
  const pending = useRef(/** @type {AuditEvent[]} */ ([]));
  const frame = useRef(/** @type {number | null} */ (null));
  const loaded = useRef(false);
  /** Bumped to load the same filter again (Apply without a change). */
  const [reloads, setReloads] = useState(0);
  const filterKey = `${filter.type}\u0000${filter.container}`;

  // A new filter (from the hash): start over with its first page.
  useEffect(() => {
    let current = true;
    loaded.current = false;
    pending.current = [];
    setTrail(EMPTY);
    setProblem('');
    setTypeChoice(filter.type);
    setContainerChoice(filter.container);
    const query = new URLSearchParams({ limit: String(PAGE) });
    if (filter.type) query.set('type', filter.type);
    if (filter.container) query.set('container', filter.container);
    getJson(`/api/events?${query}`).then(
      (json) => {
        if (!current) return;
        // Live events that arrived while this page was loading are newer: put them on top.
        const early = pending.current.reverse();
        pending.current = [];
        loaded.current = true;
        const first = keep(
          { ...EMPTY, nextBeforeId: json?.next_before_id ?? null },
          json?.events ?? [],
          false,
        );
        setTrail({ ...keep(first, early, true), loaded: true });
      },
      (err) => {
        if (current) setProblem(`Could not load events: ${errorText(err)}`);
      },
    );
    return () => {
      current = false;
    };
  }, [filterKey, reloads]);

  useEffect(
    () => () => {
      if (frame.current !== null) cancelAnimationFrame(frame.current);
    },
    [],
  );

  useStreamEvents(ctx.stream, (event) => {
    if (!matches(event, filter)) return;
    pending.current.push(event);
    if (!loaded.current || frame.current !== null) return;
    // One render per frame, however many events arrive.
    frame.current = requestAnimationFrame(() => {
      frame.current = null;
      const batch = pending.current.reverse();
      pending.current = [];
      setTrail((t) => keep(t, batch, true));
    });
  });

  async function older() {
    if (!trail.loaded || loadingOlder) return;
    const rows = Math.min(trail.shown, trail.events.length);
    if (trail.events.length <= rows && trail.nextBeforeId !== null) {
      setLoadingOlder(true);
      const query = new URLSearchParams({ limit: String(PAGE), before_id: String(trail.nextBeforeId) });
      if (filter.type) query.set('type', filter.type);
      if (filter.container) query.set('container', filter.container);
      try {
        const json = await getJson(`/api/events?${query}`);
        setTrail((t) => ({
          ...keep(t, json?.events ?? [], false),
          nextBeforeId: json?.next_before_id ?? null,
        }));
      } catch (err) {
        setProblem(`Could not load older events: ${errorText(err)}`);
      } finally {
        setLoadingOlder(false);
      }
    }
    setTrail((t) => ({ ...t, shown: rows + PAGE }));
  }

  /** Applies the form's filter through the hash, so the filtered view can be linked. */
  function apply(type = typeChoice, container = containerChoice.trim()) {
    if (container !== '' && !CONTAINER_FILTER_PATTERN.test(container)) {
      setProblem('Container: enter an exact container name or the start of its id (letters, digits, _ . -).');
      return;
    }
    const query = new URLSearchParams();
    if (type) query.set('type', type);
    if (container) query.set('container', container);
    const q = query.toString();
    const hash = `#/events${q ? `?${q}` : ''}`;
    if (location.hash === hash) setReloads((n) => n + 1);
    else location.hash = hash;
  }

  const rows = trail.events.slice(0, trail.shown);
  const more = trail.events.length > rows.length || trail.nextBeforeId !== null;
  const what = [filter.type && `type ${filter.type}`, filter.container && `container ${filter.container}`]
    .filter(Boolean)
    .join(', ');
  const count =
    rows.length === trail.events.length && trail.nextBeforeId === null
      ? `${rows.length}`
      : `${rows.length} shown of ${trail.events.length}${trail.nextBeforeId === null ? '' : '+'}`;
  const summary = trail.loaded
    ? `${count} event${rows.length === 1 ? '' : 's'}${what ? ` · ${what}` : ''} · newest first`
    : 'Loading…';

  return html`<section id="view-events" class="view" aria-labelledby="events-title">
    <div class="view-head">
      <h1 id="events-title">Events</h1>
      <p class="summary" id="events-summary">${summary}</p>
    </div>
    <form
      class="toolbar"
      id="events-filters"
      onSubmit=${(/** @type {Event} */ e) => {
        e.preventDefault();
        apply();
      }}
    >
      <label class="field">
        <span>Type</span>
        <select
          id="events-type"
          value=${typeChoice}
          onChange=${(/** @type {Event} */ e) => {
            const type = /** @type {HTMLSelectElement} */ (e.currentTarget).value;
            setTypeChoice(type);
            apply(type);
          }}
        >
          <option value="">All types</option>
          ${EVENT_TYPES.map((type) => html`<option value=${type}>${type} (${TYPE_TEXT[type]})</option>`)}
        </select>
      </label>
      <label class="field">
        <span>Container</span>
        <input
          type="search"
          id="events-container"
          list="container-names"
          placeholder="name or id prefix"
          autocomplete="off"
          value=${containerChoice}
          onInput=${(/** @type {Event} */ e) => setContainerChoice(/** @type {HTMLInputElement} */ (e.currentTarget).value)}
        />
      </label>
      <button type="submit" class="button">Apply</button>
      <button
        type="button"
        class="button secondary"
        id="events-clear"
        onClick=${() => {
          setTypeChoice('');
          setContainerChoice('');
          apply('', '');
        }}
      >Clear filters</button>
    </form>
    <${Message} id="events-message" said=${problem ? { text: problem, kind: 'error' } : null} />
    <ol class="event-list" id="events-list" aria-label="Audit events, newest first">
      ${rows.map((event) => html`<${EventRow} key=${event.id} event=${event} />`)}
    </ol>
    <div id="events-empty">
      ${trail.loaded && trail.events.length === 0 ? html`<${EmptyTrail} filtered=${what !== ''} labelKey=${ctx.labelKey} />` : null}
    </div>
    <div class="more">
      <button type="button" class="button secondary" id="events-older" hidden=${!more} disabled=${loadingOlder} onClick=${older}>Show older events</button>
      <span class="muted" id="events-end" hidden=${!trail.loaded || more || trail.events.length === 0}>That is the oldest event kept.</span>
    </div>
  </section>`;
}

/** @param {{filtered: boolean, labelKey: string}} props */
function EmptyTrail({ filtered, labelKey }) {
  if (filtered)
    return html`<p class="empty">No event matches these filters yet. New ones appear here as they happen.</p>`;
  return html`<div>
    <p class="empty-title">No events yet.</p>
    <p class="muted">
      autoheal writes an event when it starts monitoring a container, when one turns unhealthy, and for
      every restart. They appear here live.
    </p>
    <${EnrollHint} labelKey=${labelKey} noContainers=${false} />
  </div>`;
}
