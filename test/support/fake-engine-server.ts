/**
 * A fake Docker engine for unit tests: an HTTP server on a unix socket in a temporary
 * directory, serving `/events` as a stream the test writes to, `/_ping` (which can hang),
 * and whatever other routes a test adds.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export type Route = (req: http.IncomingMessage, res: http.ServerResponse, url: URL) => void;

export class FakeEngineServer {
  readonly dir = mkdtempSync(join(tmpdir(), 'autoheal-fake-engine-'));
  readonly socketPath = join(this.dir, 'docker.sock');
  /** Every `/events` request's URL, in order. */
  readonly eventRequests: URL[] = [];
  /** Open `/events` responses, newest last. */
  readonly streams: http.ServerResponse[] = [];
  pings = 0;
  /** `hang`: `/_ping` never answers. */
  pingMode: 'ok' | 'hang' = 'ok';
  /** `ok`: stream; `fail`: 500; `hang`: never send headers. */
  eventsMode: 'ok' | 'fail' | 'hang' = 'ok';
  /** The engine clock sent in the events response's Date header. */
  dateHeader: string | null = null;
  readonly routes = new Map<string, Route>();
  private readonly sockets = new Set<Socket>();
  private server: http.Server | null = null;

  async listen(): Promise<void> {
    const server = http.createServer((req, res) => this.handle(req, res));
    server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.socketPath, () => resolve());
    });
    this.server = server;
  }

  /** Stops listening and cuts every open connection (the socket file goes away). */
  async close(): Promise<void> {
    const server = this.server;
    this.server = null;
    this.streams.length = 0;
    for (const socket of this.sockets) socket.destroy();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  async dispose(): Promise<void> {
    await this.close();
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** Writes raw text to the newest open event stream. */
  write(text: string): void {
    const stream = this.streams.at(-1);
    if (!stream) throw new Error('no open event stream');
    stream.write(text);
  }

  /** Writes one message as a line. */
  send(message: unknown): void {
    this.write(`${JSON.stringify(message)}\n`);
  }

  /** Ends every open event stream cleanly (the engine closing it). */
  endStreams(): void {
    for (const s of this.streams.splice(0)) s.end();
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://engine');
    if (url.pathname === '/_ping') {
      this.pings += 1;
      if (this.pingMode === 'hang') return;
      res.writeHead(200, { 'Content-Type': 'text/plain' }).end('OK');
      return;
    }
    if (url.pathname === '/events') {
      this.eventRequests.push(url);
      if (this.eventsMode === 'hang') return;
      if (this.eventsMode === 'fail') {
        res
          .writeHead(500, { 'Content-Type': 'application/json' })
          .end('{"message":"daemon is shutting down"}\n');
        return;
      }
      const headers: Record<string, string> = { 'Content-Type': 'application/json' };
      if (this.dateHeader) headers.Date = this.dateHeader;
      res.writeHead(200, headers);
      res.flushHeaders();
      this.streams.push(res);
      res.on('close', () => {
        const i = this.streams.indexOf(res);
        if (i !== -1) this.streams.splice(i, 1);
      });
      return;
    }
    const route = this.routes.get(`${req.method} ${url.pathname}`);
    if (route) {
      route(req, res, url);
      return;
    }
    res
      .writeHead(404, { 'Content-Type': 'application/json' })
      .end(JSON.stringify({ message: `page not found: ${url.pathname}` }));
  }
}

/** Polls until `check` holds (or throws after `timeoutMs`). */
export async function until(check: () => boolean, timeoutMs = 3000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}
