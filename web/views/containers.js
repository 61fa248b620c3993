/**
 * The containers view: every container the engine has with autoheal's verdict on it
 * (health, monitored / excluded / enrolled by, restarts, last restart), a filter, and the
 * operator's actions (exclude or include, restart now, reset after a give-up). It polls
 * `/api/containers` and refreshes at once when the live stream reports something.
 */
import { ApiError, Cancelled, change, getJson } from '../lib/api.js';
import { badge, debounce, el, replaceChildren, shortId, timeElement } from '../lib/dom.js';
import { enrollHint } from './hints.js';

const POLL_MS = 3000;

const HEALTH_TEXT = {
  healthy: 'healthy',
  unhealthy: 'unhealthy',
  starting: 'starting',
  none: 'no healthcheck',
};

const ENROLLED_TEXT = { label: 'by label', all: 'all containers', selected: 'hand-picked' };

/** An image by digest only is shown short, as `docker ps` does. */
function imageText(image) {
  return image.startsWith('sha256:') ? image.slice(0, 19) : image;
}

function compare(a, b) {
  // Watched containers first, the ones in trouble at the very top, then by name.
  const rank = (c) => (c.monitored ? (c.health === 'unhealthy' || c.gave_up ? 0 : 1) : c.excluded ? 2 : 3);
  return rank(a) - rank(b) || a.name.localeCompare(b.name);
}

