import { describe, expect, it } from 'vitest';
import { listResponseSchema } from '../../../src/api/schemas.js';
import { MAX_BODY_BYTES } from '../../../src/api/validate.js';
import { type Call, call, errorOf, makeApi, snapshot, type TestApi, TOKEN } from '../../support/api-fakes.js';

const hex12 = 'abcdef012345';

async function expectRefused(api: TestApi, path: string, init: Call, status: number, message: RegExp) {
  const before = snapshot(api);
  const res = await call(api, path, init);
  expect(res.status, `${init.method} ${path} ${JSON.stringify(init.json ?? '')}`).toBe(status);
  expect(await errorOf(res)).toMatch(message);
  expect(snapshot(api), 'a refused request changed state').toBe(before);
  return res;
}

describe.each(['excluded', 'selected'] as const)('/api/config/%s', (list) => {
  const path = `/api/config/${list}`;
  const view = listResponseSchema(list);
  const configEntries = list === 'excluded' ? ['cfg-*', 'legacy'] : [];

  it('GET shows the list (the effective one for excluded)', async () => {
    const api = makeApi();
    const res = await call(api, path);
    expect(res.status).toBe(200);
    const body = view.parse(await res.json()) as Record<string, string[]>;
    expect(body[list]).toEqual(configEntries);
    if (list === 'excluded') expect(body.excluded_by_config).toEqual(['cfg-*', 'legacy']);
  });

  it('PUT replaces the API-managed list, drops duplicates, and records a config_change', async () => {
    const api = makeApi();
    const res = await call(api, path, {
      method: 'PUT',
      token: TOKEN,
      json: { [list]: ['web', 'test-*', hex12, 'web', 'a'.repeat(255)] },
    });
    expect(res.status).toBe(200);
    const body = view.parse(await res.json()) as Record<string, string[]>;
    expect(api.store.getList(list)).toEqual(['web', 'test-*', hex12, 'a'.repeat(255)]);
    expect(body[list]).toEqual([...configEntries, 'web', 'test-*', hex12, 'a'.repeat(255)]);
    expect(api.store.list({ type: 'config_change' })).toHaveLength(1);
    const cleared = await call(api, path, { method: 'PUT', token: TOKEN, json: { [list]: [] } });
    expect(cleared.status).toBe(200);
    expect(api.store.getList(list)).toEqual([]);
  });

  it('POST adds one (201), or answers 200 when it is already there', async () => {
    const api = makeApi();
    const first = await call(api, path, { method: 'POST', token: TOKEN, json: { name: 'web*' } });
    expect(first.status).toBe(201);
    expect((view.parse(await first.json()) as Record<string, string[]>)[list]).toContain('web*');
    const again = await call(api, path, { method: 'POST', token: TOKEN, json: { name: 'web*' } });
    expect(again.status).toBe(200);
    expect(api.store.getList(list)).toEqual(['web*']);
    expect(api.store.list({ type: 'config_change' })).toHaveLength(1);
  });

  it('DELETE removes one (names with * literal or %2A), 404 when absent', async () => {
    const api = makeApi();
    api.supervisor.replaceList(list, ['test-*', 'web', hex12]);
    expect((await call(api, `${path}/test-%2A`, { method: 'DELETE', token: TOKEN })).status).toBe(200);
    expect((await call(api, `${path}/web`, { method: 'DELETE', token: TOKEN })).status).toBe(200);
    const res = await call(api, `${path}/${hex12}`, { method: 'DELETE', token: TOKEN });
    expect(res.status).toBe(200);
    expect((view.parse(await res.json()) as Record<string, string[]>)[list]).toEqual(configEntries);
    expect(api.store.getList(list)).toEqual([]);
    api.supervisor.addToList(list, 'a*b');
    expect((await call(api, `${path}/a*b`, { method: 'DELETE', token: TOKEN })).status).toBe(200);
    await expectRefused(api, `${path}/web`, { method: 'DELETE', token: TOKEN }, 404, /"web" is not in the/);
  });

  it('refuses every malformed body with 400 naming the field, changing nothing', async () => {
    const api = makeApi();
    api.supervisor.replaceList(list, ['keep-me']);
    const put = (json: unknown) => ({ method: 'PUT', token: TOKEN, json });
    const cases: [Call, RegExp][] = [
      [
        put({ [list]: ['ok', 'also-ok', 'fine', '-bad'] }),
        new RegExp(`^${list}\\[3\\]: must be a container name or 12-64 hex id$`),
      ],
      [put({ [list]: ['a'.repeat(256)] }), new RegExp(`^${list}\\[0\\]: must be at most 255 characters`)],
      [put({ [list]: [''] }), new RegExp(`^${list}\\[0\\]: must be a container name`)],
      [put({ [list]: ['ok', 7] }), new RegExp(`^${list}\\[1\\]: must be a string`)],
      [put({ [list]: ['../etc'] }), new RegExp(`^${list}\\[0\\]: `)],
      [put({ [list]: ['wëb'] }), new RegExp(`^${list}\\[0\\]: `)],
      [
        put({ [list]: Array.from({ length: 1001 }, (_, i) => `c${i}`) }),
        new RegExp(`^${list}: must hold at most 1000 entries`),
      ],
      [put({ [list]: 'web' }), new RegExp(`^${list}: must be an array`)],
      [put({}), new RegExp(`^${list}: is required`)],
      [put({ [list]: [], extra: 1 }), /^"extra": unknown field$/],
      [put([]), /^body: must be a JSON object/],
      [put(null), /^body: must be a JSON object/],
      [put('web'), /^body: must be a JSON object/],
      [
        {
          method: 'PUT',
          token: TOKEN,
          body: '{"excluded": [',
          headers: { 'content-type': 'application/json' },
        },
        /^body: is not valid JSON/,
      ],
      [
        { method: 'PUT', token: TOKEN, body: '', headers: { 'content-type': 'application/json' } },
        /^body: is empty/,
      ],
      [{ method: 'POST', token: TOKEN, json: {} }, /^name: is required/],
      [{ method: 'POST', token: TOKEN, json: { name: 42 } }, /^name: must be a string/],
      [
        { method: 'POST', token: TOKEN, json: { name: 'bad name' } },
        /^name: must be a container name or 12-64 hex id/,
      ],
      [{ method: 'POST', token: TOKEN, json: { name: 'ok', more: true } }, /^"more": unknown field/],
      [{ method: 'POST', token: TOKEN, json: { name: { deep: [[[['x']]]] } } }, /^name: must be a string/],
    ];
    for (const [init, message] of cases) await expectRefused(api, path, init, 400, message);
    await expectRefused(
      api,
      `${path}/bad%20name`,
      { method: 'DELETE', token: TOKEN },
      400,
      /^name: must be a container name/,
    );
    await expectRefused(api, `${path}/%E0%A4%A`, { method: 'DELETE', token: TOKEN }, 400, /^name: /);
    const badUtf8 = new Uint8Array([0x7b, 0x22, 0x6e, 0x61, 0x6d, 0x65, 0x22, 0x3a, 0x22, 0xff, 0x22, 0x7d]);
    await expectRefused(
      api,
      path,
      { method: 'POST', token: TOKEN, body: badUtf8, headers: { 'content-type': 'application/json' } },
      400,
      /^body: is not valid UTF-8/,
    );
    expect(api.store.getList(list)).toEqual(['keep-me']);
  });

  it('refuses a body that is not application/json with 415', async () => {
    const api = makeApi();
    const body = JSON.stringify({ name: 'web' });
    for (const type of [
      undefined,
      'text/plain',
      'application/x-www-form-urlencoded',
      'application/jsonx',
      'application/json; charset=latin1',
    ]) {
      const headers: Record<string, string> = type === undefined ? {} : { 'content-type': type };
      await expectRefused(
        api,
        path,
        { method: 'POST', token: TOKEN, body, headers },
        415,
        /^body: must be JSON/,
      );
    }
    const ok = await call(api, path, {
      method: 'POST',
      token: TOKEN,
      body,
      headers: { 'content-type': 'Application/JSON; charset=UTF-8' },
    });
    expect(ok.status).toBe(201);
  });

  it('refuses a body over 64 KiB with 413, with or without Content-Length', async () => {
    const api = makeApi();
    const big = JSON.stringify({ [list]: Array.from({ length: 5000 }, (_, i) => `container-${i}`) });
    expect(big.length).toBeGreaterThan(MAX_BODY_BYTES);
    await expectRefused(
      api,
      path,
      {
        method: 'PUT',
        token: TOKEN,
        body: big,
        headers: { 'content-type': 'application/json', 'content-length': String(big.length) },
      },
      413,
      /^body: must be at most 65536 bytes/,
    );
    const chunks = new TextEncoder().encode(big);
    const chunked = () =>
      new ReadableStream<Uint8Array>({
        start(controller) {
          for (let i = 0; i < chunks.length; i += 4096) controller.enqueue(chunks.slice(i, i + 4096));
          controller.close();
        },
      });
    const req = new Request(`http://localhost${path}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
      body: chunked(),
      duplex: 'half',
    } as RequestInit);
    expect(req.headers.get('content-length')).toBeNull();
    const before = snapshot(api);
    const res = await api.app.request(req);
    expect(res.status).toBe(413);
    expect(snapshot(api)).toBe(before);
    // A Content-Length that lies (smaller than the body) does not get past the limit either.
    await expectRefused(
      api,
      path,
      {
        method: 'PUT',
        token: TOKEN,
        body: big,
        headers: { 'content-type': 'application/json', 'content-length': '10' },
      },
      413,
      /^body: must be at most/,
    );
  });

  it('needs the token for every change: 401 with WWW-Authenticate, before the body is even looked at', async () => {
    const api = makeApi();
    const changes: [string, Call][] = [
      [path, { method: 'PUT', json: { [list]: ['x'] } }],
      [path, { method: 'POST', json: { name: 'x' } }],
      [path, { method: 'POST', body: 'not json' }],
      [`${path}/keep`, { method: 'DELETE' }],
    ];
    api.supervisor.addToList(list, 'keep');
    for (const [p, init] of changes) {
      for (const token of [undefined, 'wrong']) {
        const res = await expectRefused(
          api,
          p,
          token === undefined ? init : { ...init, token },
          401,
          /token/,
        );
        expect(res.headers.get('www-authenticate')).toMatch(/^Bearer realm="autoheal"/);
      }
    }
  });
});

describe('DELETE of an entry from configuration', () => {
  it('is 409 and leaves it in place', async () => {
    const api = makeApi();
    await expectRefused(
      api,
      '/api/config/excluded/legacy',
      { method: 'DELETE', token: TOKEN },
      409,
      /comes from configuration/,
    );
    await expectRefused(
      api,
      '/api/config/excluded/cfg-%2A',
      { method: 'DELETE', token: TOKEN },
      409,
      /"cfg-\*"/,
    );
    expect((await (await call(api, '/api/config/excluded')).json()) as unknown).toMatchObject({
      excluded: ['cfg-*', 'legacy'],
    });
  });
});
