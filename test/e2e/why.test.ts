/**
 * Why it happened, end to end: a container whose health probe prints a known text is
 * restarted, and the audit trail carries the probe's own words (the `unhealthy` event's
 * probe log, the restart's reason).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type AutohealProcess,
  eventsFor,
  startAutoheal,
  stopAllAutoheals,
} from '../support/autoheal-process.js';
import {
  createHealthContainer,
  makeUnhealthy,
  removeAll,
  uniqueLabelKey,
  waitForHealth,
} from '../support/docker-fixtures.js';

const KNOWN_TEXT = 'why-e2e: the disk is full';
const labelKey = uniqueLabelKey();
let ah: AutohealProcess;

describe('the probe output in the audit trail, on a real Docker engine', () => {
  beforeAll(async () => {
    ah = await startAutoheal({ env: { AUTOHEAL_CONTAINER_LABEL: labelKey, AUTOHEAL_INTERVAL: '2' } });
  });

  afterAll(async () => {
    await stopAllAutoheals();
    await removeAll();
  });

  it('the unhealthy event carries the probe log and the restart names its last output', async () => {
    const c = await createHealthContainer({
      labels: { [labelKey]: 'true' },
      healthCmd: `echo '${KNOWN_TEXT}'; test -f /tmp/healthy`,
    });
    await waitForHealth(c, 'healthy', 20_000);
    await makeUnhealthy(c);
    await ah.waitForAudit(
      (e) => e.event_type === 'restart' && e.status === 'success' && e.container_id === c.id,
      60_000,
      `the restart of ${c.name}`,
    );
    const events = eventsFor(await ah.readAudit(), c.id);
    const unhealthy = events.find((e) => e.event_type === 'unhealthy');
    const health = unhealthy?.details.health as {
      failing_streak: number;
      log: Array<Record<string, unknown>>;
    };
    expect(health.failing_streak).toBeGreaterThanOrEqual(1);
    expect(health.log.length).toBeGreaterThanOrEqual(1);
    expect(health.log.length).toBeLessThanOrEqual(3);
    expect(health.log.at(-1)).toMatchObject({ exit_code: 1, output: `${KNOWN_TEXT}\n` });
    expect(Object.keys(health.log.at(-1) ?? {}).sort()).toEqual(['end', 'exit_code', 'output', 'start']);
    const restart = events.find((e) => e.event_type === 'restart');
    expect(restart?.details.reason).toBe(KNOWN_TEXT);
    expect(events.indexOf(unhealthy as never)).toBeLessThan(events.indexOf(restart as never));
  });
});
