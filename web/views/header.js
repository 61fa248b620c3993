// @ts-check
/**
 * The page's frame around the views: the top bar (name, version, tabs, the live stream's
 * indicator), the engine banner, and the footer (token state, log out, the notification
 * test).
 */
import { html, useEffect, useState } from '/vendor/htm-preact.js';
import { useNow } from '../components/time.js';
import { forgetToken, logout, onTokenChange, storedToken } from '../lib/api.js';
import { NotificationTest } from './notifications.js';

/** @typedef {{name: string, title: string}} Tab */

/**
 * @param {{version: string | null, tabs: Tab[], current: string, stream: import('../lib/stream.js').LiveStream}} props
 */
export function TopBar({ version, tabs, current, stream }) {
  return html`<header class="topbar">
    <div class="brand">
      <img src="favicon.svg" alt="" width="24" height="24" />
      <span class="brand-name">autoheal</span>
      <span class="version" id="version">${version ? `v${version}` : ''}</span>
    </div>
    <nav aria-label="Views">
      <ul class="tabs">
        ${tabs.map(
          (tab) => html`<li id=${`${tab.name}-tab`} key=${tab.name}>
            <a href=${`#/${tab.name}`} data-view=${tab.name} aria-current=${tab.name === current ? 'page' : undefined}>${tab.title}</a>
          </li>`,
        )}
      </ul>
    </nav>
    <${LiveIndicator} stream=${stream} />
  </header>`;
}

/** @param {{stream: import('../lib/stream.js').LiveStream}} props */
function LiveIndicator({ stream }) {
  const [state, setState] = useState(stream.state);
  useEffect(() => stream.onState(setState), [stream]);
  const now = useNow(1000);
  const seconds = Math.max(1, Math.round(((stream.retryAt ?? now) - now) / 1000));
  const text =
    state === 'live' ? 'Live' : state === 'connecting' ? 'Connecting…' : `Offline · retrying in ${seconds} s`;
  return html`<div
    class="live"
    id="live"
    role="status"
    aria-live="polite"
    data-state=${state}
    title=${state === 'live' ? 'New events appear as they happen' : 'The live event stream is not connected; it reconnects by itself'}
  >
    <span class="live-dot" aria-hidden="true"></span>
    <span class="live-text" id="live-text">${text}</span>
    <button type="button" class="link-button" id="live-retry" hidden=${state !== 'offline'} onClick=${() => stream.reconnectNow()}>
      Reconnect now
    </button>
  </div>`;
}

/**
 * The engine banner: shown when autoheal cannot reach the engine, or this page cannot reach
 * autoheal.
 * @param {{text: string | null}} props
 */
export function EngineBanner({ text }) {
  return html`<div id="banner" class="banner" role="alert" hidden=${text === null}>${text ?? ''}</div>`;
}

/** @param {{readsNeedToken: boolean}} props */
export function Footer({ readsNeedToken }) {
  const [hasToken, setHasToken] = useState(storedToken() !== null);
  useEffect(() => onTokenChange(() => setHasToken(storedToken() !== null)), []);
  return html`<footer class="footer">
    <span id="token-state">
      ${hasToken ? 'The API token is kept for this browser session.' : 'Changes ask for the API token once per browser session.'}
    </span>
    <button type="button" class="link-button" id="token-forget" hidden=${!hasToken} onClick=${forgetToken}>Forget the token</button>
    <button
      type="button"
      class="link-button"
      id="logout"
      hidden=${!readsNeedToken}
      onClick=${async () => {
        forgetToken();
        await logout();
        location.reload();
      }}
    >Log out</button>
    <${NotificationTest} />
  </footer>`;
}
