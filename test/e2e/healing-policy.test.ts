/**
 * The healing policy end to end on the real engine: restart-loop damping with growing
 * gaps, giving up and re-arming, a grace period, dependents sharing a network namespace,
 * and webhook/Apprise notifications to local receivers (one of which never answers).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type AuditEvent,
  type AutohealProcess,
  eventsFor,
  startAutoheal,
  stopAllAutoheals,
} from '../support/autoheal-process.js';
import {
  createHealthContainer,
  docker,
  makeHealthy,
  makeUnhealthy,
  removeAll,
  sleep,
  startedAt,
  uniqueLabelKey,
  waitForHealth,
} from '../support/docker-fixtures.js';

interface Received {
  path: string;
  body: Record<string, unknown>;
}

/** A local HTTP receiver; `hang` keeps every request open without an answer. */
async function receiver(hang = false) {
  const received: Received[] = [];
  const open = new Set<http.ServerResponse>();
  const server = http.createServer((req, res) => {
    let text = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => {
      text += c;
    });
    req.on('end', () => {
      received.push({ path: req.url ?? '', body: JSON.parse(text || '{}') as Record<string, unknown> });
      if (hang) open.add(res);
      else res.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    received,
    open,
    close: () =>
      new Promise<void>((resolve) => {
        for (const res of open) res.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The engine's own record of a container's events since `sinceMs`, with their times in ms. */
async function engineEvents(
  c: { id: string },
  sinceMs: number,
): Promise<Array<{ action: string; ms: number }>> {
  const out = await docker([
    'events',
    '--since',
    (sinceMs / 1000).toFixed(3),
    '--until',
    (Date.now() / 1000).toFixed(3),
    '--filter',
    `container=${c.id}`,
    '--format',
    '{{.Action}}|{{.TimeNano}}',
  ]);
  return out
    .split('\n')
    .filter((l) => l.includes('|'))
    .map((l) => {
      const [action = '', nano = '0'] = l.split('|');
      return { action, ms: Number(BigInt(nano) / 1_000_000n) };
    });
}

const restartsOf = (events: AuditEvent[], id: string) =>
  eventsFor(events, id).filter((e) => e.event_type === 'restart' && e.status === 'success');

describe('the healing policy on the real engine', () => {
  const labelKey = uniqueLabelKey();
  const enrolled = { [labelKey]: 'true' };
  let ah: AutohealProcess;
  let hooks: Awaited<ReturnType<typeof receiver>>;

  beforeAll(async () => {
    hooks = await receiver();
    ah = await startAutoheal({
      env: {
        AUTOHEAL_CONTAINER_LABEL: labelKey,
        AUTOHEAL_INTERVAL: '1',
        AUTOHEAL_BACKOFF_INITIAL: '2',
        AUTOHEAL_BACKOFF_MAX: '8',
        AUTOHEAL_MAX_RESTARTS: '4',
        AUTOHEAL_RESTART_WINDOW: '600',
        AUTOHEAL_HOSTNAME: 'e2e-host',
        WEBHOOK_URL: `${hooks.url}/hooks/secret-path`,
        WEBHOOK_JSON_KEY: 'content',
        APPRISE_URL: `${hooks.url}/apprise`,
      },
    });
  });

  afterAll(async () => {
    await stopAllAutoheals();
    await removeAll();
    await hooks.close();
  });

  it('a container that stays unhealthy is restarted with growing gaps, then given up on, then reset re-arms it', async () => {
    const c = await createHealthContainer({ labels: enrolled, healthCmd: 'false' });
    const gaveUp = await ah.waitForAudit(
      (e) => e.event_type === 'gave_up' && e.container_id === c.id,
      90_000,
      'gave_up',
    );
    const events = await ah.readAudit();
    const restarts = restartsOf(events, c.id).map((e) => Date.parse(e.timestamp));
    expect(restarts).toHaveLength(4);
    const gaps = restarts.slice(1).map((t, i) => t - (restarts[i] ?? 0));
    for (let i = 1; i < gaps.length; i += 1) expect(gaps[i]).toBeGreaterThan(gaps[i - 1] ?? 0);
    const backoffs = eventsFor(events, c.id).filter((e) => e.status === 'backoff');
    expect(backoffs.map((e) => e.details.wait_s)).toEqual([2, 4, 8]);
    expect(gaveUp.message).toContain('4 restarts in 600 s');

    // Left alone: still unhealthy, several reconciles later no more restarts.
    const before = await startedAt(c);
    await sleep(5_000);
    expect(await startedAt(c)).toBe(before);
    expect(restartsOf(await ah.readAudit(), c.id)).toHaveLength(4);

    const token = await ah.token();
    const reset = await fetch(`${await ah.apiUrl()}/api/containers/${c.id.slice(0, 12)}/reset`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
    });
    expect(await reset.json()).toEqual({ reset: true });
    await ah.waitUntilAudit((all) => restartsOf(all, c.id).length === 5, 30_000, 'a restart after the reset');

    // The webhook and Apprise receivers were told about the restarts and the give-up.
    const webhook = hooks.received
      .filter((r) => r.path === '/hooks/secret-path')
      .map((r) => String(r.body.content));
    expect(
      webhook.some(
        (m) => m.startsWith('[e2e-host] Restarted') && m.includes(c.name) && m.includes(c.id.slice(0, 12)),
      ),
    ).toBe(true);
    expect(webhook.some((m) => m.includes('Gave up on') && m.includes(c.name))).toBe(true);
    const apprise = hooks.received.filter((r) => r.path === '/apprise');
    expect(apprise[0]?.body).toMatchObject({ title: 'Autoheal', body: expect.stringContaining(c.name) });
    // The secret path never reaches a log line.
    expect(ah.logs.some((l) => l.raw.includes('secret-path'))).toBe(false);
  });

  it('each restart after the first waits INITIAL × 2^(k−2) from the unhealthy report, by the engine clock', async () => {
    // Fails ~1 s after every start: the wait must count from that failure, not from the restart.
    const c = await createHealthContainer({ labels: enrolled, healthCmd: 'false' });
    const sinceMs = Date.now() - 5_000;
    await ah.waitUntilAudit((all) => restartsOf(all, c.id).length >= 3, 60_000, 'three restarts');
    const events = await engineEvents(c, sinceMs);
    // A restart begins with the engine's kill; the spell is the first unhealthy report after
    // the container's previous start.
    const kills = events.filter((e) => e.action === 'kill').map((e) => e.ms);
    expect(kills.length).toBeGreaterThanOrEqual(3);
    const waits: number[] = [];
    for (let k = 1; k < 3; k += 1) {
      const kill = kills[k] ?? Number.NaN;
      const lastStart = Math.max(
        ...events.filter((e) => e.action === 'start' && e.ms < kill).map((e) => e.ms),
      );
      const report = events.find((e) => e.action === 'health_status: unhealthy' && e.ms > lastStart);
      expect(report, `an unhealthy report before restart ${k + 1}`).toBeDefined();
      waits.push((kill - (report?.ms ?? kill)) / 1000);
    }
    expect(waits[0]).toBeGreaterThanOrEqual(2);
    expect(waits[1]).toBeGreaterThanOrEqual(4);
  });

  it('a container that recovers within its grace period is left untouched', async () => {
    const c = await createHealthContainer({ labels: { ...enrolled, 'autoheal.grace': '6' } });
    await waitForHealth(c, 'healthy');
    const before = await startedAt(c);
    await makeUnhealthy(c);
    await ah.waitForAudit(
      (e) => e.event_type === 'unhealthy' && e.container_id === c.id,
      20_000,
      'unhealthy',
    );
    await makeHealthy(c);
    await ah.waitForAudit(
      (e) => e.event_type === 'skipped' && e.status === 'recovered' && e.container_id === c.id,
      20_000,
      'skipped/recovered',
    );
    await sleep(7_000);
    expect(await startedAt(c)).toBe(before);
    expect(restartsOf(await ah.readAudit(), c.id)).toEqual([]);
  });

  it('a container sharing the healed one network namespace is restarted after it when the label asks', async () => {
    const vpn = await createHealthContainer({ labels: { ...enrolled, 'autoheal.dependents': 'restart' } });
    const client = await createHealthContainer({ network: `container:${vpn.id}` });
    await waitForHealth(vpn, 'healthy');
    const clientBefore = await startedAt(client);
    await makeUnhealthy(vpn);
    const dep = await ah.waitForAudit(
      (e) => e.event_type === 'restart' && e.container_id === client.id,
      60_000,
      'the dependent restart',
    );
    expect(dep).toMatchObject({ status: 'success', details: { trigger: 'dependent', dependency: vpn.name } });
    const all = await ah.readAudit();
    const vpnRestart = restartsOf(all, vpn.id)[0];
    expect(vpnRestart && vpnRestart.id < dep.id).toBe(true);
    expect(await startedAt(client)).not.toBe(clientBefore);
  });
});

describe('a notification receiver that never answers', () => {
  it('does not slow a heal', async () => {
    const labelKey = uniqueLabelKey();
    const hanging = await receiver(true);
    try {
      const ah = await startAutoheal({
        env: { AUTOHEAL_CONTAINER_LABEL: labelKey, WEBHOOK_URL: `${hanging.url}/hook` },
      });
      const first = await createHealthContainer({ labels: { [labelKey]: 'true' } });
      const second = await createHealthContainer({ labels: { [labelKey]: 'true' } });
      await waitForHealth(first, 'healthy');
      await waitForHealth(second, 'healthy');
      await makeUnhealthy(first);
      await ah.waitUntilAudit((all) => restartsOf(all, first.id).length === 1, 30_000, 'first restart');
      // Its notification is now stuck at the receiver; the next heal must not wait for it.
      for (let i = 0; i < 50 && hanging.open.size === 0; i += 1) await sleep(100);
      expect(hanging.open.size).toBe(1);
      await makeUnhealthy(second);
      await ah.waitUntilAudit((all) => restartsOf(all, second.id).length === 1, 30_000, 'second restart');
      expect(hanging.received.length).toBeGreaterThanOrEqual(1);
      expect(ah.isRunning()).toBe(true);
    } finally {
      await stopAllAutoheals();
      await removeAll();
      await hanging.close();
    }
  });
});
