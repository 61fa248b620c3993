// @ts-check
/**
 * One container's page (`#/containers/<name>`): its health over time as a strip (1 hour,
 * 24 hours or 7 days), its damping state (restarts in the window, back-off, given up), the
 * last failing probe's output, and its whole event history, paged back with `before_id`.
 * Everything is drawn from `/api/containers/<name>` and the audit events, kept live.
 */
import { html, useState } from '/vendor/htm-preact.js';
import { HealthBadge, MonitoringBadges, RunBadge } from '../components/badge.js';
import { HealthLegend, HealthStrip, TimeAxis } from '../components/health-strip.js';
import { Message } from '../components/message.js';
import { RelativeTime } from '../components/time.js';
import { ApiError, errorText, getJson } from '../lib/api.js';
import { useEventWindow } from '../lib/event-window.js';
import { usePoll, useStreamEvents } from '../lib/hooks.js';
import { stateNow } from '../lib/timeline.js';
import { EventRow } from './events.js';

/** @typedef {import('../lib/types.js').Container} Container */
/** @typedef {import('../lib/types.js').AuditEvent} AuditEvent */

const POLL_MS = 5000;
const HISTORY_PAGE = 50;
const HOUR = 3_600_000;
/** @type {Array<{key: string, text: string, ms: number}>} */
const RANGES = [
  { key: '1h', text: '1 hour', ms: HOUR },
  { key: '24h', text: '24 hours', ms: 24 * HOUR },
  { key: '7d', text: '7 days', ms: 7 * 24 * HOUR },
];
const DEFAULT_RANGE = /** @type {{key: string, text: string, ms: number}} */ (RANGES[1]);

/** @param {number} seconds */
function secondsText(seconds) {
  if (seconds < 120) return `${seconds} s`;
  if (seconds < 7200) return `${Math.round(seconds / 60)} min`;
  return `${Math.round(seconds / 360) / 10} h`;
}

/**
 * The last probe output the history holds in full (an `unhealthy` event's probe log), else
 * the first line the container view names.
 * @param {AuditEvent[]} history newest first
 * @param {Container | null} c
 * @returns {{text: string, at: string | null} | null}
 */
function lastProbe(history, c) {
  for (const e of history) {
    const log = e.event_type === 'unhealthy' ? e.details?.health?.log : null;
    const last = Array.isArray(log) ? log.at(-1) : null;
    if (typeof last?.output === 'string' && last.output.trim() !== '')
      return { text: last.output.trimEnd(), at: typeof last.end === 'string' ? last.end : e.timestamp };
  }
  return c?.last_probe_output ? { text: c.last_probe_output, at: null } : null;
}

/** @param {{c: Container}} props */
function Damping({ c }) {
  const d = c.damping;
  if (!d) return html`<p class="muted">This autoheal does not report its damping state.</p>`;
  const full = d.restarts_in_window >= d.max_restarts;
  return html`<dl class="facts" id="container-damping">
    <div>
      <dt>Restarts in the window</dt>
      <dd data-key="restarts_in_window" class=${full ? 'bad' : ''}>
        ${d.restarts_in_window} of ${d.max_restarts} <span class="muted">in ${secondsText(d.window_s)}</span>
      </dd>
    </div>
    <div>
      <dt>Back-off</dt>
      <dd data-key="backoff">
        ${
          d.gave_up_at
            ? 'none: autoheal does not restart it while it has given up'
            : d.next_attempt_at
              ? html`waiting: the next restart runs <${RelativeTime} iso=${d.next_attempt_at} />`
              : d.backoff_s > 0
                ? `a failure now is restarted after ${secondsText(d.backoff_s)}`
                : 'none: a failure now is restarted at once'
        }
      </dd>
    </div>
    <div>
      <dt>Given up</dt>
      <dd data-key="gave_up" class=${d.gave_up_at ? 'bad' : ''}>
        ${
          d.gave_up_at
            ? html`yes, <${RelativeTime} iso=${d.gave_up_at} />; healed again once healthy, or after a reset`
            : 'no'
        }
      </dd>
    </div>
  </dl>`;
}

/**
 * The page of the container the route names; another name is another page, drawn afresh.
 * @param {import('./context.js').ViewProps} props
 */
export function ContainerView(props) {
  return html`<${ContainerPage} key=${props.args[0] ?? ''} ...${props} />`;
}

