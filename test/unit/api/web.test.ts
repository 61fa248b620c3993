import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { htmPreactPath, VENDOR_HTM_PREACT } from '../../../src/api/web.js';
import { call, makeApi } from '../../support/api-fakes.js';

function webDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'autoheal-web-'));
  writeFileSync(join(dir, 'index.html'), '<!doctype html><title>autoheal</title>');
  return dir;
}

describe('the vendored Preact + htm module', () => {
  it('is served from node_modules at /vendor/htm-preact.js as JavaScript, same origin', async () => {
    const res = await call(makeApi({ webDir: webDir() }), VENDOR_HTM_PREACT);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    const body = await res.text();
    expect(body).toBe(readFileSync(htmPreactPath(), 'utf8'));
    // One ES module with no bare imports: the browser resolves it without an import map.
    expect(body).not.toMatch(/\bimport\s*[^(]/);
    expect(body).toMatch(/export\s*\{/);
  });

  it("is htm's preact/standalone build", () => {
    expect(htmPreactPath()).toMatch(/node_modules\/htm\/preact\/standalone\.module\.js$/);
  });

  it('keeps the page CSP at script-src self, with no inline or foreign scripts', async () => {
    const api = makeApi({ webDir: webDir() });
    for (const path of [VENDOR_HTM_PREACT, '/']) {
      const csp = (await call(api, path)).headers.get('content-security-policy') ?? '';
      const script = csp
        .split(';')
        .map((d) => d.trim())
        .find((d) => d.startsWith('script-src'));
      expect(script, path).toBe("script-src 'self'");
      expect(csp, path).toContain("default-src 'self'");
    }
  });

  it('is not served when there is no web UI', async () => {
    expect((await call(makeApi({ webDir: '/nonexistent/web' }), VENDOR_HTM_PREACT)).status).toBe(404);
  });
});
