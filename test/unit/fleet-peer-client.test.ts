import { describe, expect, it } from 'vitest';
import { PeerHost } from '../../src/fleet/peer-client.js';
import type { AuditEvent } from '../../src/store/types.js';
import { container, event } from '../support/fleet-fakes.js';

type Seen = { url: string; headers: Record<string, string> };

function fakeFetch(answer: (url: string) => Response, seen: Seen[] = []): typeof fetch {
  return (async (input: string | URL | Request, init?: RequestInit) => {
    const url = String(input);
    seen.push({ url, headers: { ...(init?.headers as Record<string, string>) } });
    if (init?.signal?.aborted) throw init.signal.reason;
    return answer(url);
  }) as typeof fetch;
}

const json = (body: unknown, status = 200) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
const never = new AbortController().signal;

describe('reading a peer', () => {
  it('sends the peer token as a bearer token and reads who the peer is, even while its engine is down', async () => {
    const seen: Seen[] = [];
    const peer = new PeerHost(
      'http://10.0.0.2:8080',
      'peer-read-token',
      fakeFetch(
        () =>
          json(
            {
              status: 'degraded',
              docker: { connected: false },
              version: '0.2.0',
              host: 'beta',
              public_url: null,
            },
            503,
          ),
        seen,
      ),
    );
    expect(await peer.identity(never)).toEqual({
      host: 'beta',
      version: '0.2.0',
      publicUrl: null,
      engineConnected: false,
    });
    expect(seen[0]).toEqual({
      url: 'http://10.0.0.2:8080/api/health',
      headers: { Accept: 'application/json', Authorization: 'Bearer peer-read-token' },
    });
  });

  it('links a peer only to an http(s) address it gives, never to a javascript: URL', async () => {
    const answer = (publicUrl: string) =>
      new PeerHost(
        'http://p:1',
        null,
        fakeFetch(() =>
          json({ docker: { connected: true }, version: '1', host: 'x', public_url: publicUrl }),
        ),
      ).identity(never);
    expect((await answer('javascript:alert(1)')).publicUrl).toBeNull();
    expect((await answer('data:text/html,hi')).publicUrl).toBeNull();
    expect((await answer('https://node-b.example:8080/')).publicUrl).toBe('https://node-b.example:8080/');
  });

  it('passes the event filters on and reads the containers', async () => {
    const seen: Seen[] = [];
    const peer = new PeerHost(
      'http://p:1',
      null,
      fakeFetch(
        (url) =>
          url.includes('/api/events')
            ? json({ events: [event(1, '2026-12-01T00:00:00.000Z', 'a')], next_before_id: null })
            : json({ containers: [container('web')] }),
        seen,
      ),
    );
    expect((await peer.containers(never)).map((c) => c.name)).toEqual(['web']);
    expect(await peer.events({ limit: 5, type: 'restart', container: 'web' }, never)).toHaveLength(1);
    expect(seen[1]?.url).toBe('http://p:1/api/events?limit=5&type=restart&container=web');
    expect(seen[1]?.headers.Authorization).toBeUndefined();
  });

  it.each([
    [
      () => json({ error: 'this read needs Authorization: Bearer <token>' }, 401),
      'answered HTTP 401: this read needs Authorization',
    ],
    [() => new Response('<html>', { status: 200 }), 'without JSON: is it an autoheal?'],
    [() => json({ containers: [{ name: 1 }] }), "answered JSON that is not autoheal's"],
  ])('turns a wrong answer into an error that says what it was (%#)', async (answer, text) => {
    const peer = new PeerHost('http://p:1', 'peer-read-token', fakeFetch(answer));
    await expect(peer.containers(never)).rejects.toThrow(text);
  });

  it('says a peer that cannot be reached cannot be reached', async () => {
    const refused = (async () => {
      throw new TypeError('fetch failed', { cause: { code: 'ECONNREFUSED' } });
    }) as unknown as typeof fetch;
    await expect(new PeerHost('http://p:1', null, refused).identity(never)).rejects.toThrow(
      'cannot reach http://p:1: ECONNREFUSED',
    );
  });

  it('follows the live stream from the event after the last one, across split chunks', async () => {
    const seen: Seen[] = [];
    const e = event(8, '2026-12-01T00:00:00.000Z', 'web');
    const text = `: connected\n\nevent: audit\nid: 8\ndata: ${JSON.stringify(e)}\n\n: heartbeat\n\nevent: audit\ndata: {not json\n\n`;
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        const bytes = new TextEncoder().encode(text);
        controller.enqueue(bytes.slice(0, 30));
        controller.enqueue(bytes.slice(30));
        controller.close();
      },
    });
    const peer = new PeerHost(
      'http://p:1',
      'peer-read-token',
      fakeFetch(() => new Response(body), seen),
    );
    const got: AuditEvent[] = [];
    await expect(peer.follow((x) => got.push(x), 7, never)).rejects.toThrow(
      'the event stream of http://p:1 ended',
    );
    expect(got).toEqual([e]);
    expect(seen[0]?.headers).toMatchObject({ 'Last-Event-ID': '7', Authorization: 'Bearer peer-read-token' });
  });
});
