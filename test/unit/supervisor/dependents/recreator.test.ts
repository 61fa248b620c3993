/**
 * Scenarios of a replaced parent, through the supervisor against the fake engine: the
 * dependent left in the old namespace is re-created into the new one, or put back as it
 * was when a step fails. Every scenario reads the engine calls and the audit trail.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { ContainerSnapshot } from '../../../../src/engine/types.js';
import type { AuditEvent } from '../../../../src/store/types.js';
import { asideName } from '../../../../src/supervisor/dependents/recreate-one.js';
import { stopSupervisors, supervisorHarness } from '../../../support/supervisor-harness.js';

afterEach(async () => {
  await stopSupervisors(100);
});

/** The harness's enrolment label: only a parent this autoheal monitors has its dependents re-created. */
const ENROL = { autoheal: 'true' };
const RECREATE = { ...ENROL, 'autoheal.dependents': 'recreate' };

/** vpn (labelled) and torrent in vpn's namespace, seen by the start-up reconcile. */
async function world(env: Record<string, string> = {}, vpnLabels: Record<string, string> = RECREATE) {
  const h = supervisorHarness({ env });
  const oldVpn = h.engine.add({ name: 'vpn', labels: vpnLabels });
  const torrent = h.engine.add({
    name: 'torrent',
    labels: { app: 'torrent' },
    networkMode: `container:${oldVpn.id}`,
  });
  h.supervisor.onEngineConnected({ reconnect: false });
  await h.supervisor.settled();
  return { ...h, oldVpn, torrent };
}

/** `docker rm -f vpn` then `docker run --name vpn …`, as the engine reports it. */
async function replaceVpn(h: Awaited<ReturnType<typeof world>>, labels: Record<string, string> = RECREATE) {
  h.supervisor.onEngineEvent(h.engine.event(h.oldVpn.id, 'destroy'));
  h.engine.containers.delete(h.oldVpn.id);
  const newVpn = h.engine.add({ name: 'vpn', labels });
  h.engine.lifecycleCalls.length = 0;
  h.supervisor.onEngineEvent(h.engine.event(newVpn.id, 'start'));
  await h.supervisor.settled();
  return newVpn;
}

function byName(h: { engine: { containers: Map<string, ContainerSnapshot> } }, name: string) {
  return [...h.engine.containers.values()].filter((c) => c.name === name);
}

function recreateEvents(h: { store: { list(q: { type: 'recreate' }): AuditEvent[] } }) {
  return h.store.list({ type: 'recreate' });
}

