// @ts-check
/**
 * The fleet view, shown when peers are configured (`AUTOHEAL_PEERS`): every host as a card
 * (up, engine unreachable, or down with its error; linked to the host's own UI, where its
 * changes are made), then every container and the latest events of every host with a host
 * column and a host filter. Event ids are per host, so events are keyed by (host, id). It
 * polls `/api/fleet` and `/api/fleet/containers`, and follows `/api/fleet/events/stream`
 * while it is shown. Read-only.
 */
import { html, useEffect, useState } from '/vendor/htm-preact.js';
import { Badge, EventTypeBadge, HealthBadge, RunBadge } from '../components/badge.js';
import { RelativeTime } from '../components/time.js';
import { errorText, getJson } from '../lib/api.js';
import { shortId } from '../lib/container-ref.js';
import { usePoll } from '../lib/hooks.js';

/** @typedef {import('../lib/types.js').AuditEvent} AuditEvent */
/** @typedef {import('../lib/types.js').Container} Container */
/**
 * @typedef {object} Host  One entry of `GET /api/fleet`.
 * @property {string} host
 * @property {boolean} ok
 * @property {boolean} [self]
 * @property {string | null} [url]
 * @property {string | null} [ui_url]
 * @property {string | null} [version]
 * @property {string | null} [error]
 * @property {boolean | null} [engine_connected]
 * @property {{containers: number, monitored: number, unhealthy: number, given_up: number} | null} [counts]
 */

const POLL_MS = 4000;
const EVENTS_SHOWN = 200;
const EVENTS_KEPT = 5000;
const COLUMNS = ['Host', 'Container', 'State', 'Health', 'Monitoring', 'Restarts', 'Last restart'];

/** @param {AuditEvent} event */
function eventKey(event) {
  return `${event.host}\u0000${event.id}`;
}

/**
 * The link to a host's own UI; this host's is this page.
 * @param {{host: Host}} props
 */
function HostLink({ host }) {
  if (host.self) return html`<a href="#/containers" title="This autoheal">${host.host}</a>`;
  if (!host.ui_url) return html`<span>${host.host}</span>`;
  return html`<a href=${host.ui_url} target="_blank" rel="noopener" title=${`Open ${host.host}’s own UI`}>${host.host}</a>`;
}

/** @param {Host} host */
function hostState(host) {
  if (!host.ok) return { key: 'down', text: 'down', kind: 'health-unhealthy' };
  if (host.engine_connected === false)
    return { key: 'degraded', text: 'engine unreachable', kind: 'health-starting' };
  return { key: 'up', text: 'up', kind: 'health-healthy' };
}

/** @param {{host: Host}} props */
function HostCard({ host }) {
  const state = hostState(host);
  const c = host.counts;
  return html`<li class=${`host-card host-${state.key}`} data-host=${host.host} data-state=${state.key}>
    <div class="host-card-head">
      <h2 class="host-name"><${HostLink} host=${host} /></h2>
      <${Badge} text=${state.text} kind=${state.kind} />
      ${host.self ? html`<span class="muted small">this host</span>` : null}
    </div>
    ${
      c
        ? html`<p class="host-counts">
            ${c.containers} container${c.containers === 1 ? '' : 's'} · ${c.monitored} monitored ·${' '}
            <strong class=${c.unhealthy > 0 ? 'bad' : ''}>${c.unhealthy} unhealthy</strong> ·${' '}
            <strong class=${c.given_up > 0 ? 'bad' : ''}>${c.given_up} given up</strong>
          </p>`
        : null
    }
    ${host.error ? html`<p class="message error host-error">${host.error}</p>` : null}
    <p class="muted small mono">${host.url || 'this host'}${host.version ? ` · v${host.version}` : ''}</p>
  </li>`;
}

