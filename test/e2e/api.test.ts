/**
 * The API end to end: autoheal on the real engine, driven over HTTP as an operator would.
 * The excluded list edited with the token takes effect for healing at once, a live
 * stream client sees the restart as it happens, and the list survives a restart.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AutohealProcess, startAutoheal, stopAllAutoheals } from '../support/autoheal-process.js';
import {
  createHealthContainer,
  makeHealthy,
  makeUnhealthy,
  removeAll,
  sleep,
  startedAt,
  type TestContainer,
  uniqueLabelKey,
  waitForHealth,
} from '../support/docker-fixtures.js';
import { openAuditStream } from '../support/sse-client.js';

const labelKey = uniqueLabelKey();
let ah: AutohealProcess;
let api: string;
let token: string;
let web: TestContainer;

async function call(method: string, path: string, body?: unknown, withToken = true): Promise<Response> {
  return fetch(`${api}${path}`, {
    method,
    headers: {
      ...(withToken ? { authorization: `Bearer ${token}` } : {}),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}

beforeAll(async () => {
  ah = await startAutoheal({ env: { AUTOHEAL_CONTAINER_LABEL: labelKey } });
  api = await ah.apiUrl();
  token = await ah.token();
  web = await createHealthContainer({ labels: { [labelKey]: 'true' } });
  await waitForHealth(web, 'healthy');
});

afterAll(async () => {
  await stopAllAutoheals();
  await removeAll();
});

describe('the API against the real engine', () => {
  it('lists the container as monitored, and refuses a change without the token', async () => {
    const res = await call('GET', `/api/containers/${web.name}`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      id: web.id,
      name: web.name,
      monitored: true,
      enrolled_by: 'label',
    });
    const refused = await call('POST', '/api/config/excluded', { name: web.name }, false);
    expect(refused.status).toBe(401);
    expect(refused.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect(await (await call('GET', '/api/config/excluded')).json()).toMatchObject({ excluded: [] });
  });

  it('an excluded container that turns unhealthy is not restarted; once included again it is', async () => {
    const added = await call('POST', '/api/config/excluded', { name: web.name });
    expect(added.status).toBe(201);
    const before = await startedAt(web);
    await makeUnhealthy(web);
    await ah.waitForAudit(
      (e) => e.event_type === 'skipped' && e.status === 'excluded' && e.container_id === web.id,
      30_000,
      'skipped/excluded',
    );
    await sleep(4_000); // a reconcile or two
    expect(await startedAt(web)).toBe(before);

    await makeHealthy(web);
    await waitForHealth(web, 'healthy');
    const removed = await call('DELETE', `/api/config/excluded/${encodeURIComponent(web.name)}`);
    expect(removed.status).toBe(200);

    const stream = await openAuditStream(`${api}/api/events/stream`);
    try {
      await makeUnhealthy(web);
      const live = await stream.waitFor(
        (e) => e.event_type === 'restart' && e.container_id === web.id,
        60_000,
        'restart event on the live stream',
      );
      expect(live.status).toBe('success');
      expect(await startedAt(web)).not.toBe(before);
    } finally {
      stream.close();
    }
    const changes = (await ah.readAudit()).filter((e) => e.event_type === 'config_change');
    expect(changes.map((e) => e.details)).toMatchObject([
      { list: 'excluded', added: [web.name] },
      { list: 'excluded', removed: [web.name] },
    ]);
  });

  it('the excluded list survives a restart of autoheal', async () => {
    const put = await call('PUT', '/api/config/excluded', { excluded: ['keep-me', 'test-*'] });
    expect(put.status).toBe(200);
    expect(await ah.stop()).toBe(0);
    ah = await startAutoheal({ dataDir: ah.dataDir, env: { AUTOHEAL_CONTAINER_LABEL: labelKey } });
    api = await ah.apiUrl();
    const res = await call('GET', '/api/config/excluded');
    expect(await res.json()).toMatchObject({ excluded: ['keep-me', 'test-*'] });
    const events = (await (await call('GET', `/api/events?container=${web.name}&type=restart`)).json()) as {
      events: unknown[];
    };
    expect(events.events).toHaveLength(1);
  });
});
