/**
 * The maintenance banner: while a window is on (as `/api/health` reports it), says until
 * when and why, counts the time left down, and offers to end it now.
 */
import { ApiError, Cancelled, change } from '../lib/api.js';

/** "12 min left", "40 s left": the time left of a window, rounded up. */
export function timeLeft(untilIso, now = Date.now()) {
  const seconds = Math.max(0, Math.ceil((Date.parse(untilIso) - now) / 1000));
  if (seconds < 60) return `${seconds} s left`;
  const minutes = Math.ceil(seconds / 60);
  if (minutes < 120) return `${minutes} min left`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min left`;
}

export function createMaintenanceBanner(onEnded) {
  const banner = document.getElementById('maintenance');
  const text = document.getElementById('maintenance-text');
  const end = document.getElementById('maintenance-end');
  const message = document.getElementById('maintenance-message');
  let current = null;

  function render() {
    banner.hidden = current === null;
    if (current === null) return;
    const until = new Date(current.until);
    const why = current.reason ? `: ${current.reason}` : '';
    text.textContent =
      `Maintenance until ${until.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })} ` +
      `(${timeLeft(current.until)})${why}. autoheal records but does not restart anything.`;
  }

  end.addEventListener('click', async () => {
    end.disabled = true;
    message.hidden = true;
    try {
      await change('DELETE', '/api/maintenance');
      current = null;
      render();
      onEnded();
    } catch (err) {
      if (err instanceof Cancelled) return;
      message.textContent = err instanceof ApiError ? err.message : String(err);
      message.hidden = false;
    } finally {
      end.disabled = false;
    }
  });
  setInterval(render, 1000);

  return {
    /** The `maintenance` object of `/api/health`. */
    update(view) {
      current = view?.active === true ? view : null;
      render();
    },
  };
}
