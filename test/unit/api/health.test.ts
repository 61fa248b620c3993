import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { configResponseSchema, healthResponseSchema } from '../../../src/api/schemas.js';
import { SECRET_KEYS, SETTING_KEYS } from '../../../src/config/settings.js';
import { call, errorOf, makeApi, TOKEN, testSettings } from '../../support/api-fakes.js';

describe('GET /api/health', () => {
  it('answers 200 ok with the engine connection, the queue and the uptime', async () => {
    const api = makeApi();
    const res = await call(api, '/api/health');
    expect(res.status).toBe(200);
    const body = healthResponseSchema.parse(await res.json());
    expect(body).toEqual({
      status: 'ok',
      docker: { connected: true, last_event_at: '2026-11-21T12:00:00.000Z', reconnects: 2 },
      queue: { size: 1, pending: 0, dropped: 3 },
      store: { ok: true, last_error: null, pending_writes: false },
      maintenance: { active: false, until: null, reason: null },
      uptime_s: 3600,
      version: '0.1.0-test',
      host: 'test-host',
      public_url: null,
    });
  });

  it('answers 503 degraded while the engine is unreachable', async () => {
    const api = makeApi();
    api.engine.connected = false;
    const res = await call(api, '/api/health');
    expect(res.status).toBe(503);
    const body = healthResponseSchema.parse(await res.json());
    expect(body.status).toBe('degraded');
    expect(body.docker.connected).toBe(false);
  });
});

describe('GET /metrics', () => {
  it('serves the registry in the Prometheus text format', async () => {
    const res = await call(makeApi(), '/metrics');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(await res.text()).toContain('autoheal_restarts_total{result="success"} 1');
  });
});

describe('every answer', () => {
  it('carries secure headers with a strict CSP and no inline scripts', async () => {
    const res = await call(makeApi(), '/api/health');
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('x-frame-options')).toBe('DENY');
  });

  it('is a JSON 404 for an unknown path or method', async () => {
    const api = makeApi();
    for (const [method, path] of [
      ['GET', '/api/nope'],
      ['GET', '/'],
      ['DELETE', '/api/health'],
      ['PATCH', '/api/config/excluded'],
      ['GET', '/api/health/'],
    ] as const) {
      const res = await call(api, path, { method });
      expect(res.status, `${method} ${path}`).toBe(404);
      expect(await errorOf(res)).toContain('no such resource');
    }
  });
});

describe('GET /api/config', () => {
  it('shows every setting except the secrets, and the lists', async () => {
    const api = makeApi({
      settings: testSettings({ WEBHOOK_URL: 'https://hooks.slack.com/services/T0/B0/secretpart' }),
    });
    api.supervisor.addToList('excluded', 'api-one');
    api.supervisor.addToList('selected', 'picked');
    const res = await call(api, '/api/config');
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).not.toContain(TOKEN);
    expect(text).not.toContain('secretpart');
    const body = configResponseSchema.parse(JSON.parse(text));
    for (const key of SETTING_KEYS) {
      if (SECRET_KEYS.has(key)) expect(body.settings).not.toHaveProperty(key);
      else expect(body.settings).toHaveProperty(key);
    }
    expect(body.settings.AUTOHEAL_INTERVAL).toBe(30);
    expect(body.settings.WEBHOOK_URL).toBe('https://hooks.slack.com/***');
    expect(body.settings.AUTOHEAL_EXCLUDE).toEqual(['cfg-*', 'legacy']);
    expect(body.containers).toEqual({
      selected: ['picked'],
      excluded: ['cfg-*', 'legacy', 'api-one'],
      excluded_by_config: ['cfg-*', 'legacy'],
    });
  });
});

describe('GET /api/openapi.json', () => {
  it('documents every route with the schemas the handlers validate with', async () => {
    const res = await call(makeApi(), '/api/openapi.json');
    expect(res.status).toBe(200);
    const doc = (await res.json()) as {
      openapi: string;
      paths: Record<
        string,
        Record<string, { security?: unknown; requestBody?: unknown; parameters?: { name: string }[] }>
      >;
      components: { schemas: Record<string, unknown> };
    };
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths).sort()).toEqual(
      [
        '/api/config',
        '/api/config/excluded',
        '/api/config/excluded/{name}',
        '/api/config/selected',
        '/api/config/selected/{name}',
        '/api/containers',
        '/api/containers/{ref}',
        '/api/containers/{ref}/reset',
        '/api/containers/{ref}/restart',
        '/api/containers/{ref}/silence',
        '/api/maintenance',
        '/api/notifications/test',
        '/api/events',
        '/api/events/stream',
        '/api/health',
        '/api/openapi.json',
        '/api/session',
        '/metrics',
      ].sort(),
    );
    expect(doc.paths['/api/config/excluded']?.put?.security).toEqual([{ bearer: [] }]);
    expect(doc.paths['/api/config/excluded']?.get?.security).toBeUndefined();
    expect(JSON.stringify(doc.paths['/api/config/excluded']?.put?.requestBody)).toContain('maxItems');
    expect(doc.paths['/api/events']?.get?.parameters?.map((p) => p.name)).toEqual([
      'type',
      'container',
      'since',
      'before_id',
      'limit',
    ]);
    expect(doc.components.schemas).toHaveProperty('AuditEvent');
    // Every $ref resolves inside the document.
    for (const ref of JSON.stringify(doc).match(/"\$ref":"[^"]+"/g) ?? []) {
      const name = ref.replace(/^"\$ref":"#\/components\/schemas\//, '').replace(/"$/, '');
      expect(doc.components.schemas, ref).toHaveProperty(name);
    }
  });

  it('is the same document on every request', async () => {
    const api = makeApi();
    const first = await (await call(api, '/api/openapi.json')).text();
    expect(await (await call(api, '/api/openapi.json')).text()).toBe(first);
  });
});

describe('the web UI', () => {
  it('is served at / from webDir when it exists, API routes and 404s unaffected', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'autoheal-web-'));
    writeFileSync(join(dir, 'index.html'), '<!doctype html><title>autoheal</title>');
    writeFileSync(join(dir, 'app.js'), 'console.log(1)');
    const api = makeApi({ webDir: dir });
    const index = await call(api, '/');
    expect(index.status).toBe(200);
    expect(index.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await index.text()).toContain('<title>autoheal</title>');
    const js = await call(api, '/app.js');
    expect(js.headers.get('content-type')).toMatch(/javascript/);
    expect((await call(api, '/api/health')).status).toBe(200);
    expect((await call(api, '/missing.css')).status).toBe(404);
    expect((await call(api, '/..%2f..%2fetc%2fpasswd')).status).toBe(404);
  });

  it('is absent without a webDir', async () => {
    expect((await call(makeApi({ webDir: '/nonexistent/web' }), '/')).status).toBe(404);
  });
});
