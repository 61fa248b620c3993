// @ts-check
/**
 * The notification test: sends a test message through every configured channel
 * (`POST /api/notifications/test`, which needs the token) and shows each channel's result,
 * so an operator learns now, not at the next outage, whether notifications arrive.
 */
import { html, useState } from '/vendor/htm-preact.js';
import { Message, useActions } from '../components/message.js';
import { change } from '../lib/api.js';

/** @typedef {import('../lib/types.js').ChannelResult} ChannelResult */

export function NotificationTest() {
  const [results, setResults] = useState(/** @type {ChannelResult[] | null} */ (null));
  const [sending, setSending] = useState(false);
  const { said, act } = useActions(() => setSending(false));

  function send() {
    setSending(true);
    setResults(null);
    act('send a test notification', async () => {
      const { json } = await change('POST', '/api/notifications/test');
      const list = Array.isArray(json) ? /** @type {ChannelResult[]} */ (json) : [];
      setResults(list);
      if (list.length === 0)
        throw new Error('no notification channel is configured (WEBHOOK_URL, APPRISE_URL).');
      const failed = list.filter((r) => !r.ok).length;
      if (failed > 0)
        throw new Error(
          `it failed on ${failed} of ${list.length} channel${list.length === 1 ? '' : 's'} (below).`,
        );
      return `The test message was sent through ${list.length === 1 ? 'the channel' : `all ${list.length} channels`}.`;
    });
  }

  return html`<div class="notify-test">
    <button type="button" class="link-button" id="notify-test" disabled=${sending} onClick=${send}>
      ${sending ? 'Sending a test notification…' : 'Send a test notification'}
    </button>
    <${Message} id="notify-message" said=${said} />
    ${
      results !== null && results.length > 0
        ? html`<ul class="notify-results" id="notify-results" aria-label="Test notification, per channel">
            ${results.map(
              (r) => html`<li key=${r.channel} data-channel=${r.channel} data-ok=${String(r.ok)}>
                <span class=${`badge ${r.ok ? 'health-healthy' : 'health-unhealthy'}`}>${r.ok ? 'sent' : 'failed'}</span>
                <span class="notify-channel">${r.channel}</span>
                ${r.ok ? null : html`<span class="notify-error">${r.error ?? 'no reason given'}</span>`}
              </li>`,
            )}
          </ul>`
        : null
    }
  </div>`;
}