describe('a dependent whose parent was replaced', () => {
  it('is re-created under its name, joined to the new parent, and the old one removed', async () => {
    const h = await world();
    const newVpn = await replaceVpn(h);

    const [copy] = byName(h, 'torrent');
    expect(copy?.id).not.toBe(h.torrent.id);
    expect(copy).toMatchObject({
      networkMode: `container:${newVpn.id}`,
      state: 'running',
      labels: { app: 'torrent' },
    });
    expect(h.engine.containers.has(h.torrent.id)).toBe(false);
    expect(h.engine.lifecycleCalls).toEqual([
      `blueprint ${h.torrent.id}`,
      `rename ${h.torrent.id} ${asideName('torrent', h.torrent.id)}`,
      `create torrent container:${newVpn.id}`,
      `start ${copy?.id}`,
      `stop ${h.torrent.id}`,
      `remove ${h.torrent.id}`,
    ]);
    const [event] = recreateEvents(h);
    expect(event).toMatchObject({
      container_id: copy?.id,
      container_name: 'torrent',
      status: 'success',
      details: {
        old_id: h.torrent.id,
        new_id: copy?.id,
        dependency: 'vpn',
        dependency_id: newVpn.id,
        old_dependency_id: h.oldVpn.id,
      },
    });
    expect(event?.message).toMatch(/^Re-created torrent to join the network of vpn, which was replaced/);
  });

  it('a stopped dependent is re-created but not started', async () => {
    const h = await world();
    h.engine.setState(h.torrent.id, 'exited');
    await replaceVpn(h);
    expect(byName(h, 'torrent')[0]?.state).toBe('created');
    expect(h.engine.lifecycleCalls.some((c) => c.startsWith('start') || c.startsWith('stop'))).toBe(false);
    expect(recreateEvents(h)[0]?.status).toBe('success');
  });

  it('with AUTOHEAL_RECREATE_DEPENDENTS=true no label is needed', async () => {
    const h = await world({ AUTOHEAL_RECREATE_DEPENDENTS: 'true' }, ENROL);
    await replaceVpn(h, ENROL);
    expect(recreateEvents(h).map((e) => e.status)).toEqual(['success']);
  });

  it('a parent this autoheal does not monitor has nothing re-created, even with the label and the setting', async () => {
    const unenrolled = { 'autoheal.dependents': 'recreate' };
    const h = await world({ AUTOHEAL_RECREATE_DEPENDENTS: 'true' }, unenrolled);
    await replaceVpn(h, unenrolled);
    expect(h.engine.lifecycleCalls).toEqual([]);
    expect(byName(h, 'torrent')[0]?.id).toBe(h.torrent.id);
    expect(recreateEvents(h)).toEqual([]);
  });

  it('without the label or the setting, nothing is re-created and nothing is listed', async () => {
    const h = await world({}, ENROL);
    await replaceVpn(h, ENROL);
    expect(h.engine.lifecycleCalls).toEqual([]);
    expect(byName(h, 'torrent')[0]?.id).toBe(h.torrent.id);
    expect(recreateEvents(h)).toEqual([]);
  });

  it('an excluded dependent is left in the old namespace', async () => {
    const h = await world({ AUTOHEAL_EXCLUDE: 'torrent' });
    await replaceVpn(h);
    expect(h.engine.lifecycleCalls).toEqual([]);
    expect(byName(h, 'torrent')[0]?.id).toBe(h.torrent.id);
  });

  it('a restart of the same parent (same id) re-creates nothing', async () => {
    const h = await world();
    h.engine.lifecycleCalls.length = 0;
    h.supervisor.onEngineEvent(h.engine.event(h.oldVpn.id, 'start'));
    await h.supervisor.settled();
    expect(h.engine.lifecycleCalls).toEqual([]);
  });

  it('a second start of the new parent finds nothing left to do', async () => {
    const h = await world();
    const newVpn = await replaceVpn(h);
    h.engine.lifecycleCalls.length = 0;
    h.supervisor.onEngineEvent(h.engine.event(newVpn.id, 'start'));
    await h.supervisor.settled();
    expect(h.engine.lifecycleCalls).toEqual([]);
    expect(recreateEvents(h)).toHaveLength(1);
  });

  it('a dependent with a heal pending is left to it, and re-created by a later reconcile', async () => {
    const h = await world({ AUTOHEAL_GRACE_PERIOD: '600' });
    h.engine.containers.set(h.torrent.id, {
      ...h.torrent,
      labels: { autoheal: 'true' },
      health: 'unhealthy',
    });
    h.supervisor.onEngineEvent(h.engine.event(h.torrent.id, 'health_status'));
    await h.supervisor.settled();
    await replaceVpn(h);
    expect(h.engine.lifecycleCalls).toEqual([]);

    h.engine.setHealth(h.torrent.id, 'healthy');
    h.supervisor.onEngineEvent(h.engine.event(h.torrent.id, 'health_status'));
    await h.supervisor.settled();
    await h.supervisor.reconcile('interval');
    await h.supervisor.settled();
    expect(recreateEvents(h).map((e) => e.status)).toEqual(['success']);
  });

  it('a reconcile catches a replacement whose start event was missed', async () => {
    const h = await world();
    h.engine.containers.delete(h.oldVpn.id);
    const newVpn = h.engine.add({ name: 'vpn', labels: RECREATE });
    await h.supervisor.reconcile('interval');
    await h.supervisor.settled();
    expect(byName(h, 'torrent')[0]?.networkMode).toBe(`container:${newVpn.id}`);
    expect(recreateEvents(h).map((e) => e.status)).toEqual(['success']);
  });
});

