// @ts-check
/**
 * The maintenance banner: while a window is on (as `/api/health` reports it), says until
 * when and why, counts the time left down, and offers to end it now.
 */
import { html, useState } from '/vendor/htm-preact.js';
import { timeLeft, useNow } from '../components/time.js';
import { ApiError, Cancelled, change, errorText } from '../lib/api.js';

/**
 * @param {{maintenance: import('../lib/types.js').Maintenance | undefined, onEnded: () => void}} props
 *   `maintenance` is the object of `/api/health`; `onEnded` runs once it was ended here.
 */
export function MaintenanceBanner({ maintenance, onEnded }) {
  const now = useNow(1000);
  const [ending, setEnding] = useState(false);
  const [endedUntil, setEndedUntil] = useState(/** @type {string | null} */ (null));
  const [problem, setProblem] = useState('');
  const on = maintenance?.active === true && maintenance.until !== null && maintenance.until !== endedUntil;

  async function end() {
    setEnding(true);
    setProblem('');
    try {
      await change('DELETE', '/api/maintenance');
      // Hidden at once; the next health poll confirms it.
      setEndedUntil(maintenance?.until ?? null);
      onEnded();
    } catch (err) {
      if (!(err instanceof Cancelled)) setProblem(err instanceof ApiError ? err.message : errorText(err));
    } finally {
      setEnding(false);
    }
  }

  const until = on ? String(maintenance?.until) : '';
  const why = maintenance?.reason ? `: ${maintenance.reason}` : '';
  return html`<div id="maintenance" class="banner maintenance" role="status" hidden=${!on}>
    <span id="maintenance-text">
      ${
        on
          ? `Maintenance until ${new Date(until).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })} ` +
            `(${timeLeft(until, now)})${why}. autoheal records but does not restart anything.`
          : ''
      }
    </span>
    <button type="button" class="button secondary" id="maintenance-end" disabled=${ending} onClick=${end}>End maintenance</button>
    <span id="maintenance-message" class="maintenance-message" role="alert" hidden=${problem === ''}>${problem}</span>
  </div>`;
}
