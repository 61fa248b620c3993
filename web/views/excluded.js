// @ts-check
/**
 * The excluded list view: the effective list (configuration's AUTOHEAL_EXCLUDE entries,
 * read-only, then the API-managed ones), with add and remove. Changes carry the token
 * (asked once per browser session); a wrong token is said plainly and changes nothing.
 */
import { html, useEffect, useState } from '/vendor/htm-preact.js';
import { Message, useActions } from '../components/message.js';
import { change, errorText, getJson } from '../lib/api.js';
import { useStreamEvents } from '../lib/hooks.js';

/** @typedef {{excluded: string[], fromConfig: Set<string>}} ExcludedList */

/**
 * @param {any} json  `GET /api/config/excluded` (or a change's answer); any, as it is read with guards here.
 * @returns {ExcludedList}
 */
function listOf(json) {
  return {
    excluded: Array.isArray(json?.excluded) ? json.excluded : [],
    fromConfig: new Set(Array.isArray(json?.excluded_by_config) ? json.excluded_by_config : []),
  };
}

/** @param {import('./context.js').ViewProps} props */
export function ExcludedView({ ctx }) {
  const [list, setList] = useState(/** @type {ExcludedList | null} */ (null));
  const [name, setName] = useState('');

  async function load() {
    try {
      setList(listOf(await getJson('/api/config/excluded')));
    } catch (err) {
      say(`Could not load the excluded list: ${errorText(err)}`);
    }
  }
  const { said, say, act } = useActions(load);

  useEffect(() => {
    load();
  }, []);
  // Someone else (another tab, the API) edited a list: show the new one.
  useStreamEvents(ctx.stream, (event) => {
    if (event.event_type === 'config_change') load();
  });

  /** @param {string} entry */
  const remove = (entry) =>
    act(`remove ${entry}`, async () => {
      const { json } = await change('DELETE', `/api/config/excluded/${encodeURIComponent(entry)}`);
      setList(listOf(json));
      return `${entry} is no longer excluded.`;
    });

  /** @param {Event} event */
  function add(event) {
    event.preventDefault();
    const entry = name.trim();
    if (entry === '') return;
    act(`exclude ${entry}`, async () => {
      const { status, json } = await change('POST', '/api/config/excluded', { name: entry });
      setList(listOf(json));
      setName('');
      return status === 201
        ? `${entry} is excluded: autoheal will not restart it.`
        : `${entry} was already excluded.`;
    });
  }

  return html`<section id="view-excluded" class="view" aria-labelledby="excluded-title">
    <div class="view-head">
      <h1 id="excluded-title">Excluded</h1>
      <p class="summary">
        Containers on this list are never restarted, even when they carry the label. Entries are
        container names (<code>*</code> is a wildcard, e.g. <code>test-*</code>) or 12 to 64 hex
        characters of an id.
      </p>
    </div>
    <form class="toolbar" id="excluded-form" onSubmit=${add}>
      <label class="field grow">
        <span>Container name or id</span>
        <input
          type="text"
          id="excluded-name"
          list="container-names"
          autocomplete="off"
          required
          value=${name}
          onInput=${(/** @type {Event} */ e) => setName(/** @type {HTMLInputElement} */ (e.currentTarget).value)}
        />
      </label>
      <button type="submit" class="button">Exclude</button>
    </form>
    <${Message} id="excluded-message" said=${said} />
    <ul class="entry-list" id="excluded-list" aria-label="Excluded entries">
      ${(list?.excluded ?? []).map(
        (entry) => html`<li class="entry" key=${entry} data-name=${entry}>
          <code class="entry-name">${entry}</code>
          ${
            list?.fromConfig.has(entry)
              ? html`<span class="muted small" title="Remove it from AUTOHEAL_EXCLUDE and restart autoheal to change it">from configuration (AUTOHEAL_EXCLUDE)</span>`
              : html`<button
                  type="button"
                  class="button small secondary"
                  aria-label=${`Remove ${entry} from the excluded list`}
                  onClick=${() => remove(entry)}
                >Remove</button>`
          }
        </li>`,
      )}
    </ul>
    <div id="excluded-empty">
      ${
        list !== null && list.excluded.length === 0
          ? html`<p class="empty">
              Nothing is excluded: every monitored container is healed. Add a name above to leave a
              container alone while you debug it.
            </p>`
          : null
      }
    </div>
  </section>`;
}
