/**
 * Who a request is: the change token (`AUTOHEAL_API_TOKEN`, accepted for reads too), the
 * read token (`AUTOHEAL_API_READ_TOKEN`), or nobody. Changes need the change token in an
 * `Authorization: Bearer` header, never a cookie, so no other site can make one through a
 * browser. Both sides of a comparison are hashed first so it runs in constant time on equal
 * lengths and leaks nothing, not even the token's length. A wrong token counts against the
 * client's address (`AuthThrottle`).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Context, MiddlewareHandler } from 'hono';
import { clientAddress } from './client-address.js';
import { ApiError } from './errors.js';
import type { AuthThrottle } from './throttle.js';

export const CHALLENGE = 'Bearer realm="autoheal"';

/** What a credential allows: `change` also reads. */
export type Access = 'change' | 'read';

declare module 'hono' {
  interface ContextVariableMap {
    /** Set by the read check: what the request's credential allows, null when it carried none. */
    access: Access | null;
  }
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

/** True when `presented` is the token; runs in time independent of where they differ. */
export function tokenMatches(expected: string, presented: string): boolean {
  return timingSafeEqual(digest(expected), digest(presented));
}

export interface Tokens {
  /** The change token (see `resolveApiToken`). */
  change: string;
  /** The read-only token, when one is configured. */
  read: string | null;
}

export class Authenticator {
  readonly #tokens: Tokens;
  readonly #throttle: AuthThrottle;

  constructor(tokens: Tokens, throttle: AuthThrottle) {
    if (tokens.change.length === 0) throw new Error('the API token must not be empty');
    this.#tokens = tokens;
    this.#throttle = throttle;
  }

  /** What a token allows, or null when it is neither token. Both are always compared. */
  accessOf(token: string): Access | null {
    const change = tokenMatches(this.#tokens.change, token);
    const read = this.#tokens.read !== null && tokenMatches(this.#tokens.read, token);
    return change ? 'change' : read ? 'read' : null;
  }

  /**
   * The request's bearer credential: `absent` without an Authorization header, the access
   * it grants, or a thrown 401 (429 once the address has failed too often) when it is wrong.
   */
  bearer(c: Context): Access | 'absent' {
    const header = c.req.header('authorization');
    if (header === undefined || header.trim() === '') return 'absent';
    const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header);
    const access = match?.[1] ? this.accessOf(match[1]) : null;
    if (access === null) this.refuse(c, 'the bearer token is wrong', 'invalid_token');
    return access;
  }

  /** Answers a failed authentication: 401, or 429 with Retry-After once the address is over its limit. */
  refuse(c: Context, message: string, error?: string): never {
    const retryAfterS = this.#throttle.fail(clientAddress(c));
    if (retryAfterS !== null) {
      throw new ApiError(
        429,
        `too many failed authentications from this address; retry in ${retryAfterS} s`,
        {
          'Retry-After': String(retryAfterS),
        },
      );
    }
    throw new ApiError(401, message, {
      'WWW-Authenticate': error === undefined ? CHALLENGE : `${CHALLENGE}, error="${error}"`,
    });
  }

  /** Middleware: the request must carry the change token. */
  requireChange(): MiddlewareHandler {
    return async (c, next) => {
      const access = this.bearer(c);
      if (access === 'absent') {
        throw new ApiError(401, 'this change needs Authorization: Bearer <token>', {
          'WWW-Authenticate': CHALLENGE,
        });
      }
      if (access === 'read') {
        throw new ApiError(403, 'the read token cannot make changes; use AUTOHEAL_API_TOKEN', {
          'WWW-Authenticate': `${CHALLENGE}, error="insufficient_scope"`,
        });
      }
      await next();
    };
  }
}