describe('a re-create that fails', () => {
  it('at create: the old one gets its name back, keeps running, and the failure is recorded', async () => {
    const h = await world();
    h.engine.failNext.create = 'Conflict: no space left on device';
    const newVpn = await replaceVpn(h);
    expect(h.engine.lifecycleCalls).toEqual([
      `blueprint ${h.torrent.id}`,
      `rename ${h.torrent.id} ${asideName('torrent', h.torrent.id)}`,
      `create torrent container:${newVpn.id}`,
      `rename ${h.torrent.id} torrent`,
    ]);
    expect(byName(h, 'torrent')).toEqual([expect.objectContaining({ id: h.torrent.id, state: 'running' })]);
    const [event] = recreateEvents(h);
    expect(event).toMatchObject({
      container_id: h.torrent.id,
      status: 'failed',
      details: { step: 'create', error: 'Conflict: no space left on device', restored: true },
    });
    expect(event?.message).toContain('the old container was put back as it was');
  });

  it('at start: the copy is removed and the old one renamed back', async () => {
    const h = await world();
    h.engine.failNext.start = 'cannot join network of a non running container';
    await replaceVpn(h);
    const copyId = h.engine.lifecycleCalls.find((c) => c.startsWith('start '))?.split(' ')[1];
    expect(h.engine.lifecycleCalls.slice(-2)).toEqual([`remove ${copyId}`, `rename ${h.torrent.id} torrent`]);
    expect(byName(h, 'torrent')).toEqual([expect.objectContaining({ id: h.torrent.id, state: 'running' })]);
    expect(recreateEvents(h)[0]).toMatchObject({
      status: 'failed',
      details: { step: 'start', restored: true },
    });
  });

  it('at removing the old one: the copy goes, and the stopped old one is renamed back and started', async () => {
    const h = await world();
    h.engine.failNext.remove = 'removal of container is already in progress';
    await replaceVpn(h);
    const copyId = h.engine.lifecycleCalls.find((c) => c.startsWith('start '))?.split(' ')[1];
    expect(h.engine.lifecycleCalls.slice(-4)).toEqual([
      `remove ${h.torrent.id}`,
      `remove ${copyId}`,
      `rename ${h.torrent.id} torrent`,
      `start ${h.torrent.id}`,
    ]);
    expect(byName(h, 'torrent')).toEqual([expect.objectContaining({ id: h.torrent.id, state: 'running' })]);
    expect(recreateEvents(h)[0]).toMatchObject({
      status: 'failed',
      details: { step: 'remove_old', restored: true },
    });
  });

  it('is not tried again by every reconcile, only by the next start of the parent', async () => {
    const h = await world();
    h.engine.failNext.create = 'bind source path does not exist';
    const newVpn = await replaceVpn(h);
    await h.supervisor.reconcile('interval');
    await h.supervisor.settled();
    await h.supervisor.reconcile('interval');
    await h.supervisor.settled();
    expect(recreateEvents(h).map((e) => e.status)).toEqual(['failed']);

    h.supervisor.onEngineEvent(h.engine.event(newVpn.id, 'start'));
    await h.supervisor.settled();
    expect(recreateEvents(h).map((e) => e.status)).toEqual(['success', 'failed']);
  });

  it('when putting it back fails too, both errors are recorded', async () => {
    const h = await world();
    h.engine.failNext.create = 'create refused';
    h.engine.failNext.rename = undefined;
    // The rename aside succeeds; the rename back fails.
    const origRename = h.engine.rename.bind(h.engine);
    let renames = 0;
    h.engine.rename = async (id, name) => {
      renames += 1;
      if (renames === 2) throw new Error('rename refused');
      return origRename(id, name);
    };
    await replaceVpn(h);
    expect(recreateEvents(h)[0]).toMatchObject({
      status: 'failed',
      details: { step: 'create', restored: false, restore_error: 'rename refused' },
    });
  });
});