export function createContainersView(ctx) {
  const section = document.getElementById('view-containers');
  const body = document.getElementById('containers-body');
  const filterInput = document.getElementById('containers-filter');
  const monitoredOnly = document.getElementById('containers-monitored-only');
  const summary = document.getElementById('containers-summary');
  const message = document.getElementById('containers-message');

  /** @type {Array<Record<string, any>> | null} */
  let containers = null;
  let loadError = null;
  let timer = null;
  let visible = false;
  let busy = false;

  function say(text, kind = 'error') {
    message.textContent = text;
    message.className = `message ${kind}`;
    message.hidden = text === '';
  }

  async function load() {
    try {
      const json = await getJson('/api/containers');
      containers = Array.isArray(json?.containers) ? json.containers : [];
      loadError = null;
      ctx.setContainerNames(containers.map((c) => c.name));
    } catch (err) {
      loadError = err instanceof Error ? err.message : String(err);
    }
    if (visible) render();
  }

  const refreshSoon = debounce(load, 300);

  async function act(what, run) {
    if (busy) return;
    busy = true;
    say('');
    try {
      const text = await run();
      say(text, 'ok');
      await load();
    } catch (err) {
      if (err instanceof Cancelled) say('Cancelled: nothing was changed.', 'info');
      else say(`Could not ${what}: ${err instanceof ApiError || err instanceof Error ? err.message : err}`);
    } finally {
      busy = false;
      ctx.refreshTokenState();
    }
  }

  function exclude(c) {
    return act(`exclude ${c.name}`, async () => {
      await change('POST', '/api/config/excluded', { name: c.name });
      return `${c.name} is excluded: autoheal will not restart it.`;
    });
  }

  function include(c) {
    return act(`include ${c.name}`, async () => {
      try {
        await change('DELETE', `/api/config/excluded/${encodeURIComponent(c.name)}`);
      } catch (err) {
        if (err instanceof ApiError && err.status === 404) {
          throw new ApiError(
            404,
            `${c.name} is not on the excluded list by name; it is excluded by a wildcard or id entry (see the Excluded view) or by the label ${ctx.labelKey()}=false.`,
          );
        }
        throw err;
      }
      return `${c.name} is no longer excluded by name.`;
    });
  }

  function restart(c) {
    if (!window.confirm(`Restart ${c.name} now?`)) return;
    return act(`restart ${c.name}`, async () => {
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
  }

  function reset(c) {
    return act(`reset ${c.name}`, async () => {
      const { json } = await change('POST', `/api/containers/${encodeURIComponent(c.id)}/reset`);
      return json?.reset
        ? `${c.name} is re-armed: autoheal heals it again.`
        : `${c.name} was not given up on; nothing to reset.`;
    });
  }

  function monitoring(c) {
    const parts = [];
    if (c.monitored) {
      parts.push(badge('monitored', 'state-monitored', 'autoheal restarts it when it turns unhealthy'));
      if (c.enrolled_by)
        parts.push(el('span', { className: 'muted small' }, ENROLLED_TEXT[c.enrolled_by] ?? c.enrolled_by));
    } else if (c.excluded) {
      parts.push(
        badge('excluded', 'state-excluded', 'on the excluded list (or labelled =false): never restarted'),
      );
    } else {
      parts.push(badge('not monitored', 'state-off', `no ${ctx.labelKey()}=true label`));
    }
    if (c.gave_up)
      parts.push(
        badge('gave up', 'state-gave-up', 'too many restarts: autoheal stopped healing it until reset'),
      );
    if (c.silenced_until)
      parts.push(
        badge(
          `silenced until ${new Date(c.silenced_until).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })}`,
          'state-gave-up',
          'no heal and no notification for it until then',
        ),
      );
    return el('div', { className: 'stack' }, ...parts);
  }

  function actions(c) {
    const buttons = [];
    if (c.excluded) {
      buttons.push(
        el(
          'button',
          { type: 'button', className: 'button small secondary', on: { click: () => include(c) } },
          'Include',
        ),
      );
    } else {
      buttons.push(
        el(
          'button',
          { type: 'button', className: 'button small secondary', on: { click: () => exclude(c) } },
          'Exclude',
        ),
      );
    }
    buttons.push(
      el(
        'button',
        {
          type: 'button',
          className: 'button small secondary',
          disabled: c.state !== 'running',
          title: c.state === 'running' ? undefined : 'only a running container can be restarted',
          on: { click: () => restart(c) },
        },
        'Restart',
      ),
    );
    if (c.gave_up) {
      buttons.push(
        el('button', { type: 'button', className: 'button small', on: { click: () => reset(c) } }, 'Reset'),
      );
    }
    for (const b of buttons) b.setAttribute('aria-label', `${b.textContent} ${c.name}`);
    return el('div', { className: 'actions' }, ...buttons);
  }

  function row(c) {
    return el(
      'tr',
      { dataset: { name: c.name, health: c.health } },
      el(
        'td',
        { dataset: { label: 'Container' } },
        el(
          'div',
          {},
          el(
            'a',
            {
              className: 'container-name',
              href: `#/events?container=${encodeURIComponent(c.name)}`,
              title: `Events of ${c.name}`,
            },
            c.name,
          ),
          el(
            'div',
            { className: 'muted small mono meta', title: `${c.id}\n${c.image}` },
            `${shortId(c.id)} · ${imageText(c.image)}`,
          ),
          c.last_probe_output
            ? el(
                'div',
                { className: 'why small', title: 'the last failing health probe said' },
                `why: ${c.last_probe_output}`,
              )
            : null,
        ),
      ),
      el('td', { dataset: { label: 'State' } }, badge(c.state, `run-${c.state}`)),
      el(
        'td',
        { dataset: { label: 'Health' }, className: 'health-cell' },
        badge(HEALTH_TEXT[c.health] ?? c.health, `health-${c.health}`),
      ),
      el('td', { dataset: { label: 'Monitoring' } }, monitoring(c)),
      el('td', { dataset: { label: 'Restarts' }, className: 'num' }, String(c.restart_count ?? 0)),
      el('td', { dataset: { label: 'Last restart' } }, timeElement(c.last_restart_at)),
      el('td', { dataset: { label: 'Actions' } }, actions(c)),
    );
  }

  function render() {
    if (containers === null) {
      replaceChildren(
        body,
        loadError
          ? el('p', { className: 'message error' }, loadError)
          : el('p', { className: 'muted' }, 'Loading…'),
      );
      summary.textContent = '';
      return;
    }
    const monitoredCount = containers.filter((c) => c.monitored).length;
    const unhealthy = containers.filter((c) => c.monitored && c.health === 'unhealthy').length;
    const excluded = containers.filter((c) => c.excluded).length;
    summary.textContent = `${containers.length} container${containers.length === 1 ? '' : 's'} · ${monitoredCount} monitored · ${unhealthy} unhealthy · ${excluded} excluded${loadError ? ` · not refreshed: ${loadError}` : ''}`;

    const q = filterInput.value.trim().toLowerCase();
    const shown = containers
      .filter((c) => !monitoredOnly.checked || c.monitored)
      .filter(
        (c) =>
          q === '' ||
          c.name.toLowerCase().includes(q) ||
          c.image.toLowerCase().includes(q) ||
          c.id.startsWith(q),
      )
      .sort(compare);

    const nodes = [];
    if (monitoredCount === 0) nodes.push(enrollHint(ctx.labelKey(), containers.length === 0));
    if (shown.length > 0) {
      nodes.push(
        el(
          'div',
          { className: 'table-wrap' },
          el(
            'table',
            { className: 'containers' },
            el(
              'thead',
              {},
              el(
                'tr',
                {},
                ...['Container', 'State', 'Health', 'Monitoring', 'Restarts', 'Last restart', 'Actions'].map(
                  (h) => el('th', { scope: 'col' }, h),
                ),
              ),
            ),
            el('tbody', {}, ...shown.map(row)),
          ),
        ),
      );
    } else if (containers.length > 0) {
      nodes.push(el('p', { className: 'empty' }, 'No container matches the filter.'));
    }
    // Keep focus on the same action across a refresh, so a keyboard user is not thrown out.
    const focused = document.activeElement;
    const focusKey = focused && body.contains(focused) ? focused.getAttribute('aria-label') : null;
    replaceChildren(body, ...nodes);
    if (focusKey) {
      for (const b of body.querySelectorAll('button')) {
        if (b.getAttribute('aria-label') === focusKey) {
          b.focus();
          break;
        }
      }
    }
  }

  filterInput.addEventListener('input', () => render());
  monitoredOnly.addEventListener('change', () => render());
  ctx.stream.onEvent((event) => {
    if (event.event_type !== 'engine') refreshSoon();
  });

  return {
    section,
    show() {
      visible = true;
      render();
      load();
      if (timer === null) timer = setInterval(load, POLL_MS);
    },
    hide() {
      visible = false;
      if (timer !== null) clearInterval(timer);
      timer = null;
    },
    /** Loads once without showing (names for the datalists). */
    prime: load,
  };
}
