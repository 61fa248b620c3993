/**
 * Heals run in parallel: a container that ignores SIGTERM and has a 20 s stop timeout does
 * not hold up the heal of another one, and its own long restart is not cut short by the
 * engine request timeout (CURL_TIMEOUT is set far below its stop timeout here).
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
  startedAt,
  type TestContainer,
  uniqueLabelKey,
  waitForEngineEvent,
  waitForHealth,
} from '../support/docker-fixtures.js';

const labelKey = uniqueLabelKey();
let ah: AutohealProcess;

const eventOf = (type: AuditEvent['event_type'], c: TestContainer) => (e: AuditEvent) =>
  e.event_type === type && e.container_id === c.id;

describe('heals run in parallel', () => {
  beforeAll(async () => {
    ah = await startAutoheal({ env: { AUTOHEAL_CONTAINER_LABEL: labelKey, CURL_TIMEOUT: '5' } });
  });

  afterAll(async () => {
    await stopAllAutoheals();
    await removeAll();
  });

  it('a container that ignores SIGTERM (stop timeout 20 s) does not delay another one’s heal', async () => {
    const slow = await createHealthContainer({
      labels: { [labelKey]: 'true', 'autoheal.stop.timeout': '20' },
      ignoreSigterm: true,
    });
    const fast = await createHealthContainer({ labels: { [labelKey]: 'true' } });
    for (const c of [slow, fast]) {
      await waitForHealth(c, 'healthy', 20_000);
      await ah.waitForAudit(eventOf('auto_monitor', c), 20_000, `auto_monitor for ${c.name}`);
    }
    const slowBefore = await startedAt(slow);
    const fastBefore = await startedAt(fast);

    // The slow one first: wait until the engine has sent it SIGTERM, so its restart is in flight.
    const t0 = Date.now();
    await makeUnhealthy(slow);
    await ah.waitForAudit(eventOf('unhealthy', slow), 20_000, `unhealthy for ${slow.name}`);
    await waitForEngineEvent(slow, 'kill', t0 - 1000, 20_000);

    await makeUnhealthy(fast);
    const fastRestart = await ah.waitForAudit(eventOf('restart', fast), 20_000, `a restart of ${fast.name}`);
    expect(fastRestart.status).toBe('success');

    // The fast one is done while the slow one is still being stopped.
    const slowRestartsSoFar = eventsFor(await ah.readAudit(), slow.id).filter(
      (e) => e.event_type === 'restart',
    );
    expect(slowRestartsSoFar, 'the slow restart finished before the fast one').toEqual([]);
    expect(await startedAt(slow)).toBe(slowBefore);
    expect(await startedAt(fast)).not.toBe(fastBefore);

    // The slow restart then completes, although it takes longer than CURL_TIMEOUT.
    const slowRestart = await ah.waitForAudit(eventOf('restart', slow), 60_000, `a restart of ${slow.name}`);
    expect(slowRestart.status, JSON.stringify(slowRestart)).toBe('success');
    expect(slowRestart.id).toBeGreaterThan(fastRestart.id);
    expect(await startedAt(slow)).not.toBe(slowBefore);

    // One heal per container: triggers that came while the slow heal ran were merged into it.
    await waitForHealth(slow, 'healthy', 20_000);
    const slowRestarts = eventsFor(await ah.readAudit(), slow.id).filter((e) => e.event_type === 'restart');
    expect(slowRestarts).toHaveLength(1);
  });
});