/** @param {{c: Container, host: Host}} props */
function ContainerRow({ c, host }) {
  return html`<tr data-host=${c.host} data-name=${c.name} data-health=${c.health}>
    <td data-label="Host"><${HostLink} host=${host} /></td>
    <td data-label="Container">
      <div>
        <span class="container-name">${c.name}</span>
        <div class="muted small mono meta">${shortId(c.id)} · ${c.image}</div>
      </div>
    </td>
    <td data-label="State"><${RunBadge} state=${c.state} /></td>
    <td data-label="Health"><${HealthBadge} health=${c.health} /></td>
    <td data-label="Monitoring">
      <div class="stack">
        ${
          c.monitored
            ? html`<${Badge} text="monitored" kind="state-monitored" />`
            : html`<${Badge}
                text=${c.excluded ? 'excluded' : 'not monitored'}
                kind=${c.excluded ? 'state-excluded' : 'state-off'}
              />`
        }
        ${c.gave_up ? html`<${Badge} text="gave up" kind="state-gave-up" />` : null}
      </div>
    </td>
    <td data-label="Restarts" class="num">${String(c.restart_count ?? 0)}</td>
    <td data-label="Last restart"><${RelativeTime} iso=${c.last_restart_at} /></td>
  </tr>`;
}

/** @param {{event: AuditEvent}} props */
function FleetEvent({ event: e }) {
  return html`<li
    class=${`event type-${e.event_type} status-${e.status}`}
    data-key=${eventKey(e)}
    data-host=${e.host}
    data-id=${String(e.id)}
    data-type=${e.event_type}
  >
    <div class="event-head">
      <${RelativeTime} iso=${e.timestamp} />
      <span class="event-host badge">${e.host}</span>
      <${EventTypeBadge} type=${e.event_type} status=${e.status} />
      ${e.container_name ? html`<span class="container-name">${e.container_name}</span>` : null}
    </div>
    <div class="event-body"><p class="event-message">${e.message ?? ''}</p></div>
  </li>`;
}

/**
 * Merges events by (host, id), keeping the newest `EVENTS_KEPT`.
 * @param {Map<string, AuditEvent>} events
 * @param {unknown[]} more
 */
function merged(events, more) {
  const next = new Map(events);
  for (const e of /** @type {AuditEvent[]} */ (more))
    if (e && typeof e.host === 'string' && typeof e.id === 'number') next.set(eventKey(e), e);
  if (next.size > EVENTS_KEPT) {
    const oldest = [...next.values()].sort((a, b) => Date.parse(a.timestamp) - Date.parse(b.timestamp));
    for (const e of oldest.slice(0, next.size - EVENTS_KEPT)) next.delete(eventKey(e));
  }
  return next;
}

