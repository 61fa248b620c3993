/**
 * Thousands of random, malformed and hostile requests against the real server on
 * loopback: none may be answered 5xx, the server must stay healthy, and nothing may change
 * without the token. Seeded: AUTOHEAL_FUZZ_SEED=<n> reproduces a failing run.
 */
import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningServer, startServer } from '../../../src/api/server.js';
import { LIST_ENTRY_PATTERN } from '../../../src/config/validators.js';
import { silentLogger } from '../../../src/log.js';
import { DB_ID, makeApi, snapshot, type TestApi, TOKEN, WEB_ID } from '../../support/api-fakes.js';

const SEED = Number(process.env.AUTOHEAL_FUZZ_SEED ?? 20261121);
const REQUESTS = 2000;
const RAW_REQUESTS = 300;
const TOKEN_REQUESTS = 1500;
const CONCURRENCY = 24;

/** mulberry32: small, fast, and the same sequence for the same seed everywhere. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const rand = prng(SEED);
const int = (n: number): number => Math.floor(rand() * n);
const chance = (p: number): boolean => rand() < p;
function pick<T>(items: readonly T[]): T {
  return items[int(items.length)] as T;
}

const UNICODE = ['é', 'ü', '✓', '😀', '\u202e', '\u0000', '\uffff', 'Ω', '中文', '\u200b', '\ud800'];
const WORDS = [
  'web',
  'db',
  'test-*',
  '*',
  WEB_ID,
  WEB_ID.slice(0, 12),
  DB_ID,
  'abc',
  'a'.repeat(255),
  'a'.repeat(256),
  '..',
  '.',
  '-x',
  '_x',
  '%00',
  '%2e%2e',
  '%2F',
  '%',
  '%zz',
  '%E0%A4%A',
  '%F0%9F%98%80',
  'null',
  'undefined',
  '__proto__',
  'constructor',
  '1e999',
  '-1',
  '0',
  '99999999999999999999999',
];

function randomText(max: number): string {
  let s = '';
  const n = int(max);
  for (let i = 0; i < n; i++) {
    s += chance(0.2) ? pick(UNICODE) : String.fromCharCode(32 + int(95));
  }
  return s;
}

/** Percent-encodes the UTF-8 bytes (a lone surrogate becomes U+FFFD, as a browser would send). */
function pctEncode(text: string): string {
  return [...Buffer.from(text, 'utf8')]
    .map((b) =>
      /[A-Za-z0-9._~-]/.test(String.fromCharCode(b))
        ? String.fromCharCode(b)
        : `%${b.toString(16).padStart(2, '0')}`,
    )
    .join('');
}

function segment(): string {
  if (chance(0.5)) return pick(WORDS);
  if (chance(0.3)) return pctEncode(randomText(20)) || 'x';
  if (chance(0.5)) return 'x'.repeat(1 + int(chance(0.1) ? 20_000 : 300));
  return String(int(1e6));
}

const BASE_PATHS = [
  '/api/health',
  '/api/containers',
  '/api/containers/{s}',
  '/api/containers/{s}/restart',
  '/api/containers/{s}/reset',
  '/api/events',
  '/api/events/stream',
  '/api/config',
  '/api/config/excluded',
  '/api/config/selected',
  '/api/config/excluded/{s}',
  '/api/config/selected/{s}',
  '/api/openapi.json',
  '/metrics',
  '/',
  '/index.html',
  '/../../etc/passwd',
  '/api/../api/health',
  '/api//config',
  '/api/{s}',
  '/{s}/{s}',
];

const QUERY_KEYS = [
  'type',
  'container',
  'since',
  'before_id',
  'limit',
  'last_event_id',
  'x',
  '',
  'limit[]',
  '__proto__',
];
const QUERY_VALUES = [
  'restart',
  'unhealthy',
  'nope',
  '1',
  '0',
  '-5',
  '1000',
  '1001',
  '1e3',
  '9007199254740993',
  '99999999999999999999999999',
  '2026-11-21T12:34:56Z',
  '2026-02-30',
  'yesterday',
  '',
  '%',
  '%ZZ',
  'web',
  'a*',
];

function randomPath(): string {
  let path = pick(BASE_PATHS).replace(/\{s\}/g, segment);
  if (chance(0.35)) {
    const n = 1 + int(4);
    const parts: string[] = [];
    for (let i = 0; i < n; i++) {
      parts.push(
        `${chance(0.8) ? pick(QUERY_KEYS) : segment()}=${chance(0.8) ? pick(QUERY_VALUES) : segment()}`,
      );
    }
    path += `?${parts.join('&')}`;
  }
  return path;
}

