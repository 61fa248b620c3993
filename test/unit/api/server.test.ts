import { request as httpRequest } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { type RunningServer, startServer } from '../../../src/api/server.js';
import { silentLogger } from '../../../src/log.js';
import { makeApi, type TestApi, TOKEN } from '../../support/api-fakes.js';

const running: RunningServer[] = [];
afterEach(async () => {
  for (const s of running.splice(0)) await s.close();
});

async function start(api: TestApi, graceMs?: number): Promise<RunningServer> {
  const server = await startServer(
    api,
    { host: '127.0.0.1', port: 0, ...(graceMs !== undefined && { graceMs }) },
    silentLogger(),
  );
  running.push(server);
  return server;
}

/** A raw request, so the body can go out chunked (no Content-Length). */
function raw(
  port: number,
  method: string,
  path: string,
  headers: Record<string, string>,
  chunks: string[],
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, method, path, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => {
        body += d;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    for (const c of chunks) req.write(c);
    req.end();
  });
}

describe('startServer', () => {
  it('serves the app on the bound port', async () => {
    const server = await start(makeApi());
    expect(server.port).toBeGreaterThan(0);
    const res = await fetch(`http://127.0.0.1:${server.port}/api/health`);
    expect(res.status).toBe(200);
  });

  it('refuses a chunked body over 64 KiB with 413 and changes nothing', async () => {
    const api = makeApi();
    const server = await start(api);
    const entries = Array.from({ length: 6000 }, (_, i) => `"container-${i}"`);
    const json = `{"excluded":[${entries.join(',')}]}`;
    const chunks = Array.from({ length: Math.ceil(json.length / 8192) }, (_, i) =>
      json.slice(i * 8192, (i + 1) * 8192),
    );
    const res = await raw(
      server.port,
      'PUT',
      '/api/config/excluded',
      {
        'content-type': 'application/json',
        authorization: `Bearer ${TOKEN}`,
        'transfer-encoding': 'chunked',
      },
      chunks,
    );
    expect(res.status).toBe(413);
    expect(JSON.parse(res.body)).toEqual({ error: 'body: must be at most 65536 bytes' });
    expect(api.store.getList('excluded')).toEqual([]);
    // A small chunked body is fine.
    const ok = await raw(
      server.port,
      'PUT',
      '/api/config/excluded',
      {
        'content-type': 'application/json',
        authorization: `Bearer ${TOKEN}`,
        'transfer-encoding': 'chunked',
      },
      ['{"excluded":', '["web"]}'],
    );
    expect(ok.status).toBe(200);
    expect(api.store.getList('excluded')).toEqual(['web']);
  });

  it('streams events live over HTTP, and close() ends connected SSE clients without hanging', async () => {
    const api = makeApi();
    const server = await start(api, 10_000);
    const readers = await Promise.all(
      [1, 2, 3].map(async () => {
        const res = await fetch(`http://127.0.0.1:${server.port}/api/events/stream`);
        expect(res.status).toBe(200);
        return res.body!.getReader();
      }),
    );
    const decoder = new TextDecoder();
    let text = '';
    while (!text.includes(': connected')) text += decoder.decode((await readers[0]!.read()).value);
    api.store.append({ event_type: 'engine', status: 'connected', message: 'hello' });
    while (!text.includes('event: audit')) text += decoder.decode((await readers[0]!.read()).value);
    expect(text).toContain('id: 1');

    const t0 = Date.now();
    await server.close();
    running.length = 0;
    expect(Date.now() - t0).toBeLessThan(2000);
    expect(api.openStreams()).toBe(0);
    for (const reader of readers) {
      for (;;) {
        const r = await reader.read().catch(() => ({ done: true as const, value: undefined }));
        if (r.done) break;
      }
    }
  });

  it('close() cuts a client that does not read after the grace period', async () => {
    const api = makeApi();
    // Resolves when the server hands the request to the app: it is in flight there.
    const arrived = new Promise<void>((resolve) => {
      const fetch = api.app.fetch;
      api.app.fetch = (...args) => {
        resolve();
        return fetch(...args);
      };
    });
    const server = await start(api, 200);
    // A request still in flight: headers sent, body never finished.
    const req = httpRequest({
      host: '127.0.0.1',
      port: server.port,
      method: 'PUT',
      path: '/api/config/excluded',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${TOKEN}`,
        'content-length': '100',
      },
    });
    req.on('error', () => {});
    req.write('{"excl');
    await arrived;
    const t0 = Date.now();
    await server.close();
    running.length = 0;
    expect(Date.now() - t0).toBeLessThan(2000);
    req.destroy();
  });

  it('rejects when the port is taken', async () => {
    const first = await start(makeApi());
    await expect(
      startServer(makeApi(), { host: '127.0.0.1', port: first.port }, silentLogger()),
    ).rejects.toThrow(/EADDRINUSE/);
  });
});
