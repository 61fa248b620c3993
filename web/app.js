// @ts-check
/**
 * The web UI's entry point: the route table (hash → view), the start-up order, the shared
 * live stream, and the polling of `/api/health` behind the engine and maintenance banners.
 *
 * Start-up is one sequence, so nothing races: the session check comes first, and when reads
 * need a token the login dialog is answered before any view reads anything; only then are
 * the settings read, the stream opened and the current view drawn.
 */
import { html, render, useEffect, useState } from '/vendor/htm-preact.js';
import { relativeTime } from './components/time.js';
import { TokenDialog } from './components/token-dialog.js';
import { getJson, login, sessionState } from './lib/api.js';
import { matchRoute } from './lib/router.js';
import { LiveStream } from './lib/stream.js';
import { ContainerView } from './views/container.js';
import { ContainersView } from './views/containers.js';
import { EventsView } from './views/events.js';
import { ExcludedView } from './views/excluded.js';
import { FleetView } from './views/fleet.js';
import { EngineBanner, Footer, TopBar } from './views/header.js';
import { MaintenanceBanner } from './views/maintenance.js';

/** @typedef {import('./views/context.js').ViewProps} ViewProps */

/**
 * One route: a hash path (`#/<path>`, the leading slash optional) matched by `pattern`,
 * whose groups become the view's `args` (see lib/router.js); `tab` is the tab it lights up.
 * @typedef {object} Route
 * @property {RegExp} pattern
 * @property {(props: ViewProps) => unknown} view
 * @property {string} tab
 * @property {string} title
 */

/** @type {Route[]} */
const ROUTES = [
  { pattern: /^containers$/, view: ContainersView, tab: 'containers', title: 'Containers' },
  { pattern: /^containers\/([^/?]+)$/, view: ContainerView, tab: 'containers', title: 'Container' },
  { pattern: /^events$/, view: EventsView, tab: 'events', title: 'Events' },
  { pattern: /^excluded$/, view: ExcludedView, tab: 'excluded', title: 'Excluded' },
  { pattern: /^fleet$/, view: FleetView, tab: 'fleet', title: 'Fleet' },
];
const DEFAULT_ROUTE = /** @type {Route} */ (ROUTES[0]);
const TABS = [
  { name: 'containers', title: 'Containers' },
  { name: 'events', title: 'Events' },
  { name: 'excluded', title: 'Excluded' },
];
const FLEET_TAB = { name: 'fleet', title: 'Fleet' };
const HEALTH_POLL_MS = 4000;

/** @type {{readsNeedToken: boolean}} */
const session = { readsNeedToken: false };

/** Logs in when reads need a token and this browser has no session (yet, or any more). */
async function ensureSession() {
  const state = await sessionState();
  session.readsNeedToken = state?.reads_need_token === true;
  if (session.readsNeedToken && state?.session !== true) await login();
}

const stream = new LiveStream(ensureSession);

/**
 * What start-up learns before any view is drawn.
 * @typedef {object} Boot
 * @property {string} labelKey
 * @property {boolean} fleet  Peers are configured: the Fleet tab is offered.
 * @property {boolean} readsNeedToken
 * @property {string[]} containerNames  For the filters' suggestions until the containers view reads them.
 */

/** @returns {Promise<Boot>} */
async function boot() {
  try {
    await ensureSession();
  } catch {
    // autoheal did not answer: the reads below fail visibly and the stream retries.
  }
  const [labelKey, fleet, newest, containerNames] = await Promise.all([
    getJson('/api/config').then(
      (json) => {
        const key = json?.settings?.AUTOHEAL_CONTAINER_LABEL;
        return typeof key === 'string' && key !== '' ? key : 'autoheal';
      },
      // Keep the default; the hint is still right for most setups.
      () => 'autoheal',
    ),
    getJson('/api/fleet').then(
      (json) => json?.configured === true,
      () => false,
    ),
    // Stream from the newest event there is, so nothing falls between the page and the stream.
    getJson('/api/events?limit=1').then(
      (json) => /** @type {number | null} */ (json?.events?.[0]?.id ?? null),
      () => null,
    ),
    getJson('/api/containers').then(
      (json) =>
        Array.isArray(json?.containers)
          ? json.containers.map((/** @type {{name: string}} */ c) => c.name)
          : [],
      () => [],
    ),
  ]);
  stream.start(newest);
  return { labelKey, fleet, readsNeedToken: session.readsNeedToken, containerNames };
}

