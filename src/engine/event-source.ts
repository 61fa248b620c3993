/**
 * The long-lived subscription to the engine's `/events`: it opens the stream, turns its lines
 * into typed container events, and keeps it alive through outages (back-off with jitter,
 * resume with `since`, drop replayed duplicates, and a `/_ping` watchdog for a connection
 * that died without closing). (A little over ~300 lines: the stream's states and their
 * timers are one state machine; its parsing is ./events.ts and ./ndjson.ts already.)
 */
import { Socket } from 'node:net';
import type { DockerEndpoint } from '../config/settings.js';
import { type Logger, silentLogger } from '../log.js';
import { errorText } from '../shared/errors.js';
import { EngineClient, type EngineStream } from './connection.js';
import { eventKey, toContainerEvent } from './events.js';
import { NdjsonParser } from './ndjson.js';
import {
  type EngineConnectionStatus,
  type EngineEventHandlers,
  type EngineEventSource,
  SUBSCRIBED_ACTIONS,
} from './types.js';

export interface DockerEventSourceOptions {
  endpoint: DockerEndpoint;
  /** `CURL_TIMEOUT` in seconds: bounds opening the stream and each watchdog ping, never the stream itself. */
  requestTimeoutS: number;
  logger?: Logger;
  /** First retry delay; later ones double up to `backoffMaxMs`. Default 1 s. */
  backoffBaseMs?: number;
  /** Default 30 s. */
  backoffMaxMs?: number;
  /** How often `/_ping` is called while the stream is up. Default 10 s. */
  watchdogIntervalMs?: number;
  /** A ping slower than this counts as a dead engine. Default: the request timeout. */
  watchdogTimeoutMs?: number;
  /** How long the engine may take to answer the `/events` request. Default: the request timeout. */
  connectTimeoutMs?: number;
  /** How many recent event keys are remembered to drop a reconnect's replay. Default 1024. */
  recentKeys?: number;
  /** Injected for tests: [0, 1). */
  random?: () => number;
  now?: () => number;
}

/** What the engine is asked to send: container events of the actions autoheal uses. */
/** Idle time before TCP keepalive probes start on the events connection. */
const STREAM_KEEPALIVE_MS = 30_000;

/** A stream up this long counts as a recovery: the reconnect back-off starts over. */
const STABLE_STREAM_MS = 30_000;

export const EVENT_FILTERS = { type: ['container'], event: [...SUBSCRIBED_ACTIONS] } as const;

export class DockerEventSource implements EngineEventSource {
  private readonly client: EngineClient;
  private readonly log: Logger;
  private readonly backoffBaseMs: number;
  private readonly backoffMaxMs: number;
  private readonly watchdogIntervalMs: number;
  private readonly watchdogTimeoutMs: number;
  private readonly connectTimeoutMs: number;
  private readonly recentLimit: number;
  private readonly random: () => number;
  private readonly now: () => number;

  private handlers: EngineEventHandlers | null = null;
  private stopped = false;
  /** Bumped whenever the current attempt ends, so callbacks of an old one do nothing. */
  private generation = 0;
  private controller: AbortController | null = null;
  private stream: EngineStream | null = null;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private watchdogTimer: NodeJS.Timeout | undefined;
  /** Failed attempts since the last established stream: the back-off exponent. */
  private failures = 0;
  private connectedAtMs = 0;
  private everConnected = false;
  /** onDisconnected is said once per outage, not once per failed retry. */
  private outageReported = false;
  /** Engine-clock seconds: the newest event seen, and when the current/last stream began. */
  private lastEventTimeS: number | null = null;
  private streamStartS: number | null = null;
  /** Keys of recent events, oldest first (a Set keeps insertion order). */
  private readonly recent = new Set<string>();

  private connected = false;
  /** Milliseconds; formatted only when asked (`status`), not once per event. */
  private lastEventAtMs: number | null = null;
  private reconnects = 0;
  private parseErrors = 0;
  private duplicatesDropped = 0;
  private readonly eventsByAction: Record<string, number> = {};

  constructor(options: DockerEventSourceOptions) {
    this.client = new EngineClient(options.endpoint);
    this.log = options.logger ?? silentLogger();
    this.backoffBaseMs = options.backoffBaseMs ?? 1000;
    this.backoffMaxMs = Math.max(this.backoffBaseMs, options.backoffMaxMs ?? 30_000);
    this.watchdogIntervalMs = options.watchdogIntervalMs ?? 10_000;
    this.watchdogTimeoutMs = options.watchdogTimeoutMs ?? options.requestTimeoutS * 1000;
    this.connectTimeoutMs = options.connectTimeoutMs ?? options.requestTimeoutS * 1000;
    this.recentLimit = options.recentKeys ?? 1024;
    this.random = options.random ?? Math.random;
    this.now = options.now ?? Date.now;
  }

