/**
 * The HTTP API's composition: `createApp(deps)` wires secure headers, the Host check, the
 * read and change checks, browser sessions, the body limit, one module per resource and
 * the web UI into a Hono app. Serving it is `startServer`'s job (`server.ts`), so tests
 * call `app.request()`.
 */
import { existsSync, statSync } from 'node:fs';
import { OpenAPIHono } from '@hono/zod-openapi';
import { bodyLimit } from 'hono/body-limit';
import { secureHeaders } from 'hono/secure-headers';
import { readsNeedToken } from '../config/settings.js';
import { componentLogger } from '../log.js';
import { Authenticator } from './auth.js';
import { registerConfigRoutes } from './config.js';
import { registerContainerRoutes } from './containers.js';
import { errorResponse, notFound, onError } from './errors.js';
import { EventStreams } from './event-stream.js';
import { registerEventRoutes } from './events.js';
import { fleetRoutes } from './fleet.js';
import { registerHealthRoutes } from './health.js';
import { hostCheck } from './host-check.js';
import { registerMaintenanceRoutes } from './maintenance.js';
import { registerNotificationRoutes } from './notifications.js';
import { registerOpenApiRoute } from './openapi.js';
import { requireRead } from './read-auth.js';
import { registerSessionRoutes, Sessions } from './session.js';
import { AuthThrottle } from './throttle.js';
import type { ApiDeps } from './types.js';
import { MAX_BODY_BYTES } from './validate.js';
import { registerWebRoutes } from './web.js';

export type { ApiDeps, QueueStatus } from './types.js';

export interface ApiApp {
  /** A Hono app whose routes also make up the OpenAPI document (see openapi.ts). */
  app: OpenAPIHono;
  /** Ends every open SSE stream (and refuses new ones); call before closing the server. */
  closeStreams(): void;
  /** How many SSE streams are open. */
  openStreams(): number;
}

export interface CreateAppOptions {
  /** SSE heartbeat period; tests shorten it. */
  heartbeatMs?: number;
  /** How long one SSE write may wait for a client that stopped reading; tests shorten it. */
  writeDeadlineMs?: number;
}

/** The resources whose GET (and HEAD) are reads behind `requireRead`. */
const READ_PATHS = [
  '/api/containers',
  '/api/containers/*',
  '/api/events',
  '/api/events/*',
  '/api/config',
  '/api/config/*',
  // The fleet view reads the peers with the peer token: it must not hand their data to anyone.
  '/api/fleet',
  '/api/fleet/*',
];

export function createApp(deps: ApiDeps, options: CreateAppOptions = {}): ApiApp {
  const logger = componentLogger(deps.logger, 'api');
  const scoped: ApiDeps = { ...deps, logger };
  const app = new OpenAPIHono();
  const streams = new EventStreams();

  app.onError(onError(logger));
  app.notFound(notFound);
  app.use(
    secureHeaders({
      contentSecurityPolicy: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        fontSrc: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'none'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
      },
      // autoheal serves plain HTTP; HSTS would only matter behind a TLS proxy, which sets its own.
      strictTransportSecurity: false,
      xFrameOptions: 'DENY',
    }),
  );

  const now = deps.now === undefined ? Date.now : () => (deps.now as () => Date)().getTime();
  const authenticator = new Authenticator(
    { change: deps.token, read: deps.readToken ?? null },
    new AuthThrottle({ now }),
  );
  const sessions = new Sessions({ now });
  const readsNeed = readsNeedToken(deps.settings);
  const auth = authenticator.requireChange();
  const read = requireRead(authenticator, sessions, readsNeed);

  // Every route, the UI's files included: a page of another site must not read this one.
  app.use(hostCheck(deps.settings));
  for (const path of READ_PATHS) {
    app.use(path, async (c, next) =>
      c.req.method === 'GET' || c.req.method === 'HEAD' ? read(c, next) : next(),
    );
  }
  const limit = bodyLimit({
    maxSize: MAX_BODY_BYTES,
    onError: (c) => errorResponse(c, 413, `body: must be at most ${MAX_BODY_BYTES} bytes`),
  });

  registerHealthRoutes(app, scoped);
  registerContainerRoutes(app, scoped, auth);
  registerSessionRoutes(app, authenticator, sessions, readsNeed);
  registerEventRoutes(app, scoped, streams, {
    ...(options.heartbeatMs !== undefined && { heartbeatMs: options.heartbeatMs }),
    ...(options.writeDeadlineMs !== undefined && { writeDeadlineMs: options.writeDeadlineMs }),
  });
  registerConfigRoutes(app, scoped, auth, limit);
  registerMaintenanceRoutes(app, scoped, auth, limit);
  registerNotificationRoutes(app, scoped, auth);
  registerOpenApiRoute(app, deps.version);
  if (deps.fleet)
    app.route('/api/fleet', fleetRoutes(deps.fleet, scoped, streams, options.heartbeatMs ?? 15_000));

  const webDir = deps.webDir;
  if (webDir !== undefined && existsSync(webDir) && statSync(webDir).isDirectory()) {
    registerWebRoutes(app, webDir);
  }

  return { app, closeStreams: () => streams.closeAll(), openStreams: () => streams.size };
}
