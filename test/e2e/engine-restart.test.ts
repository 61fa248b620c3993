/**
 * autoheal survives its engine going away: dockerd is stopped and started again (as
 * scripts/provision-docker.sh starts it), autoheal records the disconnection and the
 * reconnection, keeps running, and heals the next unhealthy container. Stopping dockerd
 * stops every container on the host (no live-restore), so the test container is created
 * after the engine is back. dockerd is left running even when the test fails.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type AuditEvent,
  type AutohealProcess,
  startAutoheal,
  stopAllAutoheals,
} from '../support/autoheal-process.js';
import {
  createHealthContainer,
  makeUnhealthy,
  removeAll,
  startedAt,
  uniqueLabelKey,
  waitForHealth,
} from '../support/docker-fixtures.js';
import { startDockerd, stopDockerd } from '../support/dockerd.js';

const labelKey = uniqueLabelKey();
let ah: AutohealProcess;

const engineEvent = (status: string, afterId: number) => (e: AuditEvent) =>
  e.event_type === 'engine' && e.status === status && e.id > afterId;

describe('when dockerd is stopped and started again', () => {
  beforeAll(async () => {
    ah = await startAutoheal({ env: { AUTOHEAL_CONTAINER_LABEL: labelKey } });
  });

  afterAll(async () => {
    await startDockerd();
    await stopAllAutoheals();
    await removeAll();
  });

  it('autoheal keeps running, reconnects, and heals the next unhealthy container', async () => {
    const firstConnect = await ah.waitForAudit(
      engineEvent('connected', 0),
      30_000,
      'the first engine/connected',
    );

    try {
      await stopDockerd();
      const disconnected = await ah.waitForAudit(
        engineEvent('disconnected', firstConnect.id),
        60_000,
        'engine/disconnected after dockerd stopped',
      );
      expect(ah.isRunning(), 'autoheal exited while the engine was gone').toBe(true);

      await startDockerd();
      await ah.waitForAudit(
        engineEvent('connected', disconnected.id),
        90_000,
        'engine/connected after dockerd came back',
      );
    } finally {
      await startDockerd();
    }
    expect(ah.isRunning(), 'autoheal exited').toBe(true);

    const c = await createHealthContainer({ labels: { [labelKey]: 'true' } });
    await waitForHealth(c, 'healthy', 20_000);
    await ah.waitForAudit(
      (e) => e.event_type === 'auto_monitor' && e.container_id === c.id,
      30_000,
      `auto_monitor for ${c.name}`,
    );
    const before = await startedAt(c);

    await makeUnhealthy(c);
    const restart = await ah.waitForAudit(
      (e) => e.event_type === 'restart' && e.container_id === c.id,
      30_000,
      `a restart of ${c.name}`,
    );
    expect(restart.status).toBe('success');
    expect(await startedAt(c)).not.toBe(before);
    expect(ah.isRunning()).toBe(true);
  });
});