/** The banner text for an answer of `/api/health` (null: all is well). @param {import('./lib/types.js').Health | null} health */
function engineProblem(health) {
  if (health === null)
    return 'This page cannot reach autoheal. It may have stopped or restarted; the page retries by itself.';
  if (health.docker?.connected === true) return null;
  const last = health.docker?.last_event_at;
  return (
    `autoheal cannot reach the Docker engine${last ? ` (last heard from it ${relativeTime(last)})` : ''}. ` +
    'Nothing can be healed until it is back; autoheal keeps retrying by itself.'
  );
}

function App() {
  const [hash, setHash] = useState(location.hash);
  const [started, setStarted] = useState(/** @type {Boot | null} */ (null));
  const [health, setHealth] = useState(
    /** @type {import('./lib/types.js').Health | null | undefined} */ (undefined),
  );
  const [containerNames, setContainerNames] = useState(/** @type {string[]} */ ([]));

  useEffect(() => {
    const onHash = () => setHash(location.hash);
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);

  useEffect(() => {
    boot().then((done) => {
      offerNames(done.containerNames);
      setStarted(done);
    });
    // The store started over (its ids begin at 1 again): every view holds stale rows and ids.
    return stream.onReset(() => window.location.reload());
  }, []);

  async function checkHealth() {
    try {
      const response = await fetch('/api/health', {
        cache: 'no-store',
        headers: { Accept: 'application/json' },
      });
      const body = await response.json().catch(() => null);
      setHealth(
        body !== null && !response.ok
          ? { ...body, docker: { ...body.docker, connected: false } }
          : (body ?? {}),
      );
    } catch {
      setHealth(null);
    }
  }
  useEffect(() => {
    checkHealth();
    const timer = setInterval(checkHealth, HEALTH_POLL_MS);
    const off = stream.onEvent((event) => {
      if (event.event_type === 'engine') checkHealth();
    });
    return () => {
      clearInterval(timer);
      off();
    };
  }, []);

  const { route, args, params } = matchRoute(ROUTES, DEFAULT_ROUTE, hash);
  useEffect(() => {
    document.title = `${route.title} · autoheal`;
  }, [route]);

  /** @param {string[]} names */
  function offerNames(names) {
    const sorted = [...new Set(names)].sort();
    setContainerNames((old) =>
      old.length === sorted.length && old.every((n, i) => n === sorted[i]) ? old : sorted,
    );
  }

  const View = route.view;
  return html`
    <a class="skip-link" href="#main">Skip to content</a>
    <${TopBar}
      version=${health?.version ?? null}
      tabs=${started?.fleet ? [...TABS, FLEET_TAB] : TABS}
      current=${route.tab}
      stream=${stream}
    />
    <${EngineBanner} text=${health === undefined ? null : engineProblem(health)} />
    <${MaintenanceBanner} maintenance=${health?.maintenance} onEnded=${checkHealth} />
    <main id="main" tabindex="-1">
      ${
        started === null
          ? html`<p class="muted">Loading…</p>`
          : html`<${View}
              key=${ROUTES.indexOf(route)}
              ctx=${{ stream, labelKey: started.labelKey, setContainerNames: offerNames }}
              params=${params}
              args=${args}
            />`
      }
    </main>
    <datalist id="container-names">${containerNames.map((name) => html`<option value=${name}></option>`)}</datalist>
    <${Footer} readsNeedToken=${started?.readsNeedToken ?? false} />
    <${TokenDialog} kind="change" />
    <${TokenDialog} kind="login" />
  `;
}

render(html`<${App} />`, document.body);
