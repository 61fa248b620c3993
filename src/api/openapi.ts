/**
 * `GET /api/openapi.json`: an OpenAPI 3.1 document built from the same zod schemas the
 * handlers validate with (zod's JSON Schema output is JSON Schema 2020-12, which is
 * OpenAPI 3.1's schema dialect).
 */
import type { Hono } from 'hono';
import { z } from 'zod';
import type { ListName } from '../store/types.js';
import {
  addEntryBodySchema,
  configResponseSchema,
  containerRefSchema,
  containersResponseSchema,
  containerViewSchema,
  errorSchema,
  eventsQuerySchema,
  eventsResponseSchema,
  healthResponseSchema,
  LIST_NAMES,
  listEntrySchema,
  listResponseSchema,
  maintenanceBodySchema,
  maintenanceViewSchema,
  notificationTestResponseSchema,
  replaceListBodySchema,
  resetResponseSchema,
  restartResponseSchema,
  sessionResponseSchema,
  silenceBodySchema,
  streamQuerySchema,
} from './schemas.js';
import { MAX_BODY_BYTES } from './validate.js';

type Json = Record<string, unknown>;

interface Operation {
  method: 'get' | 'put' | 'post' | 'delete';
  path: string;
  summary: string;
  auth?: boolean;
  pathParams?: Record<string, z.ZodType>;
  query?: z.ZodObject;
  body?: z.ZodType;
  responses: Record<number, { description: string; schema?: z.ZodType; contentType?: string }>;
}

const components: Record<string, Json> = {};

