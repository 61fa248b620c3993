/**
 * `GET /api/health` (what a HEALTHCHECK and an operator look at) and `GET /metrics`
 * (Prometheus). Both stay open whatever AUTOHEAL_API_READ_AUTH says, so they carry no
 * Docker label values and no secrets.
 */
import type { Hono } from 'hono';
import type { ApiDeps } from './types.js';

export function registerHealthRoutes(app: Hono, deps: ApiDeps): void {
  const now = deps.now ?? (() => new Date());

  app.get('/api/health', (c) => {
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
    };
    // 503 while the engine is unreachable is the documented degraded state, not a failure.
    return c.json(body, engine.connected ? 200 : 503);
  });

  app.get('/metrics', (c) => {
    return c.body(deps.metrics.render(), 200, { 'Content-Type': 'text/plain; version=0.0.4; charset=utf-8' });
  });
}
