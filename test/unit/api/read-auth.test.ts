import { describe, expect, it } from 'vitest';
import { AuthThrottle } from '../../../src/api/throttle.js';
import { call, errorOf, makeApi, snapshot, TOKEN, testSettings } from '../../support/api-fakes.js';

const READ_TOKEN = 'read-token-for-dashboards-0123';
const READS = [
  '/api/containers',
  '/api/containers/web',
  '/api/events',
  '/api/config',
  '/api/config/excluded',
  '/api/config/selected',
];

/** As in the image: listening on every address, reads need a token. */
function exposedApi(env: Record<string, string> = {}, now?: () => Date) {
  return makeApi({
    settings: testSettings({ AUTOHEAL_API_HOST: '0.0.0.0', AUTOHEAL_API_READ_TOKEN: READ_TOKEN, ...env }),
    ...(now && { now }),
  });
}

function cookieOf(res: Response): string {
  const set = res.headers.get('set-cookie') ?? '';
  return set.split(';')[0] ?? '';
}

describe('reads on a non-loopback address', () => {
  it('need a token: without one every read, the stream included, is 401 and says how', async () => {
    const api = exposedApi();
    for (const path of [...READS, '/api/events/stream']) {
      const res = await call(api, path);
      expect(res.status, path).toBe(401);
      expect(res.headers.get('www-authenticate')).toBe('Bearer realm="autoheal"');
      expect(await errorOf(res)).toMatch(/^this read needs a token: Authorization: Bearer <token>/);
    }
    expect(api.openStreams()).toBe(0);
  });

  it('pass with the change token or the read token; a wrong token is 401', async () => {
    const api = exposedApi();
    for (const path of READS) {
      expect((await call(api, path, { token: TOKEN })).status, path).toBe(200);
      expect((await call(api, path, { token: READ_TOKEN })).status, path).toBe(200);
      expect((await call(api, path, { token: 'wrong-token-0123456789' })).status, path).toBe(401);
    }
  });

  it('health and metrics stay open', async () => {
    const api = exposedApi();
    expect((await call(api, '/api/health')).status).toBe(200);
    expect((await call(api, '/metrics')).status).toBe(200);
    expect((await call(api, '/api/session')).status).toBe(200);
  });

  it('the read token cannot change anything', async () => {
    const api = exposedApi();
    const before = snapshot(api);
    const res = await call(api, '/api/config/excluded', {
      method: 'POST',
      token: READ_TOKEN,
      json: { name: 'web' },
    });
    expect(res.status).toBe(403);
    expect(await errorOf(res)).toBe('the read token cannot make changes; use AUTOHEAL_API_TOKEN');
    expect(
      (await call(api, '/api/containers/web/restart', { method: 'POST', token: READ_TOKEN })).status,
    ).toBe(403);
    expect(snapshot(api)).toBe(before);
  });

  it('AUTOHEAL_API_READ_AUTH=false opens them; =true closes them on loopback too', async () => {
    const open = exposedApi({ AUTOHEAL_API_READ_AUTH: 'false' });
    expect((await call(open, '/api/containers')).status).toBe(200);
    const closed = makeApi({ settings: testSettings({ AUTOHEAL_API_READ_AUTH: 'true' }) });
    expect((await call(closed, '/api/containers')).status).toBe(401);
    const loopback = makeApi();
    expect((await call(loopback, '/api/containers')).status).toBe(200);
    expect((await call(loopback, '/api/containers', { token: 'wrong-token-0123456789' })).status).toBe(401);
  });
});

