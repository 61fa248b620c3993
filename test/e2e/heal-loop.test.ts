/**
 * The heal loop end to end: the built autoheal against the real Docker engine, with its
 * own label key so it only ever sees this file's containers. Who is restarted, who is
 * left alone, and what the audit trail says about each.
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
  containerName,
  createHealthContainer,
  makeUnhealthy,
  pause,
  removeAll,
  sleep,
  startedAt,
  type TestContainer,
  uniqueLabelKey,
  waitForHealth,
} from '../support/docker-fixtures.js';

const INTERVAL_S = 2;
/** Long enough for several health checks (1 s apart) and at least one full reconcile. */
const QUIET_MS = (2 * INTERVAL_S + 2) * 1000;

const labelKey = uniqueLabelKey();
const excludedName = containerName('excluded');
const enrolled = { [labelKey]: 'true' };

let ah: AutohealProcess;
/** Created before autoheal starts, already unhealthy. */
let preUnhealthy: TestContainer;
let preUnhealthyStartedAt: string;
/** Created before autoheal starts, unhealthy, then paused. */
let prePaused: TestContainer;
let prePausedStartedAt: string;

const isRestart = (c: TestContainer) => (e: AuditEvent) =>
  e.event_type === 'restart' && e.container_id === c.id;
const isAutoMonitor = (c: TestContainer) => (e: AuditEvent) =>
  e.event_type === 'auto_monitor' && e.container_id === c.id;

/** A labelled, healthy container that autoheal has enrolled. */
async function enrolledHealthyContainer(): Promise<TestContainer> {
  const c = await createHealthContainer({ labels: enrolled });
  await waitForHealth(c, 'healthy', 20_000);
  await ah.waitForAudit(isAutoMonitor(c), 20_000, `auto_monitor for ${c.name}`);
  return c;
}

async function expectNeverRestarted(c: TestContainer, before: string): Promise<void> {
  expect(await startedAt(c), `${c.name} was restarted`).toBe(before);
  const restarts = eventsFor(await ah.readAudit(), c.id).filter((e) => e.event_type === 'restart');
  expect(restarts, `${c.name} has restart events`).toEqual([]);
}

