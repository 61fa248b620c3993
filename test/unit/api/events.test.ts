import { afterEach, describe, expect, it } from 'vitest';
import { eventsResponseSchema } from '../../../src/api/schemas.js';
import type { AuditEvent } from '../../../src/store/types.js';
import { call, errorOf, makeApi, type TestApi, TOKEN, WEB_ID } from '../../support/api-fakes.js';

function seed(api: TestApi, n: number): void {
  for (let i = 1; i <= n; i++) {
    const web = i % 2 === 1;
    api.store.append({
      event_type: i % 3 === 0 ? 'unhealthy' : 'restart',
      container_id: web ? WEB_ID : 'f'.repeat(64),
      container_name: web ? 'web' : 'db',
      status: i % 3 === 0 ? 'detected' : 'success',
      message: `event ${i}`,
    });
  }
}

async function page(api: TestApi, query: string) {
  const res = await call(api, `/api/events${query}`);
  expect(res.status, query).toBe(200);
  return eventsResponseSchema.parse(await res.json());
}

describe('GET /api/events', () => {
  it('answers newest first, 100 by default, with the id to page from', async () => {
    const api = makeApi();
    seed(api, 150);
    const first = await page(api, '');
    expect(first.events).toHaveLength(100);
    expect(first.events[0]?.id).toBe(150);
    expect(first.events[99]?.id).toBe(51);
    expect(first.next_before_id).toBe(51);
    const second = await page(api, `?before_id=${first.next_before_id}`);
    expect(second.events.map((e) => e.id)).toEqual(Array.from({ length: 50 }, (_, i) => 50 - i));
    expect(second.next_before_id).toBeNull();
  });

  it('says there is no next page when the last page is exactly full', async () => {
    const api = makeApi();
    seed(api, 20);
    const p = await page(api, '?limit=10&before_id=11');
    expect(p.events.map((e) => e.id)).toEqual([10, 9, 8, 7, 6, 5, 4, 3, 2, 1]);
    expect(p.next_before_id).toBeNull();
  });

  it('filters by type, container (name or id prefix) and since', async () => {
    const api = makeApi();
    seed(api, 12);
    const unhealthy = await page(api, '?type=unhealthy');
    expect(unhealthy.events.map((e) => e.id)).toEqual([12, 9, 6, 3]);
    const web = await page(api, '?container=web&limit=3');
    expect(web.events.map((e) => e.id)).toEqual([11, 9, 7]);
    expect(web.next_before_id).toBe(7);
    const byId = await page(api, `?container=${WEB_ID.slice(0, 12)}&type=restart`);
    expect(
      byId.events.every((e: AuditEvent) => e.container_name === 'web' && e.event_type === 'restart'),
    ).toBe(true);
    expect((await page(api, '?since=2999-01-01T00:00:00Z')).events).toEqual([]);
    expect((await page(api, '?since=2000-01-01')).events).toHaveLength(12);
    expect((await page(api, '?since=2000-01-01T00:00:00.000%2B02:00')).events).toHaveLength(12);
  });

  it('refuses a bad or unknown parameter with 400 naming it', async () => {
    const api = makeApi();
    seed(api, 3);
    const cases: [string, RegExp][] = [
      ['?type=reboot', /^type: must be one of auto_monitor, /],
      ['?limit=0', /^limit: /],
      ['?limit=1001', /^limit: must be a whole number from 1 to 1000/],
      ['?limit=ten', /^limit: /],
      ['?limit=1e3', /^limit: /],
      ['?before_id=0', /^before_id: must be a positive whole number/],
      ['?before_id=-3', /^before_id: /],
      ['?before_id=99999999999999999999', /^before_id: /],
      ['?since=yesterday', /^since: must be an ISO 8601 time/],
      ['?since=2026-02-30T00:00:00Z', /^since: /],
      ['?container=a*', /^container: /],
      ['?container=', /^container: /],
      ['?colour=red', /^"colour": unknown query parameter/],
      ['?limit=5&limit=6', /^limit: must be given once/],
    ];
    for (const [query, message] of cases) {
      const res = await call(api, `/api/events${query}`);
      expect(res.status, query).toBe(400);
      expect(await errorOf(res), query).toMatch(message);
    }
  });
});

