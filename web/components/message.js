// @ts-check
/**
 * The one-line message a view shows after an action or a failed read (error, ok, info),
 * and the action runner behind it: one action at a time, a closed token dialog said as
 * "nothing was changed", any other failure as "Could not <what>: <why>".
 */
import { html, useCallback, useRef, useState } from '/vendor/htm-preact.js';
import { Cancelled, errorText } from '../lib/api.js';

/** @typedef {{text: string, kind: 'error' | 'ok' | 'info'}} Said */

/**
 * @param {{id?: string, said: Said | null}} props
 */
export function Message({ id, said }) {
  return html`<p id=${id} class=${`message ${said?.kind ?? ''}`} role="alert" hidden=${!said || said.text === ''}>
    ${said?.text ?? ''}
  </p>`;
}

/**
 * A view's message and its actions. `act(what, run)` runs one action at a time: `run`
 * resolves with the text to show (ok); `after` runs whatever happened (e.g. a reload).
 * @param {() => unknown} [after]
 */
export function useActions(after) {
  const [said, setSaid] = useState(/** @type {Said | null} */ (null));
  const busy = useRef(false);
  const afterRef = useRef(after);
  afterRef.current = after;
  const act = useCallback(
    /**
     * @param {string} what
     * @param {() => Promise<string>} run
     */
    async (what, run) => {
      if (busy.current) return;
      busy.current = true;
      setSaid(null);
      try {
        setSaid({ text: await run(), kind: 'ok' });
      } catch (err) {
        if (err instanceof Cancelled) setSaid({ text: 'Cancelled: nothing was changed.', kind: 'info' });
        else setSaid({ text: `Could not ${what}: ${errorText(err)}`, kind: 'error' });
      } finally {
        busy.current = false;
        await afterRef.current?.();
      }
    },
    [],
  );
  /**
   * @param {string} text
   * @param {Said['kind']} [kind]
   */
  function say(text, kind = 'error') {
    setSaid(text === '' ? null : { text, kind });
  }
  return { said, say, act };
}
