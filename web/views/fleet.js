/**
 * The fleet view, shown when peers are configured (`AUTOHEAL_PEERS`): every host as a card
 * (up, engine unreachable, or down with its error; linked to the host's own UI, where its
 * changes are made), then every container and the latest events of every host with a host
 * column and a host filter. Event ids are per host, so events are keyed by (host, id). It
 * polls `/api/fleet` and `/api/fleet/containers`, and follows `/api/fleet/events/stream`
 * while it is shown. Read-only.
 */
import { getJson } from '../lib/api.js';
import { badge, el, replaceChildren, shortId, timeElement } from '../lib/dom.js';

const POLL_MS = 4000;
const EVENTS_SHOWN = 200;

function eventKey(event) {
  return `${event.host}\u0000${event.id}`;
}

/** The link to a host's own UI; this host's is this page. */
function hostLink(host, text = host.host) {
  if (host.self) return el('a', { href: '#/containers', title: 'This autoheal' }, text);
  if (!host.ui_url) return el('span', {}, text);
  return el(
    'a',
    { href: host.ui_url, target: '_blank', rel: 'noopener', title: `Open ${host.host}’s own UI` },
    text,
  );
}

function hostState(host) {
  if (!host.ok) return { key: 'down', text: 'down', kind: 'health-unhealthy' };
  if (host.engine_connected === false)
    return { key: 'degraded', text: 'engine unreachable', kind: 'health-starting' };
  return { key: 'up', text: 'up', kind: 'health-healthy' };
}

function card(host) {
  const state = hostState(host);
  const c = host.counts;
  return el(
    'li',
    { className: `host-card host-${state.key}`, dataset: { host: host.host, state: state.key } },
    el(
      'div',
      { className: 'host-card-head' },
      el('h2', { className: 'host-name' }, hostLink(host)),
      badge(state.text, state.kind),
      host.self ? el('span', { className: 'muted small' }, 'this host') : null,
    ),
    c
      ? el(
          'p',
          { className: 'host-counts' },
          `${c.containers} container${c.containers === 1 ? '' : 's'} · ${c.monitored} monitored · `,
          el('strong', { className: c.unhealthy > 0 ? 'bad' : '' }, `${c.unhealthy} unhealthy`),
          ' · ',
          el('strong', { className: c.given_up > 0 ? 'bad' : '' }, `${c.given_up} given up`),
        )
      : null,
    host.error ? el('p', { className: 'message error host-error' }, host.error) : null,
    el(
      'p',
      { className: 'muted small mono' },
      [host.url || 'this host', host.version ? ` · v${host.version}` : ''].join(''),
    ),
  );
}

