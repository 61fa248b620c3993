// @ts-check
/**
 * The two token dialogs: `login` (reads need a token; cannot be cancelled, nothing can be
 * shown without it) and `change` (the API token a change needs; kept for this browser
 * session). Each answers the requests of its kind from lib/ask-token.js.
 */
import { html, useEffect, useRef, useState } from '/vendor/htm-preact.js';
import { subscribeTokenRequests } from '../lib/ask-token.js';

/** @typedef {import('../lib/ask-token.js').TokenRequest} TokenRequest */

const TEXT = {
  login: {
    id: 'login',
    title: 'Log in to autoheal',
    // htm drops a line break next to an element, with its space: ${' '} keeps the space.
    intro: html`This autoheal shows containers and events only to those with a token:${' '}
      <code>AUTOHEAL_API_READ_TOKEN</code>, <code>AUTOHEAL_API_TOKEN</code>, or the${' '}
      <code>api-token</code> file in its data directory. The page keeps a session cookie, never the
      read token.`,
    submit: 'Log in',
  },
  change: {
    id: 'token',
    title: 'API token',
    intro: html`Changes need autoheal’s API token: <code>AUTOHEAL_API_TOKEN</code>, or the${' '}
      <code>api-token</code> file in its data directory. It is kept for this browser session only.`,
    submit: 'Use this token',
  },
};

/**
 * @param {{kind: import('../lib/ask-token.js').TokenKind}} props
 */
export function TokenDialog({ kind }) {
  const text = TEXT[kind];
  const [request, setRequest] = useState(/** @type {TokenRequest | null} */ (null));
  const [problem, setProblem] = useState(/** @type {string | null} */ (null));
  const dialog = useRef(/** @type {HTMLDialogElement | null} */ (null));
  const input = useRef(/** @type {HTMLInputElement | null} */ (null));

  useEffect(
    () =>
      subscribeTokenRequests(kind, (next) => {
        setRequest(next);
        setProblem(next?.problem ?? null);
      }),
    [kind],
  );

  useEffect(() => {
    const d = dialog.current;
    if (d === null) return;
    if (request !== null) {
      if (input.current) input.current.value = '';
      if (!d.open) d.showModal();
      input.current?.focus();
    } else if (d.open) d.close();
  }, [request]);

  /** @param {Event} event */
  function submit(event) {
    event.preventDefault();
    const token = input.current?.value.trim() ?? '';
    if (token === '') {
      setProblem('Enter the token (see the api-token file in autoheal’s data directory).');
      input.current?.focus();
      return;
    }
    request?.answer(token);
  }

  /** @param {Event} event */
  function cancel(event) {
    event.preventDefault();
    if (kind === 'change') request?.cancel();
  }

  return html`<dialog id=${`${text.id}-dialog`} aria-labelledby=${`${text.id}-title`} ref=${dialog} onCancel=${cancel}>
    <form method="dialog" onSubmit=${submit}>
      <h2 id=${`${text.id}-title`}>${text.title}</h2>
      <p>${text.intro}</p>
      <p class="message error" id=${`${text.id}-error`} role="alert" hidden=${!problem}>${problem ?? ''}</p>
      <label class="field">
        <span>Token</span>
        <input type="password" id=${`${text.id}-input`} ref=${input} autocomplete="off" spellcheck=${false} />
      </label>
      <div class="dialog-actions">
        ${
          kind === 'change'
            ? html`<button type="button" class="button secondary" id="token-cancel" onClick=${cancel}>Cancel</button>`
            : null
        }
        <button type="submit" class="button">${text.submit}</button>
      </div>
    </form>
  </dialog>`;
}
