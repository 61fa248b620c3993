/**
 * The bearer token check every change goes through. Reads never need it. Both sides are
 * hashed first so the constant-time comparison works on equal lengths and leaks nothing,
 * not even the token's length.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import { ApiError } from './errors.js';

const CHALLENGE = 'Bearer realm="autoheal"';

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

/** True when `presented` is the token; runs in time independent of where they differ. */
export function tokenMatches(expected: string, presented: string): boolean {
  return timingSafeEqual(digest(expected), digest(presented));
}

export function requireToken(token: string): MiddlewareHandler {
  if (token.length === 0) throw new Error('the API token must not be empty');
  return async (c, next) => {
    const header = c.req.header('authorization');
    if (header === undefined || header.trim() === '') {
      throw new ApiError(401, 'this change needs Authorization: Bearer <token>', {
        'WWW-Authenticate': CHALLENGE,
      });
    }
    const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header);
    if (!match?.[1] || !tokenMatches(token, match[1])) {
      throw new ApiError(401, 'the bearer token is wrong', {
        'WWW-Authenticate': `${CHALLENGE}, error="invalid_token"`,
      });
    }
    await next();
  };
}
