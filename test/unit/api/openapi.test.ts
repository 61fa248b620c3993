/**
 * The OpenAPI document against the server it describes: a real validator accepts it, every
 * mounted route is in it, and every route, driven with good and bad input in every state
 * the fakes can take, answers only the statuses it documents.
 */
import { compileErrors, validate } from '@readme/openapi-parser';
import { afterEach, describe, expect, it } from 'vitest';
import { MAX_BODY_BYTES } from '../../../src/api/validate.js';
import { type Call, call, makeApi, type TestApi, TOKEN, WEB_ID } from '../../support/api-fakes.js';

interface Operation {
  security?: unknown;
  requestBody?: unknown;
  parameters?: { name: string; in: string }[];
  responses: Record<string, unknown>;
}
type Document = { paths: Record<string, Record<string, Operation>> };

async function fetchDocument(): Promise<Document> {
  const res = await call(makeApi(), '/api/openapi.json');
  expect(res.status).toBe(200);
  return (await res.json()) as Document;
}

/** Every operation of the document as `METHOD /path/{param}`. */
function operations(doc: Document): Array<{ method: string; path: string; op: Operation }> {
  return Object.entries(doc.paths).flatMap(([path, byMethod]) =>
    Object.entries(byMethod).map(([method, op]) => ({ method: method.toUpperCase(), path, op })),
  );
}

/** A state of the server before one request. */
type Setup = (api: TestApi) => void;
const STATES: Record<string, Setup> = {
  normal: () => {},
  'engine down': (api) => {
    api.supervisor.engineUp = false;
    api.engine.connected = false;
  },
  'heal in progress': (api) => {
    api.supervisor.busy.add('web');
  },
  'maintenance on, web silenced': (api) => {
    api.supervisor.holdsOn = true;
  },
  'engine refuses restarts': (api) => {
    api.supervisor.restartError = 'Cannot restart container web: network not found';
  },
};

const PARAM_VALUES: Record<string, string[]> = {
  ref: ['web', WEB_ID, WEB_ID.slice(0, 12), 'missing', 'bad%20name', 'x'.repeat(300)],
  // api-one is API-managed, legacy comes from AUTOHEAL_EXCLUDE (see testSettings).
  name: ['api-one', 'legacy', 'absent', 'bad%20name'],
};

function pathsFor(path: string): string[] {
  const names = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1] ?? '');
  let out = [path];
  for (const name of names) {
    const values = PARAM_VALUES[name];
    if (values === undefined) throw new Error(`no test values for path parameter {${name}}`);
    out = out.flatMap((p) => values.map((v) => p.replace(`{${name}}`, v)));
  }
  return out;
}

function queriesFor(op: Operation): string[] {
  const names = (op.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name);
  if (names.length === 0) return [''];
  const good: Record<string, string> = {
    type: 'restart',
    container: 'web',
    since: '2026-11-21',
    before_id: '10',
    limit: '5',
    last_event_id: '1',
  };
  return [
    '',
    '?unknown=1',
    ...names.flatMap((n) => [
      `?${n}=${encodeURIComponent(good[n] ?? 'x')}`,
      `?${n}=%20bad!`,
      `?${n}=1&${n}=2`,
    ]),
  ];
}

function bodiesFor(
  method: string,
  path: string,
  op: Operation,
): Array<Pick<Call, 'json' | 'body' | 'headers'>> {
  if (op.requestBody === undefined) return [{}];
  const list = path.split('/').at(-1) ?? '';
  // Maintenance and silence take minutes; the lists take names.
  const holds = path === '/api/maintenance' || path.endsWith('/silence');
  const good = holds
    ? { minutes: 5 }
    : method === 'PUT'
      ? { [list]: ['web', 'api-two'] }
      : { name: 'api-two' };
  const again = holds
    ? { minutes: 10, ...(list === 'maintenance' ? { reason: 'again' } : {}) }
    : method === 'PUT'
      ? { [list]: ['api-one'] }
      : { name: 'api-one' };
  return [
    { json: good },
    { json: again },
    { json: {} },
    { json: [] },
    { body: '{', headers: { 'content-type': 'application/json' } },
    { body: JSON.stringify(good), headers: { 'content-type': 'text/plain' } },
    { body: 'x'.repeat(MAX_BODY_BYTES + 1), headers: { 'content-type': 'application/json' } },
  ];
}

const servers = new Map<Setup, TestApi>();
afterEach(() => {
  for (const api of servers.values()) api.closeStreams();
  servers.clear();
});

