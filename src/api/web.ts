/**
 * The web UI's files: `web/` served at `/`, and the one browser library it uses (Preact +
 * htm, from the `htm` package in node_modules) at `/vendor/htm-preact.js`, same origin, so
 * the Content-Security-Policy keeps `script-src 'self'` and nothing is fetched from a CDN.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { serveStatic } from '@hono/node-server/serve-static';
import type { OpenAPIHono } from '@hono/zod-openapi';

/** Where the browser modules import Preact + htm from (`web/` imports this path). */
export const VENDOR_HTM_PREACT = '/vendor/htm-preact.js';

/**
 * htm's `preact/standalone` build: Preact and htm in one ES module with no bare imports, so
 * the browser needs no import map. Its package exports list no browser path for Node, so
 * the file is found next to the `import` build, which the package resolves for us.
 */
export function htmPreactPath(): string {
  return fileURLToPath(new URL('standalone.module.js', import.meta.resolve('htm/preact/standalone')));
}

/** Serves `webDir` at `/` (never under `/api/`) and the vendored library beside it. */
export function registerWebRoutes(
  app: OpenAPIHono,
  webDir: string,
  vendorFile: string = htmPreactPath(),
): void {
  // Read once at start: the file is part of the installed release and small (13 KB).
  const vendor = readFileSync(vendorFile);
  app.get(VENDOR_HTM_PREACT, (c) => {
    c.header('Content-Type', 'text/javascript; charset=utf-8');
    c.header('Cache-Control', 'no-cache');
    return c.body(vendor);
  });
  const files = serveStatic({ root: webDir });
  app.get('*', async (c, next) => (c.req.path.startsWith('/api/') ? next() : files(c, next)));
}