function deepJson(depth: number): string {
  const open = chance(0.5) ? '[' : '{"a":';
  const close = open === '[' ? ']' : '}';
  return open.repeat(depth) + (chance(0.5) ? '1' : '"x"') + close.repeat(depth);
}

function randomJsonValue(depth = 0): unknown {
  const r = int(depth > 3 ? 6 : 9);
  switch (r) {
    case 0:
      return null;
    case 1:
      return chance(0.5);
    case 2:
      return pick([0, -1, 1e308, -1e308, 2 ** 53 + 1, 0.5, Number.MAX_SAFE_INTEGER]);
    case 3:
      return randomText(40);
    case 4:
      return pick(WORDS);
    case 5:
      return '';
    case 6:
      return Array.from({ length: int(6) }, () => randomJsonValue(depth + 1));
    default: {
      const o: Record<string, unknown> = {};
      for (let i = 0; i < int(4); i++)
        o[chance(0.5) ? pick(['excluded', 'selected', 'name', '__proto__']) : randomText(8)] =
          randomJsonValue(depth + 1);
      return o;
    }
  }
}

function randomBody(): Buffer | null {
  const r = int(12);
  switch (r) {
    case 0:
      return null;
    case 1:
      return Buffer.from(JSON.stringify({ excluded: Array.from({ length: int(20) }, () => pick(WORDS)) }));
    case 2:
      return Buffer.from(
        JSON.stringify({ selected: Array.from({ length: int(1200) }, () => segment().slice(0, 300)) }),
      );
    case 3:
      return Buffer.from(JSON.stringify({ name: pick(WORDS) }));
    case 4:
      return Buffer.from(deepJson(1 + int(30_000)));
    case 5: {
      const text = JSON.stringify(randomJsonValue());
      return Buffer.from(text.slice(0, int(text.length + 1)));
    }
    case 6:
      return Buffer.from(Array.from({ length: int(2000) }, () => int(256)));
    case 7:
      return Buffer.alloc(64 * 1024 + int(3) - 1, 0x20);
    case 8:
      return Buffer.from(`{"name":"${'9'.repeat(int(70_000))}"}`);
    case 9:
      return Buffer.from('{"name": 1e99999, "excluded": [-0, 1e-99999]}');
    case 10:
      return Buffer.from(JSON.stringify({ name: randomText(300) }));
    default:
      return Buffer.from(JSON.stringify(randomJsonValue()));
  }
}

const METHODS = [
  'GET',
  'GET',
  'POST',
  'POST',
  'PUT',
  'PUT',
  'DELETE',
  'DELETE',
  'PATCH',
  'HEAD',
  'OPTIONS',
  'TRACE',
];
const AUTH = [
  undefined,
  'Bearer',
  'Bearer ',
  'Bearer wrong',
  `Bearer ${TOKEN.slice(0, -1)}`,
  `Bearer ${TOKEN}0`,
  `Basic ${TOKEN}`,
  TOKEN,
  `Bearer ${'x'.repeat(10_000)}`,
  `Bearer ${TOKEN.toUpperCase()}`,
  'Bearer ä',
];
const CONTENT_TYPES = [
  undefined,
  'application/json',
  'application/json; charset=utf-8',
  'application/json; charset=latin1',
  'text/plain',
  'multipart/form-data; boundary=x',
  'application/x-www-form-urlencoded',
  ';;;',
  'application/json;',
  '',
];

interface Outcome {
  status: number | null;
  what: string;
  timedOut: boolean;
  clientError?: string;
}

