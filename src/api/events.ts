/**
 * `/api/events`: the audit trail newest first with filters and `before_id` paging, and
 * `/api/events/stream`, the same events live over server-sent events with `Last-Event-ID`
 * replay. The streams themselves (registry, resume, pump) are ./event-stream.ts.
 */
import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import { streamSSE } from 'hono/streaming';
import { clientAddress, type NodeBindings } from './client-address.js';
import { ApiError } from './errors.js';
import {
  type EventStreamOptions,
  type EventStreams,
  MAX_OPEN_STREAMS,
  MAX_STREAMS_PER_ADDRESS,
  parseResume,
  pump,
  WRITE_DEADLINE_MS,
} from './event-stream.js';
import { documented, errors, json, readAuthErrors } from './openapi.js';
import {
  DEFAULT_EVENTS_LIMIT,
  eventsQuerySchema,
  eventsResponseSchema,
  streamQuerySchema,
} from './schemas.js';
import type { ApiDeps } from './types.js';
import { readQuery } from './validate.js';

export function registerEventRoutes(
  app: OpenAPIHono,
  deps: ApiDeps,
  streams: EventStreams,
  options: EventStreamOptions = {},
): void {
  const heartbeatMs = options.heartbeatMs ?? 15_000;
  const writeDeadlineMs = options.writeDeadlineMs ?? WRITE_DEADLINE_MS;

  const list = createRoute({
    method: 'get',
    path: '/api/events',
    summary: 'Audit events, newest first',
    request: { query: eventsQuerySchema },
    responses: {
      200: json('One page of events.', eventsResponseSchema),
      ...errors([400]),
      ...readAuthErrors(),
    },
  });
  documented(app, list, async (c) => {
    const q = readQuery(c, eventsQuerySchema);
    const limit = q.limit ?? DEFAULT_EVENTS_LIMIT;
    // One more than asked tells whether an older page exists.
    const found = await deps.store.find({
      ...(q.type !== undefined && { type: q.type }),
      ...(q.container !== undefined && { container: q.container }),
      ...(q.since !== undefined && { since: new Date(q.since).toISOString() }),
      ...(q.before_id !== undefined && { beforeId: q.before_id }),
      limit: limit + 1,
    });
    const events = found.slice(0, limit);
    const last = events.at(-1);
    return c.json({ events, next_before_id: found.length > limit && last !== undefined ? last.id : null });
  });

  const stream = createRoute({
    method: 'get',
    path: '/api/events/stream',
    summary: 'Server-sent events: each new audit event as `event: audit`, `id: <id>`, `data: <json>`',
    request: {
      query: streamQuerySchema,
      headers: z.object({
        'Last-Event-ID': z
          .string()
          .regex(/^[0-9]{1,16}$/)
          .optional()
          .meta({ description: 'Replay the events after this id first.' }),
      }),
    },
    responses: {
      200: {
        description: 'An event stream; honours the Last-Event-ID header.',
        content: { 'text/event-stream': { schema: { type: 'string' } } },
      },
      ...readAuthErrors(),
      ...errors([400, 429], {
        429: `Too many open streams (at most ${MAX_OPEN_STREAMS}, fewer per address without a token), or too many failed authentications.`,
      }),
    },
  });
  documented(app, stream, (c) => {
    const resume = parseResume(c);
    // HEAD shares GET's handler in Hono; it must not open a stream nobody will read.
    if (c.req.method === 'HEAD') {
      return c.body(null, 200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache' });
    }
    if (streams.size >= MAX_OPEN_STREAMS) {
      throw new ApiError(
        429,
        `too many open event streams (at most ${MAX_OPEN_STREAMS}); close one and retry`,
      );
    }
    // Without a token (reads open on loopback), one address may hold only a few streams.
    const anonymousAddress = c.get('access') ? null : clientAddress(c);
    if (anonymousAddress !== null && streams.anonymousFrom(anonymousAddress) >= MAX_STREAMS_PER_ADDRESS) {
      throw new ApiError(
        429,
        `too many open event streams from this address without a token (at most ${MAX_STREAMS_PER_ADDRESS}); close one, or send a token`,
      );
    }
    c.header('X-Accel-Buffering', 'no');
    const outgoing = (c.env as NodeBindings | undefined)?.outgoing;
    return streamSSE(
      c,
      (stream) =>
        pump(stream, deps, streams, {
          ...resume,
          heartbeatMs,
          writeDeadlineMs,
          anonymousAddress,
          cut: () => {
            stream.abort();
            outgoing?.destroy();
          },
        }),
      async (err) => {
        deps.logger.warn({ err }, 'an event stream failed');
      },
    );
  });
}
