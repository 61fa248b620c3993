/**
 * The operator's "not now": `/api/maintenance` (a window in which autoheal records but does
 * not act) and `/api/containers/{ref}/silence` (no heal and no notification for one
 * container). Reads are open like `/api/health`; changes need the token.
 */
import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import type { MiddlewareHandler } from 'hono';
import { ApiError, quote } from './errors.js';
import { BEARER, documented, errors, json, jsonBody } from './openapi.js';
import {
  containerRefSchema,
  containerViewSchema,
  maintenanceBodySchema,
  maintenanceViewSchema,
  silenceBodySchema,
} from './schemas.js';
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

const refParams = z.object({ ref: containerRefSchema });

export function registerMaintenanceRoutes(
  app: OpenAPIHono,
  deps: ApiDeps,
  auth: MiddlewareHandler,
  body: MiddlewareHandler,
): void {
  const { supervisor } = deps;

  const get = createRoute({
    method: 'get',
    path: '/api/maintenance',
    summary: 'The maintenance window: whether it is on, until when, and why',
    responses: { 200: json('The window.', maintenanceViewSchema) },
  });
  documented(app, get, (c) => c.json(supervisor.maintenance()));

  const start = createRoute({
    method: 'post',
    path: '/api/maintenance',
    summary:
      'Start (or extend) maintenance: autoheal records but takes no action (audit `skipped`/`maintenance`, once per unhealthy spell) and ends it by itself',
    middleware: [auth, body],
    security: BEARER,
    request: { body: jsonBody(maintenanceBodySchema) },
    responses: {
      200: json('Started; the window.', maintenanceViewSchema),
      ...errors([400, 401, 403, 413, 415, 429]),
    },
  });
  documented(app, start, async (c) => {
    const { minutes, reason } = await readJsonBody(c, maintenanceBodySchema);
    const view = supervisor.startMaintenance(minutes, reason?.trim() ?? '');
    deps.logger.info({ minutes, until: view.until }, 'maintenance started through the API');
    return c.json(view);
  });

  const end = createRoute({
    method: 'delete',
    path: '/api/maintenance',
    summary: 'End maintenance now; what is still unhealthy is healed at once',
    middleware: auth,
    security: BEARER,
    responses: {
      200: json('Ended; the window (now off).', maintenanceViewSchema),
      ...errors([401, 403, 404, 429], { 404: 'No maintenance window is on.' }),
    },
  });
  documented(app, end, (c) => {
    if (!supervisor.endMaintenance()) throw new ApiError(404, 'no maintenance window is on');
    deps.logger.info('maintenance ended through the API');
    return c.json(supervisor.maintenance());
  });

  const silence = createRoute({
    method: 'post',
    path: '/api/containers/{ref}/silence',
    summary:
      'Silence one container: no heal and no notification until the time is up (audit `skipped`/`silenced`, once per unhealthy spell)',
    middleware: [auth, body],
    security: BEARER,
    request: { params: refParams, body: jsonBody(silenceBodySchema) },
    responses: {
      200: json('Silenced; the container with its `silenced_until`.', containerViewSchema),
      ...errors([400, 401, 403, 404, 413, 415, 429, 503]),
    },
  });
  documented(app, silence, async (c) => {
    const ref = readParam(c, 'ref', containerRefSchema);
    const { minutes } = await readJsonBody(c, silenceBodySchema);
    const result = await viaEngine(deps, () => supervisor.silence(ref, minutes));
    if (!result.ok) throw new ApiError(404, `no container matches ${quote(ref)}`);
    deps.logger.info({ container: result.container.name, minutes }, 'container silenced through the API');
    return c.json(result.container);
  });

  const unsilence = createRoute({
    method: 'delete',
    path: '/api/containers/{ref}/silence',
    summary: 'End a container’s silence now; what is still unhealthy is healed at once',
    middleware: auth,
    security: BEARER,
    request: { params: refParams },
    responses: {
      200: json('Ended; the container.', containerViewSchema),
      ...errors([400, 401, 403, 404, 429, 503], { 404: 'No such container, or it is not silenced.' }),
    },
  });
  documented(app, unsilence, async (c) => {
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
