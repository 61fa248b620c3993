import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DockerEventSource, type DockerEventSourceOptions } from '../../../src/engine/event-source.js';
import type { ContainerEvent } from '../../../src/engine/types.js';
import { FakeEngineServer, until } from '../../support/fake-engine-server.js';

const ID_A = 'a'.repeat(64);
const ID_B = 'b'.repeat(64);
/** The fake engine's clock (Date header); event times come after it. */
const ENGINE_DATE = 'Sat, 21 Nov 2026 12:00:00 GMT';
const T0 = Date.parse(ENGINE_DATE) / 1000;

function message(id: string, action: string, time: number, nanoSuffix: string, name = 'web') {
  return `{"status":"${action}","id":"${id}","Type":"container","Action":"${action}","Actor":{"ID":"${id}","Attributes":{"autoheal":"true","image":"busybox","name":"${name}"}},"scope":"local","time":${time},"timeNano":${time}${nanoSuffix}}\n`;
}

interface Recorder {
  events: ContainerEvent[];
  connected: { reconnect: boolean }[];
  disconnected: { error: string; retryInMs: number }[];
}

describe('DockerEventSource against a fake engine', () => {
  let engine: FakeEngineServer;
  let source: DockerEventSource | null = null;
  let rec: Recorder;

  beforeEach(async () => {
    engine = new FakeEngineServer();
    engine.dateHeader = ENGINE_DATE;
    rec = { events: [], connected: [], disconnected: [] };
  });

  afterEach(async () => {
    vi.useRealTimers();
    await source?.stop();
    source = null;
    await engine.dispose();
  });

  function start(options: Partial<DockerEventSourceOptions> = {}): DockerEventSource {
    source = new DockerEventSource({
      endpoint: { kind: 'unix', socketPath: engine.socketPath },
      requestTimeoutS: 1,
      backoffBaseMs: 10,
      backoffMaxMs: 40,
      watchdogIntervalMs: 60_000,
      ...options,
    });
    source.start({
      onEvent: (e) => rec.events.push(e),
      onConnected: (i) => rec.connected.push(i),
      onDisconnected: (i) => rec.disconnected.push(i),
    });
    return source;
  }

  it('an engine that accepts the stream and drops it at once is retried ever more slowly', async () => {
    await engine.listen();
    start({ random: () => 0.999999, backoffBaseMs: 10, backoffMaxMs: 1000 });
    for (let drop = 1; drop <= 4; drop += 1) {
      await until(() => rec.connected.length === drop, 3000, `connection ${drop}`);
      engine.endStreams();
      await until(() => rec.disconnected.length === drop, 3000, `loss ${drop}`);
    }
    expect(rec.disconnected.map((d) => d.retryInMs)).toEqual([20, 40, 80, 160]);
  });

  it('subscribes with the container filters and delivers typed events, even split across chunks', async () => {
    await engine.listen();
    const s = start();
    await until(() => rec.connected.length === 1, 3000, 'connected');
    expect(rec.connected).toEqual([{ reconnect: false }]);
    expect(s.status().connected).toBe(true);

    const first = engine.eventRequests[0];
    expect(first?.searchParams.get('since')).toBeNull();
    expect(JSON.parse(first?.searchParams.get('filters') ?? 'null')).toEqual({
      type: ['container'],
      event: ['start', 'die', 'oom', 'destroy', 'health_status', 'pause', 'unpause', 'rename'],
    });

    const line = message(ID_A, 'health_status: unhealthy', T0 + 5, '000000001');
    // A whole message ahead of the partial one: once it is delivered, the partial line's
    // first chunk has been read too, and the rest comes in a later chunk.
    engine.write(message(ID_B, 'start', T0 + 4, '000000000', 'db') + line.slice(0, 40));
    await until(() => rec.events.length === 1, 3000, 'the first chunk');
    engine.write(
      line.slice(40) +
        message(ID_B, 'die', T0 + 6, '000000002').replace('"name":"web"', '"name":"db","exitCode":"1"'),
    );

    await until(() => rec.events.length === 3, 3000, 'three events');
    expect(rec.events[0]).toMatchObject({ action: 'start', id: ID_B, name: 'db' });
    expect(rec.events[1]).toEqual({
      action: 'health_status',
      health: 'unhealthy',
      id: ID_A,
      name: 'web',
      labels: { autoheal: 'true' },
      time: T0 + 5,
      timeNano: `${T0 + 5}000000001`,
    });
    expect(rec.events[2]).toMatchObject({ action: 'die', id: ID_B, name: 'db', exitCode: 1 });
    expect(s.status()).toMatchObject({
      eventsByAction: { start: 1, 'health_status: unhealthy': 1, die: 1 },
      reconnects: 0,
      parseErrors: 0,
    });
    expect(s.status().lastEventAt).toMatch(/^\d{4}-\d\d-\d\dT/);
  });

  it('reconnects with since = the last event time when the engine closes the stream, and drops the replay', async () => {
    await engine.listen();
    const s = start();
    await until(() => rec.connected.length === 1);
    engine.write(
      message(ID_A, 'start', T0 + 7, '000000001') +
        message(ID_A, 'health_status: unhealthy', T0 + 7, '000000002'),
    );
    await until(() => rec.events.length === 2);

    engine.endStreams();
    await until(() => rec.connected.length === 2, 3000, 'reconnected');
    expect(rec.connected[1]).toEqual({ reconnect: true });
    expect(rec.disconnected).toHaveLength(1);
    expect(rec.disconnected[0]?.error).toMatch(/ended the event stream/);
    expect(engine.eventRequests[1]?.searchParams.get('since')).toBe(String(T0 + 7));

    // The engine replays the whole second (since is inclusive, in seconds), then a new event.
    engine.write(
      message(ID_A, 'start', T0 + 7, '000000001') +
        message(ID_A, 'health_status: unhealthy', T0 + 7, '000000002') +
        message(ID_A, 'health_status: healthy', T0 + 7, '000000003'),
    );
    // The replays came before the new event in the same write: they were handled by now.
    await until(() => rec.events.length === 3, 3000, 'the new event');
    expect(rec.events.map((e) => e.health ?? e.action)).toEqual(['start', 'unhealthy', 'healthy']);
    expect(s.status()).toMatchObject({ reconnects: 1, duplicatesDropped: 2, connected: true });
  });

  it('resumes from the stream start (engine clock) when no event arrived before the loss', async () => {
    await engine.listen();
    start();
    await until(() => rec.connected.length === 1);
    engine.endStreams();
    await until(() => rec.connected.length === 2);
    expect(engine.eventRequests[1]?.searchParams.get('since')).toBe(String(T0));
  });

  it('skips a line that does not parse and keeps streaming', async () => {
    await engine.listen();
    const s = start();
    await until(() => rec.connected.length === 1);
    engine.write('this is not json\n{"Type":"container","Action":\n');
    engine.write(message(ID_A, 'oom', T0 + 1, '000000009'));
    await until(() => rec.events.length === 1);
    expect(rec.events[0]?.action).toBe('oom');
    expect(s.status().parseErrors).toBe(2);
    expect(s.status().connected).toBe(true);
    expect(engine.eventRequests).toHaveLength(1);
  });

  it('ignores well-formed messages it does not use without counting them as errors', async () => {
    await engine.listen();
    const s = start();
    await until(() => rec.connected.length === 1);
    engine.write(
      message(ID_A, 'exec_start: sh -c true', T0, '1') +
        message(ID_A, 'stop', T0, '2') +
        message(ID_A, 'start', T0, '3'),
    );
    await until(() => rec.events.length === 1);
    expect(rec.events[0]?.action).toBe('start');
    expect(s.status().parseErrors).toBe(0);
  });

  it('treats an absent engine as an outage: start() does not throw, one disconnected, then connects when it appears', async () => {
    // Each failed attempt draws its back-off jitter once: counts the retries.
    let attempts = 0;
    const s = start({
      random: () => {
        attempts += 1;
        return 0;
      },
    });
    await until(() => rec.disconnected.length === 1, 3000, 'disconnected');
    expect(rec.disconnected[0]?.error).toMatch(/cannot reach the Docker engine at unix:\/\/.*ENOENT/);
    expect(rec.disconnected[0]?.retryInMs).toBeGreaterThanOrEqual(10);
    expect(s.status().connected).toBe(false);
    // Several failed retries later, still one disconnected.
    await until(() => attempts >= 4, 3000, 'several failed retries');
    expect(rec.disconnected).toHaveLength(1);

    await engine.listen();
    await until(() => rec.connected.length === 1, 3000, 'connected');
    expect(rec.connected[0]).toEqual({ reconnect: false });
    expect(rec.disconnected).toHaveLength(1);
  });

  it('says disconnected once per outage, whatever the number of failed retries', async () => {
    await engine.listen();
    start();
    await until(() => rec.connected.length === 1);

    engine.eventsMode = 'fail';
    engine.endStreams();
    await until(() => engine.eventRequests.length >= 5, 3000, 'several retries');
    expect(rec.disconnected).toHaveLength(1);

    engine.eventsMode = 'ok';
    await until(() => rec.connected.length === 2, 3000, 'back');
    engine.endStreams();
    await until(() => rec.connected.length === 3, 3000, 'back again');
    expect(rec.disconnected).toHaveLength(2);
  });

  it('reports an engine error on the events request with the engine text', async () => {
    engine.eventsMode = 'fail';
    await engine.listen();
    start();
    await until(() => rec.disconnected.length === 1);
    expect(rec.disconnected[0]?.error).toBe('daemon is shutting down');
  });

  it('forces a reconnect when the watchdog ping hangs', async () => {
    await engine.listen();
    start({ watchdogIntervalMs: 30, watchdogTimeoutMs: 100 });
    await until(() => rec.connected.length === 1);
    await until(() => engine.pings >= 2, 3000, 'pings while connected');
    expect(engine.eventRequests).toHaveLength(1);

    engine.pingMode = 'hang';
    await until(() => rec.disconnected.length === 1, 3000, 'watchdog disconnect');
    expect(rec.disconnected[0]?.error).toMatch(/^watchdog: .*within 0\.1 s/);
    engine.pingMode = 'ok';
    await until(() => rec.connected.length === 2, 3000, 'reconnected');
    expect(engine.eventRequests).toHaveLength(2);
    // The first stream was really closed on the engine side.
    await until(() => engine.streams.length === 1, 3000, 'old stream closed');
  });

  it('puts no timeout on an established but quiet stream', async () => {
    await engine.listen();
    // The source's timers (request deadline, watchdog, retry) are setTimeout: faked, the
    // quiet spell passes without waiting. (The sockets are real; expect.poll keeps real timers.)
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const s = start({ requestTimeoutS: 0.2 });
    await expect.poll(() => rec.connected.length).toBe(1);
    await vi.advanceTimersByTimeAsync(1500);
    expect(rec.disconnected).toHaveLength(0);
    expect(engine.eventRequests).toHaveLength(1);
    engine.send(JSON.parse(message(ID_A, 'start', T0, '1')));
    await expect.poll(() => rec.events.length).toBe(1);
    expect(s.status().connected).toBe(true);
    expect(rec.disconnected).toHaveLength(0);
  });

  it('gives up on an engine that accepts /events but never answers, and retries', async () => {
    engine.eventsMode = 'hang';
    await engine.listen();
    start({ connectTimeoutMs: 50 });
    await until(() => rec.disconnected.length === 1, 3000, 'connect timeout');
    expect(rec.disconnected[0]?.error).toMatch(/no answer from the Docker engine/);
    engine.eventsMode = 'ok';
    await until(() => rec.connected.length === 1, 3000, 'connected after the hang');
  });

  it('stop() closes the stream and leaves nothing scheduled', async () => {
    await engine.listen();
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const s = start({ watchdogIntervalMs: 20 });
    await expect.poll(() => rec.connected.length).toBe(1);
    expect(vi.getTimerCount()).toBe(1); // the watchdog
    await s.stop();
    await expect.poll(() => engine.streams.length).toBe(0); // stream closed at the engine
    const requests = engine.eventRequests.length;
    const pings = engine.pings;
    expect(vi.getTimerCount()).toBe(0);
    await vi.advanceTimersByTimeAsync(150);
    expect(engine.eventRequests.length).toBe(requests);
    expect(engine.pings).toBe(pings);
    expect(s.status().connected).toBe(false);
    expect(rec.disconnected).toHaveLength(0);
  });

  it('stop() during an outage cancels the pending retry', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const s = start({ backoffBaseMs: 100, backoffMaxMs: 100 });
    await expect.poll(() => rec.disconnected.length).toBe(1);
    expect(vi.getTimerCount()).toBe(1); // the retry
    await s.stop();
    expect(vi.getTimerCount()).toBe(0);
    await engine.listen();
    await vi.advanceTimersByTimeAsync(250);
    expect(engine.eventRequests).toHaveLength(0);
  });

  it('a throwing handler does not end the subscription', async () => {
    await engine.listen();
    const seen: string[] = [];
    source = new DockerEventSource({
      endpoint: { kind: 'unix', socketPath: engine.socketPath },
      requestTimeoutS: 1,
    });
    source.start({
      onEvent: (e) => {
        seen.push(e.action);
        throw new Error('boom');
      },
      onConnected: () => undefined,
      onDisconnected: () => undefined,
    });
    await until(() => engine.streams.length === 1);
    engine.write(message(ID_A, 'start', T0, '1') + message(ID_A, 'die', T0, '2'));
    await until(() => seen.length === 2);
    expect(source.status().connected).toBe(true);
  });
});

describe('back-off', () => {
  it('grows from the base, doubles to the cap, with jitter inside that range', () => {
    const make = (random: number) =>
      new DockerEventSource({
        endpoint: { kind: 'unix', socketPath: '/nonexistent' },
        requestTimeoutS: 1,
        random: () => random,
      });
    const low = make(0);
    const high = make(0.999999);
    expect(low.backoffDelayMs(0)).toBe(1000);
    expect(high.backoffDelayMs(0)).toBe(2000); // the first retry is jittered too
    expect(high.backoffDelayMs(1)).toBe(4000);
    expect(high.backoffDelayMs(3)).toBe(16_000);
    expect(high.backoffDelayMs(10)).toBe(30_000);
    expect(high.backoffDelayMs(1000)).toBe(30_000);
    expect(low.backoffDelayMs(10)).toBe(1000);
    expect(make(0.5).backoffDelayMs(2)).toBe(4500);
  });
});