/** @param {import('./context.js').ViewProps} props */
function ContainerPage({ ctx, args, params }) {
  const name = args[0] ?? '';
  const range = RANGES.find((r) => r.key === params.get('range')) ?? DEFAULT_RANGE;
  const [container, setContainer] = useState(/** @type {Container | null} */ (null));
  const [problem, setProblem] = useState('');
  const [history, setHistory] = useState(
    /** @type {{events: AuditEvent[], nextBeforeId: number | null, loaded: boolean}} */ ({
      events: [],
      nextBeforeId: null,
      loaded: false,
    }),
  );
  const [loadingOlder, setLoadingOlder] = useState(false);
  const timeline = useEventWindow(ctx.stream, range.ms, name);

  async function loadContainer() {
    try {
      setContainer(/** @type {Container} */ (await getJson(`/api/containers/${encodeURIComponent(name)}`)));
      setProblem('');
    } catch (err) {
      if (err instanceof ApiError && err.status === 404) {
        setContainer(null);
        setProblem(`The engine has no container named ${name} now; its history is below.`);
      } else setProblem(errorText(err));
    }
  }
  usePoll(loadContainer, POLL_MS);

  /** @param {number | null} beforeId */
  async function loadHistory(beforeId) {
    const query = new URLSearchParams({ container: name, limit: String(HISTORY_PAGE) });
    if (beforeId !== null) query.set('before_id', String(beforeId));
    const json = await getJson(`/api/events?${query}`);
    /** @type {AuditEvent[]} */
    const events = Array.isArray(json?.events) ? json.events : [];
    const next = typeof json?.next_before_id === 'number' ? json.next_before_id : null;
    setHistory((old) => ({
      events: beforeId === null ? events : [...old.events, ...events],
      nextBeforeId: next,
      loaded: true,
    }));
  }
  usePoll(() => {
    if (!history.loaded) loadHistory(null).catch((err) => setProblem(errorText(err)));
  }, POLL_MS);
  useStreamEvents(ctx.stream, (event) => {
    if (event.container_name !== name) return;
    setHistory((old) =>
      old.events.some((e) => e.id === event.id) ? old : { ...old, events: [event, ...old.events] },
    );
  });

  async function older() {
    setLoadingOlder(true);
    try {
      await loadHistory(history.nextBeforeId);
    } catch (err) {
      setProblem(errorText(err));
    } finally {
      setLoadingOlder(false);
    }
  }

  const probe = lastProbe(history.events, container);
  const current = container ? stateNow(container) : undefined;
  return html`<section id="view-container" class="view" aria-labelledby="container-title" data-name=${name}>
    <p class="crumbs"><a href="#/containers">Containers</a> /</p>
    <div class="view-head">
      <h1 id="container-title">${name}</h1>
      ${
        container
          ? html`<div class="badges">
              <${RunBadge} state=${container.state} />
              <${HealthBadge} health=${container.health} />
              <${MonitoringBadges} container=${container} labelKey=${ctx.labelKey} />
            </div>`
          : null
      }
    </div>
    <${Message} id="container-message" said=${problem ? { text: problem, kind: 'error' } : null} />

    <div class="panel">
      <div class="panel-head">
        <h2>Health</h2>
        <nav class="segmented" aria-label="Time range">
          ${RANGES.map(
            (r) => html`<a
              href=${`#/containers/${encodeURIComponent(name)}?range=${r.key}`}
              aria-current=${r.key === range.key ? 'true' : undefined}
            >${r.text}</a>`,
          )}
        </nav>
      </div>
      ${
        timeline.loaded
          ? html`<${HealthStrip}
              events=${timeline.events}
              from=${timeline.from}
              to=${timeline.to}
              current=${current}
              label=${`${name}, last ${range.text}`}
              size="large"
            />
            <${TimeAxis} from=${timeline.from} to=${timeline.to} />
            <${HealthLegend} />`
          : html`<p class="muted">Loading…</p>`
      }
      ${timeline.error ? html`<p class="message error">Could not read the events: ${timeline.error}</p>` : null}
    </div>

    <div class="panel-row">
      <div class="panel">
        <h2>Damping</h2>
        ${container ? html`<${Damping} c=${container} />` : html`<p class="muted">—</p>`}
      </div>
      <div class="panel">
        <h2>Last probe output</h2>
        ${
          probe
            ? html`<pre class="probe-output" id="container-probe">${probe.text}</pre>
              ${probe.at ? html`<p class="muted small">probe ended <${RelativeTime} iso=${probe.at} /></p>` : null}`
            : html`<p class="muted" id="container-probe-none">No failing probe recorded.</p>`
        }
      </div>
    </div>

    <div class="panel">
      <h2>History</h2>
      <ol class="event-list" id="container-events" aria-label=${`Events of ${name}, newest first`}>
        ${history.events.map((event) => html`<${EventRow} key=${event.id} event=${event} />`)}
      </ol>
      ${history.loaded && history.events.length === 0 ? html`<p class="empty">No events recorded for ${name}.</p>` : null}
      <div class="more">
        <button
          type="button"
          class="button secondary"
          id="container-older"
          hidden=${history.nextBeforeId === null}
          disabled=${loadingOlder}
          onClick=${older}
        >Show older events</button>
      </div>
    </div>
  </section>`;
}
