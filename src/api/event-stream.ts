import type { Context } from 'hono';
import type { SSEStreamingApi } from 'hono/streaming';
import type { AuditEvent } from '../store/types.js';
import { ApiError } from './errors.js';
import { streamQuerySchema } from './schemas.js';
import type { ApiDeps } from './types.js';
import { readQuery } from './validate.js';

/** How many events a reconnecting client is replayed at most. */
export const REPLAY_MAX = 1000;
/** Events queued for one slow client before it is cut off (it reconnects with Last-Event-ID). */
export const STREAM_BACKLOG_MAX = 1000;
/** Concurrent streams; a browser tab holds one. */
export const MAX_OPEN_STREAMS = 256;
/**
 * Concurrent streams one client address may open without a valid token (reads open on
 * loopback). A request with a token is never held to it: behind a published port or a
 * proxy every client has the same address.
 */
export const MAX_STREAMS_PER_ADDRESS = 8;
/** How long one write may wait for a client that stopped reading before its stream is ended. */
export const WRITE_DEADLINE_MS = 30_000;

export interface EventStreamOptions {
  heartbeatMs?: number;
  writeDeadlineMs?: number;
}

/** The open SSE streams; `closeAll` ends every one of them (shutdown). */
export class EventStreams {
  readonly #open = new Map<() => void, string | null>();
  readonly #anonymousByAddress = new Map<string, number>();
  #closed = false;

  get size(): number {
    return this.#open.size;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Streams open from `address` without a token. */
  anonymousFrom(address: string): number {
    return this.#anonymousByAddress.get(address) ?? 0;
  }

  /** `anonymousAddress`: the client's address when the stream was opened without a token. */
  add(end: () => void, anonymousAddress: string | null = null): void {
    this.#open.set(end, anonymousAddress);
    if (anonymousAddress !== null) {
      this.#anonymousByAddress.set(anonymousAddress, this.anonymousFrom(anonymousAddress) + 1);
    }
  }

  delete(end: () => void): void {
    if (!this.#open.has(end)) return;
    const address = this.#open.get(end) ?? null;
    this.#open.delete(end);
    if (address === null) return;
    const left = this.anonymousFrom(address) - 1;
    if (left > 0) this.#anonymousByAddress.set(address, left);
    else this.#anonymousByAddress.delete(address);
  }

  /** Ends every open stream and refuses new ones. */
  closeAll(): void {
    this.#closed = true;
    for (const end of [...this.#open.keys()]) end();
  }
}

/** Where a client resumes: after an id, within the epoch it was given (if it says). */
export function parseResume(c: Context): { afterId: number | null; epoch: string | null } {
  const query = readQuery(c, streamQuerySchema);
  return { afterId: parseLastEventId(c, query.last_event_id ?? null), epoch: query.epoch ?? null };
}

function parseLastEventId(c: Context, fromQuery: number | null): number | null {
  const header = c.req.header('last-event-id');
  if (header !== undefined && header.trim() !== '') {
    const value = header.trim();
    if (!/^[0-9]{1,16}$/.test(value) || !Number.isSafeInteger(Number(value))) {
      throw new ApiError(400, 'Last-Event-ID: must be a whole number (the id of the last event received)');
    }
    return Number(value);
  }
  return fromQuery;
}

export interface PumpOptions {
  afterId: number | null;
  /** The store epoch the client last saw, if it says. */
  epoch: string | null;
  heartbeatMs: number;
  writeDeadlineMs: number;
  /** The client's address when it has no token (it counts against the per-address limit). */
  anonymousAddress: string | null;
  /** Ends the stream and its connection (a client that stopped reading never sees an end). */
  cut: () => void;
}

/** Resolves true when `write` finished in time, false when the deadline passed first. */
async function withinDeadline(write: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([write.then(() => true), expired]);
  } finally {
    clearTimeout(timer);
  }
}

export async function pump(
  stream: SSEStreamingApi,
  deps: ApiDeps,
  streams: EventStreams,
  options: PumpOptions,
): Promise<void> {
  const backlog: AuditEvent[] = [];
  const epoch = deps.store.epoch();
  let afterId = options.afterId;
  // An id from another epoch, or beyond the newest event, is from before the store started
  // over (a corrupt file was set aside): filtering on it would hide every new event.
  const newestId = deps.store.latestId();
  if (afterId !== null && ((options.epoch !== null && options.epoch !== epoch) || afterId > newestId)) {
    afterId = null;
  }
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
      options.cut();
      return;
    }
    backlog.push(event);
    poke();
  });
  // Subscribed before the replay is read: an event appended meanwhile is in both, and the
  // id check below sends it once, in order.
  if (afterId !== null) backlog.unshift(...(await deps.store.find({ afterId, limit: REPLAY_MAX })).reverse());

  const heartbeat = setInterval(() => {
    heartbeatDue = true;
    poke();
  }, options.heartbeatMs);
  heartbeat.unref();

  function end(): void {
    if (ended) return;
    ended = true;
    unsubscribe();
    clearInterval(heartbeat);
    streams.delete(end);
    poke();
  }
  streams.add(end, options.anonymousAddress);
  stream.onAbort(end);
  if (streams.closed) end();

  // A client that stopped reading blocks a write for good (its socket buffer is full): the
  // deadline ends such a stream so it does not hold a slot forever.
  const write = async (written: Promise<unknown>): Promise<void> => {
    if (await withinDeadline(written, options.writeDeadlineMs)) return;
    deps.logger.warn(
      { deadline_ms: options.writeDeadlineMs },
      'an event stream client stopped reading; closing its stream',
    );
    end();
    options.cut();
  };

  await write(stream.write(': connected\n\n'));
  // First, always: a client that last saw another epoch drops what it holds and starts over.
  await write(stream.writeSSE({ event: 'epoch', data: JSON.stringify({ epoch }) }));
  while (!ended) {
    const event = backlog.shift();
    if (event !== undefined) {
      if (event.id <= lastSentId) continue;
      await write(stream.writeSSE({ event: 'audit', id: String(event.id), data: JSON.stringify(event) }));
      lastSentId = event.id;
    } else if (heartbeatDue) {
      heartbeatDue = false;
      await write(stream.write(': heartbeat\n\n'));
    } else {
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
    }
    if (stream.aborted) end();
  }
}
