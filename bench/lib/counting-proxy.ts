/**
 * A counting proxy on a unix socket in front of the engine: autoheal is pointed at it
 * (DOCKER_SOCK) and every engine call it makes is counted, by method and path shape, and
 * passed through unchanged (streams included).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ENGINE_SOCKET } from './engine-http.js';

/** `GET /v1.41/containers/<64 hex>/json` → `GET /containers/{id}/json`. */
export function callShape(method: string, url: string): string {
  const path = (url.split('?')[0] ?? '')
    .replace(/^\/v\d+\.\d+/, '')
    .replace(/\/[0-9a-f]{12,64}(?=\/|$)/g, '/{id}');
  return `${method} ${path}`;
}

export class CountingProxy {
  readonly dir = mkdtempSync(join(tmpdir(), 'autoheal-bench-proxy-'));
  readonly socketPath = join(this.dir, 'docker.sock');
  /** Every call, with when it was made (ms since the epoch). */
  readonly calls: { at: number; shape: string }[] = [];
  private server: http.Server | null = null;
  private readonly sockets = new Set<Socket>();

  async listen(): Promise<void> {
    const server = http.createServer((req, res) => {
      this.calls.push({ at: Date.now(), shape: callShape(req.method ?? 'GET', req.url ?? '/') });
      const upstream = http.request(
        { socketPath: ENGINE_SOCKET, method: req.method, path: req.url, headers: req.headers },
        (up) => {
          res.writeHead(up.statusCode ?? 502, up.headers);
          up.pipe(res);
        },
      );
      upstream.on('error', (err) => {
        if (!res.headersSent) res.writeHead(502).end(err.message);
        else res.destroy();
      });
      res.on('close', () => upstream.destroy());
      req.pipe(upstream);
    });
    server.on('connection', (s) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.socketPath, () => resolve());
    });
    this.server = server;
  }

  /** Calls made in [fromMs, toMs), by shape. */
  countBetween(fromMs: number, toMs: number): Record<string, number> {
    const out: Record<string, number> = {};
    for (const c of this.calls) if (c.at >= fromMs && c.at < toMs) out[c.shape] = (out[c.shape] ?? 0) + 1;
    return out;
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    const server = this.server;
    this.server = null;
    if (server) await new Promise<void>((r) => server.close(() => r()));
    rmSync(this.dir, { recursive: true, force: true });
  }
}
