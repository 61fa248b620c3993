/**
 * The excluded list view: the effective list (configuration's AUTOHEAL_EXCLUDE entries,
 * read-only, then the API-managed ones), with add and remove. Changes carry the token
 * (asked once per browser session); a wrong token is said plainly and changes nothing.
 */
import { ApiError, Cancelled, change, getJson } from '../lib/api.js';
import { el, replaceChildren } from '../lib/dom.js';

export function createExcludedView(ctx) {
  const section = document.getElementById('view-excluded');
  const form = document.getElementById('excluded-form');
  const input = document.getElementById('excluded-name');
  const list = document.getElementById('excluded-list');
  const empty = document.getElementById('excluded-empty');
  const message = document.getElementById('excluded-message');

  let busy = false;
  let visible = false;

  // Someone else (another tab, the API) edited a list: show the new one.
  ctx.stream.onEvent((event) => {
    if (visible && event.event_type === 'config_change') load();
  });

  function say(text, kind = 'error') {
    message.textContent = text;
    message.className = `message ${kind}`;
    message.hidden = text === '';
  }

  function render(json) {
    const excluded = Array.isArray(json?.excluded) ? json.excluded : [];
    const fromConfig = new Set(Array.isArray(json?.excluded_by_config) ? json.excluded_by_config : []);
    const items = excluded.map((name) => {
      const locked = fromConfig.has(name);
      return el(
        'li',
        { className: 'entry', dataset: { name } },
        el('code', { className: 'entry-name' }, name),
        locked
          ? el(
              'span',
              {
                className: 'muted small',
                title: 'Remove it from AUTOHEAL_EXCLUDE and restart autoheal to change it',
              },
              'from configuration (AUTOHEAL_EXCLUDE)',
            )
          : el(
              'button',
              {
                type: 'button',
                className: 'button small secondary',
                attrs: { 'aria-label': `Remove ${name} from the excluded list` },
                on: { click: () => remove(name) },
              },
              'Remove',
            ),
      );
    });
    replaceChildren(list, ...items);
    replaceChildren(
      empty,
      items.length === 0
        ? el(
            'p',
            { className: 'empty' },
            'Nothing is excluded: every monitored container is healed. Add a name above to leave a container alone while you debug it.',
          )
        : null,
    );
  }

  async function load() {
    try {
      render(await getJson('/api/config/excluded'));
    } catch (err) {
      say(`Could not load the excluded list: ${err instanceof Error ? err.message : err}`);
    }
  }

  async function act(what, run) {
    if (busy) return;
    busy = true;
    say('');
    try {
      const text = await run();
      say(text, 'ok');
    } catch (err) {
      if (err instanceof Cancelled) say('Cancelled: nothing was changed.', 'info');
      else say(`Could not ${what}: ${err instanceof ApiError || err instanceof Error ? err.message : err}`);
    } finally {
      busy = false;
      ctx.refreshTokenState();
      await load();
    }
  }

  function remove(name) {
    return act(`remove ${name}`, async () => {
      const { json } = await change('DELETE', `/api/config/excluded/${encodeURIComponent(name)}`);
      render(json);
      return `${name} is no longer excluded.`;
    });
  }

  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const name = input.value.trim();
    if (name === '') return;
    act(`exclude ${name}`, async () => {
      const { status, json } = await change('POST', '/api/config/excluded', { name });
      render(json);
      input.value = '';
      return status === 201
        ? `${name} is excluded: autoheal will not restart it.`
        : `${name} was already excluded.`;
    });
  });

  return {
    section,
    show() {
      visible = true;
      load();
    },
    hide() {
      visible = false;
    },
  };
}
