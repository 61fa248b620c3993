// @ts-check
/**
 * The containers view: every container the engine has with autoheal's verdict on it
 * (health, monitored / excluded / enrolled by, restarts, last restart), a filter, and the
 * operator's actions (exclude or include, restart now, reset after a give-up). It polls
 * `/api/containers` and refreshes soon after the live stream reports something.
 */
import { html, useEffect, useRef, useState } from '/vendor/htm-preact.js';
import { HealthBadge, MonitoringBadges, RunBadge } from '../components/badge.js';
import { HealthStrip } from '../components/health-strip.js';
import { Message, useActions } from '../components/message.js';
import { RestartsChart } from '../components/restarts-chart.js';
import { RelativeTime } from '../components/time.js';
import { ApiError, change, errorText, getJson } from '../lib/api.js';
import { imageText, shortId } from '../lib/container-ref.js';
import { useEventWindow } from '../lib/event-window.js';
import { usePoll, useStreamEvents } from '../lib/hooks.js';
import { byContainer, DAY_MS, stateNow } from '../lib/timeline.js';
import { EnrollHint } from './hints.js';

/** @typedef {import('../lib/types.js').Container} Container */

const POLL_MS = 3000;
/** Live events come in bursts (a heal writes several): one reload after the burst. */
const REFRESH_AFTER_EVENT_MS = 300;
const COLUMNS = ['Container', 'State', 'Health', 'Monitoring', 'Restarts', 'Last restart', 'Actions'];

/**
 * Watched containers first, the ones in trouble at the very top, then by name.
 * @param {Container} a
 * @param {Container} b
 */
function compare(a, b) {
  /** @param {Container} c */
  const rank = (c) => (c.monitored ? (c.health === 'unhealthy' || c.gave_up ? 0 : 1) : c.excluded ? 2 : 3);
  return rank(a) - rank(b) || a.name.localeCompare(b.name);
}

/**
 * @param {Container[]} containers
 * @param {string} loadError
 */
function summaryText(containers, loadError) {
  const monitored = containers.filter((c) => c.monitored).length;
  const unhealthy = containers.filter((c) => c.monitored && c.health === 'unhealthy').length;
  const excluded = containers.filter((c) => c.excluded).length;
  const n = containers.length;
  return `${n} container${n === 1 ? '' : 's'} · ${monitored} monitored · ${unhealthy} unhealthy · ${excluded} excluded${loadError ? ` · not refreshed: ${loadError}` : ''}`;
}

