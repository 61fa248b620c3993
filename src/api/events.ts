/**
 * `/api/events`: the audit trail newest first with filters and `before_id` paging, and
 * `/api/events/stream`, the same events live over server-sent events with `Last-Event-ID`
 * replay. Open streams are registered so a shutdown can end them instead of hanging.
 */
import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { type SSEStreamingApi, streamSSE } from 'hono/streaming';
import type { AuditEvent } from '../store/types.js';
import { ApiError } from './errors.js';
import { documented, errors, json } from './openapi.js';
import {
  DEFAULT_EVENTS_LIMIT,
  eventsQuerySchema,
  eventsResponseSchema,
  streamQuerySchema,
} from './schemas.js';
import type { ApiDeps } from './types.js';
import { readQuery } from './validate.js';

/** How many events a reconnecting client is replayed at most. */
export const REPLAY_MAX = 1000;
/** Events queued for one slow client before it is cut off (it reconnects with Last-Event-ID). */
const STREAM_BACKLOG_MAX = 1000;
/** Concurrent streams; a browser tab holds one. */
export const MAX_OPEN_STREAMS = 256;

export interface EventStreamOptions {
  heartbeatMs?: number;
}

/** The open SSE streams; `closeAll` ends every one of them (shutdown). */
export class EventStreams {
  readonly #open = new Set<() => void>();
  #closed = false;

  get size(): number {
    return this.#open.size;
  }

  get closed(): boolean {
    return this.#closed;
  }

  add(end: () => void): void {
    this.#open.add(end);
  }

  delete(end: () => void): void {
    this.#open.delete(end);
  }

  /** Ends every open stream and refuses new ones. */
  closeAll(): void {
    this.#closed = true;
    for (const end of [...this.#open]) end();
  }
}

function parseLastEventId(c: Context): number | null {
  const query = readQuery(c, streamQuerySchema);
  const header = c.req.header('last-event-id');
  if (header !== undefined && header.trim() !== '') {
    const value = header.trim();
    if (!/^[0-9]{1,16}$/.test(value) || !Number.isSafeInteger(Number(value))) {
      throw new ApiError(400, 'Last-Event-ID: must be a whole number (the id of the last event received)');
    }
    return Number(value);
  }
  return query.last_event_id ?? null;
}

async function pump(
  stream: SSEStreamingApi,
  deps: ApiDeps,
  streams: EventStreams,
  afterId: number | null,
  heartbeatMs: number,
): Promise<void> {
  const backlog: AuditEvent[] = [];
  // An id beyond the newest event is from before the store started over (a corrupt file
  // was set aside): filtering on it would hide every new event, so it is ignored.
  const newestId = deps.store.list({ limit: 1 })[0]?.id ?? 0;
  if (afterId !== null && afterId > newestId) afterId = null;
  let lastSentId = afterId ?? 0;
  let heartbeatDue = false;
  let ended = false;
  let wake: (() => void) | null = null;
  const poke = (): void => {
    const w = wake;
    wake = null;
    w?.();
  };

  const unsubscribe = deps.store.subscribe((event) => {
    if (ended) return;
    // The backlog may still hold the replay; only what piles up on top of it counts.
    if (backlog.length >= REPLAY_MAX + STREAM_BACKLOG_MAX) {
      deps.logger.warn('an event stream client is too slow; closing its stream (it may reconnect)');
      end();
      // The pump may be stuck in a write the client never reads: cut the connection too.
      stream.abort();
      return;
    }
    backlog.push(event);
    poke();
  });
  // Subscribed and listed in the same tick: no event can fall between the two.
  if (afterId !== null) backlog.unshift(...deps.store.list({ afterId, limit: REPLAY_MAX }).reverse());

  const heartbeat = setInterval(() => {
    heartbeatDue = true;
    poke();
  }, heartbeatMs);
  heartbeat.unref();

  function end(): void {
    if (ended) return;
    ended = true;
    unsubscribe();
    clearInterval(heartbeat);
    streams.delete(end);
    poke();
  }
  streams.add(end);
  stream.onAbort(end);
  if (streams.closed) end();

  await stream.write(': connected\n\n');
  while (!ended) {
    const event = backlog.shift();
    if (event !== undefined) {
      if (event.id <= lastSentId) continue;
      await stream.writeSSE({ event: 'audit', id: String(event.id), data: JSON.stringify(event) });
      lastSentId = event.id;
    } else if (heartbeatDue) {
      heartbeatDue = false;
      await stream.write(': heartbeat\n\n');
    } else {
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
    }
    if (stream.aborted) end();
  }
}

export function registerEventRoutes(
  app: OpenAPIHono,
  deps: ApiDeps,
  streams: EventStreams,
  options: EventStreamOptions = {},
): void {
  const heartbeatMs = options.heartbeatMs ?? 15_000;

  const list = createRoute({
    method: 'get',
    path: '/api/events',
    summary: 'Audit events, newest first',
    request: { query: eventsQuerySchema },
    responses: { 200: json('One page of events.', eventsResponseSchema), ...errors([400]) },
  });
  documented(app, list, (c) => {
    const q = readQuery(c, eventsQuerySchema);
    const limit = q.limit ?? DEFAULT_EVENTS_LIMIT;
    // One more than asked tells whether an older page exists.
    const found = deps.store.list({
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
      ...errors([400, 429], { 429: `Too many open streams (at most ${MAX_OPEN_STREAMS}).` }),
    },
  });
  documented(app, stream, (c) => {
    const afterId = parseLastEventId(c);
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
    c.header('X-Accel-Buffering', 'no');
    return streamSSE(
      c,
      (stream) => pump(stream, deps, streams, afterId, heartbeatMs),
      async (err) => {
        deps.logger.warn({ err }, 'an event stream failed');
      },
    );
  });
}