  /** Never throws: an engine that is absent is an outage, retried until `stop()`. */
  start(handlers: EngineEventHandlers): void {
    if (this.handlers !== null) throw new Error('DockerEventSource.start() was called twice');
    this.handlers = handlers;
    this.log.info({ endpoint: this.client.where }, 'subscribing to the engine event stream');
    this.connect();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.generation += 1;
    clearTimeout(this.reconnectTimer);
    clearTimeout(this.watchdogTimer);
    this.teardown();
  }

  status(): EngineConnectionStatus {
    return {
      connected: this.connected,
      lastEventAt: this.lastEventAtMs === null ? null : new Date(this.lastEventAtMs).toISOString(),
      reconnects: this.reconnects,
      parseErrors: this.parseErrors,
      duplicatesDropped: this.duplicatesDropped,
      eventsByAction: { ...this.eventsByAction },
    };
  }

  /**
   * The delay before retry number `failures` (0-based): jittered between the base and a
   * ceiling that doubles each time (2 × base for the first), capped at the maximum, so a
   * fleet of autoheals does not reconnect in step.
   */
  backoffDelayMs(failures: number): number {
    const ceiling = Math.min(this.backoffMaxMs, this.backoffBaseMs * 2 ** Math.min(failures + 1, 30));
    return Math.round(this.backoffBaseMs + this.random() * (ceiling - this.backoffBaseMs));
  }

  /**
   * Where a reconnect resumes. Every event before the lost stream began was already seen
   * (or replayed by that stream's own `since`), and so was every event up to the last one.
   * The engine counts in whole seconds and includes `since` itself: the replay of that
   * second is dropped by the recent-keys set.
   */
  private resumeSince(): number | null {
    if (!this.everConnected) return null;
    const candidates = [this.lastEventTimeS, this.streamStartS].filter((t): t is number => t !== null);
    return candidates.length > 0 ? Math.max(...candidates) : null;
  }

  private connect(): void {
    if (this.stopped) return;
    const generation = ++this.generation;
    const controller = new AbortController();
    this.controller = controller;
    const since = this.resumeSince();
    const query: Record<string, number | object> = { filters: EVENT_FILTERS };
    if (since !== null) query.since = since;
    this.log.debug({ since }, 'opening the event stream');
    // No deadline once the headers are in: a quiet host sends nothing for hours.
    this.client
      .request({
        method: 'GET',
        path: '/events',
        query,
        ok: [200],
        timeoutMs: this.connectTimeoutMs,
        signal: controller.signal,
        stream: true,
      })
      .then(
        (stream) => {
          if (generation !== this.generation) {
            stream.destroy();
            return;
          }
          this.established(generation, stream);
        },
        (err: unknown) => this.lost(generation, errorText(err)),
      );
  }

  private established(generation: number, stream: EngineStream): void {
    this.stream = stream;
    this.connected = true;
    this.connectedAtMs = this.now();
    this.outageReported = false;
    const reconnect = this.everConnected;
    if (reconnect) this.reconnects += 1;
    this.everConnected = true;
    this.streamStartS = this.engineNowS(stream);
    // The watchdog pings over a new connection, so it cannot see this one die silently
    // (a NAT or proxy dropping an idle TCP flow); TCP keepalive probes can.
    const socket = (stream as { socket?: unknown }).socket;
    if (socket instanceof Socket) socket.setKeepAlive(true, STREAM_KEEPALIVE_MS);

    const parser = new NdjsonParser({
      onValue: (value, line) => this.handleMessage(value, line),
      onError: (e) => {
        this.parseErrors += 1;
        this.log.warn(
          { reason: e.reason, sample: e.sample },
          'skipped a line of the event stream that does not parse',
        );
      },
    });
    stream.on('data', (chunk: unknown) => {
      if (generation !== this.generation) return;
      if (Buffer.isBuffer(chunk) || typeof chunk === 'string') parser.push(chunk);
    });
    stream.on('end', () => {
      if (generation !== this.generation) return;
      parser.end();
      this.lost(generation, 'the engine ended the event stream');
    });
    stream.on('error', (err: unknown) => this.lost(generation, errorText(err)));
    stream.on('close', () => this.lost(generation, 'the event stream was closed'));

    this.log.info({ reconnect, lastEventTime: this.lastEventTimeS }, 'event stream connected');
    this.safely('onConnected', () => this.handlers?.onConnected({ reconnect }));
    this.scheduleWatchdog(generation);
  }