function send(port: number, withToken: boolean): Promise<Outcome> {
  // With the token, aim half the requests at the endpoints that read a body.
  const atBody = withToken && chance(0.5);
  const method = atBody ? pick(['PUT', 'POST']) : pick(METHODS);
  const path = atBody ? pick(['/api/config/excluded', '/api/config/selected']) : randomPath();
  const body = chance(0.7) || method === 'POST' || method === 'PUT' ? randomBody() : null;
  const headers: Record<string, string> = {};
  const auth = withToken && chance(0.8) ? `Bearer ${TOKEN}` : pick(AUTH);
  if (auth !== undefined) headers.authorization = auth;
  const type = pick(CONTENT_TYPES);
  if (type !== undefined) headers['content-type'] = type;
  if (chance(0.1)) headers['last-event-id'] = pick(QUERY_VALUES);
  if (chance(0.05)) headers.host = pick(['', 'a b', '[::1', 'x'.repeat(300), 'évil', 'localhost:99999']);
  if (chance(0.05)) headers.accept = randomText(50);
  // A declared length longer than what is sent makes the server wait; only these may time out.
  const lies = body !== null && chance(0.01);
  const chunked = body !== null && !lies && chance(0.3);
  if (body !== null) {
    if (lies) headers['content-length'] = String(body.length + 10);
    else if (chunked) headers['transfer-encoding'] = 'chunked';
    else headers['content-length'] = String(body.length);
  }
  const what = `${method} ${path.slice(0, 200)} ${JSON.stringify(headers).slice(0, 300)} body=${body?.length ?? 'none'}`;
  return new Promise((resolve) => {
    let settled = false;
    const finish = (o: Omit<Outcome, 'what'>): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({ ...o, what });
    };
    let req: ReturnType<typeof httpRequest>;
    try {
      req = httpRequest({ host: '127.0.0.1', port, method, path, headers, agent: false });
    } catch (err) {
      // The client refused to send it (e.g. a non-ASCII header); nothing reached the server.
      resolve({ status: null, what, timedOut: false, clientError: (err as Error).message });
      return;
    }
    const timer = setTimeout(
      () => {
        req.destroy();
        finish({ status: null, timedOut: true });
      },
      lies ? 300 : 5000,
    );
    req.on('response', (res) => {
      const status = res.statusCode ?? 0;
      if (String(res.headers['content-type']).startsWith('text/event-stream')) {
        res.destroy();
        finish({ status, timedOut: false });
        return;
      }
      res.resume();
      res.on('end', () => finish({ status, timedOut: false }));
      res.on('error', () => finish({ status, timedOut: false }));
    });
    req.on('error', (err) => finish({ status: null, timedOut: false, clientError: err.message }));
    if (body !== null) {
      if (chunked) {
        for (let i = 0; i < body.length; i += 1 + int(9000)) req.write(body.subarray(i, i + 1 + int(9000)));
      } else req.write(body);
    }
    req.end();
  });
}

const RAW_LINES = [
  'GET /api/health HTTP/1.1\r\nHost: x\r\n\r\n',
  'GET /api/health\x00 HTTP/1.1\r\nHost: x\r\n\r\n',
  'GET /api/héalth HTTP/1.1\r\nHost: x\r\n\r\n',
  'GET /api/config/excluded/a b HTTP/1.1\r\nHost: x\r\n\r\n',
  'BREW /api/health HTTP/1.1\r\nHost: x\r\n\r\n',
  'GET /api/health HTTP/9.9\r\nHost: x\r\n\r\n',
  'GET /api/health HTTP/1.1\r\nNo-Colon-Header\r\n\r\n',
  'POST /api/config/excluded HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n',
  'POST /api/config/excluded HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n{}',
  'POST /api/config/excluded HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
  'POST /api/config/excluded HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Type: application/json\r\n\r\nzz\r\n{}\r\n0\r\n\r\n',
  `PUT /api/config/excluded HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${TOKEN}x\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}`,
  'GET http://evil.example/api/health HTTP/1.1\r\nHost: x\r\n\r\n',
  'GET * HTTP/1.1\r\nHost: x\r\n\r\n',
  'CONNECT 127.0.0.1:1 HTTP/1.1\r\nHost: x\r\n\r\n',
  'GET /api/health HTTP/1.1\r\nHost: x\r\nX-Big: '.concat('a'.repeat(20_000), '\r\n\r\n'),
  'GET /api/events?limit=5 HTTP/1.1\r\nHost: \r\n\r\n',
  'GET /api/events HTTP/1.1\r\nHost: [::1\r\n\r\n',
  'GET / HTTP/1.0\r\n\r\n',
  '\r\n\r\n\r\n',
];

