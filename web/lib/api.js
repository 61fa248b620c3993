// @ts-check
/**
 * Talking to autoheal's HTTP API: reads, and changes that carry the bearer token. The change
 * token is asked for once (in the token dialog) and kept in sessionStorage for this browser
 * session; a 401 forgets it, says so, and the change is not retried behind the user's back.
 * When reads need a token, the login dialog asks for one and exchanges it (POST
 * /api/session) for an HttpOnly session cookie that authenticates reads and the event
 * stream; the token itself never goes into a URL.
 */
import { Cancelled, requestToken } from './ask-token.js';

export { Cancelled };

const TOKEN_KEY = 'autoheal.token';

/** An API answer other than 2xx: `status` and the server's `{"error": …}` text. */
export class ApiError extends Error {
  /**
   * @param {number} status  0 when autoheal did not answer at all.
   * @param {string} message
   * @param {any} [body]  The answer's JSON, when there was one (any: its shape is the route's; readers guard).
   */
  constructor(status, message, body = null) {
    super(message);
    this.status = status;
    this.body = body;
  }
}

/** The text of any thrown value. @param {unknown} err */
export function errorText(err) {
  return err instanceof Error ? err.message : String(err);
}

/**
 * @param {string} method
 * @param {string} path
 * @param {{body?: unknown, token?: string | null}} [options]
 * @returns {Promise<{status: number, json: any}>}
 */
async function request(method, path, { body, token } = {}) {
  /** @type {Record<string, string>} */
  const headers = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (token) headers.Authorization = `Bearer ${token}`;
  let response;
  try {
    response = await fetch(path, {
      method,
      headers,
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      cache: 'no-store',
    });
  } catch (err) {
    throw new ApiError(0, `autoheal did not answer (${errorText(err)})`);
  }
  let json = null;
  const text = await response.text();
  if (text !== '') {
    try {
      json = JSON.parse(text);
    } catch {
      json = null;
    }
  }
  if (!response.ok) {
    const message = json && typeof json.error === 'string' ? json.error : `HTTP ${response.status}`;
    throw new ApiError(response.status, message, json);
  }
  return { status: response.status, json };
}

/** @type {Promise<void> | null} */
let loggingIn = null;
/** Logins this page has completed; a read that was refused before the last one is retried as it is. */
let logins = 0;

/**
 * GET a JSON resource; rejects with ApiError (the body is kept on `error.body`). A 401 asks
 * to log in, then retries once; when a login finished while this read was on its way, it
 * retries without asking again, so reads sent together never open a second dialog. The
 * answer is `any`: each view reads the fields it needs with guards (`Array.isArray`,
 * `typeof`), as an answer from an older autoheal may differ.
 * @param {string} path
 * @returns {Promise<any>}
 */
export async function getJson(path) {
  const loginsBefore = logins;
  try {
    return (await request('GET', path)).json;
  } catch (err) {
    if (!(err instanceof ApiError) || err.status !== 401) throw err;
    if (logins === loginsBefore) await login();
    return (await request('GET', path)).json;
  }
}

/**
 * Whether reads need a token and this browser has a session.
 * @returns {Promise<{reads_need_token?: boolean, session?: boolean} | null>}
 */
export async function sessionState() {
  return (await request('GET', '/api/session')).json;
}

/**
 * Asks for a token in the login dialog until one is accepted, and exchanges it for the
 * session cookie. Concurrent callers share one dialog. A change token is also kept for
 * changes, so the user is asked only once.
 * @returns {Promise<void>}
 */
export function login() {
  loggingIn ??= (async () => {
    /** @type {string | null} */
    let problem = null;
    for (;;) {
      const token = await requestToken('login', problem);
      try {
        const { json } = await request('POST', '/api/session', { token });
        logins += 1;
        if (json?.access === 'change') keepToken(token);
        return;
      } catch (err) {
        problem =
          err instanceof ApiError && err.status === 401
            ? 'That token was not accepted. Use AUTOHEAL_API_TOKEN, AUTOHEAL_API_READ_TOKEN or the api-token file.'
            : errorText(err);
      }
    }
  })().finally(() => {
    loggingIn = null;
  });
  return loggingIn;
}

/** Ends this browser's session (the cookie is cleared by the server). */
export async function logout() {
  try {
    await request('DELETE', '/api/session');
  } catch {
    // Already gone, or autoheal is down: nothing to end.
  }
}

/** @type {Set<() => void>} */
const tokenListeners = new Set();

/**
 * `listener()` whenever the kept change token is kept or forgotten.
 * @param {() => void} listener
 * @returns {() => void} unsubscribe
 */
export function onTokenChange(listener) {
  tokenListeners.add(listener);
  return () => {
    tokenListeners.delete(listener);
  };
}

/** @returns {string | null} */
export function storedToken() {
  try {
    return sessionStorage.getItem(TOKEN_KEY);
  } catch {
    return null;
  }
}

export function forgetToken() {
  try {
    sessionStorage.removeItem(TOKEN_KEY);
  } catch {
    // Storage disabled: nothing was kept.
  }
  for (const listener of tokenListeners) listener();
}

/** @param {string} token */
function keepToken(token) {
  try {
    sessionStorage.setItem(TOKEN_KEY, token);
  } catch {
    // Storage disabled: the token is asked for again next time.
  }
  for (const listener of tokenListeners) listener();
}

/**
 * Makes a change that needs the token: asks for it when none is kept (the answer's `json`
 * is `any`, read with guards, as for `getJson`). A 401 forgets the
 * kept token and rejects with an ApiError whose message says the token was wrong and that
 * nothing changed; the caller shows it. Other errors reject with the server's message.
 * @param {string} method
 * @param {string} path
 * @param {unknown} [body]
 * @returns {Promise<{status: number, json: any}>}
 */
export async function change(method, path, body) {
  let token = storedToken();
  if (!token) token = await requestToken('change');
  try {
    const result = await request(method, path, { body, token });
    keepToken(token);
    return result;
  } catch (err) {
    if (err instanceof ApiError && err.status > 0 && err.status !== 401) keepToken(token);
    if (err instanceof ApiError && err.status === 401) {
      forgetToken();
      throw new ApiError(
        401,
        `The token was not accepted (${err.message}). Nothing was changed; try again with the token from autoheal’s api-token file.`,
      );
    }
    throw err;
  }
}
