/**
 * The hardening end to end: the built autoheal listening on every address (as in the
 * image) on the real engine. Reads need a token, views carry only autoheal's own labels,
 * health and metrics carry no label values, a foreign Host is refused, the session cookie
 * opens the live stream, failed tokens are throttled, and a bad token stops start-up.
 */
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AutohealProcess, startAutoheal, stopAllAutoheals } from '../support/autoheal-process.js';
import {
  createHealthContainer,
  removeAll,
  type TestContainer,
  uniqueLabelKey,
} from '../support/docker-fixtures.js';

const labelKey = uniqueLabelKey();
const READ_TOKEN = 'e2e-read-token-0123456789abcdef';
const SECRET = 'admin:$apr1$e2e$s3cr3t-label-value';
let ah: AutohealProcess;
let api: string;
let token: string;
let web: TestContainer;

function get(path: string, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${api}${path}`, { headers });
}

/** A GET with a Host header of our choosing (fetch does not let one be set). */
function withHost(path: string, host: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(`${api}${path}`, { headers: { host } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        body += chunk;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

async function exitOf(env: Record<string, string>): Promise<{ code: number | null; stderr: string[] }> {
  const bad = await startAutoheal({ waitConnected: false, env });
  const code = await new Promise<number | null>((resolve) => {
    const poll = setInterval(() => {
      if (!bad.isRunning()) {
        clearInterval(poll);
        resolve(bad.stop());
      }
    }, 50);
  });
  return { code, stderr: bad.logs.filter((l) => l.stream === 'stderr').map((l) => l.raw) };
}

beforeAll(async () => {
  ah = await startAutoheal({
    env: {
      AUTOHEAL_CONTAINER_LABEL: labelKey,
      AUTOHEAL_API_HOST: '0.0.0.0',
      AUTOHEAL_API_READ_TOKEN: READ_TOKEN,
    },
  });
  api = await ah.apiUrl();
  token = await ah.token();
  web = await createHealthContainer({
    labels: {
      [labelKey]: 'true',
      'autoheal.stop.timeout': '3',
      'traefik.http.middlewares.auth.basicauth.users': SECRET,
    },
  });
});

afterAll(async () => {
  await stopAllAutoheals();
  await removeAll();
});

describe('autoheal listening on every address', () => {
  it('refuses reads without a token, and serves them with the read or the change token', async () => {
    for (const path of ['/api/containers', `/api/containers/${web.name}`, '/api/events', '/api/config']) {
      expect((await get(path)).status, path).toBe(401);
    }
    expect((await get('/api/events/stream')).status).toBe(401);
    for (const t of [READ_TOKEN, token]) {
      expect((await get('/api/events', { authorization: `Bearer ${t}` })).status).toBe(200);
    }
    const change = await fetch(`${api}/api/config/excluded`, {
      method: 'POST',
      headers: { authorization: `Bearer ${READ_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: web.name }),
    });
    expect(change.status).toBe(403);
  });

  it("shows only autoheal's own labels of a container; health and metrics carry no label value", async () => {
    const res = await get(`/api/containers/${web.name}`, { authorization: `Bearer ${READ_TOKEN}` });
    expect(res.status).toBe(200);
    const view = (await res.json()) as { labels: Record<string, string> };
    expect(view.labels).toEqual({ [labelKey]: 'true', 'autoheal.stop.timeout': '3' });
    const list = await (await get('/api/containers', { authorization: `Bearer ${READ_TOKEN}` })).text();
    expect(list).not.toContain('s3cr3t-label-value');
    for (const path of ['/api/health', '/metrics']) {
      const open = await get(path);
      expect(open.status, path).toBe(200);
      const text = await open.text();
      expect(text).not.toContain('s3cr3t-label-value');
      expect(text).not.toContain(token);
    }
  });

  it('refuses a Host that is not allowed, on the API and the UI alike', async () => {
    for (const path of ['/api/health', '/', '/api/events/stream']) {
      const refused = await withHost(path, 'rebind.attacker.example');
      expect(refused.status, path).toBe(403);
      expect(refused.body).toContain('AUTOHEAL_API_ALLOWED_HOSTS');
    }
    expect((await withHost('/api/health', 'localhost:1234')).status).toBe(200);
  });

  it('streams live events to a session cookie, and the token never goes into the URL', async () => {
    const login = await fetch(`${api}/api/session`, {
      method: 'POST',
      headers: { authorization: `Bearer ${READ_TOKEN}` },
    });
    expect(login.status).toBe(201);
    const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    expect(cookie).toMatch(/^autoheal_session=/);
    const controller = new AbortController();
    const stream = await fetch(`${api}/api/events/stream?last_event_id=0`, {
      headers: { cookie },
      signal: controller.signal,
    });
    expect(stream.status).toBe(200);
    const reader = stream.body!.pipeThrough(new TextDecoderStream()).getReader();
    let text = '';
    while (!text.includes(`"container_id":"${web.id}"`)) {
      const { value, done } = await reader.read();
      if (done) break;
      text += value;
    }
    expect(text).toContain('event: audit');
    controller.abort();
  });

  it('throttles failed tokens per address, while the right token still passes', async () => {
    const wrong = { authorization: 'Bearer wrong-token-0123456789abcdef' };
    const statuses: number[] = [];
    for (let i = 0; i < 11; i += 1) statuses.push((await get('/api/events', wrong)).status);
    expect(statuses.slice(0, 10)).toEqual(Array(10).fill(401));
    const refused = await get('/api/events', wrong);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await get('/api/events', { authorization: `Bearer ${token}` })).status).toBe(200);
  });
});

describe('tokens at start-up', () => {
  it('a token shorter than 16 characters stops start-up, saying how to make one', async () => {
    const { code, stderr } = await exitOf({ AUTOHEAL_API_TOKEN: 'short-token' });
    expect(code).toBe(2);
    expect(stderr).toEqual([
      'autoheal: configuration error: AUTOHEAL_API_TOKEN (value not shown) is too short: it needs at least 16 characters; make one with: openssl rand -hex 32',
    ]);
  });

  it('a token with whitespace stops start-up, naming the problem', async () => {
    const { code, stderr } = await exitOf({ AUTOHEAL_API_READ_TOKEN: 'two words are not a token' });
    expect(code).toBe(2);
    expect(stderr.join('\n')).toMatch(/AUTOHEAL_API_READ_TOKEN .*contains whitespace/);
    expect(stderr.join('\n')).not.toContain('two words');
  });
});
