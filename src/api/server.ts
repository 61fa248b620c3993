/**
 * Serving the API over HTTP with @hono/node-server, and stopping it cleanly: SSE streams
 * are ended first, then the server closes; a client that does not let go is cut off after
 * a short grace period so a shutdown never hangs.
 */

import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import type { Logger } from '../log.js';
import type { ApiApp } from './app.js';

export interface RunningServer {
  /** The port actually bound (useful with port 0). */
  port: number;
  close(): Promise<void>;
}

export interface ServerOptions {
  host: string;
  port: number;
  /** How long in-flight requests get at close before their connections are cut. */
  graceMs?: number;
}

export function startServer(
  api: Pick<ApiApp, 'app' | 'closeStreams'>,
  options: ServerOptions,
  logger: Logger,
): Promise<RunningServer> {
  const graceMs = options.graceMs ?? 3000;
  return new Promise((resolve, reject) => {
    const server = serve({ fetch: api.app.fetch, hostname: options.host, port: options.port }) as Server;
    // Slow or stalled clients must not hold sockets forever.
    server.headersTimeout = 20_000;
    server.requestTimeout = 60_000;
    const onStartError = (err: Error): void => reject(err);
    server.once('error', onStartError);
    server.once('listening', () => {
      server.off('error', onStartError);
      server.on('error', (err) => logger.error({ err }, 'HTTP server error'));
      const port = (server.address() as AddressInfo).port;
      logger.info({ host: options.host, port }, 'API listening');
      let closing: Promise<void> | null = null;
      resolve({
        port,
        close: () => {
          closing ??= new Promise<void>((done) => {
            api.closeStreams();
            // server.close() drops the connections idle right now only; a stream or request
            // that ends a moment later leaves a keep-alive socket behind, so keep sweeping.
            const sweep = setInterval(() => server.closeIdleConnections(), 25);
            const force = setTimeout(() => server.closeAllConnections(), graceMs);
            force.unref();
            server.close(() => {
              clearInterval(sweep);
              clearTimeout(force);
              done();
            });
            server.closeIdleConnections();
          });
          return closing;
        },
      });
    });
  });
}
