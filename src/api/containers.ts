/**
 * `/api/containers`: every container with autoheal's verdict on it, one container, and the
 * two levers an operator has (restart now, re-arm after a give-up). The engine being
 * unreachable is answered with 503, the same degraded state `/api/health` reports.
 */
import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import type { MiddlewareHandler } from 'hono';
import { ApiError, quote } from './errors.js';
import { BEARER, documented, errors, json, readAuthErrors } from './openapi.js';
import {
  containerRefSchema,
  containersResponseSchema,
  containerViewSchema,
  resetResponseSchema,
  restartFailedResponseSchema,
  restartResponseSchema,
} from './schemas.js';
import type { ApiDeps } from './types.js';
import { readParam } from './validate.js';

/** Runs a supervisor call that needs the engine; its failure becomes a 503, never a 500. */
async function viaEngine<T>(deps: ApiDeps, what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    deps.logger.warn({ err }, `${what} failed: the Docker engine did not answer`);
    throw new ApiError(503, `Docker engine unreachable: ${reason.slice(0, 300)}`);
  }
}

const refParams = z.object({ ref: containerRefSchema });

export function registerContainerRoutes(app: OpenAPIHono, deps: ApiDeps, auth: MiddlewareHandler): void {
  const { supervisor } = deps;

  const list = createRoute({
    method: 'get',
    path: '/api/containers',
    summary: 'Every container the engine has, with autoheal’s verdict',
    responses: {
      200: json('The containers.', containersResponseSchema),
      ...errors([503]),
      ...readAuthErrors(),
    },
  });
  documented(app, list, async (c) => {
    const containers = await viaEngine(deps, 'listing containers', () => supervisor.listContainers());
    return c.json({ containers });
  });

  const one = createRoute({
    method: 'get',
    path: '/api/containers/{ref}',
    summary: 'One container by name, full id or id prefix (at least 12 hex characters)',
    request: { params: refParams },
    responses: {
      200: json('The container.', containerViewSchema),
      ...errors([400, 404, 503]),
      ...readAuthErrors(),
    },
  });
  documented(app, one, async (c) => {
    const ref = readParam(c, 'ref', containerRefSchema);
    const container = await viaEngine(deps, 'finding a container', () => supervisor.findContainer(ref));
    if (container === null) throw new ApiError(404, `no container matches ${quote(ref)}`);
    return c.json(container);
  });

  const restart = createRoute({
    method: 'post',
    path: '/api/containers/{ref}/restart',
    summary: 'Restart now (recorded with details.trigger "api")',
    middleware: auth,
    security: BEARER,
    request: { params: refParams },
    responses: {
      200: json('Done; the `restart` (or `skipped`) audit event.', restartResponseSchema),
      502: json(
        'The engine refused or failed the restart: its error, and the `restart`/`failed` audit event.',
        restartFailedResponseSchema,
      ),
      ...errors([400, 401, 403, 404, 409, 429, 503], {
        409: 'A heal of it is already queued or running, it is autoheal’s own container, or autoheal is shutting down.',
      }),
    },
  });
  documented(app, restart, async (c) => {
    const ref = readParam(c, 'ref', containerRefSchema);
    const result = await viaEngine(deps, 'restarting a container', () => supervisor.restartNow(ref));
    if (!result.ok) {
      if (result.reason === 'not_found') throw new ApiError(404, `no container matches ${quote(ref)}`);
      throw new ApiError(
        409,
        result.reason === 'busy'
          ? `a heal of ${quote(ref)} is already queued or running; try again when it is done`
          : result.reason === 'self'
            ? 'autoheal does not restart its own container'
            : 'autoheal is shutting down',
      );
    }
    const event = result.event;
    deps.logger.info(
      { container: event.container_name, status: event.status },
      'restart requested through the API',
    );
    if (event.event_type === 'restart' && event.status === 'failed') {
      // The engine's own words, e.g. "driver failed programming external connectivity".
      const engineError = typeof event.details.error === 'string' ? event.details.error : event.message;
      return c.json(
        {
          error: `the engine could not restart ${event.container_name}: ${engineError.slice(0, 300)}`,
          event,
        },
        502,
      );
    }
    return c.json({ event });
  });

  const reset = createRoute({
    method: 'post',
    path: '/api/containers/{ref}/reset',
    summary: 'Re-arm a container autoheal gave up on',
    middleware: auth,
    security: BEARER,
    request: { params: refParams },
    responses: {
      200: json('Whether it had been given up on.', resetResponseSchema),
      ...errors([400, 401, 403, 404, 429, 503]),
    },
  });
  documented(app, reset, async (c) => {
    const ref = readParam(c, 'ref', containerRefSchema);
    const container = await viaEngine(deps, 'finding a container', () => supervisor.findContainer(ref));
    if (container === null) throw new ApiError(404, `no container matches ${quote(ref)}`);
    const reset = await viaEngine(deps, 'resetting a container', () => supervisor.reset(container.id));
    deps.logger.info({ container: container.name, reset }, 'reset requested through the API');
    return c.json({ reset });
  });
}
