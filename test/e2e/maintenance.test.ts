/**
 * Maintenance end to end, on the real engine: a window started through the API holds a
 * heal back (recorded once, container left alone), and ending it heals the container at
 * once, without waiting for the interval (an hour here, so only that reconcile can).
 */
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
  makeUnhealthy,
  removeAll,
  sleep,
  startedAt,
  uniqueLabelKey,
  waitForHealth,
} from '../support/docker-fixtures.js';

/** So long that only the reconcile that ending maintenance asks for can release the heal. */
const INTERVAL_S = 3600;
/** Several health checks, 1 s apart. */
const QUIET_MS = 5000;

const labelKey = uniqueLabelKey();
let ah: AutohealProcess;

async function api(method: string, path: string, json?: unknown): Promise<Response> {
  return fetch(`${await ah.apiUrl()}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${await ah.token()}`,
      ...(json === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(json === undefined ? {} : { body: JSON.stringify(json) }),
  });
}

describe('maintenance against a real Docker engine', () => {
  beforeAll(async () => {
    ah = await startAutoheal({
      env: { AUTOHEAL_CONTAINER_LABEL: labelKey, AUTOHEAL_INTERVAL: String(INTERVAL_S) },
    });
  });

  afterAll(async () => {
    await stopAllAutoheals();
    await removeAll();
  });

  it('holds a heal back while it is on, and heals at once when it is ended', async () => {
    const c = await createHealthContainer({ labels: { [labelKey]: 'true' } });
    await waitForHealth(c, 'healthy', 20_000);
    await ah.waitForAudit(
      (e) => e.event_type === 'auto_monitor' && e.container_id === c.id,
      20_000,
      `auto_monitor for ${c.name}`,
    );
    const started = await api('POST', '/api/maintenance', { minutes: 10, reason: 'e2e upgrade' });
    expect(started.status).toBe(200);
    expect(await started.json()).toMatchObject({ active: true, reason: 'e2e upgrade' });
    const health = (await (await fetch(`${await ah.apiUrl()}/api/health`)).json()) as {
      maintenance: unknown;
    };
    expect(health.maintenance).toMatchObject({ active: true, reason: 'e2e upgrade' });
    const before = await startedAt(c);

    await makeUnhealthy(c);
    await ah.waitForAudit(
      (e) => e.event_type === 'skipped' && e.status === 'maintenance' && e.container_id === c.id,
      30_000,
      `skipped/maintenance for ${c.name}`,
    );
    await sleep(QUIET_MS);

    expect(await startedAt(c), 'restarted during maintenance').toBe(before);
    const during = eventsFor(await ah.readAudit(), c.id).map(
      (e: AuditEvent) => `${e.event_type}/${e.status}`,
    );
    expect(during.filter((e) => !e.startsWith('health/'))).toEqual([
      'auto_monitor/enabled',
      'unhealthy/detected',
      'skipped/maintenance',
    ]);
    // The health transitions, one per change: (starting,) healthy, then unhealthy before the report.
    expect(during.filter((e) => e.startsWith('health/')).slice(-2)).toEqual([
      'health/healthy',
      'health/unhealthy',
    ]);
    expect(during.indexOf('health/unhealthy')).toBeLessThan(during.indexOf('unhealthy/detected'));

    const ended = await api('DELETE', '/api/maintenance');
    expect(ended.status).toBe(200);
    await ah.waitForAudit(
      (e) => e.event_type === 'restart' && e.status === 'success' && e.container_id === c.id,
      30_000,
      `the restart of ${c.name} after maintenance`,
    );
    expect(await startedAt(c)).not.toBe(before);
    // The restart shows in the health transitions: stopped, starting, and healthy again.
    await ah.waitForAudit(
      (e) =>
        e.event_type === 'health' &&
        e.status === 'healthy' &&
        e.details.previous === 'starting' &&
        e.container_id === c.id,
      30_000,
      `${c.name} healthy again after its restart`,
    );
    const states = eventsFor(await ah.readAudit(), c.id)
      .filter((e) => e.event_type === 'health')
      .map((e) => `${e.status}<${String(e.details.previous)}`);
    expect(states.slice(-4)).toEqual([
      'unhealthy<healthy',
      'stopped<unhealthy',
      'starting<stopped',
      'healthy<starting',
    ]);
  });
});
