/**
 * `GET /api/health` (what a HEALTHCHECK and an operator look at) and `GET /metrics`
 * (Prometheus). Both stay open whatever AUTOHEAL_API_READ_AUTH says, so they carry no
 * Docker label values and no secrets.
 */
import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import { documented, json } from './openapi.js';
import { healthResponseSchema } from './schemas.js';
import type { ApiDeps } from './types.js';

export function registerHealthRoutes(app: OpenAPIHono, deps: ApiDeps): void {
  const now = deps.now ?? (() => new Date());

  const health = createRoute({
    method: 'get',
    path: '/api/health',
    summary: 'Liveness and the engine connection',
    responses: {
      200: json('Connected to the engine.', healthResponseSchema),
      503: json('Degraded: the engine is unreachable (same body, status `degraded`).', healthResponseSchema),
    },
  });
  documented(app, health, (c) => {
    const engine = deps.engineStatus();
    const write = deps.store.writeStatus();
    const body = {
      status: engine.connected ? ('ok' as const) : ('degraded' as const),
      docker: {
        connected: engine.connected,
        last_event_at: engine.lastEventAt,
        reconnects: engine.reconnects,
      },
      queue: { ...deps.queueStatus() },
      store: { ok: write.ok, last_error: write.lastError, pending_writes: write.pendingWrites },
      maintenance: deps.supervisor.maintenance(),
      uptime_s: Math.max(0, Math.floor((now().getTime() - deps.startedAt.getTime()) / 1000)),
      version: deps.version,
      // Who this is, for the fleet view of its peers.
      host: deps.settings.hostname,
      public_url: deps.settings.publicUrl,
    };
    // 503 while the engine is unreachable is the documented degraded state, not a failure.
    return c.json(body, engine.connected ? 200 : 503);
  });

  const metrics = createRoute({
    method: 'get',
    path: '/metrics',
    summary: 'Prometheus metrics',
    responses: {
      200: {
        description: 'Text exposition format 0.0.4 (metric names: README.md, "Metrics").',
        content: { 'text/plain': { schema: { type: 'string' } } },
      },
    },
  });
  documented(app, metrics, async (c) => {
    return c.body(await deps.metrics.render(), 200, { 'Content-Type': deps.metrics.contentType });
  });
}
