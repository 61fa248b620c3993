/**
 * The operator's silence and the per-container damping labels, end to end on the real
 * engine: a silenced container is recorded once per unhealthy spell and left alone through
 * many reconciles, then healed as soon as its silence ends; `autoheal.max_restarts` gives up
 * on one container sooner than the global setting, and `autoheal.backoff.max` caps its waits
 * below the global back-off.
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
} from '../support/docker-fixtures.js';

/** Short, so many reconciles pass while the container is silenced. */
const INTERVAL_S = 1;

const labelKey = uniqueLabelKey();
const enrolled = { [labelKey]: 'true' };
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

const ofType = (events: AuditEvent[], id: string, type: string, status?: string) =>
  eventsFor(events, id).filter((e) => e.event_type === type && (status === undefined || e.status === status));

describe('silence and damping labels against a real Docker engine', () => {
  beforeAll(async () => {
    ah = await startAutoheal({
      env: {
        AUTOHEAL_CONTAINER_LABEL: labelKey,
        AUTOHEAL_INTERVAL: String(INTERVAL_S),
        AUTOHEAL_BACKOFF_INITIAL: '4',
        AUTOHEAL_BACKOFF_MAX: '60',
        AUTOHEAL_MAX_RESTARTS: '10',
        AUTOHEAL_RESTART_WINDOW: '600',
      },
    });
  });

  afterAll(async () => {
    await stopAllAutoheals();
    await removeAll();
  });

  it('a silenced container is recorded once per spell, not restarted, and healed when its silence ends', async () => {
    const c = await createHealthContainer({ labels: enrolled });
    await ah.waitForAudit(
      (e) => e.event_type === 'health' && e.status === 'healthy' && e.container_id === c.id,
      20_000,
      `${c.name} healthy`,
    );
    const silenced = await api('POST', `/api/containers/${c.name}/silence`, { minutes: 10 });
    expect(silenced.status).toBe(200);
    expect(((await silenced.json()) as { silenced_until: string | null }).silenced_until).not.toBeNull();
    const before = await startedAt(c);

    await makeUnhealthy(c);
    await ah.waitForAudit(
      (e) => e.event_type === 'skipped' && e.status === 'silenced' && e.container_id === c.id,
      30_000,
      `skipped/silenced for ${c.name}`,
    );
    await sleep(6 * INTERVAL_S * 1000); // several reconciles find it unhealthy
    expect(await startedAt(c), 'restarted while silenced').toBe(before);
    const during = await ah.readAudit();
    expect(ofType(during, c.id, 'skipped', 'silenced')).toHaveLength(1);
    expect(ofType(during, c.id, 'restart')).toEqual([]);

    const ended = await api('DELETE', `/api/containers/${c.name}/silence`);
    expect(ended.status).toBe(200);
    await ah.waitForAudit(
      (e) => e.event_type === 'restart' && e.status === 'success' && e.container_id === c.id,
      30_000,
      `the restart of ${c.name} after its silence`,
    );
    expect(await startedAt(c)).not.toBe(before);
  });

  it('autoheal.max_restarts gives up sooner and autoheal.backoff.max caps the waits, for that container only', async () => {
    // Never healthy: each restart is followed by another unhealthy report.
    const capped = await createHealthContainer({
      labels: { ...enrolled, 'autoheal.max_restarts': '2' },
      healthCmd: 'false',
    });
    const quick = await createHealthContainer({
      labels: { ...enrolled, 'autoheal.backoff.max': '1', 'autoheal.max_restarts': '4' },
      healthCmd: 'false',
    });
    const gaveUp = await ah.waitForAudit(
      (e) => e.event_type === 'gave_up' && e.container_id === capped.id,
      90_000,
      `gave_up for ${capped.name}`,
    );
    expect(gaveUp.message).toContain('autoheal.max_restarts=2');
    expect(ofType(await ah.readAudit(), capped.id, 'restart', 'success')).toHaveLength(2);

    await ah.waitForAudit(
      (e) => e.event_type === 'gave_up' && e.container_id === quick.id,
      90_000,
      `gave_up for ${quick.name}`,
    );
    const events = await ah.readAudit();
    expect(ofType(events, quick.id, 'restart', 'success')).toHaveLength(4);
    // The global back-off would wait 4 s, then 8 s; the label caps every wait at 1 s.
    const waits = ofType(events, quick.id, 'skipped', 'backoff').map((e) => e.details.wait_s);
    expect(waits.length).toBeGreaterThanOrEqual(1);
    expect(new Set(waits)).toEqual(new Set([1]));
    // The first container's waits follow the global setting.
    expect(ofType(events, capped.id, 'skipped', 'backoff').map((e) => e.details.wait_s)).toEqual([4]);
  });
});
