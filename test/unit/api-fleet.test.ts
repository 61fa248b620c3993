import { describe, expect, it } from 'vitest';
import { Fleet } from '../../src/fleet/fleet.js';
import { silentLogger } from '../../src/log.js';
import { call, errorOf, makeApi, testSettings } from '../support/api-fakes.js';
import { container, event, FakeHost } from '../support/fleet-fakes.js';

function withFleet(peers: FakeHost[]) {
  const local = new FakeHost(
    '',
    'test-host',
    [container('web')],
    [event(1, '2026-12-01T10:00:00.000Z', 'web')],
    true,
  );
  const byUrl = new Map(peers.map((p) => [p.url, p]));
  const fleet = new Fleet({
    local,
    directory: { configured: peers.length > 0, peers: () => [...byUrl.keys()], problems: () => [] },
    peerToken: null,
    logger: silentLogger(),
    peerSource: (url) => byUrl.get(url) as FakeHost,
  });
  return makeApi({ fleet });
}

describe('GET /api/fleet', () => {
  it('lists this host and the peers, a down one with its error', async () => {
    const down = new FakeHost('http://10.0.0.3:8080', 'gamma');
    down.behaviour = 'fail';
    const api = withFleet([new FakeHost('http://10.0.0.2:8080', 'beta', [container('db')]), down]);
    const res = await call(api, '/api/fleet');
    expect(res.status).toBe(200);
    const body = (await res.json()) as {
      configured: boolean;
      hosts: { host: string; ok: boolean; error: string | null }[];
    };
    expect(body.configured).toBe(true);
    expect(body.hosts.map((h) => [h.host, h.ok])).toEqual([
      ['test-host', true],
      ['10.0.0.3:8080', false],
      ['beta', true],
    ]);
  });

  it('merges containers and events, each with its host', async () => {
    const api = withFleet([
      new FakeHost(
        'http://10.0.0.2:8080',
        'beta',
        [container('db')],
        [event(1, '2026-12-01T11:00:00.000Z', 'db')],
      ),
    ]);
    const containers = (await (await call(api, '/api/fleet/containers')).json()) as {
      containers: { host: string; name: string }[];
    };
    expect(containers.containers.map((c) => `${c.host}/${c.name}`)).toEqual(['beta/db', 'test-host/web']);
    const events = (await (await call(api, '/api/fleet/events?limit=10')).json()) as {
      events: { host: string; id: number }[];
    };
    expect(events.events.map((e) => `${e.host}#${e.id}`)).toEqual(['beta#1', 'test-host#1']);
  });

  it('refuses a bad filter with one line and before_id paging, which is per host', async () => {
    const api = withFleet([]);
    const bad = await call(api, '/api/fleet/events?type=nope');
    expect(bad.status).toBe(400);
    expect(await errorOf(bad)).toMatch(/^type: must be one of/);
    const paged = await call(api, '/api/fleet/events?before_id=3');
    expect(paged.status).toBe(400);
    expect(await errorOf(paged)).toContain('unknown query parameter');
  });

  it('is read-only: a change is not routed', async () => {
    const api = withFleet([]);
    expect((await call(api, '/api/fleet', { method: 'POST' })).status).toBe(404);
  });
});

describe('GET /api/fleet when reads need a token', () => {
  it('refuses the fan-in without a token, and answers the read token', async () => {
    const local = new FakeHost('', 'test-host', [container('web')], [], true);
    const fleet = new Fleet({
      local,
      directory: { configured: true, peers: () => [], problems: () => [] },
      peerToken: null,
      logger: silentLogger(),
    });
    const readToken = 'read-token-for-the-fleet-0123';
    const api = makeApi({
      fleet,
      settings: testSettings({ AUTOHEAL_API_HOST: '0.0.0.0', AUTOHEAL_API_READ_TOKEN: readToken }),
    });
    for (const path of [
      '/api/fleet',
      '/api/fleet/containers',
      '/api/fleet/events',
      '/api/fleet/events/stream',
    ]) {
      expect((await call(api, path)).status, path).toBe(401);
    }
    expect((await call(api, '/api/fleet', { token: readToken })).status).toBe(200);
  });
});