/** Reads SSE text from a response until `done(text)` holds, or fails after `ms`. */
async function readUntil(
  reader: ReadableStreamDefaultReader<Uint8Array>,
  done: (text: string) => boolean,
  ms = 2000,
): Promise<string> {
  const decoder = new TextDecoder();
  let text = '';
  const deadline = Date.now() + ms;
  while (!done(text)) {
    const left = deadline - Date.now();
    if (left <= 0) throw new Error(`timed out; got ${JSON.stringify(text)}`);
    let timer: NodeJS.Timeout | undefined;
    const chunk = await Promise.race([
      reader.read(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`timed out; got ${JSON.stringify(text)}`)), left);
      }),
    ]).finally(() => clearTimeout(timer));
    if (chunk.done) break;
    text += decoder.decode(chunk.value, { stream: true });
  }
  return text;
}

function auditIds(text: string): number[] {
  return [...text.matchAll(/event: audit\ndata: (.*)\nid: (\d+)\n\n/g)].map((m) => {
    const event = JSON.parse(m[1] ?? '') as AuditEvent;
    expect(String(event.id)).toBe(m[2]);
    return event.id;
  });
}

describe('GET /api/events/stream', () => {
  const open: ReadableStreamDefaultReader<Uint8Array>[] = [];
  afterEach(async () => {
    for (const r of open.splice(0)) await r.cancel().catch(() => {});
  });

  async function connect(api: TestApi, path = '/api/events/stream', headers: Record<string, string> = {}) {
    const res = await call(api, path, { headers });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const reader = res.body!.getReader();
    open.push(reader);
    await readUntil(reader, (t) => t.includes(': connected'));
    return reader;
  }

  it('delivers each new audit event as event: audit with its id', async () => {
    const api = makeApi();
    seed(api, 2);
    const reader = await connect(api);
    expect(api.openStreams()).toBe(1);
    api.store.append({ event_type: 'engine', status: 'connected', message: 'connected' });
    api.store.append({ event_type: 'engine', status: 'disconnected', message: 'lost' });
    const text = await readUntil(reader, (t) => auditIds(t).length === 2);
    expect(auditIds(text)).toEqual([3, 4]);
    expect(text).toContain('"status":"disconnected"');
  });

  it('replays the events after Last-Event-ID oldest first, then goes live without duplicates', async () => {
    const api = makeApi();
    seed(api, 5);
    const reader = await connect(api, '/api/events/stream', { 'Last-Event-ID': '2' });
    api.store.append({ event_type: 'engine', status: 'connected', message: 'live' });
    const text = await readUntil(reader, (t) => auditIds(t).length === 4);
    expect(auditIds(text)).toEqual([3, 4, 5, 6]);
  });

  it('takes ?last_event_id= too, and 400s a bad one', async () => {
    const api = makeApi();
    seed(api, 3);
    const reader = await connect(api, '/api/events/stream?last_event_id=1');
    expect(auditIds(await readUntil(reader, (t) => auditIds(t).length === 2))).toEqual([2, 3]);
    for (const [path, headers] of [
      ['/api/events/stream?last_event_id=x', {}],
      ['/api/events/stream?since=1', {}],
      ['/api/events/stream', { 'Last-Event-ID': 'abc' }],
      ['/api/events/stream', { 'Last-Event-ID': '-1' }],
    ] as const) {
      const res = await call(api, path, { headers });
      expect(res.status, `${path} ${JSON.stringify(headers)}`).toBe(400);
    }
    expect(api.openStreams()).toBe(1);
  });

  it('ignores a Last-Event-ID beyond the newest event (the store started over)', async () => {
    const api = makeApi();
    seed(api, 2);
    const reader = await connect(api, '/api/events/stream', { 'Last-Event-ID': '5000' });
    api.store.append({ event_type: 'engine', status: 'connected', message: 'fresh' });
    expect(auditIds(await readUntil(reader, (t) => auditIds(t).length === 1))).toEqual([3]);
  });

  it("names the store's epoch first, and replays nothing to a client from another epoch", async () => {
    const api = makeApi();
    seed(api, 5);
    const epoch = api.store.epoch();
    expect(epoch).toMatch(/^[A-Za-z0-9-]+$/);
    const same = await connect(api, `/api/events/stream?epoch=${epoch}`, { 'Last-Event-ID': '3' });
    const sameText = await readUntil(same, (t) => auditIds(t).length === 2);
    expect(sameText).toContain(`event: epoch\ndata: {"epoch":"${epoch}"}\n\n`);
    expect(sameText.indexOf('event: epoch')).toBeLessThan(sameText.indexOf('event: audit'));
    expect(auditIds(sameText)).toEqual([4, 5]);
    // Its id 3 was from a store that has since started over: not a place to resume from.
    const other = await connect(api, '/api/events/stream?epoch=an-older-store', { 'Last-Event-ID': '3' });
    api.store.append({ event_type: 'engine', status: 'connected', message: 'fresh' });
    expect(auditIds(await readUntil(other, (t) => auditIds(t).length === 1))).toEqual([6]);
    expect((await call(api, '/api/events/stream?epoch=bad%20epoch')).status).toBe(400);
  });

  it('sends heartbeats while idle', async () => {
    const api = makeApi({ heartbeatMs: 20 });
    const reader = await connect(api);
    expect(await readUntil(reader, (t) => t.includes(': heartbeat'))).toContain(': heartbeat\n\n');
  });

  it('unsubscribes when the client goes away', async () => {
    const api = makeApi();
    const reader = await connect(api);
    expect(api.openStreams()).toBe(1);
    await reader.cancel();
    open.length = 0;
    // The stream notices the cancel asynchronously: poll the count instead of guessing a delay.
    await expect.poll(() => api.openStreams()).toBe(0);
    api.store.append({ event_type: 'engine', status: 'connected', message: 'nobody listens' });
  });

  it('one address opens at most 8 streams without a token; a token is never refused by that limit', async () => {
    const api = makeApi();
    const streams: Response[] = [];
    for (let i = 0; i < 8; i += 1) {
      const res = await call(api, '/api/events/stream', { address: '10.0.0.5' });
      expect(res.status).toBe(200);
      streams.push(res);
    }
    const ninth = await call(api, '/api/events/stream', { address: '10.0.0.5' });
    expect(ninth.status).toBe(429);
    expect(await errorOf(ninth)).toMatch(
      /^too many open event streams from this address without a token \(at most 8\)/,
    );
    const other = await call(api, '/api/events/stream', { address: '10.0.0.6' });
    expect(other.status).toBe(200);
    streams.push(other);
    for (let i = 0; i < 3; i += 1) {
      const withToken = await call(api, '/api/events/stream', { address: '10.0.0.5', token: TOKEN });
      expect(withToken.status).toBe(200);
      streams.push(withToken);
    }
    expect(api.openStreams()).toBe(12);
    // Closing one frees its slot for the address.
    await streams[0]?.body?.cancel();
    await expect.poll(() => api.openStreams()).toBe(11);
    const again = await call(api, '/api/events/stream', { address: '10.0.0.5' });
    expect(again.status).toBe(200);
    streams.push(again);
    for (const res of streams.slice(1)) await res.body?.cancel();
    await expect.poll(() => api.openStreams()).toBe(0);
  });

  it('ends the stream of a client that stopped reading once a write passes its deadline', async () => {
    const api = makeApi({ writeDeadlineMs: 50 });
    const res = await call(api, '/api/events/stream');
    expect(res.status).toBe(200);
    expect(api.openStreams()).toBe(1);
    // Nobody reads the body: the writes back up and the first one that waits is cut.
    for (let i = 0; i < 20; i += 1) {
      api.store.append({ event_type: 'engine', status: 'connected', message: `event ${i} nobody reads` });
    }
    await expect.poll(() => api.openStreams(), { timeout: 2000 }).toBe(0);
    expect(api.lines.some((l) => l.includes('stopped reading'))).toBe(true);
  });

  it('ends every stream on closeStreams, and a HEAD opens none', async () => {
    const api = makeApi();
    const a = await connect(api);
    const b = await connect(api);
    expect(api.openStreams()).toBe(2);
    const head = await call(api, '/api/events/stream', { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(api.openStreams()).toBe(2);
    api.closeStreams();
    expect(api.openStreams()).toBe(0);
    for (const reader of [a, b]) {
      await readUntil(reader, () => false, 1000).catch((err: Error) => {
        throw new Error(`stream did not end: ${err.message}`);
      });
    }
  });
});