describe('the heal loop against a real Docker engine', () => {
  beforeAll(async () => {
    preUnhealthy = await createHealthContainer({ labels: enrolled, healthy: false });
    prePaused = await createHealthContainer({ labels: enrolled, healthy: false });
    await waitForHealth(preUnhealthy, 'unhealthy', 20_000);
    await waitForHealth(prePaused, 'unhealthy', 20_000);
    await pause(prePaused);
    preUnhealthyStartedAt = await startedAt(preUnhealthy);
    prePausedStartedAt = await startedAt(prePaused);

    ah = await startAutoheal({
      env: {
        AUTOHEAL_CONTAINER_LABEL: labelKey,
        AUTOHEAL_INTERVAL: String(INTERVAL_S),
        AUTOHEAL_EXCLUDE: excludedName,
      },
    });
  });

  afterAll(async () => {
    await stopAllAutoheals();
    await removeAll();
  });

  it('a container that was already unhealthy before autoheal started is restarted by the start-up reconcile', async () => {
    const restart = await ah.waitForAudit(
      isRestart(preUnhealthy),
      30_000,
      `a restart of ${preUnhealthy.name}, unhealthy before start-up`,
    );
    expect(restart).toMatchObject({ status: 'success', container_name: preUnhealthy.name });
    expect(restart.details.trigger).toBe('reconcile');
    expect(await startedAt(preUnhealthy)).not.toBe(preUnhealthyStartedAt);

    const trail = eventsFor(await ah.readAudit(), preUnhealthy.id);
    const monitoredAt = trail.findIndex((e) => e.event_type === 'auto_monitor');
    expect(monitoredAt, 'auto_monitor comes before the restart').toBeGreaterThanOrEqual(0);
    expect(monitoredAt).toBeLessThan(trail.findIndex((e) => e.id === restart.id));
  });

  it('a labelled container that turns unhealthy is restarted once, with the trail auto_monitor → unhealthy → restart', async () => {
    const c = await enrolledHealthyContainer();
    const before = await startedAt(c);

    await makeUnhealthy(c);
    const restart = await ah.waitForAudit(isRestart(c), 30_000, `a restart of ${c.name}`);
    expect(restart).toMatchObject({
      status: 'success',
      container_name: c.name,
      container_id: c.id,
      restart_count: 1,
    });
    expect(restart.details.trigger).toBe('event');
    expect(await startedAt(c)).not.toBe(before);

    // It comes back healthy (its command recreates the health file) and stays restarted once.
    await waitForHealth(c, 'healthy', 20_000);
    await sleep(QUIET_MS);
    const trail = eventsFor(await ah.readAudit(), c.id);
    const types = trail.map((e) => e.event_type);
    expect(types.filter((t) => t === 'auto_monitor')).toHaveLength(1);
    expect(types.filter((t) => t === 'restart')).toHaveLength(1);

    const monitor = trail.findIndex((e) => e.event_type === 'auto_monitor');
    const unhealthy = trail.findIndex((e) => e.event_type === 'unhealthy');
    const restarted = trail.findIndex((e) => e.event_type === 'restart');
    expect(monitor, `trail: ${types.join(', ')}`).toBe(0);
    expect(unhealthy, `trail: ${types.join(', ')}`).toBeGreaterThan(monitor);
    expect(restarted, `trail: ${types.join(', ')}`).toBeGreaterThan(unhealthy);
    expect(trail[monitor]).toMatchObject({ status: 'enabled', container_name: c.name });
    expect(trail[unhealthy]).toMatchObject({ status: 'detected', container_name: c.name });

    // The JSON log lines about it name the component and the container.
    await ah.waitForLog(
      (l) => l.json?.container === c.name && typeof l.json.component === 'string',
      5_000,
      `a JSON log line with component and container=${c.name}`,
    );

    // Audit events have the documented shape (README.md, "The audit trail").
    for (const e of trail) {
      expect(typeof e.id).toBe('number');
      expect(new Date(e.timestamp).toISOString()).toBe(e.timestamp);
      expect(typeof e.message).toBe('string');
      expect(typeof e.details).toBe('object');
    }
  });

  it('a healthy labelled container, an unhealthy unlabelled one and one labelled <key>=false are never restarted', async () => {
    const healthy = await enrolledHealthyContainer();
    const unlabelled = await createHealthContainer({});
    const optedOut = await createHealthContainer({ labels: { [labelKey]: 'false' } });
    // A labelled one turning unhealthy at the same time shows autoheal is at work meanwhile.
    const sentinel = await enrolledHealthyContainer();
    await waitForHealth(unlabelled, 'healthy', 20_000);
    await waitForHealth(optedOut, 'healthy', 20_000);
    const before = new Map<TestContainer, string>();
    for (const c of [healthy, unlabelled, optedOut]) before.set(c, await startedAt(c));

    await Promise.all([makeUnhealthy(unlabelled), makeUnhealthy(optedOut), makeUnhealthy(sentinel)]);
    await waitForHealth(unlabelled, 'unhealthy', 20_000);
    await waitForHealth(optedOut, 'unhealthy', 20_000);
    await ah.waitForAudit(isRestart(sentinel), 30_000, `a restart of the sentinel ${sentinel.name}`);
    await sleep(QUIET_MS);

    for (const c of [healthy, unlabelled, optedOut]) await expectNeverRestarted(c, before.get(c) ?? '');
    const events = await ah.readAudit();
    expect(eventsFor(events, unlabelled.id).filter((e) => e.event_type === 'auto_monitor')).toEqual([]);
    expect(eventsFor(events, optedOut.id).filter((e) => e.event_type === 'auto_monitor')).toEqual([]);
    const ofHealthy = eventsFor(events, healthy.id);
    expect(ofHealthy.filter((e) => e.event_type !== 'health').map((e) => e.event_type)).toEqual([
      'auto_monitor',
    ]);
    // Its health transitions: at most `starting`, then `healthy`, and nothing since.
    expect(ofHealthy.filter((e) => e.event_type === 'health').map((e) => e.status)).toEqual(
      expect.arrayContaining(['healthy']),
    );
    expect(ofHealthy.filter((e) => e.event_type === 'health').at(-1)?.status).toBe('healthy');
    for (const c of [unlabelled, optedOut])
      expect(eventsFor(events, c.id).filter((e) => e.event_type === 'health')).toEqual([]);
  });

  it('a labelled container named in AUTOHEAL_EXCLUDE is skipped with reason excluded and not restarted', async () => {
    const c = await createHealthContainer({ labels: enrolled, name: excludedName });
    await waitForHealth(c, 'healthy', 20_000);
    const before = await startedAt(c);

    await makeUnhealthy(c);
    const skipped = await ah.waitForAudit(
      (e) => e.event_type === 'skipped' && e.container_id === c.id,
      30_000,
      `a skipped event for the excluded ${c.name}`,
    );
    expect(skipped).toMatchObject({ status: 'excluded', container_name: excludedName });
    await sleep(QUIET_MS);

    await expectNeverRestarted(c, before);
    // An excluded container is not monitored, so it is never enrolled either.
    expect(eventsFor(await ah.readAudit(), c.id).filter((e) => e.event_type === 'auto_monitor')).toEqual([]);
  });

  it('a paused unhealthy container is not restarted', async () => {
    // prePaused was unhealthy and then paused before autoheal started: the start-up
    // reconcile saw it. A pause while autoheal runs also shows the health as unhealthy.
    const live = await enrolledHealthyContainer();
    const liveBefore = await startedAt(live);
    await pause(live);
    await waitForHealth(live, 'unhealthy', 20_000);
    await sleep(QUIET_MS);

    await expectNeverRestarted(prePaused, prePausedStartedAt);
    await expectNeverRestarted(live, liveBefore);
  });
});
