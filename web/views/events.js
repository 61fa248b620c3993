/**
 * The events view: the audit trail newest first, coloured by type, filtered by type and
 * container (kept in the URL hash, so a filtered view can be linked), live from the shared
 * stream and paged back with `before_id`. Thousands of events stay cheap: live events are
 * added once per animation frame, and the list shows at most `shown` rows (the rest stays
 * in memory until "Show older events" asks for it).
 */
import { getJson } from '../lib/api.js';
import { badge, el, replaceChildren, shortId, timeElement } from '../lib/dom.js';
import { enrollHint } from './hints.js';

const TYPE_TEXT = {
  auto_monitor: 'monitoring',
  unhealthy: 'unhealthy',
  restart: 'restart',
  stop: 'stop',
  recreate: 're-create',
  skipped: 'skipped',
  gave_up: 'gave up',
  die: 'died',
  oom: 'out of memory',
  config_change: 'config',
  engine: 'engine',
  health: 'health',
};

/**
 * The audit event types, in the order the filter offers them. The server's list is
 * AUDIT_EVENT_TYPES in src/store/types.ts; a unit test keeps the two the same.
 */
export const EVENT_TYPES = Object.keys(TYPE_TEXT);

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
const CONTAINER_PATTERN = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;

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

/** The probe's own words an event carries: a restart's reason, or the last probe of an unhealthy report. */
export function whyText(event) {
  const details = event.details ?? {};
  if (typeof details.reason === 'string' && details.reason !== '') return details.reason;
  const last = Array.isArray(details.health?.log) ? details.health.log.at(-1) : null;
  const line =
    typeof last?.output === 'string' ? last.output.split('\n').find((l) => l.trim() !== '') : undefined;
  return line ? line.trim().slice(0, 200) : null;
}

function eventRow(event) {
  const why = whyText(event);
  const type = event.event_type;
  const status = typeof event.status === 'string' ? event.status : '';
  const hasDetails =
    event.details && typeof event.details === 'object' && Object.keys(event.details).length > 0;
  return el(
    'li',
    { className: `event type-${type} status-${status}`, dataset: { id: String(event.id), type, status } },
    el(
      'div',
      { className: 'event-head' },
      timeElement(event.timestamp),
      badge(TYPE_TEXT[type] ?? type, `type type-${type} status-${status}`, type),
      status && !OBVIOUS_STATUS.has(`${type}/${status}`)
        ? el('span', { className: `status status-${status}` }, status.replaceAll('_', ' '))
        : null,
      event.container_name
        ? el(
            'a',
            {
              className: 'container-name',
              href: `#/events?container=${encodeURIComponent(event.container_name)}`,
              title: `Only the events of ${event.container_name}${event.container_id ? ` (${shortId(event.container_id)})` : ''}`,
            },
            event.container_name,
          )
        : null,
      typeof event.restart_count === 'number' && type === 'restart'
        ? el(
            'span',
            { className: 'muted small', title: 'restarts autoheal has made of this container' },
            `#${event.restart_count}`,
          )
        : null,
    ),
    el(
      'div',
      { className: 'event-body' },
      el('p', { className: 'event-message' }, event.message ?? ''),
      why ? el('p', { className: 'why small' }, `why: ${why}`) : null,
      hasDetails
        ? el(
            'details',
            { className: 'event-details' },
            el('summary', {}, 'Details'),
            el('pre', {}, JSON.stringify({ id: event.id, ...event.details }, null, 2)),
          )
        : null,
    ),
  );
}

