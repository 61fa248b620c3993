/**
 * The one shape of every error the API answers, `{"error": "<what is wrong>"}`, and the
 * handlers that make sure nothing else (a stack trace, an HTML page) ever reaches a client.
 */
import type { Context, ErrorHandler, NotFoundHandler } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { Logger } from '../log.js';

/** Thrown by validation and handlers; `app.onError` turns it into its JSON answer. */
export class ApiError extends Error {
  override name = 'ApiError';
  constructor(
    readonly status: ContentfulStatusCode,
    message: string,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
  }
}

export function errorResponse(
  c: Context,
  status: ContentfulStatusCode,
  message: string,
  headers: Readonly<Record<string, string>> = {},
): Response {
  return c.json({ error: message }, status, { ...headers });
}

/** Quotes a client-supplied string for an error message, cut short so a message stays small. */
export function quote(value: string, max = 64): string {
  return JSON.stringify(value.length > max ? `${value.slice(0, max)}…` : value);
}

export function onError(logger: Logger): ErrorHandler {
  return (err, c) => {
    if (err instanceof ApiError) return errorResponse(c, err.status, err.message, err.headers);
    if (err instanceof HTTPException && err.status < 500) {
      return errorResponse(c, err.status, err.message || 'bad request');
    }
    // A bug, not the client's fault: log it whole, answer without any detail.
    logger.error({ err, method: c.req.method, path: c.req.path }, 'request failed');
    return errorResponse(c, 500, 'internal error');
  };
}

export const notFound: NotFoundHandler = (c) =>
  errorResponse(c, 404, `no such resource: ${c.req.method} ${quote(c.req.path, 200)}`);
