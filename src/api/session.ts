/**
 * Browser sessions. EventSource cannot send an Authorization header, so the UI exchanges a
 * token once (`POST /api/session` with `Authorization: Bearer`) for an `HttpOnly`,
 * `SameSite=Strict` cookie that authenticates its reads and its event stream; a token never
 * goes into a URL. A session only reads: changes still need the bearer header. Sessions live
 * in memory, so a restart of autoheal ends them and the UI asks for the token again.
 */
import { randomBytes } from 'node:crypto';
import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { type Authenticator, CHALLENGE } from './auth.js';
import { ApiError } from './errors.js';
import { BEARER, documented, errors, json } from './openapi.js';
import { sessionResponseSchema } from './schemas.js';

export const SESSION_COOKIE = 'autoheal_session';
const SESSION_TTL_MS = 12 * 60 * 60 * 1000;
const MAX_SESSIONS = 10_000;

export interface SessionsOptions {
  ttlMs?: number;
  /** Milliseconds since the epoch; injected so tests control time. */
  now?: () => number;
}

export class Sessions {
  readonly #expiry = new Map<string, number>();
  readonly #ttlMs: number;
  readonly #now: () => number;

  constructor(options: SessionsOptions = {}) {
    this.#ttlMs = options.ttlMs ?? SESSION_TTL_MS;
    this.#now = options.now ?? Date.now;
  }

  get ttlMs(): number {
    return this.#ttlMs;
  }

  /** A new session id (256 random bits). The oldest session goes when there are too many. */
  create(): string {
    const id = randomBytes(32).toString('base64url');
    this.#expiry.set(id, this.#now() + this.#ttlMs);
    while (this.#expiry.size > MAX_SESSIONS) {
      const oldest = this.#expiry.keys().next().value;
      if (oldest === undefined) break;
      this.#expiry.delete(oldest);
    }
    return id;
  }

  valid(id: string | undefined): boolean {
    if (id === undefined) return false;
    const expires = this.#expiry.get(id);
    if (expires === undefined) return false;
    if (expires > this.#now()) return true;
    this.#expiry.delete(id);
    return false;
  }

  revoke(id: string | undefined): void {
    if (id !== undefined) this.#expiry.delete(id);
  }

  /** True when the request carries the cookie of a live session. */
  fromRequest(c: Context): boolean {
    return this.valid(getCookie(c, SESSION_COOKIE));
  }
}

export function registerSessionRoutes(
  app: OpenAPIHono,
  auth: Authenticator,
  sessions: Sessions,
  readsNeedToken: boolean,
): void {
  // What the UI asks first: must it ask for a token before reading?
  const state = createRoute({
    method: 'get',
    path: '/api/session',
    summary: 'Whether reads need a token, and whether this browser has a session',
    responses: { 200: json('The session state.', sessionResponseSchema) },
  });
  documented(app, state, (c) =>
    c.json({ reads_need_token: readsNeedToken, session: sessions.fromRequest(c) }),
  );

  const create = createRoute({
    method: 'post',
    path: '/api/session',
    summary:
      'Exchange a token (API or read) for an HttpOnly, SameSite=Strict session cookie that authenticates reads',
    security: BEARER,
    responses: {
      201: json('Session created; the cookie is set.', sessionResponseSchema),
      ...errors([401, 429], { 401: 'No token, or a wrong one.' }),
    },
  });
  documented(app, create, (c) => {
    const access = auth.bearer(c);
    if (access === 'absent') {
      throw new ApiError(401, 'a session needs Authorization: Bearer <token> (the API or the read token)', {
        'WWW-Authenticate': CHALLENGE,
      });
    }
    sessions.revoke(getCookie(c, SESSION_COOKIE));
    setCookie(c, SESSION_COOKIE, sessions.create(), {
      httpOnly: true,
      sameSite: 'Strict',
      path: '/',
      maxAge: Math.floor(sessions.ttlMs / 1000),
    });
    // `access` tells the UI whether the same token may also make changes (then it keeps it).
    return c.json({ session: true, access, reads_need_token: readsNeedToken }, 201);
  });

  const end = createRoute({
    method: 'delete',
    path: '/api/session',
    summary: 'End this browser’s session',
    responses: { 204: { description: 'Ended; the cookie is cleared.' } },
  });
  documented(app, end, (c) => {
    sessions.revoke(getCookie(c, SESSION_COOKIE));
    deleteCookie(c, SESSION_COOKIE, { path: '/' });
    return c.body(null, 204);
  });
}