export function createEventsView(ctx) {
  const section = document.getElementById('view-events');
  const form = document.getElementById('events-filters');
  const typeSelect = document.getElementById('events-type');
  const containerInput = document.getElementById('events-container');
  const clearButton = document.getElementById('events-clear');
  const list = document.getElementById('events-list');
  const empty = document.getElementById('events-empty');
  const olderButton = document.getElementById('events-older');
  const endNote = document.getElementById('events-end');
  const summary = document.getElementById('events-summary');
  const message = document.getElementById('events-message');

  for (const type of EVENT_TYPES)
    typeSelect.append(el('option', { value: type }, `${type} (${TYPE_TEXT[type]})`));

  let filter = { type: '', container: '' };
  /** Newest first. */
  let events = [];
  let ids = new Set();
  let nextBeforeId = null;
  let shown = PAGE;
  let loaded = false;
  let loading = false;
  /** Bumped by every reload, so an answer to an older filter is dropped. */
  let generation = 0;
  let pending = [];
  let frame = null;

  function say(text) {
    message.textContent = text;
    message.className = 'message error';
    message.hidden = text === '';
  }

  function renderMeta() {
    const rows = list.childElementCount;
    const what = [filter.type && `type ${filter.type}`, filter.container && `container ${filter.container}`]
      .filter(Boolean)
      .join(', ');
    summary.textContent = loaded
      ? `${rows === events.length && nextBeforeId === null ? rows : `${rows} shown of ${events.length}${nextBeforeId === null ? '' : '+'}`} event${rows === 1 ? '' : 's'}${what ? ` · ${what}` : ''} · newest first`
      : 'Loading…';
    olderButton.hidden = !(events.length > rows || nextBeforeId !== null);
    endNote.hidden = !loaded || !olderButton.hidden || events.length === 0;
    if (loaded && events.length === 0) {
      replaceChildren(
        empty,
        filter.type || filter.container
          ? el(
              'p',
              { className: 'empty' },
              'No event matches these filters yet. New ones appear here as they happen.',
            )
          : el(
              'div',
              {},
              el('p', { className: 'empty-title' }, 'No events yet.'),
              el(
                'p',
                { className: 'muted' },
                'autoheal writes an event when it starts monitoring a container, when one turns unhealthy, and for every restart. They appear here live.',
              ),
              enrollHint(ctx.labelKey(), false),
            ),
      );
    } else empty.replaceChildren();
  }

  /** Appends events[from..to) at the bottom of the list. */
  function appendRows(from, to) {
    const fragment = document.createDocumentFragment();
    for (let i = from; i < Math.min(to, events.length); i++) fragment.append(eventRow(events[i]));
    list.append(fragment);
  }

  function keep(newEvents, atTop) {
    const fresh = newEvents.filter((e) => !ids.has(e.id));
    for (const e of fresh) ids.add(e.id);
    events = atTop ? [...fresh, ...events] : [...events, ...fresh];
    if (events.length > MAX_KEPT) {
      for (const e of events.splice(MAX_KEPT)) ids.delete(e.id);
      nextBeforeId = events.at(-1).id;
    }
    return fresh;
  }

  async function reload() {
    const mine = ++generation;
    loaded = false;
    loading = true;
    events = [];
    ids = new Set();
    pending = [];
    nextBeforeId = null;
    shown = PAGE;
    list.replaceChildren();
    empty.replaceChildren();
    say('');
    renderMeta();
    const params = new URLSearchParams({ limit: String(PAGE) });
    if (filter.type) params.set('type', filter.type);
    if (filter.container) params.set('container', filter.container);
    try {
      const json = await getJson(`/api/events?${params}`);
      if (mine !== generation) return;
      keep(json.events ?? [], false);
      nextBeforeId = json.next_before_id ?? null;
      // Live events that arrived while this page was loading are newer: put them on top.
      const early = pending;
      pending = [];
      keep(early.reverse(), true);
      appendRows(0, shown);
      loaded = true;
    } catch (err) {
      if (mine !== generation) return;
      say(`Could not load events: ${err instanceof Error ? err.message : err}`);
    } finally {
      if (mine === generation) loading = false;
    }
    renderMeta();
  }

  async function older() {
    if (!loaded || loading) return;
    const rows = list.childElementCount;
    if (events.length <= rows && nextBeforeId !== null) {
      const mine = generation;
      loading = true;
      olderButton.disabled = true;
      const params = new URLSearchParams({ limit: String(PAGE), before_id: String(nextBeforeId) });
      if (filter.type) params.set('type', filter.type);
      if (filter.container) params.set('container', filter.container);
      try {
        const json = await getJson(`/api/events?${params}`);
        if (mine !== generation) return;
        keep(json.events ?? [], false);
        nextBeforeId = json.next_before_id ?? null;
      } catch (err) {
        say(`Could not load older events: ${err instanceof Error ? err.message : err}`);
      } finally {
        loading = false;
        olderButton.disabled = false;
      }
    }
    shown = rows + PAGE;
    appendRows(rows, shown);
    renderMeta();
  }

  /** Adds the live events gathered since the last frame at the top of the list. */
  function flush() {
    frame = null;
    if (!loaded) return;
    const batch = pending.reverse();
    pending = [];
    const fresh = keep(batch, true);
    if (fresh.length === 0) return;
    const fragment = document.createDocumentFragment();
    for (const e of fresh.slice(0, shown)) fragment.append(eventRow(e));
    list.prepend(fragment);
    while (list.childElementCount > shown) list.lastElementChild.remove();
    renderMeta();
  }

  ctx.stream.onEvent((event) => {
    if (!matches(event, filter)) return;
    pending.push(event);
    // Until the first page is in, reload() takes them; afterwards one render per frame.
    if (loaded && frame === null) frame = requestAnimationFrame(flush);
  });

  function applyFromForm() {
    const container = containerInput.value.trim();
    if (container !== '' && !CONTAINER_PATTERN.test(container)) {
      say('Container: enter an exact container name or the start of its id (letters, digits, _ . -).');
      containerInput.focus();
      return;
    }
    const params = new URLSearchParams();
    if (typeSelect.value) params.set('type', typeSelect.value);
    if (container) params.set('container', container);
    const query = params.toString();
    const hash = `#/events${query ? `?${query}` : ''}`;
    if (location.hash === hash) reload();
    else location.hash = hash;
  }

  form.addEventListener('submit', (e) => {
    e.preventDefault();
    applyFromForm();
  });
  typeSelect.addEventListener('change', applyFromForm);
  clearButton.addEventListener('click', () => {
    typeSelect.value = '';
    containerInput.value = '';
    applyFromForm();
  });
  olderButton.addEventListener('click', older);

  return {
    section,
    /** `params` is the hash's query (URLSearchParams). */
    show(params) {
      const next = {
        type: EVENT_TYPES.includes(params.get('type') ?? '') ? params.get('type') : '',
        container: (params.get('container') ?? '').trim(),
      };
      if (next.container && !CONTAINER_PATTERN.test(next.container)) next.container = '';
      typeSelect.value = next.type;
      containerInput.value = next.container;
      if (!loaded && !loading) {
        filter = next;
        reload();
      } else if (next.type !== filter.type || next.container !== filter.container) {
        filter = next;
        reload();
      }
    },
    hide() {},
  };
}
