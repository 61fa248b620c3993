/**
 * The UI's API client (web/lib/api.js) in Node, with a stand-in fetch: reads that need a
 * session open exactly one login dialog, however their refusals and the login interleave.
 */
import { afterEach, describe, expect, it } from 'vitest';

interface TokenRequest {
  answer(token: string): void;
}
const { getJson } = (await import(
  // @ts-expect-error: plain browser JavaScript; web/tsconfig.json checks it, not this project.
  '../../../web/lib/api.js'
)) as { getJson(path: string): Promise<unknown> };
const { subscribeTokenRequests } = (await import(
  // @ts-expect-error: plain browser JavaScript; web/tsconfig.json checks it, not this project.
  '../../../web/lib/ask-token.js'
)) as { subscribeTokenRequests(kind: 'login', listener: (r: TokenRequest | null) => void): () => void };

const realFetch = globalThis.fetch;
afterEach(() => {
  globalThis.fetch = realFetch;
});

/** A server where reads need a session; each GET's answer waits until the test releases it. */
function server() {
  let session = false;
  const held: Array<{ path: string; go: () => void }> = [];
  globalThis.fetch = (async (path: string, init: RequestInit = {}) => {
    if (init.method === 'POST' && path === '/api/session') {
      session = true;
      return new Response(JSON.stringify({ access: 'read' }), { status: 200 });
    }
    const authorised = session;
    await new Promise<void>((go) => held.push({ path, go }));
    return authorised
      ? new Response(JSON.stringify({ path }), { status: 200 })
      : new Response(JSON.stringify({ error: 'log in' }), { status: 401 });
  }) as typeof fetch;
  /** Lets the oldest held GET of `path` be answered. */
  const release = (path: string) => {
    const at = held.findIndex((h) => h.path === path);
    if (at < 0) throw new Error(`no request for ${path} is waiting`);
    held.splice(at, 1)[0]?.go();
  };
  return { release };
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('reads that need a session', () => {
  it('ask once when a second refusal arrives after the login finished', async () => {
    const { release } = server();
    const asked: TokenRequest[] = [];
    const off = subscribeTokenRequests('login', (r) => {
      if (r !== null) asked.push(r);
    });
    const first = getJson('/api/config');
    const second = getJson('/api/fleet');
    await tick();
    release('/api/config'); // the first read is refused: the login dialog opens
    await tick();
    expect(asked).toHaveLength(1);
    asked[0]?.answer('read-token');
    await tick();
    release('/api/config'); // the first read, retried with the session
    await expect(first).resolves.toEqual({ path: '/api/config' });
    release('/api/fleet'); // the second read's refusal, sent before the login: retried, not asked again
    await tick();
    release('/api/fleet');
    await expect(second).resolves.toEqual({ path: '/api/fleet' });
    expect(asked).toHaveLength(1);
    off();
  });
});
