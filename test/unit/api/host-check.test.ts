import { describe, expect, it } from 'vitest';
import { hostAllowed, hostName } from '../../../src/api/host-check.js';
import { call, errorOf, makeApi, snapshot, TOKEN, testSettings } from '../../support/api-fakes.js';

describe('the Host allow-list', () => {
  it('refuses a foreign Host on every route (API, SSE, UI, health) with 403 and one line', async () => {
    const api = makeApi();
    for (const path of [
      '/api/health',
      '/metrics',
      '/api/containers',
      '/api/events/stream',
      '/',
      '/api/session',
    ]) {
      const res = await call(api, path, { headers: { host: 'attacker.example' } });
      expect(res.status, path).toBe(403);
      const message = await errorOf(res);
      expect(message).toBe(
        'Host "attacker.example" is not allowed: add it to AUTOHEAL_API_ALLOWED_HOSTS (localhost, the bind address and IP addresses are always allowed)',
      );
    }
    expect(api.openStreams()).toBe(0);
  });

  it('a change through a foreign Host is refused and changes nothing', async () => {
    const api = makeApi();
    const before = snapshot(api);
    const res = await call(api, '/api/config/excluded', {
      method: 'POST',
      token: TOKEN,
      json: { name: 'web' },
      headers: { host: 'rebound.example:8080' },
    });
    expect(res.status).toBe(403);
    expect(snapshot(api)).toBe(before);
  });

  it('accepts loopback names, IP literals, the bind address and AUTOHEAL_API_ALLOWED_HOSTS', async () => {
    const api = makeApi();
    for (const host of [
      'localhost',
      'localhost:8080',
      'LOCALHOST.',
      'app.localhost:1',
      '127.0.0.1:8080',
      '[::1]:8080',
      '10.0.0.7',
      '[fd00::1]',
    ]) {
      expect((await call(api, '/api/health', { headers: { host } })).status, host).toBe(200);
    }
    const s = testSettings({
      AUTOHEAL_API_HOST: 'autoheal',
      AUTOHEAL_API_ALLOWED_HOSTS: 'autoheal.example.com,prom-target',
    });
    expect(hostAllowed('autoheal:8080', s)).toBe(true);
    expect(hostAllowed('Autoheal.Example.com', s)).toBe(true);
    expect(hostAllowed('prom-target:9000', s)).toBe(true);
    expect(hostAllowed('example.com', s)).toBe(false);
    expect(hostAllowed('', s)).toBe(false);
    expect(hostAllowed('anything.example', testSettings({ AUTOHEAL_API_ALLOWED_HOSTS: '*' }))).toBe(true);
  });

  it('reads the name out of a Host header', () => {
    expect(hostName('Example.COM:8080')).toBe('example.com');
    expect(hostName('[::1]:80')).toBe('::1');
    expect(hostName('name.')).toBe('name');
    expect(hostName('::1')).toBe('::1');
  });
});
