/**
 * Reading one peer autoheal over its HTTP API: who it is (`/api/health`), its containers,
 * its events and its live stream, always with `Authorization: Bearer <peer token>` (its
 * read-only token). Answers are checked before use: a peer is another program, and a
 * wrong answer becomes an error in the fleet view, not a broken page.
 */
import { createParser } from 'eventsource-parser';
import { z } from 'zod';
import type { AuditEvent } from '../store/types.js';
import type { ContainerView } from '../supervisor/types.js';
import { errorText, NoAnswerError } from './gather.js';
import type { FleetEventQuery, HostIdentity, HostSource } from './types.js';

/** How long a peer may take to start its stream, and stay silent on it (it sends heartbeats). */
const STREAM_CONNECT_MS = 2_000;
const STREAM_SILENCE_MS = 45_000;

const healthSchema = z.object({
  version: z.string(),
  docker: z.object({ connected: z.boolean() }),
  host: z.string().min(1).optional(),
  public_url: z.string().nullable().optional(),
});

const containerSchema = z.looseObject({
  id: z.string(),
  name: z.string(),
  image: z.string(),
  state: z.string(),
  health: z.string(),
  monitored: z.boolean(),
  excluded: z.boolean(),
  gave_up: z.boolean(),
  restart_count: z.number(),
  last_restart_at: z.string().nullable(),
  enrolled_by: z.string().nullable(),
  labels: z.record(z.string(), z.string()),
});
const containersSchema = z.object({ containers: z.array(containerSchema) });

const eventSchema = z.looseObject({
  id: z.number().int(),
  timestamp: z.string(),
  event_type: z.string(),
  container_id: z.string().nullable(),
  container_name: z.string().nullable(),
  status: z.string(),
  message: z.string(),
  restart_count: z.number().nullable(),
  details: z.record(z.string(), z.unknown()),
});
const eventsSchema = z.object({ events: z.array(eventSchema) });

/** A link the fleet view may offer: http(s) only (a peer's `javascript:` URL must never become one). */
export function safeLink(url: string | null | undefined): string | null {
  if (typeof url !== 'string') return null;
  try {
    const u = new URL(url);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.href : null;
  } catch {
    return null;
  }
}

/** Why a request failed, in words an operator can act on. */
function failure(url: string, err: unknown, signal: AbortSignal): Error {
  if (signal.aborted && signal.reason instanceof Error) return signal.reason;
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  const reason = cause?.code ?? cause?.message ?? errorText(err);
  return new Error(`cannot reach ${url}: ${reason}`);
}

export class PeerHost implements HostSource {
  readonly self = false;
  readonly url: string;
  readonly #token: string | null;
  readonly #fetch: typeof fetch;

  constructor(url: string, token: string | null, fetchImpl: typeof fetch = fetch) {
    this.url = url;
    this.#token = token;
    this.#fetch = fetchImpl;
  }

  #headers(accept: string): Record<string, string> {
    const headers: Record<string, string> = { Accept: accept };
    if (this.#token !== null) headers.Authorization = `Bearer ${this.#token}`;
    return headers;
  }

  async #get<T>(path: string, schema: z.ZodType<T>, signal: AbortSignal, okStatuses = [200]): Promise<T> {
    let res: Response;
    try {
      res = await this.#fetch(`${this.url}${path}`, { headers: this.#headers('application/json'), signal });
    } catch (err) {
      throw failure(this.url, err, signal);
    }
    let body: unknown;
    try {
      body = await res.json();
    } catch (err) {
      if (signal.aborted) throw failure(this.url, err, signal);
      throw new Error(`${this.url}${path} answered HTTP ${res.status} without JSON: is it an autoheal?`);
    }
    if (!okStatuses.includes(res.status)) {
      const message = (body as { error?: unknown } | null)?.error;
      throw new Error(
        `${this.url}${path} answered HTTP ${res.status}${typeof message === 'string' ? `: ${message.slice(0, 200)}` : ''}`,
      );
    }
    const parsed = schema.safeParse(body);
    if (!parsed.success) throw new Error(`${this.url}${path} answered JSON that is not autoheal's`);
    return parsed.data;
  }

  async identity(signal: AbortSignal): Promise<HostIdentity> {
    // 503 is autoheal's "up, but the engine is unreachable": still an answer.
    const h = await this.#get('/api/health', healthSchema, signal, [200, 503]);
    return {
      host: h.host ?? new URL(this.url).host,
      version: h.version,
      publicUrl: safeLink(h.public_url),
      engineConnected: h.docker.connected,
    };
  }

  async containers(signal: AbortSignal): Promise<ContainerView[]> {
    // Checked field by field; `health`, `enrolled_by` and `event_type` stay plain strings so a
    // newer peer with a new value is shown as it is instead of being refused, hence the casts.
    return (await this.#get('/api/containers', containersSchema, signal))
      .containers as unknown as ContainerView[];
  }

  async events(query: FleetEventQuery, signal: AbortSignal): Promise<AuditEvent[]> {
    const params = new URLSearchParams({ limit: String(query.limit) });
    if (query.type !== undefined) params.set('type', query.type);
    if (query.container !== undefined) params.set('container', query.container);
    if (query.since !== undefined) params.set('since', query.since);
    return (await this.#get(`/api/events?${params}`, eventsSchema, signal)).events as unknown as AuditEvent[];
  }

  async follow(
    onEvent: (event: AuditEvent) => void,
    afterId: number | null,
    signal: AbortSignal,
  ): Promise<void> {
    const controller = new AbortController();
    const stop = () => controller.abort(signal.reason);
    signal.addEventListener('abort', stop, { once: true });
    let watchdog = setTimeout(
      () => controller.abort(new NoAnswerError(STREAM_CONNECT_MS)),
      STREAM_CONNECT_MS,
    );
    const quiet = () => {
      clearTimeout(watchdog);
      watchdog = setTimeout(
        () => controller.abort(new Error(`the event stream of ${this.url} went silent`)),
        STREAM_SILENCE_MS,
      );
    };
    try {
      const headers = this.#headers('text/event-stream');
      if (afterId !== null) headers['Last-Event-ID'] = String(afterId);
      let res: Response;
      try {
        res = await this.#fetch(`${this.url}/api/events/stream`, { headers, signal: controller.signal });
      } catch (err) {
        throw failure(this.url, err, controller.signal);
      }
      if (!res.ok || res.body === null) {
        await res.body?.cancel();
        throw new Error(`${this.url}/api/events/stream answered HTTP ${res.status}`);
      }
      quiet();
      const parser = createParser({
        onEvent: (message) => {
          if (message.event !== 'audit') return;
          let json: unknown;
          try {
            json = JSON.parse(message.data);
          } catch {
            return;
          }
          const parsed = eventSchema.safeParse(json);
          if (parsed.success) onEvent(parsed.data as unknown as AuditEvent);
        },
      });
      try {
        for await (const chunk of res.body.pipeThrough(new TextDecoderStream())) {
          quiet();
          parser.feed(chunk);
        }
      } catch (err) {
        if (signal.aborted) return;
        throw failure(this.url, err, controller.signal);
      }
      if (!signal.aborted) throw new Error(`the event stream of ${this.url} ended`);
    } finally {
      clearTimeout(watchdog);
      signal.removeEventListener('abort', stop);
    }
  }
}
