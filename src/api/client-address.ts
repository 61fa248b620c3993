/**
 * The address a request came from, as the socket says (never a forwarded-for header, which
 * any client can write). Per-address limits key on it; behind a proxy every client shares
 * the proxy's, which is why a valid token is never refused by one.
 */
import type { IncomingMessage } from 'node:http';
import type { Context } from 'hono';

/** The bindings @hono/node-server hands a request; absent under `app.request()` unless given. */
export interface NodeBindings {
  incoming?: Pick<IncomingMessage, 'socket'>;
  outgoing?: { destroy(): void };
}

export function clientAddress(c: Context): string {
  const env = c.env as NodeBindings | undefined;
  return env?.incoming?.socket?.remoteAddress ?? 'unknown';
}
