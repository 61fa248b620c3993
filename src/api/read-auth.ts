/**
 * The check in front of every read (containers, events, config, the event stream). When
 * reads need a token (`readsNeedToken`: a non-loopback bind unless AUTOHEAL_API_READ_AUTH
 * says otherwise) a request passes with the change token, the read token, or a session
 * cookie; when reads are open it passes without one. A wrong token is refused either way.
 * The outcome is left in `c.get('access')` for the per-address stream limit.
 */
import type { MiddlewareHandler } from 'hono';
import { type Authenticator, CHALLENGE } from './auth.js';
import { ApiError } from './errors.js';
import type { Sessions } from './session.js';

export function requireRead(
  auth: Authenticator,
  sessions: Sessions,
  readsNeedToken: boolean,
): MiddlewareHandler {
  return async (c, next) => {
    const access = auth.bearer(c);
    if (access !== 'absent') {
      c.set('access', access);
    } else if (sessions.fromRequest(c)) {
      c.set('access', 'read');
    } else if (!readsNeedToken) {
      c.set('access', null);
    } else {
      throw new ApiError(
        401,
        'this read needs a token: Authorization: Bearer <token>, or the session cookie from POST /api/session',
        { 'WWW-Authenticate': CHALLENGE },
      );
    }
    await next();
  };
}
