/**
 * The label `autoheal.notify=false` mutes one container's notifications: it is still
 * healed and its heals are still recorded; a value other than true or false leaves its
 * notifications on and is named for the one warning.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../src/log.js';
import { invalidLabels, notifyFromLabel } from '../../../src/supervisor/labels.js';
import { NotifyMute } from '../../../src/supervisor/notify-mute.js';
import { RecordingNotifier, stopSupervisors, supervisorHarness } from '../../support/supervisor-harness.js';

afterEach(async () => {
  await stopSupervisors(100);
});

describe('the label autoheal.notify', () => {
  it('is read as true or false in any letter case; anything else is named for the warning', () => {
    expect(notifyFromLabel({ 'autoheal.notify': 'false' })).toBe(false);
    expect(notifyFromLabel({ 'autoheal.notify': ' FALSE ' })).toBe(false);
    expect(notifyFromLabel({ 'autoheal.notify': 'true' })).toBe(true);
    expect(notifyFromLabel({})).toBeNull();
    expect(notifyFromLabel({ 'autoheal.notify': 'off' })).toBeNull();
    expect(invalidLabels({ 'autoheal.notify': 'off' })).toEqual(['autoheal.notify']);
    expect(invalidLabels({ 'autoheal.notify': 'false' })).toEqual([]);
  });

  it('a muted container is restarted and recorded, but no notification names it; others are notified', async () => {
    const { engine, supervisor, notifier, trail } = supervisorHarness({ env: { AUTOHEAL_INTERVAL: '3600' } });
    const quiet = engine.add({ name: 'quiet', labels: { autoheal: 'true', 'autoheal.notify': 'false' } });
    const loud = engine.add({ name: 'loud', labels: { autoheal: 'true', 'autoheal.notify': 'bogus' } });
    supervisor.onEngineConnected({ reconnect: false });
    await supervisor.settled();
    for (const c of [quiet, loud]) {
      engine.setHealth(c.id, 'unhealthy');
      supervisor.onEngineEvent(engine.event(c.id, 'health_status'));
    }
    await supervisor.settled();

    expect(engine.restartsOf(quiet.id)).toHaveLength(1);
    expect(trail(quiet.id)).toEqual(['auto_monitor/enabled', 'unhealthy/detected', 'restart/success']);
    expect(notifier.sent.map((n) => `${n.kind}:${n.containerName}`)).toEqual(['restart:loud']);
    // The post-restart script is the operator's own program, not a notification: it still runs.
    expect(notifier.scripts.map((s) => s.containerName).sort()).toEqual(['loud', 'quiet']);
  });

  it('a muted container created after the last reconcile is known by its start event', async () => {
    const { engine, supervisor, notifier } = supervisorHarness({ env: { AUTOHEAL_INTERVAL: '3600' } });
    supervisor.onEngineConnected({ reconnect: false });
    await supervisor.settled();
    const late = engine.add({
      name: 'late',
      labels: { autoheal: 'true', 'autoheal.notify': 'false', 'autoheal.action': 'notify' },
    });
    supervisor.onEngineEvent(engine.event(late.id, 'start'));
    engine.setHealth(late.id, 'unhealthy');
    supervisor.onEngineEvent(engine.event(late.id, 'health_status'));
    await supervisor.settled();
    expect(notifier.sent).toEqual([]);
  });
});

describe('the mute on its own', () => {
  const id = 'c'.repeat(64);
  const message = { kind: 'restart' as const, containerName: 'web', containerId: id, reason: 'x' };

  it('forgets a destroyed container and one a list no longer has', () => {
    const inner = new RecordingNotifier();
    const mute = new NotifyMute(inner, silentLogger());
    const web = { id, name: 'web', labels: { 'autoheal.notify': 'false' } };
    mute.observe({ ...web, action: 'start' });
    mute.notify(message);
    expect(inner.sent).toEqual([]);
    mute.observe({ ...web, action: 'destroy' });
    expect(mute.isMuted(id)).toBe(false);
    mute.observeList([web]);
    expect(mute.isMuted(id)).toBe(true);
    mute.observeList([]);
    mute.notify(message);
    expect(inner.sent).toHaveLength(1);
  });

  it('passes notices (maintenance, autoheal itself) through', () => {
    const inner = new RecordingNotifier();
    const mute = new NotifyMute(inner, silentLogger());
    mute.notice('Maintenance started');
    expect(inner.notices).toEqual(['Maintenance started']);
  });
});
