/**
 * `POST /api/notifications/test`: a test message through every configured channel
 * (webhook, Apprise), answered with each channel's result, so an operator learns now, not
 * at the next outage, that notifications arrive.
 */
import type { Hono, MiddlewareHandler } from 'hono';
import type { ApiDeps } from './types.js';

export function registerNotificationRoutes(app: Hono, deps: ApiDeps, auth: MiddlewareHandler): void {
  app.post('/api/notifications/test', auth, async (c) => {
    const results = (await deps.notifications?.test()) ?? [];
    deps.logger.info(
      { channels: results.length, failed: results.filter((r) => !r.ok).length },
      'test notification requested through the API',
    );
    return c.json(results);
  });
}