/** @param {import('./context.js').ViewProps} props */
export function ContainersView({ ctx }) {
  const [containers, setContainers] = useState(/** @type {Container[] | null} */ (null));
  const [loadError, setLoadError] = useState('');
  const [query, setQuery] = useState('');
  const [monitoredOnly, setMonitoredOnly] = useState(false);

  async function load() {
    try {
      const json = await getJson('/api/containers');
      const list = Array.isArray(json?.containers) ? /** @type {Container[]} */ (json.containers) : [];
      setContainers(list);
      setLoadError('');
      ctx.setContainerNames(list.map((c) => c.name));
    } catch (err) {
      setLoadError(errorText(err));
    }
  }
  const { said, act } = useActions(load);
  const day = useEventWindow(ctx.stream, DAY_MS);
  const dayByName = byContainer(day.events);
  usePoll(load, POLL_MS);

  const refreshTimer = useRef(/** @type {ReturnType<typeof setTimeout> | null} */ (null));
  useStreamEvents(ctx.stream, (event) => {
    if (event.event_type === 'engine' || refreshTimer.current !== null) return;
    refreshTimer.current = setTimeout(() => {
      refreshTimer.current = null;
      load();
    }, REFRESH_AFTER_EVENT_MS);
  });
  useEffect(
    () => () => {
      if (refreshTimer.current !== null) clearTimeout(refreshTimer.current);
    },
    [],
  );

  /** @param {Container} c */
  const exclude = (c) =>
    act(`exclude ${c.name}`, async () => {
      await change('POST', '/api/config/excluded', { name: c.name });
      return `${c.name} is excluded: autoheal will not restart it.`;
    });

  /** @param {Container} c */
  const include = (c) =>
    act(`include ${c.name}`, async () => {
      try {
        await change('DELETE', `/api/config/excluded/${encodeURIComponent(c.name)}`);
      } catch (err) {
        if (err instanceof ApiError && err.status === 404) {
          throw new ApiError(
            404,
            `${c.name} is not on the excluded list by name; it is excluded by a wildcard or id entry (see the Excluded view) or by the label ${ctx.labelKey}=false.`,
          );
        }
        throw err;
      }
      return `${c.name} is no longer excluded by name.`;
    });

  /** @param {Container} c */
  const restart = (c) => {
    if (!window.confirm(`Restart ${c.name} now?`)) return;
    act(`restart ${c.name}`, async () => {
      let json;
      try {
        ({ json } = await change('POST', `/api/containers/${encodeURIComponent(c.id)}/restart`));
      } catch (err) {
        // 502: the engine failed the restart; its own words say why.
        const engineError =
          err instanceof ApiError && err.status === 502 ? err.body?.event?.details?.error : null;
        if (typeof engineError === 'string') throw new ApiError(502, `the engine answered: ${engineError}`);
        throw err;
      }
      const event = json?.event;
      return event?.message ?? `Restart of ${c.name}: ${event?.status ?? 'done'}.`;
    });
  };

  /** @param {Container} c */
  const reset = (c) =>
    act(`reset ${c.name}`, async () => {
      const { json } = await change('POST', `/api/containers/${encodeURIComponent(c.id)}/reset`);
      return json?.reset
        ? `${c.name} is re-armed: autoheal heals it again.`
        : `${c.name} was not given up on; nothing to reset.`;
    });

  /** @param {Container} c */
  const row = (c) => html`<tr key=${c.id} data-name=${c.name} data-health=${c.health}>
    <td data-label="Container">
      <div>
        <a class="container-name" href=${`#/containers/${encodeURIComponent(c.name)}`} title=${`${c.name}: health over time, damping and history`}>${c.name}</a>
        <div class="muted small mono meta" title=${`${c.id}\n${c.image}`}>${shortId(c.id)} · ${imageText(c.image)}</div>
        ${c.last_probe_output ? html`<div class="why small" title="the last failing health probe said">why: ${c.last_probe_output}</div>` : null}
        ${day.loaded && (c.monitored || dayByName.has(c.name)) ? html`<${HealthStrip} events=${dayByName.get(c.name) ?? []} from=${day.from} to=${day.to} current=${stateNow(c)} label=${`${c.name}, last 24 hours`} />` : null}
      </div>
    </td>
    <td data-label="State"><${RunBadge} state=${c.state} /></td>
    <td data-label="Health" class="health-cell"><${HealthBadge} health=${c.health} /></td>
    <td data-label="Monitoring"><${MonitoringBadges} container=${c} labelKey=${ctx.labelKey} /></td>
    <td data-label="Restarts" class="num">${String(c.restart_count ?? 0)}</td>
    <td data-label="Last restart"><${RelativeTime} iso=${c.last_restart_at} /></td>
    <td data-label="Actions">
      <div class="actions">
        ${
          c.excluded
            ? html`<button type="button" class="button small secondary" aria-label=${`Include ${c.name}`} onClick=${() => include(c)}>Include</button>`
            : html`<button type="button" class="button small secondary" aria-label=${`Exclude ${c.name}`} onClick=${() => exclude(c)}>Exclude</button>`
        }
        <button
          type="button"
          class="button small secondary"
          aria-label=${`Restart ${c.name}`}
          disabled=${c.state !== 'running'}
          title=${c.state === 'running' ? undefined : 'only a running container can be restarted'}
          onClick=${() => restart(c)}
        >Restart</button>
        ${c.gave_up ? html`<button type="button" class="button small" aria-label=${`Reset ${c.name}`} onClick=${() => reset(c)}>Reset</button>` : null}
      </div>
    </td>
  </tr>`;

  /** @returns {unknown} */
  function content() {
    if (containers === null)
      return loadError
        ? html`<p class="message error">${loadError}</p>`
        : html`<p class="muted">Loading…</p>`;
    const q = query.trim().toLowerCase();
    const shown = containers
      .filter((c) => !monitoredOnly || c.monitored)
      .filter(
        (c) =>
          q === '' ||
          c.name.toLowerCase().includes(q) ||
          c.image.toLowerCase().includes(q) ||
          c.id.startsWith(q),
      )
      .sort(compare);
    const monitored = containers.some((c) => c.monitored);
    return html`
      ${monitored ? null : html`<${EnrollHint} labelKey=${ctx.labelKey} noContainers=${containers.length === 0} />`}
      ${day.loaded && monitored ? html`<${RestartsChart} events=${day.events} now=${day.to} />` : null}
      ${
        shown.length > 0
          ? html`<div class="table-wrap">
              <table class="containers">
                <thead><tr>${COLUMNS.map((h) => html`<th scope="col">${h}</th>`)}</tr></thead>
                <tbody>${shown.map(row)}</tbody>
              </table>
            </div>`
          : containers.length > 0
            ? html`<p class="empty">No container matches the filter.</p>`
            : null
      }`;
  }

  return html`<section id="view-containers" class="view" aria-labelledby="containers-title">
    <div class="view-head">
      <h1 id="containers-title">Containers</h1>
      <p class="summary" id="containers-summary">${containers === null ? '' : summaryText(containers, loadError)}</p>
    </div>
    <div class="toolbar">
      <label class="field">
        <span>Filter</span>
        <input
          type="search"
          id="containers-filter"
          placeholder="name, image or id"
          autocomplete="off"
          value=${query}
          onInput=${(/** @type {Event} */ e) => setQuery(/** @type {HTMLInputElement} */ (e.currentTarget).value)}
        />
      </label>
      <label class="check">
        <input
          type="checkbox"
          id="containers-monitored-only"
          checked=${monitoredOnly}
          onChange=${(/** @type {Event} */ e) => setMonitoredOnly(/** @type {HTMLInputElement} */ (e.currentTarget).checked)}
        />
        <span>Monitored only</span>
      </label>
    </div>
    <${Message} id="containers-message" said=${said} />
    <div id="containers-body">${content()}</div>
  </section>`;
}
