/**
 * Talking to autoheal's HTTP API: reads, and changes that carry the bearer token. The change
 * token is asked for once (in the token dialog) and kept in sessionStorage for this browser
 * session; a 401 forgets it, says so, and the change is not retried behind the user's back.
 * When reads need a token, the login dialog asks for one and exchanges it (POST
 * /api/session) for an HttpOnly session cookie that authenticates reads and the event
 * stream; the token itself never goes into a URL.
 */

const TOKEN_KEY = 'autoheal.token';

/** An API answer other than 2xx: `status` and the server's `{"error": …}` text. */
export class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

/** Thrown when the user closes the token dialog instead of entering one. */
export class Cancelled extends Error {
  constructor() {
    super('cancelled: nothing was changed');
  }
}

async function request(method, path, { body, token } = {}) {
  const headers = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (token) headers.Authorization = `Bearer ${token}`;
  let response;
  try {
    response = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      cache: 'no-store',
    });
  } catch (err) {
    throw new ApiError(0, `autoheal did not answer (${err instanceof Error ? err.message : err})`);
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
    const error = new ApiError(response.status, message);
    error.body = json;
    throw error;
  }
  return { status: response.status, json };
}

/** GET a JSON resource; rejects with ApiError (the body is kept on `error.body`). A 401 asks to log in, then retries once. */
export async function getJson(path) {
  try {
    return (await request('GET', path)).json;
  } catch (err) {
    if (!(err instanceof ApiError) || err.status !== 401) throw err;
    await login();
    return (await request('GET', path)).json;
  }
}

let loggingIn = null;

/** Whether reads need a token and this browser has a session: `{reads_need_token, session}`. */
export async function sessionState() {
  return (await request('GET', '/api/session')).json;
}

/**
 * Asks for a token in the login dialog until one is accepted, and exchanges it for the
 * session cookie. Concurrent callers share one dialog. A change token is also kept for
 * changes, so the user is asked only once.
 */
export function login() {
  loggingIn ??= (async () => {
    let problem = null;
    for (;;) {
      const token = await askToken(problem, 'login-dialog', false);
      try {
        const { json } = await request('POST', '/api/session', { token });
        if (json?.access === 'change') keepToken(token);
        return;
      } catch (err) {
        problem =
          err instanceof ApiError && err.status === 401
            ? 'That token was not accepted. Use AUTOHEAL_API_TOKEN, AUTOHEAL_API_READ_TOKEN or the api-token file.'
            : err instanceof Error
              ? err.message
              : String(err);
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
}

function keepToken(token) {
  try {
    sessionStorage.setItem(TOKEN_KEY, token);
  } catch {
    // Storage disabled: the token is asked for again next time.
  }
}

/**
 * Asks for a token in a dialog (`token-dialog` for changes, `login-dialog` for reads).
 * Resolves with the token, or rejects with Cancelled. `problem` is shown above the field
 * (e.g. after a 401). The login dialog cannot be cancelled: nothing can be shown without it.
 */
function askToken(problem, dialogId = 'token-dialog', cancellable = true) {
  const dialog = document.getElementById(dialogId);
  const form = dialog.querySelector('form');
  const input = dialog.querySelector('input');
  const error = dialog.querySelector('.message.error');
  const cancel = dialog.querySelector('button[type="button"]');
  error.textContent = problem ?? '';
  error.hidden = !problem;
  input.value = '';
  return new Promise((resolve, reject) => {
    const done = (token) => {
      form.removeEventListener('submit', onSubmit);
      cancel?.removeEventListener('click', onCancel);
      dialog.removeEventListener('cancel', onCancel);
      if (dialog.open) dialog.close();
      if (token === null) reject(new Cancelled());
      else resolve(token);
    };
    const onSubmit = (event) => {
      event.preventDefault();
      const token = input.value.trim();
      if (token === '') {
        error.textContent = 'Enter the token (see the api-token file in autoheal’s data directory).';
        error.hidden = false;
        input.focus();
        return;
      }
      done(token);
    };
    const onCancel = (event) => {
      event.preventDefault();
      if (cancellable) done(null);
    };
    form.addEventListener('submit', onSubmit);
    cancel?.addEventListener('click', onCancel);
    dialog.addEventListener('cancel', onCancel);
    dialog.showModal();
    input.focus();
  });
}

/**
 * Makes a change that needs the token: asks for it when none is kept. A 401 forgets the
 * kept token and rejects with an ApiError whose message says the token was wrong and that
 * nothing changed; the caller shows it. Other errors reject with the server's message.
 */
export async function change(method, path, body) {
  let token = storedToken();
  if (!token) token = await askToken();
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
