/**
 * `POST /api/notifications/test`: a test message through every configured channel
 * (webhook, Apprise), answered with each channel's result, so an operator learns now, not
 * at the next outage, that notifications arrive.
 */
import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import type { MiddlewareHandler } from 'hono';
import { BEARER, documented, errors, json } from './openapi.js';
import { notificationTestResponseSchema } from './schemas.js';
import type { ApiDeps } from './types.js';

export function registerNotificationRoutes(app: OpenAPIHono, deps: ApiDeps, auth: MiddlewareHandler): void {
  const test = createRoute({
    method: 'post',
    path: '/api/notifications/test',
    summary: 'Send a test message through every configured channel (webhook, Apprise), once each',
    middleware: auth,
    security: BEARER,
    responses: {
      200: json('Each channel’s result.', notificationTestResponseSchema),
      ...errors([401, 403, 429]),
    },
  });
  documented(app, test, async (c) => {
    const results = (await deps.notifications?.test()) ?? [];
    deps.logger.info(
      { channels: results.length, failed: results.filter((r) => !r.ok).length },
      'test notification requested through the API',
    );
    return c.json(results);
  });
}