/** @param {import('./context.js').ViewProps} _props */
export function FleetView(_props) {
  const [hosts, setHosts] = useState(/** @type {Host[]} */ ([]));
  const [containers, setContainers] = useState(/** @type {Container[] | null} */ (null));
  const [containersError, setContainersError] = useState('');
  const [events, setEvents] = useState(/** @type {Map<string, AuditEvent>} */ (new Map()));
  const [live, setLive] = useState('Connecting…');
  const [hostFilter, setHostFilter] = useState('');
  const [query, setQuery] = useState('');

  async function load() {
    const [h, c] = await Promise.allSettled([getJson('/api/fleet'), getJson('/api/fleet/containers')]);
    if (h.status === 'fulfilled' && Array.isArray(h.value?.hosts)) setHosts(h.value.hosts);
    if (c.status === 'fulfilled' && Array.isArray(c.value?.containers)) {
      setContainers(c.value.containers);
      setContainersError('');
    } else if (c.status === 'rejected')
      setContainersError(`Could not load the fleet: ${errorText(c.reason)}`);
  }
  usePoll(load, POLL_MS);

  useEffect(() => {
    async function loadEvents() {
      try {
        const json = await getJson(`/api/fleet/events?limit=${EVENTS_SHOWN}`);
        setEvents((events) => merged(events, json?.events ?? []));
      } catch {
        // The stream and the next open try again.
      }
    }
    const source = new EventSource('/api/fleet/events/stream');
    source.addEventListener('open', () => {
      setLive('Live: events of every host appear as they happen.');
      // What happened while the stream was closed comes from the list.
      loadEvents();
    });
    source.addEventListener('audit', (message) => {
      try {
        const event = JSON.parse(message.data);
        setEvents((events) => merged(events, [event]));
      } catch {
        // Not an event: ignored.
      }
    });
    source.addEventListener('host', () => load());
    source.addEventListener('error', () => setLive('The live stream is reconnecting…'));
    return () => source.close();
  }, []);

  /** @param {string} host */
  const shownHost = (host) => hostFilter === '' || hostFilter === host;
  const q = query.trim().toLowerCase();
  const byName = new Map(hosts.map((h) => [h.host, h]));
  const down = hosts.filter((h) => !h.ok).length;
  const rows = (containers ?? [])
    .filter((c) => shownHost(c.host ?? ''))
    .filter((c) => q === '' || c.name.toLowerCase().includes(q) || c.image.toLowerCase().includes(q));
  const shownEvents = [...events.values()]
    .filter((e) => shownHost(e.host ?? ''))
    .filter((e) => q === '' || (e.container_name ?? '').toLowerCase().includes(q))
    .sort(
      (a, b) =>
        Date.parse(b.timestamp) - Date.parse(a.timestamp) ||
        String(a.host).localeCompare(String(b.host)) ||
        b.id - a.id,
    )
    .slice(0, EVENTS_SHOWN);

  return html`<section id="view-fleet" class="view" aria-labelledby="fleet-title">
    <div class="view-head">
      <h1 id="fleet-title">Fleet</h1>
      <p class="summary" id="fleet-summary">
        ${hosts.length} host${hosts.length === 1 ? '' : 's'}${down ? ` · ${down} down` : ''} · changes are made on each host’s own page
      </p>
    </div>
    <ul class="host-cards" id="fleet-hosts" aria-label="Hosts">
      ${hosts.map((host) => html`<${HostCard} key=${host.host} host=${host} />`)}
    </ul>
    <div class="toolbar">
      <label class="field">
        <span>Host</span>
        <select
          id="fleet-host"
          value=${hostFilter}
          onChange=${(/** @type {Event} */ e) => setHostFilter(/** @type {HTMLSelectElement} */ (e.currentTarget).value)}
        >
          <option value="">All hosts</option>
          ${hosts.map((h) => html`<option value=${h.host}>${h.host}</option>`)}
        </select>
      </label>
      <label class="field">
        <span>Filter</span>
        <input
          type="search"
          id="fleet-filter"
          placeholder="container name or image"
          autocomplete="off"
          value=${query}
          onInput=${(/** @type {Event} */ e) => setQuery(/** @type {HTMLInputElement} */ (e.currentTarget).value)}
        />
      </label>
    </div>
    <h2 class="fleet-heading">Containers</h2>
    <div id="fleet-containers">
      ${
        containers === null
          ? html`<p class=${containersError ? 'message error' : 'muted'}>${containersError || 'Loading…'}</p>`
          : html`
              ${hosts
                .filter((h) => !h.ok && shownHost(h.host))
                .map(
                  (h) =>
                    html`<p class="message error" data-down-host=${h.host}>${h.host} is down: its containers are not shown (${h.error ?? 'no answer'}).</p>`,
                )}
              ${
                rows.length === 0
                  ? html`<p class="empty">No container to show.</p>`
                  : html`<div class="table-wrap">
                      <table class="containers fleet-containers">
                        <thead><tr>${COLUMNS.map((h) => html`<th scope="col">${h}</th>`)}</tr></thead>
                        <tbody>
                          ${rows.map(
                            (c) =>
                              html`<${ContainerRow}
                                key=${`${c.host}\u0000${c.id}`}
                                c=${c}
                                host=${byName.get(c.host ?? '') ?? { host: c.host ?? '', ok: true }}
                              />`,
                          )}
                        </tbody>
                      </table>
                    </div>`
              }
            `
      }
    </div>
    <h2 class="fleet-heading">Events</h2>
    <p class="muted small" id="fleet-live">${live}</p>
    <ol class="event-list" id="fleet-events" aria-label="Events of every host, newest first">
      ${shownEvents.map((e) => html`<${FleetEvent} key=${eventKey(e)} event=${e} />`)}
    </ol>
  </section>`;
}
