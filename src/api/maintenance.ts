/**
 * The operator's "not now": `/api/maintenance` (a window in which autoheal records but does
 * not act) and `/api/containers/{ref}/silence` (no heal and no notification for one
 * container). Reads are open like `/api/health`; changes need the token.
 */
import type { Hono, MiddlewareHandler } from 'hono';
import { ApiError, quote } from './errors.js';
import { containerRefSchema, maintenanceBodySchema, silenceBodySchema } from './schemas.js';
import type { ApiDeps } from './types.js';
import { readJsonBody, readParam } from './validate.js';

async function viaEngine<T>(deps: ApiDeps, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    deps.logger.warn({ err }, 'silence failed: the Docker engine did not answer');
    throw new ApiError(503, `Docker engine unreachable: ${reason.slice(0, 300)}`);
  }
}

export function registerMaintenanceRoutes(
  app: Hono,
  deps: ApiDeps,
  auth: MiddlewareHandler,
  body: MiddlewareHandler,
): void {
  const { supervisor } = deps;

  app.get('/api/maintenance', (c) => c.json(supervisor.maintenance()));

  app.post('/api/maintenance', auth, body, async (c) => {
    const { minutes, reason } = await readJsonBody(c, maintenanceBodySchema);
    const view = supervisor.startMaintenance(minutes, reason?.trim() ?? '');
    deps.logger.info({ minutes, until: view.until }, 'maintenance started through the API');
    return c.json(view);
  });

  app.delete('/api/maintenance', auth, (c) => {
    if (!supervisor.endMaintenance()) throw new ApiError(404, 'no maintenance window is on');
    deps.logger.info('maintenance ended through the API');
    return c.json(supervisor.maintenance());
  });

  app.post('/api/containers/:ref/silence', auth, body, async (c) => {
    const ref = readParam(c, 'ref', containerRefSchema);
    const { minutes } = await readJsonBody(c, silenceBodySchema);
    const result = await viaEngine(deps, () => supervisor.silence(ref, minutes));
    if (!result.ok) throw new ApiError(404, `no container matches ${quote(ref)}`);
    deps.logger.info({ container: result.container.name, minutes }, 'container silenced through the API');
    return c.json(result.container);
  });

  app.delete('/api/containers/:ref/silence', auth, async (c) => {
    const ref = readParam(c, 'ref', containerRefSchema);
    const result = await viaEngine(deps, () => supervisor.unsilence(ref));
    if (!result.ok) {
      throw new ApiError(
        404,
        result.reason === 'not_found'
          ? `no container matches ${quote(ref)}`
          : `${quote(ref)} is not silenced`,
      );
    }
    deps.logger.info({ container: result.container.name }, 'silence ended through the API');
    return c.json(result.container);
  });
}