export function createFleetView() {
  const section = el('section', {
    id: 'view-fleet',
    className: 'view',
    hidden: true,
    attrs: { 'aria-labelledby': 'fleet-title' },
  });
  const summary = el('p', { className: 'summary', id: 'fleet-summary' });
  const cards = el('ul', { className: 'host-cards', id: 'fleet-hosts', attrs: { 'aria-label': 'Hosts' } });
  const hostFilter = el('select', { id: 'fleet-host' }, el('option', { value: '' }, 'All hosts'));
  const textFilter = el('input', {
    type: 'search',
    id: 'fleet-filter',
    placeholder: 'container name or image',
    autocomplete: 'off',
  });
  const containersBody = el('div', { id: 'fleet-containers' });
  const eventList = el('ol', {
    className: 'event-list',
    id: 'fleet-events',
    attrs: { 'aria-label': 'Events of every host, newest first' },
  });
  const live = el('p', { className: 'muted small', id: 'fleet-live' }, 'Connecting…');
  section.append(
    el('div', { className: 'view-head' }, el('h1', { id: 'fleet-title' }, 'Fleet'), summary),
    cards,
    el(
      'div',
      { className: 'toolbar' },
      el('label', { className: 'field' }, el('span', {}, 'Host'), hostFilter),
      el('label', { className: 'field' }, el('span', {}, 'Filter'), textFilter),
    ),
    el('h2', { className: 'fleet-heading' }, 'Containers'),
    containersBody,
    el('h2', { className: 'fleet-heading' }, 'Events'),
    live,
    eventList,
  );
  document.getElementById('main').append(section);

  let hosts = [];
  let containers = null;
  let containersError = null;
  /** Merged events by (host, id), newest first when rendered. */
  const events = new Map();
  let timer = null;
  let source = null;
  let visible = false;

  function render() {
    const down = hosts.filter((h) => !h.ok).length;
    summary.textContent = `${hosts.length} host${hosts.length === 1 ? '' : 's'}${down ? ` · ${down} down` : ''} · changes are made on each host’s own page`;
    replaceChildren(cards, ...hosts.map(card));
    const names = hosts.map((h) => h.host);
    const chosen = hostFilter.value;
    replaceChildren(
      hostFilter,
      el('option', { value: '' }, 'All hosts'),
      ...names.map((n) => el('option', { value: n, selected: n === chosen }, n)),
    );
    renderContainers();
    renderEvents();
  }

  function shownHost(host) {
    return hostFilter.value === '' || hostFilter.value === host;
  }

  function renderContainers() {
    if (containers === null) {
      replaceChildren(
        containersBody,
        el('p', { className: containersError ? 'message error' : 'muted' }, containersError ?? 'Loading…'),
      );
      return;
    }
    const q = textFilter.value.trim().toLowerCase();
    const rows = containers
      .filter((c) => shownHost(c.host))
      .filter((c) => q === '' || c.name.toLowerCase().includes(q) || c.image.toLowerCase().includes(q));
    const byName = new Map(hosts.map((h) => [h.host, h]));
    const missing = hosts.filter((h) => !h.ok && shownHost(h.host));
    replaceChildren(
      containersBody,
      ...missing.map((h) =>
        el(
          'p',
          { className: 'message error', dataset: { downHost: h.host } },
          `${h.host} is down: its containers are not shown (${h.error ?? 'no answer'}).`,
        ),
      ),
      rows.length === 0
        ? el('p', { className: 'empty' }, 'No container to show.')
        : el(
            'div',
            { className: 'table-wrap' },
            el(
              'table',
              { className: 'containers fleet-containers' },
              el(
                'thead',
                {},
                el(
                  'tr',
                  {},
                  ...['Host', 'Container', 'State', 'Health', 'Monitoring', 'Restarts', 'Last restart'].map(
                    (h) => el('th', { scope: 'col' }, h),
                  ),
                ),
              ),
              el(
                'tbody',
                {},
                ...rows.map((c) => {
                  const host = byName.get(c.host) ?? { host: c.host, ok: true };
                  return el(
                    'tr',
                    { dataset: { host: c.host, name: c.name, health: c.health } },
                    el('td', { dataset: { label: 'Host' } }, hostLink(host)),
                    el(
                      'td',
                      { dataset: { label: 'Container' } },
                      el(
                        'div',
                        {},
                        el('span', { className: 'container-name' }, c.name),
                        el('div', { className: 'muted small mono meta' }, `${shortId(c.id)} · ${c.image}`),
                      ),
                    ),
                    el('td', { dataset: { label: 'State' } }, badge(c.state, `run-${c.state}`)),
                    el('td', { dataset: { label: 'Health' } }, badge(c.health, `health-${c.health}`)),
                    el(
                      'td',
                      { dataset: { label: 'Monitoring' } },
                      el(
                        'div',
                        { className: 'stack' },
                        c.monitored
                          ? badge('monitored', 'state-monitored')
                          : badge(
                              c.excluded ? 'excluded' : 'not monitored',
                              c.excluded ? 'state-excluded' : 'state-off',
                            ),
                        c.gave_up ? badge('gave up', 'state-gave-up') : null,
                      ),
                    ),
                    el(
                      'td',
                      { dataset: { label: 'Restarts' }, className: 'num' },
                      String(c.restart_count ?? 0),
                    ),
                    el('td', { dataset: { label: 'Last restart' } }, timeElement(c.last_restart_at)),
                  );
                }),
              ),
            ),
          ),
    );
  }

  function renderEvents() {
    const q = textFilter.value.trim().toLowerCase();
    const shown = [...events.values()]
      .filter((e) => shownHost(e.host))
      .filter((e) => q === '' || (e.container_name ?? '').toLowerCase().includes(q))
      .sort(
        (a, b) =>
          Date.parse(b.timestamp) - Date.parse(a.timestamp) || a.host.localeCompare(b.host) || b.id - a.id,
      )
      .slice(0, EVENTS_SHOWN);
    replaceChildren(
      eventList,
      ...shown.map((e) =>
        el(
          'li',
          {
            className: `event type-${e.event_type} status-${e.status}`,
            dataset: { key: eventKey(e), host: e.host, id: String(e.id), type: e.event_type },
          },
          el(
            'div',
            { className: 'event-head' },
            timeElement(e.timestamp),
            el('span', { className: 'event-host badge' }, e.host),
            badge(e.event_type.replaceAll('_', ' '), `type type-${e.event_type} status-${e.status}`),
            e.container_name ? el('span', { className: 'container-name' }, e.container_name) : null,
          ),
          el('div', { className: 'event-body' }, el('p', { className: 'event-message' }, e.message ?? '')),
        ),
      ),
    );
  }

  function keep(list) {
    for (const e of list)
      if (e && typeof e.host === 'string' && typeof e.id === 'number') events.set(eventKey(e), e);
    if (events.size > 5000) {
      const oldest = [...events.values()].sort((a, b) => Date.parse(a.timestamp) - Date.parse(b.timestamp));
      for (const e of oldest.slice(0, events.size - 5000)) events.delete(eventKey(e));
    }
  }

  async function load() {
    const [h, c] = await Promise.allSettled([getJson('/api/fleet'), getJson('/api/fleet/containers')]);
    if (h.status === 'fulfilled' && Array.isArray(h.value?.hosts)) hosts = h.value.hosts;
    if (c.status === 'fulfilled' && Array.isArray(c.value?.containers)) {
      containers = c.value.containers;
      containersError = null;
    } else if (c.status === 'rejected')
      containersError = `Could not load the fleet: ${c.reason?.message ?? c.reason}`;
    if (visible) render();
  }

  async function loadEvents() {
    try {
      const json = await getJson(`/api/fleet/events?limit=${EVENTS_SHOWN}`);
      keep(json?.events ?? []);
    } catch {
      // The stream and the next poll try again.
    }
    if (visible) renderEvents();
  }

  function follow() {
    source = new EventSource('/api/fleet/events/stream');
    source.addEventListener('open', () => {
      live.textContent = 'Live: events of every host appear as they happen.';
      // What happened while the stream was closed comes from the list.
      loadEvents();
    });
    source.addEventListener('audit', (message) => {
      try {
        keep([JSON.parse(message.data)]);
      } catch {
        return;
      }
      if (visible) renderEvents();
    });
    source.addEventListener('host', () => load());
    source.addEventListener('error', () => {
      live.textContent = 'The live stream is reconnecting…';
    });
  }

  hostFilter.addEventListener('change', () => {
    renderContainers();
    renderEvents();
  });
  textFilter.addEventListener('input', () => {
    renderContainers();
    renderEvents();
  });

  return {
    section,
    show() {
      visible = true;
      render();
      load();
      if (source === null) follow();
      if (timer === null) timer = setInterval(load, POLL_MS);
    },
    hide() {
      visible = false;
      if (timer !== null) clearInterval(timer);
      timer = null;
      source?.close();
      source = null;
    },
  };
}
