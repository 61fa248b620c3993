// @ts-check
/**
 * Requests for a token, between the API client (which asks) and the token dialogs (which
 * answer). A request is kept here, not in a dialog, so one made before its dialog is drawn
 * is shown as soon as the dialog subscribes: the first session check and the login dialog
 * cannot race.
 */

/** Thrown when the user closes the token dialog instead of entering one. */
export class Cancelled extends Error {
  constructor() {
    super('cancelled: nothing was changed');
  }
}

/**
 * `login`: the token that opens a session for reads (cannot be cancelled);
 * `change`: the API token for a change.
 * @typedef {'login' | 'change'} TokenKind
 */

/**
 * @typedef {object} TokenRequest
 * @property {string | null} problem  Shown above the field (e.g. after a 401).
 * @property {(token: string) => void} answer
 * @property {() => void} cancel
 */

/** @type {Record<TokenKind, TokenRequest | null>} */
const pending = { login: null, change: null };
/** @type {Record<TokenKind, Set<(request: TokenRequest | null) => void>>} */
const listeners = { login: new Set(), change: new Set() };

/** @param {TokenKind} kind */
function notify(kind) {
  for (const listener of listeners[kind]) listener(pending[kind]);
}

/**
 * Asks for a token of `kind`; resolves with it, or rejects with Cancelled. A second request
 * of the same kind replaces the first, which is cancelled.
 * @param {TokenKind} kind
 * @param {string | null} [problem]
 * @returns {Promise<string>}
 */
export function requestToken(kind, problem = null) {
  pending[kind]?.cancel();
  return new Promise((resolve, reject) => {
    /** @type {TokenRequest} */
    const request = {
      problem,
      answer(token) {
        if (pending[kind] === request) pending[kind] = null;
        notify(kind);
        resolve(token);
      },
      cancel() {
        if (pending[kind] === request) pending[kind] = null;
        notify(kind);
        reject(new Cancelled());
      },
    };
    pending[kind] = request;
    notify(kind);
  });
}

/**
 * Calls `listener` with the open request of `kind` (or null) now and at every change.
 * @param {TokenKind} kind
 * @param {(request: TokenRequest | null) => void} listener
 * @returns {() => void} unsubscribe
 */
export function subscribeTokenRequests(kind, listener) {
  listeners[kind].add(listener);
  listener(pending[kind]);
  return () => {
    listeners[kind].delete(listener);
  };
}