  /** The engine's clock at the response (its `Date` header), so `since` never mixes clocks. */
  private engineNowS(stream: EngineStream): number {
    const date = stream.headers?.date;
    const parsed = typeof date === 'string' ? Date.parse(date) : Number.NaN;
    return Math.floor((Number.isFinite(parsed) ? parsed : this.now()) / 1000);
  }

  private handleMessage(value: unknown, line: string): void {
    const event = toContainerEvent(value, line);
    if (event === null) {
      this.log.debug(
        { line: line.slice(0, 200) },
        'ignored an engine message that is not a container event autoheal uses',
      );
      return;
    }
    const key = eventKey(event);
    if (this.recent.has(key)) {
      this.duplicatesDropped += 1;
      this.log.debug(
        { container: event.name, action: event.action, timeNano: event.timeNano },
        'dropped a replayed event',
      );
      return;
    }
    this.remember(key);
    this.lastEventTimeS = Math.max(this.lastEventTimeS ?? 0, event.time);
    this.lastEventAtMs = this.now();
    const label = event.health ? `health_status: ${event.health}` : event.action;
    this.eventsByAction[label] = (this.eventsByAction[label] ?? 0) + 1;
    this.log.debug({ container: event.name, action: label }, 'container event');
    this.safely('onEvent', () => this.handlers?.onEvent(event));
  }

  private remember(key: string): void {
    this.recent.add(key);
    while (this.recent.size > this.recentLimit) {
      const oldest = this.recent.values().next();
      if (oldest.done) break;
      this.recent.delete(oldest.value);
    }
  }

  private scheduleWatchdog(generation: number): void {
    clearTimeout(this.watchdogTimer);
    this.watchdogTimer = setTimeout(() => void this.watchdogPing(generation), this.watchdogIntervalMs);
  }

  /** A half-open TCP connection or a frozen engine keeps the stream "open" but silent forever. */
  private async watchdogPing(generation: number): Promise<void> {
    if (generation !== this.generation) return;
    try {
      await this.client.request({
        method: 'GET',
        path: '/_ping',
        ok: [200],
        timeoutMs: this.watchdogTimeoutMs,
        ...(this.controller ? { signal: this.controller.signal } : {}),
      });
    } catch (err) {
      if (generation !== this.generation) return;
      this.log.warn(
        { error: errorText(err) },
        'the engine did not answer the watchdog ping; reopening the event stream',
      );
      this.lost(generation, `watchdog: ${errorText(err)}`);
      return;
    }
    if (generation === this.generation) this.scheduleWatchdog(generation);
  }

  /** Ends the current attempt (once) and schedules the next one. */
  private lost(generation: number, error: string): void {
    if (generation !== this.generation || this.stopped) return;
    this.generation += 1;
    const wasConnected = this.connected;
    clearTimeout(this.watchdogTimer);
    this.teardown();

    // The back-off starts over only after a stream that stayed up: an endpoint (a proxy,
    // say) that accepts and drops the stream at once is retried ever more slowly.
    if (wasConnected && this.now() - this.connectedAtMs >= STABLE_STREAM_MS) this.failures = 0;
    const retryInMs = this.backoffDelayMs(this.failures);
    this.failures += 1;
    if (!this.outageReported) {
      this.outageReported = true;
      this.log.warn(
        { error, retryInMs },
        wasConnected ? 'lost the engine event stream' : 'cannot open the engine event stream',
      );
      this.safely('onDisconnected', () => this.handlers?.onDisconnected({ error, retryInMs }));
    } else {
      this.log.debug(
        { error, retryInMs, attempt: this.failures },
        'the engine event stream is still unavailable',
      );
    }
    clearTimeout(this.reconnectTimer);
    this.reconnectTimer = setTimeout(() => this.connect(), retryInMs);
  }

  private teardown(): void {
    this.connected = false;
    this.controller?.abort();
    this.controller = null;
    this.stream?.destroy();
    this.stream = null;
  }

  /** A handler that throws must not take the subscription down with it. */
  private safely(what: string, call: () => void): void {
    try {
      call();
    } catch (err) {
      this.log.error({ err, handler: what }, 'an event handler threw');
    }
  }
}
