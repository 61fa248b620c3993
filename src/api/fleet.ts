/**
 * `/api/fleet`: the read-only fan-in over this autoheal and its peers (`AUTOHEAL_PEERS`):
 * the hosts with their state, every container and every event with its host, and one SSE
 * stream of every host's live events. A sub-app mounted by `createApp`; it changes nothing.
 */
import { Hono } from 'hono';
import { streamSSE } from 'hono/streaming';
import type { Fleet } from '../fleet/fleet.js';
import { ApiError, onError } from './errors.js';
import { type EventStreams, MAX_OPEN_STREAMS } from './event-stream.js';
import { DEFAULT_EVENTS_LIMIT, eventsQuerySchema } from './schemas.js';
import type { ApiDeps } from './types.js';
import { readQuery } from './validate.js';

/** Paging by id is per host; across hosts a page is "the newest `limit` since `since`". */
const fleetEventsQuerySchema = eventsQuerySchema.omit({ before_id: true });

export function fleetRoutes(fleet: Fleet, deps: ApiDeps, streams: EventStreams, heartbeatMs: number): Hono {
  const app = new Hono();
  app.onError(onError(deps.logger));

  app.get('/', async (c) => c.json(await fleet.hosts()));

  app.get('/containers', async (c) => c.json(await fleet.containers()));

  app.get('/events', async (c) => {
    const q = readQuery(c, fleetEventsQuerySchema);
    return c.json(
      await fleet.events({
        limit: q.limit ?? DEFAULT_EVENTS_LIMIT,
        ...(q.type !== undefined && { type: q.type }),
        ...(q.container !== undefined && { container: q.container }),
        ...(q.since !== undefined && { since: new Date(q.since).toISOString() }),
      }),
    );
  });

  app.get('/events/stream', (c) => {
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
      async (stream) => {
        const controller = new AbortController();
        const end = () => controller.abort();
        streams.add(end);
        stream.onAbort(end);
        if (streams.closed) end();
        // Writes are chained so items keep their order; a failed write ends the stream.
        let writing: Promise<void> = stream.write(': connected\n\n').then(() => {});
        const write = (event: string, data: unknown) => {
          writing = writing.then(() => stream.writeSSE({ event, data: JSON.stringify(data) })).catch(end);
        };
        const heartbeat = setInterval(() => {
          writing = writing.then(() => stream.write(': heartbeat\n\n')).then(() => {}, end);
        }, heartbeatMs);
        heartbeat.unref();
        try {
          await fleet.follow((item) => {
            if (item.kind === 'audit') write('audit', item.event);
            else write('host', item.host);
          }, controller.signal);
        } finally {
          clearInterval(heartbeat);
          streams.delete(end);
          await writing;
        }
      },
      async (err) => {
        deps.logger.warn({ err }, 'a fleet event stream failed');
      },
    );
  });

  return app;
}
