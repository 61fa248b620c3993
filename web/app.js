/**
 * The web UI's entry point: hash routing between the three views (containers, events,
 * excluded), the shared live stream and its indicator, the engine banner (from polling
 * `/api/health`), and the token state in the footer. Each view owns its own section.
 */
import { forgetToken, getJson, login, logout, sessionState, storedToken } from './lib/api.js';
import { el, refreshTimes, relativeTime } from './lib/dom.js';
import { LiveStream } from './lib/stream.js';
import { createContainersView } from './views/containers.js';
import { createEventsView } from './views/events.js';
import { createExcludedView } from './views/excluded.js';
import { createFleetView } from './views/fleet.js';
import { createMaintenanceBanner } from './views/maintenance.js';

const HEALTH_POLL_MS = 4000;
const DEFAULT_VIEW = 'containers';

let readsNeedToken = false;

/** Logs in when reads need a token and this browser has no session (yet, or any more). */
async function ensureSession() {
  const state = await sessionState();
  readsNeedToken = state?.reads_need_token === true;
  if (readsNeedToken && state?.session !== true) await login();
  document.getElementById('logout').hidden = !readsNeedToken;
}

const stream = new LiveStream(ensureSession);
let labelKey = 'autoheal';

const ctx = {
  stream,
  labelKey: () => labelKey,
  setContainerNames(names) {
    const list = document.getElementById('container-names');
    const sorted = [...new Set(names)].sort();
    if (list.childElementCount === sorted.length && [...list.children].every((o, i) => o.value === sorted[i]))
      return;
    list.replaceChildren(...sorted.map((name) => el('option', { value: name })));
  },
  refreshTokenState,
};

const views = {
  containers: createContainersView(ctx),
  events: createEventsView(ctx),
  excluded: createExcludedView(ctx),
  fleet: createFleetView(),
};
let current = null;

function route() {
  const hash = location.hash.replace(/^#\/?/, '');
  const [path, query = ''] = hash.split('?');
  const name = Object.hasOwn(views, path) ? path : DEFAULT_VIEW;
  const params = new URLSearchParams(query);
  if (current !== name) {
    if (current !== null) {
      views[current].hide();
      views[current].section.hidden = true;
    }
    current = name;
    views[name].section.hidden = false;
    document.title = `${name[0].toUpperCase()}${name.slice(1)} · autoheal`;
  }
  for (const link of document.querySelectorAll('.tabs a')) {
    if (link.dataset.view === name) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
  views[name].show(params);
}

function renderLive(state) {
  const live = document.getElementById('live');
  const text = document.getElementById('live-text');
  const retry = document.getElementById('live-retry');
  live.dataset.state = state;
  if (state === 'live') text.textContent = 'Live';
  else if (state === 'connecting') text.textContent = 'Connecting…';
  else {
    const seconds = Math.max(1, Math.round(((stream.retryAt ?? Date.now()) - Date.now()) / 1000));
    text.textContent = `Offline · retrying in ${seconds} s`;
  }
  live.title =
    state === 'live'
      ? 'New events appear as they happen'
      : 'The live event stream is not connected; it reconnects by itself';
  retry.hidden = state !== 'offline';
}

function showBanner(text) {
  const banner = document.getElementById('banner');
  if (text === null) {
    banner.hidden = true;
    banner.textContent = '';
    return;
  }
  if (banner.textContent !== text) banner.textContent = text;
  banner.hidden = false;
}

// Ending maintenance asks autoheal to look at once; the next health poll shows it off.
const maintenance = createMaintenanceBanner(() => checkHealth());

async function checkHealth() {
  let body = null;
  try {
    const response = await fetch('/api/health', {
      cache: 'no-store',
      headers: { Accept: 'application/json' },
    });
    body = await response.json().catch(() => null);
    if (body?.version) document.getElementById('version').textContent = `v${body.version}`;
    maintenance.update(body?.maintenance);
    const connected = response.ok && body?.docker?.connected === true;
    if (connected) showBanner(null);
    else {
      const last = body?.docker?.last_event_at;
      showBanner(
        `autoheal cannot reach the Docker engine${last ? ` (last heard from it ${relativeTime(last)})` : ''}. ` +
          'Nothing can be healed until it is back; autoheal keeps retrying by itself.',
      );
    }
  } catch {
    showBanner(
      'This page cannot reach autoheal. It may have stopped or restarted; the page retries by itself.',
    );
  }
}

function refreshTokenState() {
  const has = storedToken() !== null;
  document.getElementById('token-state').textContent = has
    ? 'The API token is kept for this browser session.'
    : 'Changes ask for the API token once per browser session.';
  document.getElementById('token-forget').hidden = !has;
}

async function loadLabelKey() {
  try {
    const json = await getJson('/api/config');
    const key = json?.settings?.AUTOHEAL_CONTAINER_LABEL;
    if (typeof key === 'string' && key !== '') labelKey = key;
  } catch {
    // Keep the default; the hint is still right for most setups.
  }
}

/** The Fleet tab is offered when peers are configured (`AUTOHEAL_PEERS`). */
async function showFleetTab() {
  try {
    const json = await getJson('/api/fleet');
    document.getElementById('fleet-tab').hidden = json?.configured !== true;
  } catch {
    // No fleet here (or not reachable now): the tab stays hidden.
  }
}

async function start() {
  document.getElementById('token-forget').addEventListener('click', () => {
    forgetToken();
    refreshTokenState();
  });
  document.getElementById('live-retry').addEventListener('click', () => stream.reconnectNow());
  stream.onState(renderLive);
  stream.onEvent((event) => {
    if (event.event_type === 'engine') checkHealth();
  });
  // The store started over (its ids begin at 1 again): every view holds stale rows and ids.
  stream.onReset(() => window.location.reload());
  setInterval(() => {
    if (stream.state === 'offline') renderLive('offline');
  }, 1000);
  document.getElementById('logout').addEventListener('click', async () => {
    forgetToken();
    await logout();
    location.reload();
  });
  refreshTokenState();

  try {
    await ensureSession();
  } catch {
    // autoheal did not answer: the reads below fail visibly and the stream retries.
  }
  refreshTokenState();
  await Promise.all([loadLabelKey(), showFleetTab()]);
  // Stream from the newest event there is, so nothing falls between the page and the stream.
  let newest = null;
  try {
    newest = (await getJson('/api/events?limit=1'))?.events?.[0]?.id ?? null;
  } catch {
    newest = null;
  }
  stream.start(newest);

  window.addEventListener('hashchange', route);
  route();
  checkHealth();
  setInterval(checkHealth, HEALTH_POLL_MS);
  setInterval(() => refreshTimes(document), 15_000);
  if (current !== 'containers') views.containers.prime();
}

start();
