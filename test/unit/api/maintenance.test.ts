/**
 * `/api/maintenance` and `/api/containers/{ref}/silence`: what the operator can start and
 * end, what a wrong request gets (a clear 4xx, nothing changed) and what the views show.
 */
import { describe, expect, it } from 'vitest';
import { call, errorOf, makeApi, TOKEN, WEB_ID } from '../../support/api-fakes.js';

const NOW = '2026-11-21T12:00:00.000Z';

describe('maintenance through the API', () => {
  it('starts with a token: GET, /api/health and the trail show it, with its reason and end', async () => {
    const api = makeApi();
    const res = await call(api, '/api/maintenance', {
      method: 'POST',
      token: TOKEN,
      json: { minutes: 30, reason: 'db upgrade' },
    });
    expect(res.status).toBe(200);
    const view = { active: true, until: '2026-11-21T12:30:00.000Z', reason: 'db upgrade' };
    expect(await res.json()).toEqual(view);
    expect(await (await call(api, '/api/maintenance')).json()).toEqual(view);
    expect(((await (await call(api, '/api/health')).json()) as { maintenance: unknown }).maintenance).toEqual(
      view,
    );
    expect(api.store.list({ type: 'config_change' })[0]).toMatchObject({
      status: 'maintenance_started',
      details: { until: view.until, reason: 'db upgrade', minutes: 30 },
    });
    expect(api.store.getMaintenance()).toEqual({ until: view.until, reason: 'db upgrade', started_at: NOW });
  });

  it('ends with DELETE, which asks for a reconcile; a second DELETE is a 404', async () => {
    const api = makeApi();
    await call(api, '/api/maintenance', { method: 'POST', token: TOKEN, json: { minutes: 5 } });
    const res = await call(api, '/api/maintenance', { method: 'DELETE', token: TOKEN });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ active: false, until: null, reason: null });
    expect(api.supervisor.reconciles).toBe(1);
    const again = await call(api, '/api/maintenance', { method: 'DELETE', token: TOKEN });
    expect(again.status).toBe(404);
    expect(await errorOf(again)).toBe('no maintenance window is on');
  });

  it.each([
    [{}, 'minutes: is required'],
    [{ minutes: 0 }, 'must be at least 1'],
    [{ minutes: 1.5 }, 'must be a whole number'],
    [{ minutes: 20_000 }, 'must be at most 10080 (a week)'],
    [{ minutes: '5' }, 'minutes: must be a number'],
    [{ minutes: 5, reason: 'x'.repeat(201) }, 'must be at most 200 characters'],
    [{ minutes: 5, until: 'tomorrow' }, 'until'],
  ])('refuses %j with a 400 naming the problem, and changes nothing', async (json, words) => {
    const api = makeApi();
    const res = await call(api, '/api/maintenance', { method: 'POST', token: TOKEN, json });
    expect(res.status).toBe(400);
    expect(await errorOf(res)).toContain(words);
    expect(api.store.getMaintenance()).toBeNull();
    expect(api.store.list()).toEqual([]);
  });

  it('needs the token to start or end it', async () => {
    const api = makeApi();
    expect((await call(api, '/api/maintenance', { method: 'POST', json: { minutes: 5 } })).status).toBe(401);
    expect((await call(api, '/api/maintenance', { method: 'DELETE' })).status).toBe(401);
    expect(api.store.getMaintenance()).toBeNull();
  });
});

describe('silencing a container through the API', () => {
  it('silences by name and shows silenced_until; DELETE ends it and asks for a reconcile', async () => {
    const api = makeApi();
    const res = await call(api, '/api/containers/web/silence', {
      method: 'POST',
      token: TOKEN,
      json: { minutes: 10 },
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      id: WEB_ID,
      name: 'web',
      silenced_until: '2026-11-21T12:10:00.000Z',
    });
    expect(api.store.getSilences()).toEqual({ web: '2026-11-21T12:10:00.000Z' });
    expect(api.store.list({ type: 'config_change' })[0]).toMatchObject({
      status: 'silenced',
      container_name: 'web',
    });

    const end = await call(api, '/api/containers/web/silence', { method: 'DELETE', token: TOKEN });
    expect(end.status).toBe(200);
    expect(await end.json()).toMatchObject({ name: 'web', silenced_until: null });
    expect(api.store.getSilences()).toEqual({});
    expect(api.supervisor.reconciles).toBe(1);
  });

  it('answers 404 for an unknown container or one that is not silenced, 400 for bad minutes, 401 without a token', async () => {
    const api = makeApi();
    const unknown = await call(api, '/api/containers/nope/silence', {
      method: 'POST',
      token: TOKEN,
      json: { minutes: 5 },
    });
    expect(unknown.status).toBe(404);
    expect(await errorOf(unknown)).toBe('no container matches "nope"');
    const notSilenced = await call(api, '/api/containers/web/silence', { method: 'DELETE', token: TOKEN });
    expect(notSilenced.status).toBe(404);
    expect(await errorOf(notSilenced)).toBe('"web" is not silenced');
    const bad = await call(api, '/api/containers/web/silence', {
      method: 'POST',
      token: TOKEN,
      json: { minutes: -1 },
    });
    expect(bad.status).toBe(400);
    expect(await errorOf(bad)).toBe('minutes: must be at least 1');
    expect(
      (await call(api, '/api/containers/web/silence', { method: 'POST', json: { minutes: 5 } })).status,
    ).toBe(401);
    expect(api.store.getSilences()).toEqual({});
  });
});

describe('POST /api/notifications/test', () => {
  it('needs the token, and answers each channel’s result', async () => {
    const api = makeApi({
      notifications: {
        test: async () => [{ channel: 'webhook', ok: false, error: 'https://hooks.example: HTTP 404' }],
      },
    });
    expect((await call(api, '/api/notifications/test', { method: 'POST' })).status).toBe(401);
    const res = await call(api, '/api/notifications/test', { method: 'POST', token: TOKEN });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual([
      { channel: 'webhook', ok: false, error: 'https://hooks.example: HTTP 404' },
    ]);
  });

  it('answers [] when no channel is configured', async () => {
    const res = await call(makeApi(), '/api/notifications/test', { method: 'POST', token: TOKEN });
    expect(await res.json()).toEqual([]);
  });
});