describe('browser sessions', () => {
  it('a token is exchanged for an HttpOnly, SameSite=Strict cookie that authenticates reads', async () => {
    const api = exposedApi();
    expect(await (await call(api, '/api/session')).json()).toEqual({
      reads_need_token: true,
      session: false,
    });
    const res = await call(api, '/api/session', { method: 'POST', token: READ_TOKEN });
    expect(res.status).toBe(201);
    const set = res.headers.get('set-cookie') ?? '';
    expect(set).toMatch(/^autoheal_session=[A-Za-z0-9_-]{43};/);
    expect(set).toContain('HttpOnly');
    expect(set).toContain('SameSite=Strict');
    expect(set).toContain('Path=/');
    const cookie = cookieOf(res);
    for (const path of READS) expect((await call(api, path, { headers: { cookie } })).status, path).toBe(200);
    expect(await (await call(api, '/api/session', { headers: { cookie } })).json()).toEqual({
      reads_need_token: true,
      session: true,
    });
    const stream = await call(api, '/api/events/stream', { headers: { cookie } });
    expect(stream.status).toBe(200);
    await stream.body?.cancel();
  });

  it('a session never makes changes, and a forged cookie reads nothing', async () => {
    const api = exposedApi();
    const cookie = cookieOf(await call(api, '/api/session', { method: 'POST', token: TOKEN }));
    const before = snapshot(api);
    const res = await call(api, '/api/config/excluded', {
      method: 'POST',
      headers: { cookie },
      json: { name: 'web' },
    });
    expect(res.status).toBe(401);
    expect(snapshot(api)).toBe(before);
    expect(
      (await call(api, '/api/containers', { headers: { cookie: 'autoheal_session=forged' } })).status,
    ).toBe(401);
  });

  it('a session needs a valid token, ends on DELETE and after 12 hours', async () => {
    let now = new Date('2026-11-21T12:00:00Z');
    const api = exposedApi({}, () => now);
    expect((await call(api, '/api/session', { method: 'POST' })).status).toBe(401);
    const wrong = await call(api, '/api/session', { method: 'POST', token: 'wrong-token-0123456789' });
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get('set-cookie')).toBeNull();

    const first = cookieOf(await call(api, '/api/session', { method: 'POST', token: READ_TOKEN }));
    const out = await call(api, '/api/session', { method: 'DELETE', headers: { cookie: first } });
    expect(out.status).toBe(204);
    expect((await call(api, '/api/containers', { headers: { cookie: first } })).status).toBe(401);

    const second = cookieOf(await call(api, '/api/session', { method: 'POST', token: READ_TOKEN }));
    now = new Date(now.getTime() + 12 * 3600_000 - 1000);
    expect((await call(api, '/api/containers', { headers: { cookie: second } })).status).toBe(200);
    now = new Date(now.getTime() + 1000);
    expect((await call(api, '/api/containers', { headers: { cookie: second } })).status).toBe(401);
  });
});

describe('failed authentications', () => {
  it('are throttled per address: 10 a minute, then 429 with Retry-After; a valid token still passes', async () => {
    let now = new Date('2026-11-21T12:00:00Z');
    const api = exposedApi({}, () => now);
    const wrong = { token: 'wrong-token-0123456789', address: '10.0.0.9' };
    for (let i = 0; i < 10; i += 1) expect((await call(api, '/api/events', wrong)).status).toBe(401);
    const refused = await call(api, '/api/config/excluded', {
      ...wrong,
      method: 'POST',
      json: { name: 'web' },
    });
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe('60');
    expect(await errorOf(refused)).toBe('too many failed authentications from this address; retry in 60 s');
    expect((await call(api, '/api/session', { ...wrong, method: 'POST' })).status).toBe(429);

    expect((await call(api, '/api/events', { token: READ_TOKEN, address: '10.0.0.9' })).status).toBe(200);
    const change = await call(api, '/api/config/excluded', {
      method: 'POST',
      token: TOKEN,
      address: '10.0.0.9',
      json: { name: 'web' },
    });
    expect(change.status).toBe(201);
    expect((await call(api, '/api/events', { ...wrong, address: '10.0.0.10' })).status).toBe(401);

    now = new Date(now.getTime() + 30_000);
    expect((await call(api, '/api/events', wrong)).headers.get('retry-after')).toBe('30');
    now = new Date(now.getTime() + 30_000);
    expect((await call(api, '/api/events', wrong)).status).toBe(401);
  });

  it('the throttle forgets the oldest addresses beyond its size', () => {
    const throttle = new AuthThrottle({ limit: 1, maxAddresses: 2, now: () => 0 });
    throttle.fail('a');
    expect(throttle.fail('a')).toBe(60);
    throttle.fail('b');
    throttle.fail('c');
    expect(throttle.fail('a')).toBeNull();
  });
});