/** Bytes a client library would never send; the answer (if any) must not be 5xx. */
function sendRaw(port: number): Promise<Outcome> {
  const line = chance(0.7)
    ? pick(RAW_LINES)
    : `${pick(METHODS)} ${randomPath()}${randomText(10)} HTTP/1.1\r\nHost: x\r\n${randomText(40)}\r\n\r\n`;
  const what = `raw ${JSON.stringify(line.slice(0, 200))}`;
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let data = '';
    const done = (): void => {
      clearTimeout(timer);
      socket.destroy();
      const m = /^HTTP\/1\.[01] (\d{3})/.exec(data);
      resolve({ status: m ? Number(m[1]) : null, what, timedOut: false });
    };
    const timer = setTimeout(done, 1500);
    socket.on('data', (d) => {
      data += d.toString('latin1');
      if (/\r\n\r\n/.test(data) && !/text\/event-stream/i.test(data)) done();
      else if (/text\/event-stream/i.test(data)) done();
    });
    socket.on('error', done);
    socket.on('close', done);
    socket.write(Buffer.from(line, 'utf8'));
  });
}

async function pool<T>(count: number, concurrency: number, task: (i: number) => Promise<T>): Promise<T[]> {
  const out: T[] = new Array(count);
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        const i = next++;
        out[i] = await task(i);
      }
    }),
  );
  return out;
}

describe(`the API under random requests (AUTOHEAL_FUZZ_SEED=${SEED})`, () => {
  let api: TestApi;
  let server: RunningServer;

  beforeAll(async () => {
    api = makeApi();
    for (let i = 0; i < 300; i++) {
      api.store.append({
        event_type: 'restart',
        container_name: 'web',
        container_id: WEB_ID,
        status: 'success',
        message: `r${i}`,
      });
    }
    api.supervisor.replaceList('excluded', ['keep-*', WEB_ID.slice(0, 12)]);
    api.supervisor.replaceList('selected', ['picked']);
    api.supervisor.gaveUp.add(DB_ID);
    server = await startServer(api, { host: '127.0.0.1', port: 0, graceMs: 500 }, silentLogger());
  });

  afterAll(async () => {
    await server?.close();
  });

  function check(outcomes: Outcome[], expected: number[]): void {
    const serverErrors = outcomes.filter((o) => o.status !== null && o.status >= 500);
    expect(serverErrors.map((o) => `${o.status} ${o.what}`).slice(0, 10)).toEqual([]);
    const hung = outcomes.filter((o) => o.timedOut && !o.what.includes('"content-length"'));
    expect(hung.map((o) => o.what).slice(0, 10)).toEqual([]);
    const answered = outcomes.filter((o) => o.status !== null);
    expect(answered.length).toBeGreaterThan(outcomes.length * 0.8);
    const statuses = new Set(answered.map((o) => o.status));
    for (const s of expected) expect(statuses, `no ${s} seen`).toContain(s);
    expect(api.lines.filter((l) => l.includes('"level":50'))).toEqual([]);
  }

  /** Every event stream the fuzz opened was dropped by its client; none may linger. */
  async function noStreamLeft(): Promise<void> {
    // The server sees each client's drop a moment after it: poll the count, up to 2 s.
    await expect.poll(() => api.openStreams(), { timeout: 2000, interval: 20 }).toBe(0);
  }

  async function healthy(): Promise<void> {
    const health = await fetch(`http://127.0.0.1:${server.port}/api/health`);
    expect(health.status).toBe(200);
  }

  it('never answers 5xx without the token, stays healthy, and changes nothing', {
    timeout: 60_000,
  }, async () => {
    const before = snapshot(api);
    const outcomes = await pool(REQUESTS + RAW_REQUESTS, CONCURRENCY, (i) =>
      i < REQUESTS ? send(server.port, false) : sendRaw(server.port),
    );
    check(outcomes, [200, 400, 401, 404]);
    expect(snapshot(api)).toBe(before);
    await healthy();
    await noStreamLeft();
    const lists = await (await fetch(`http://127.0.0.1:${server.port}/api/config/excluded`)).json();
    expect(lists).toEqual({
      excluded: ['cfg-*', 'legacy', 'keep-*', WEB_ID.slice(0, 12)],
      excluded_by_config: ['cfg-*', 'legacy'],
    });
  });

  it('never answers 5xx with the token either, and keeps the lists valid', { timeout: 60_000 }, async () => {
    const outcomes = await pool(TOKEN_REQUESTS, CONCURRENCY, () => send(server.port, true));
    check(outcomes, [200, 400, 401, 404, 413, 415]);
    await healthy();
    await noStreamLeft();
    for (const list of ['excluded', 'selected'] as const) {
      const entries = api.store.getList(list);
      expect(entries.length).toBeLessThanOrEqual(1000);
      expect(new Set(entries).size).toBe(entries.length);
      for (const e of entries) expect(e).toMatch(LIST_ENTRY_PATTERN);
    }
  });
});