/** JSON Schema of a zod schema; shared definitions (`.meta({id})`) move to components. */
function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): Json {
  const { $schema: _drop, $defs, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as Json;
  if ($defs && typeof $defs === 'object') Object.assign(components, relink($defs) as Json);
  return relink(rest) as Json;
}

function relink(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(relink);
  if (value === null || typeof value !== 'object') return value;
  const out: Json = {};
  for (const [k, v] of Object.entries(value)) {
    out[k] =
      k === '$ref' && typeof v === 'string' ? v.replace('#/$defs/', '#/components/schemas/') : relink(v);
  }
  return out;
}

const errorResponses = {
  400: 'Malformed JSON, wrong shape, or a bad parameter; the message names the field.',
  401: 'No or wrong bearer token (with `WWW-Authenticate: Bearer`).',
  404: 'No such container or entry.',
  409: 'The entry comes from configuration (AUTOHEAL_EXCLUDE).',
  413: `Body over ${MAX_BODY_BYTES} bytes.`,
  415: 'Body not sent as application/json.',
  502: "The engine refused or failed the restart; the message carries the engine's error, `event` the `restart`/`failed` audit event.",
  503: 'The Docker engine is unreachable.',
} as const;

function err(code: keyof typeof errorResponses) {
  return { [code]: { description: errorResponses[code], schema: errorSchema } };
}

function listOperations(list: ListName): Operation[] {
  const path = `/api/config/${list}`;
  const view = listResponseSchema(list);
  const bodyErrors = { ...err(400), ...err(401), ...err(413), ...err(415) };
  return [
    {
      method: 'get',
      path,
      summary: `The ${list} list`,
      responses: { 200: { description: 'The list.', schema: view } },
    },
    {
      method: 'put',
      path,
      summary: `Replace the API-managed ${list} list (duplicates are dropped)`,
      auth: true,
      body: replaceListBodySchema(list),
      responses: { 200: { description: 'Replaced; the list as GET shows it.', schema: view }, ...bodyErrors },
    },
    {
      method: 'post',
      path,
      summary: `Add one entry to the ${list} list`,
      auth: true,
      body: addEntryBodySchema,
      responses: {
        201: { description: 'Added.', schema: view },
        200: { description: 'Already present; nothing changed.', schema: view },
        ...bodyErrors,
      },
    },
    {
      method: 'delete',
      path: `${path}/{name}`,
      summary: `Remove one entry from the ${list} list`,
      auth: true,
      pathParams: { name: listEntrySchema },
      responses: {
        200: { description: 'Removed.', schema: view },
        ...err(400),
        ...err(401),
        ...err(404),
        ...(list === 'excluded' ? err(409) : {}),
      },
    },
  ];
}

const OPERATIONS: Operation[] = [
  {
    method: 'get',
    path: '/api/health',
    summary: 'Liveness and the engine connection',
    responses: {
      200: { description: 'Connected to the engine.', schema: healthResponseSchema },
      503: {
        description: 'Degraded: the engine is unreachable (same body, status `degraded`).',
        schema: healthResponseSchema,
      },
    },
  },
  {
    method: 'get',
    path: '/api/containers',
    summary: 'Every container the engine has, with autoheal’s verdict',
    responses: { 200: { description: 'The containers.', schema: containersResponseSchema }, ...err(503) },
  },
  {
    method: 'get',
    path: '/api/containers/{ref}',
    summary: 'One container by name, full id or id prefix (at least 12 hex characters)',
    pathParams: { ref: containerRefSchema },
    responses: {
      200: { description: 'The container.', schema: containerViewSchema },
      ...err(400),
      ...err(404),
      ...err(503),
    },
  },
  {
    method: 'post',
    path: '/api/containers/{ref}/restart',
    summary: 'Restart now (recorded with details.trigger "api")',
    auth: true,
    pathParams: { ref: containerRefSchema },
    responses: {
      200: { description: 'Done; the `restart` (or `skipped`) audit event.', schema: restartResponseSchema },
      ...err(400),
      ...err(401),
      ...err(404),
      ...err(502),
      ...err(503),
    },
  },
  {
    method: 'post',
    path: '/api/containers/{ref}/reset',
    summary: 'Re-arm a container autoheal gave up on',
    auth: true,
    pathParams: { ref: containerRefSchema },
    responses: {
      200: { description: 'Whether it had been given up on.', schema: resetResponseSchema },
      ...err(400),
      ...err(401),
      ...err(404),
      ...err(503),
    },
  },
  {
    method: 'post',
    path: '/api/containers/{ref}/silence',
    summary:
      'Silence one container: no heal and no notification until the time is up (audit `skipped`/`silenced`, once per unhealthy spell)',
    auth: true,
    pathParams: { ref: containerRefSchema },
    body: silenceBodySchema,
    responses: {
      200: { description: 'Silenced; the container with its `silenced_until`.', schema: containerViewSchema },
      ...err(400),
      ...err(401),
      ...err(404),
      ...err(413),
      ...err(415),
      ...err(503),
    },
  },
  {
    method: 'delete',
    path: '/api/containers/{ref}/silence',
    summary: 'End a container’s silence now; what is still unhealthy is healed at once',
    auth: true,
    pathParams: { ref: containerRefSchema },
    responses: {
      200: { description: 'Ended; the container.', schema: containerViewSchema },
      ...err(400),
      ...err(401),
      404: { description: 'No such container, or it is not silenced.', schema: errorSchema },
      ...err(503),
    },
  },
  {
    method: 'get',
    path: '/api/maintenance',
    summary: 'The maintenance window: whether it is on, until when, and why',
    responses: { 200: { description: 'The window.', schema: maintenanceViewSchema } },
  },
  {
    method: 'post',
    path: '/api/maintenance',
    summary:
      'Start (or extend) maintenance: autoheal records but takes no action (audit `skipped`/`maintenance`, once per unhealthy spell) and ends it by itself',
    auth: true,
    body: maintenanceBodySchema,
    responses: {
      200: { description: 'Started; the window.', schema: maintenanceViewSchema },
      ...err(400),
      ...err(401),
      ...err(413),
      ...err(415),
    },
  },
  {
    method: 'delete',
    path: '/api/maintenance',
    summary: 'End maintenance now; what is still unhealthy is healed at once',
    auth: true,
    responses: {
      200: { description: 'Ended; the window (now off).', schema: maintenanceViewSchema },
      ...err(401),
      404: { description: 'No maintenance window is on.', schema: errorSchema },
    },
  },
  {
    method: 'post',
    path: '/api/notifications/test',
    summary: 'Send a test message through every configured channel (webhook, Apprise), once each',
    auth: true,
    responses: {
      200: { description: 'Each channel’s result.', schema: notificationTestResponseSchema },
      ...err(401),
    },
  },
  {
    method: 'get',
    path: '/api/events',
    summary: 'Audit events, newest first',
    query: eventsQuerySchema,
    responses: { 200: { description: 'One page of events.', schema: eventsResponseSchema }, ...err(400) },
  },
  {
    method: 'get',
    path: '/api/events/stream',
    summary: 'Server-sent events: each new audit event as `event: audit`, `id: <id>`, `data: <json>`',
    query: streamQuerySchema,
    responses: {
      200: {
        description: 'An event stream; honours the Last-Event-ID header.',
        contentType: 'text/event-stream',
      },
      ...err(400),
      429: { description: 'Too many open streams.', schema: errorSchema },
    },
  },
  {
    method: 'get',
    path: '/api/config',
    summary: 'Effective settings (no secrets) and the lists',
    responses: { 200: { description: 'The configuration.', schema: configResponseSchema } },
  },
  ...LIST_NAMES.flatMap(listOperations),
  {
    method: 'get',
    path: '/api/session',
    summary: 'Whether reads need a token, and whether this browser has a session',
    responses: { 200: { description: 'The session state.', schema: sessionResponseSchema } },
  },
  {
    method: 'post',
    path: '/api/session',
    summary:
      'Exchange a token (API or read) for an HttpOnly, SameSite=Strict session cookie that authenticates reads',
    auth: true,
    responses: {
      201: { description: 'Session created; the cookie is set.', schema: sessionResponseSchema },
      401: { description: 'No token, or a wrong one.', schema: errorSchema },
      429: { description: 'Too many failed tokens from this address.', schema: errorSchema },
    },
  },
  {
    method: 'delete',
    path: '/api/session',
    summary: 'End this browser’s session',
    responses: { 204: { description: 'Ended; the cookie is cleared.' } },
  },
  {
    method: 'get',
    path: '/metrics',
    summary: 'Prometheus metrics',
    responses: { 200: { description: 'Text exposition format 0.0.4.', contentType: 'text/plain' } },
  },
];

function operationObject(op: Operation): Json {
  const parameters: Json[] = [];
  for (const [name, schema] of Object.entries(op.pathParams ?? {})) {
    parameters.push({ name, in: 'path', required: true, schema: jsonSchema(schema, 'input') });
  }
  if (op.query) {
    for (const [name, schema] of Object.entries(op.query.shape)) {
      const s = jsonSchema(schema as z.ZodType, 'input');
      const { description, ...rest } = s;
      parameters.push({
        name,
        in: 'query',
        required: false,
        ...(description ? { description } : {}),
        schema: rest,
      });
    }
  }
  if (op.path === '/api/events/stream') {
    parameters.push({
      name: 'Last-Event-ID',
      in: 'header',
      required: false,
      description: 'Replay the events after this id first.',
      schema: { type: 'string', pattern: '^[0-9]{1,16}$' },
    });
  }
  const responses: Json = {};
  for (const [code, r] of Object.entries(op.responses)) {
    const contentType = r.contentType ?? 'application/json';
    responses[code] = {
      description: r.description,
      ...(r.schema
        ? { content: { [contentType]: { schema: jsonSchema(r.schema, 'output') } } }
        : { content: { [contentType]: { schema: { type: 'string' } } } }),
    };
  }
  return {
    summary: op.summary,
    ...(parameters.length > 0 ? { parameters } : {}),
    ...(op.body
      ? {
          requestBody: {
            required: true,
            content: { 'application/json': { schema: jsonSchema(op.body, 'input') } },
          },
        }
      : {}),
    ...(op.auth ? { security: [{ bearer: [] }] } : {}),
    responses,
  };
}

export function buildOpenApiDocument(version: string): Json {
  const paths: Record<string, Json> = {};
  for (const op of OPERATIONS) {
    const entry = paths[op.path] ?? {};
    entry[op.method] = operationObject(op);
    paths[op.path] = entry;
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'autoheal',
      version,
      description:
        'Container auto-heal supervisor for Docker. Reads need a token (the API or the read token, or a session cookie from POST /api/session) when autoheal listens on a non-loopback address, unless AUTOHEAL_API_READ_AUTH=false; /api/health and /metrics are always open. Every change needs `Authorization: Bearer <API token>`. Errors are `{"error": "<what is wrong>"}`.',
    },
    paths,
    components: {
      schemas: { ...components },
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
    },
  };
}

export function registerOpenApiRoute(app: Hono, version: string): void {
  const document = buildOpenApiDocument(version);
  app.get('/api/openapi.json', (c) => c.json(document));
}