/** One request against the server in the given state (lists reset first); the answer's status. */
async function statusOf(setup: Setup, method: string, url: string, init: Call): Promise<number> {
  let api = servers.get(setup);
  if (api === undefined) {
    api = makeApi();
    setup(api);
    servers.set(setup, api);
  }
  api.store.setList('excluded', ['api-one']);
  api.store.setList('selected', ['api-one']);
  // Like the lists: a DELETE of maintenance or of a silence meets none unless the state says so.
  api.supervisor.endMaintenance();
  await api.supervisor.unsilence('web').catch(() => undefined);
  if (api.supervisor.holdsOn) {
    api.supervisor.startMaintenance(5, '');
    await api.supervisor.silence('web', 5);
  }
  const res = await call(api, url, { ...init, method });
  // An event stream stays open; nothing more of it is needed.
  await res.body?.cancel();
  return res.status;
}

describe('the OpenAPI document', () => {
  it('is valid OpenAPI 3.1 by @readme/openapi-parser', async () => {
    const doc = await fetchDocument();
    const result = await validate(structuredClone(doc) as never);
    expect(result.valid ? '' : compileErrors(result)).toBe('');
    // The validator compiles the OpenAPI 3.1 meta-schema first: seconds on a busy machine.
  }, 30_000);

  it('names every audit event type, health transitions included, with what a health status means', async () => {
    const doc = (await fetchDocument()) as unknown as {
      components: {
        schemas: {
          AuditEvent: {
            properties: { event_type: { enum: string[] }; status: { description?: string } };
          };
        };
      };
    };
    const event = doc.components.schemas.AuditEvent.properties;
    expect(event.event_type.enum).toContain('health');
    expect(event.status.description).toMatch(/starting, healthy, unhealthy, stopped.*details\.previous/);
  });

  it('describes every route the server mounts, and no other', async () => {
    const doc = await fetchDocument();
    const documented = operations(doc)
      .map(({ method, path }) => `${method} ${path.replaceAll(/\{(\w+)\}/g, ':$1')}`)
      .sort();
    const mounted = [
      ...new Set(
        makeApi()
          .app.routes.filter((r) => r.method !== 'ALL' && r.path !== '*')
          .map((r) => `${r.method} ${r.path}`),
      ),
    ].sort();
    expect(mounted).toEqual(documented);
  });

  it('every route answers only the statuses it documents, and each documented status happens', async () => {
    const doc = await fetchDocument();
    const undocumented: string[] = [];
    const unseen: string[] = [];
    for (const { method, path, op } of operations(doc)) {
      const documentedStatuses = new Set(Object.keys(op.responses));
      const seen = new Set<string>();
      const tokens = op.security === undefined ? [null] : [null, 'wrong-token', TOKEN];
      for (const [state, setup] of Object.entries(STATES)) {
        for (const url of pathsFor(path)) {
          for (const query of queriesFor(op)) {
            for (const token of tokens) {
              for (const body of bodiesFor(method, path, op)) {
                const status = String(await statusOf(setup, method, `${url}${query}`, { ...body, token }));
                seen.add(status);
                if (!documentedStatuses.has(status)) {
                  undocumented.push(
                    `${method} ${url}${query} (${state}, token ${token === null ? 'none' : token === TOKEN ? 'right' : 'wrong'}, body ${JSON.stringify(body.json ?? body.body ?? null).slice(0, 40)}) answered ${status}; documented: ${[...documentedStatuses].join(', ')}`,
                  );
                }
              }
            }
          }
        }
      }
      // The Host check answers for every route.
      const badHost = await statusOf(STATES.normal as Setup, method, pathsFor(path)[0] ?? path, {
        headers: { host: 'evil.example' },
      });
      seen.add(String(badHost));
      if (!documentedStatuses.has(String(badHost))) {
        undocumented.push(`${method} ${path} with a foreign Host answered ${badHost}`);
      }
      for (const status of documentedStatuses) {
        // Not provoked here: 429 needs 256 open streams or a burst of failed tokens
        // (api-events and the auth tests cover them), and a read's 401 needs reads behind
        // a token, which a loopback bind does not ask for (the read-auth tests cover it).
        if (status === '429') continue;
        if (status === '401' && method === 'GET') continue;
        if (!seen.has(status)) unseen.push(`${method} ${path} documents ${status} but never answered it`);
      }
    }
    expect(undocumented).toEqual([]);
    expect(unseen).toEqual([]);
  }, 60_000);
});
