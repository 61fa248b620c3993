import { describe, expect, it } from 'vitest';
import {
  containersResponseSchema,
  containerViewSchema,
  resetResponseSchema,
  restartResponseSchema,
} from '../../../src/api/schemas.js';
import { call, DB_ID, errorOf, makeApi, snapshot, TOKEN, WEB_ID } from '../../support/api-fakes.js';

describe('GET /api/containers', () => {
  it('lists every container with the documented fields', async () => {
    const res = await call(makeApi(), '/api/containers');
    expect(res.status).toBe(200);
    const body = containersResponseSchema.parse(await res.json());
    expect(body.containers.map((c) => c.name)).toEqual(['web', 'db']);
    expect(Object.keys(body.containers[0] ?? {}).sort()).toEqual(
      [
        'damping',
        'enrolled_by',
        'gave_up',
        'excluded',
        'health',
        'id',
        'image',
        'labels',
        'last_probe_output',
        'last_restart_at',
        'monitored',
        'name',
        'restart_count',
        'silenced_until',
        'state',
      ].sort(),
    );
  });

  it('answers 503 naming the engine when it is unreachable, not 500', async () => {
    const api = makeApi();
    api.supervisor.engineUp = false;
    const res = await call(api, '/api/containers');
    expect(res.status).toBe(503);
    expect(await errorOf(res)).toMatch(/^Docker engine unreachable: connect ENOENT/);
    for (const path of ['/api/containers/web']) expect((await call(api, path)).status).toBe(503);
    expect((await call(api, '/api/containers/web/restart', { method: 'POST', token: TOKEN })).status).toBe(
      503,
    );
  });
});

describe('GET /api/containers/{ref}', () => {
  it('finds one by name, full id or id prefix of 12', async () => {
    const api = makeApi();
    for (const ref of ['web', WEB_ID, WEB_ID.slice(0, 12)]) {
      const res = await call(api, `/api/containers/${ref}`);
      expect(res.status, ref).toBe(200);
      expect(containerViewSchema.parse(await res.json()).id).toBe(WEB_ID);
    }
  });

  it('is 404 for an unknown container and 400 for a malformed ref', async () => {
    const api = makeApi();
    const missing = await call(api, '/api/containers/nope');
    expect(missing.status).toBe(404);
    expect(await errorOf(missing)).toContain('"nope"');
    for (const ref of ['-dash', 'bad%20name', 'a*', '%E2%9C%93', 'x'.repeat(300)]) {
      const res = await call(api, `/api/containers/${ref}`);
      expect(res.status, ref).toBe(400);
      expect(await errorOf(res)).toMatch(/^ref: /);
    }
  });
});

describe('POST /api/containers/{ref}/restart', () => {
  it('restarts with the token and answers the audit event', async () => {
    const api = makeApi();
    const res = await call(api, '/api/containers/web/restart', { method: 'POST', token: TOKEN });
    expect(res.status).toBe(200);
    const { event } = restartResponseSchema.parse(await res.json());
    expect(event).toMatchObject({
      event_type: 'restart',
      container_name: 'web',
      details: { trigger: 'api' },
    });
    expect(api.supervisor.restarts).toEqual(['web']);
  });

  it("answers 502 with the engine's error when the restart failed", async () => {
    const api = makeApi();
    api.supervisor.restartError = 'Cannot restart container: driver failed programming external connectivity';
    const res = await call(api, '/api/containers/web/restart', { method: 'POST', token: TOKEN });
    expect(res.status).toBe(502);
    const body = (await res.json()) as { error: string; event: { status: string } };
    expect(body.error).toBe(
      'the engine could not restart web: Cannot restart container: driver failed programming external connectivity',
    );
    expect(body.event).toMatchObject({ status: 'failed' });
  });

  it('is 404 for an unknown container', async () => {
    const res = await call(makeApi(), '/api/containers/ghost/restart', { method: 'POST', token: TOKEN });
    expect(res.status).toBe(404);
  });

  it('is 409 while a heal of the container is in flight, and restarts nothing', async () => {
    const api = makeApi();
    api.supervisor.busy.add('web');
    const res = await call(api, '/api/containers/web/restart', { method: 'POST', token: TOKEN });
    expect(res.status).toBe(409);
    expect(await errorOf(res)).toMatch(/already queued or running/);
    expect(api.supervisor.restarts).toEqual([]);
  });

  it('refuses without the right token (401 with WWW-Authenticate) and restarts nothing', async () => {
    const api = makeApi();
    const before = snapshot(api);
    const variants: Record<string, string>[] = [
      {},
      { authorization: '' },
      { authorization: 'Bearer wrong-token' },
      { authorization: `Basic ${TOKEN}` },
      { authorization: `Bearer ${TOKEN}x` },
      { authorization: `Bearer ${TOKEN.slice(0, -1)}` },
      { authorization: `Bearer ${TOKEN} extra` },
      { authorization: TOKEN },
    ];
    for (const headers of variants) {
      const res = await call(api, '/api/containers/web/restart', { method: 'POST', headers });
      expect(res.status, JSON.stringify(headers)).toBe(401);
      expect(res.headers.get('www-authenticate')).toMatch(/^Bearer realm="autoheal"/);
      expect(await errorOf(res)).toMatch(/token/);
    }
    expect(snapshot(api)).toBe(before);
  });

  it('accepts the scheme in any letter case', async () => {
    const res = await call(makeApi(), '/api/containers/web/restart', {
      method: 'POST',
      headers: { authorization: `bearer ${TOKEN}` },
    });
    expect(res.status).toBe(200);
  });
});

describe('POST /api/containers/{ref}/reset', () => {
  it('re-arms a container autoheal gave up on, and says false otherwise', async () => {
    const api = makeApi();
    api.supervisor.gaveUp.add(DB_ID);
    const first = await call(api, '/api/containers/db/reset', { method: 'POST', token: TOKEN });
    expect(first.status).toBe(200);
    expect(resetResponseSchema.parse(await first.json())).toEqual({ reset: true });
    const second = await call(api, '/api/containers/db/reset', { method: 'POST', token: TOKEN });
    expect(await second.json()).toEqual({ reset: false });
  });

  it('is 404 for an unknown container and 401 without the token', async () => {
    const api = makeApi();
    api.supervisor.gaveUp.add(DB_ID);
    expect((await call(api, '/api/containers/ghost/reset', { method: 'POST', token: TOKEN })).status).toBe(
      404,
    );
    expect((await call(api, '/api/containers/db/reset', { method: 'POST' })).status).toBe(401);
    expect(api.supervisor.gaveUp.has(DB_ID)).toBe(true);
  });
});
