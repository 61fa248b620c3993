/**
 * The Host allow-list, on every route: a page on some other site that makes its own name
 * resolve to this machine (DNS rebinding) sends its own name as Host, and is refused with
 * 403. Accepted: loopback names, the bind address, `AUTOHEAL_API_ALLOWED_HOSTS` (`*`: any),
 * and any IP-address literal (an address cannot be rebound, and peers call by address).
 */
import { isIP } from 'node:net';
import type { MiddlewareHandler } from 'hono';
import { LOOPBACK_NAMES, type Settings } from '../config/settings.js';
import { ApiError, quote } from './errors.js';

/** The name part of a Host header (`name:port`, `[v6]:port`), lower-cased, without a trailing dot. */
export function hostName(host: string): string {
  const h = host.trim().toLowerCase();
  if (h.startsWith('[')) {
    const end = h.indexOf(']');
    return end === -1 ? h : h.slice(1, end);
  }
  const colon = h.lastIndexOf(':');
  const name = colon === -1 || h.indexOf(':') !== colon ? h : h.slice(0, colon);
  return name.endsWith('.') ? name.slice(0, -1) : name;
}

export function hostAllowed(host: string, settings: Pick<Settings, 'apiHost' | 'allowedHosts'>): boolean {
  const name = hostName(host);
  if (name === '') return false;
  if (isIP(name) !== 0) return true;
  if (LOOPBACK_NAMES.includes(name) || name.endsWith('.localhost')) return true;
  if (name === hostName(settings.apiHost)) return true;
  return settings.allowedHosts.includes('*') || settings.allowedHosts.includes(name);
}

export function hostCheck(settings: Pick<Settings, 'apiHost' | 'allowedHosts'>): MiddlewareHandler {
  return async (c, next) => {
    // `app.request()` and HTTP/1.0 clients may send no Host: the URL then holds the one used.
    const host = c.req.header('host') ?? new URL(c.req.url).host;
    if (!hostAllowed(host, settings)) {
      throw new ApiError(
        403,
        `Host ${quote(host)} is not allowed: add it to AUTOHEAL_API_ALLOWED_HOSTS (localhost, the bind address and IP addresses are always allowed)`,
      );
    }
    await next();
  };
}
